/* SPDX-License-Identifier: MIT */
/* Unit tests for the hold protocol (libhold/proto.c): round trips and every
 * way a message can be malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

static char buf[HOLD_MSG_MAX + 64];
static struct hold_msg m;

static int streq(struct hold_str s, const char *want)
{
	return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

static size_t park_msg(void)
{
	struct hold_enc e;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_PARK);
	hold_enc_num(&e, HOLD_F_TID, 4125);
	hold_enc_str(&e, HOLD_F_EVENT, "exec");
	hold_enc_str(&e, HOLD_F_RULE, "exec:*/qemu-system-*");
	hold_enc_num(&e, HOLD_F_MODE, 1);
	hold_enc_num(&e, HOLD_F_TIMEOUT_NS, 30000000000ull);
	return hold_enc_finish(&e);
}

static void test_park_round_trip(void **st)
{
	size_t n = park_msg();

	assert_true(n > HOLD_MSG_HDR);
	assert_int_equal(hold_msg_frame(buf, n), (long)n);
	assert_int_equal(hold_msg_decode(&m, buf, n), HOLD_PROTO_OK);
	assert_int_equal(m.type, HOLD_MSG_PARK);
	assert_int_equal(m.num[HOLD_F_TID], 4125);
	assert_int_equal(m.num[HOLD_F_MODE], 1);
	assert_true(m.num[HOLD_F_TIMEOUT_NS] == 30000000000ull);
	assert_true(streq(hold_msg_str(&m, HOLD_F_EVENT), "exec"));
	assert_true(streq(hold_msg_str(&m, HOLD_F_RULE), "exec:*/qemu-system-*"));
	assert_true(hold_msg_has(&m, HOLD_F_TIMEOUT_NS));
	assert_false(hold_msg_has(&m, HOLD_F_SINCE_NS));
}

static void test_exec_args_and_cap(void **st)
{
	struct hold_enc e;
	size_t n;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_EXEC);
	hold_enc_str(&e, HOLD_F_PATH, "/usr/bin/qemu-system-x86_64");
	for (int i = 0; i < HOLD_MSG_ARGS + 5; i++)
		hold_enc_str(&e, HOLD_F_ARG, i == 0 ? "" : "-S");
	n = hold_enc_finish(&e);
	assert_int_equal(hold_msg_decode(&m, buf, n), HOLD_PROTO_OK);
	assert_int_equal(m.nargs, HOLD_MSG_ARGS);
	assert_int_equal(m.args_cut, 5);
	assert_int_equal(m.arg[0].len, 0); /* empty strings survive */
	assert_true(streq(m.arg[1], "-S"));
}

/* hold log re-encodes the journal's records: decode -> encode -> the same
 * bytes (fields in tag order, as every encoder here writes them). */
static void test_encode_again(void **st)
{
	static char again[HOLD_MSG_MAX];
	struct hold_enc e;
	size_t n, n2;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_EXEC);
	hold_enc_num(&e, HOLD_F_SINCE_NS, 1700000000123456789ull);
	hold_enc_num(&e, HOLD_F_PID, 42);
	hold_enc_num(&e, HOLD_F_PPID, 7);
	hold_enc_num(&e, HOLD_F_UID, 1000);
	hold_enc_str(&e, HOLD_F_PATH, "/bin/x");
	hold_enc_str(&e, HOLD_F_ARG, "x");
	hold_enc_str(&e, HOLD_F_ARG, "");
	hold_enc_str(&e, HOLD_F_ARG, "a b");
	n = hold_enc_finish(&e);
	assert_int_equal(hold_msg_decode(&m, buf, n), HOLD_PROTO_OK);
	n2 = hold_msg_encode(&m, again, sizeof(again));
	assert_int_equal(n2, n);
	assert_memory_equal(again, buf, n);
	assert_int_equal(hold_msg_encode(&m, again, 16), 0); /* does not fit: 0 */
}

static void test_every_type_needs_its_fields(void **st)
{
	/* requests that may be empty: the CLI's LIST, TREE, WAIT, STATS, LOG,
	 * OWNER (the sender is the owner), WATCH (is kernel following on?)
	 * and RELEASE (whose PID or ALL holdd checks, with a message for the
	 * user) */
	const uint64_t empty_ok = 1u << HOLD_MSG_LIST | 1u << HOLD_MSG_TREE | 1u << HOLD_MSG_WAIT |
				  1u << HOLD_MSG_STATS | 1u << HOLD_MSG_OWNER |
				  1u << HOLD_MSG_RELEASE | 1u << HOLD_MSG_LOG |
				  1u << HOLD_MSG_WATCH;

	for (int t = HOLD_MSG_HELLO; t < HOLD_MSG_TYPE_END_; t++) {
		struct hold_enc e;
		size_t n;

		hold_enc_start(&e, buf, sizeof(buf), t);
		n = hold_enc_finish(&e);
		assert_int_equal(hold_msg_decode(&m, buf, n),
				 (empty_ok >> t) & 1 ? HOLD_PROTO_OK : HOLD_PROTO_MISSING);
	}
}

static void test_encoder_overflow(void **st)
{
	char small[32];
	struct hold_enc e;

	hold_enc_start(&e, small, sizeof(small), HOLD_MSG_ERROR);
	hold_enc_str(&e, HOLD_F_TEXT, "this text is longer than the buffer it is given");
	assert_int_equal(hold_enc_finish(&e), 0);
	/* and never past HOLD_MSG_MAX, whatever the buffer */
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_ERROR);
	for (int i = 0; i < 300; i++)
		hold_enc_str(&e, HOLD_F_TEXT, "0123456789012345678901234567890123456789");
	assert_int_equal(hold_enc_finish(&e), 0);
}

static void test_framing(void **st)
{
	size_t n = park_msg();

	for (size_t k = 0; k < n; k++) /* a partial read asks for more */
		assert_int_equal(hold_msg_frame(buf, k), 0);
	assert_int_equal(hold_msg_frame(buf, n + 10), (long)n); /* next one follows */
	buf[0] = 4, buf[1] = buf[2] = buf[3] = 0;
	assert_int_equal(hold_msg_frame(buf, n), -HOLD_PROTO_SHORT);
	buf[0] = 0, buf[1] = 0x40, buf[2] = 0, buf[3] = 0; /* 16 KiB */
	assert_int_equal(hold_msg_frame(buf, n), -HOLD_PROTO_TOO_LARGE);
}

static void test_malformed(void **st)
{
	size_t n = park_msg();

	/* version */
	buf[4] = 2;
	assert_int_equal(hold_msg_decode(&m, buf, n), HOLD_PROTO_VERSION_MISMATCH);
	n = park_msg();
	buf[6] = 0;
	assert_int_equal(hold_msg_decode(&m, buf, n), HOLD_PROTO_BAD_TYPE);
	n = park_msg();
	buf[6] = HOLD_MSG_TYPE_END_;
	assert_int_equal(hold_msg_decode(&m, buf, n), HOLD_PROTO_BAD_TYPE);
	/* stated length disagrees with what arrived */
	n = park_msg();
	assert_int_equal(hold_msg_decode(&m, buf, n - 1), HOLD_PROTO_SHORT);
	assert_int_equal(hold_msg_decode(&m, buf, n + 1), HOLD_PROTO_TOO_LARGE);
	/* first field (TID) claims more bytes than remain */
	n = park_msg();
	buf[HOLD_MSG_HDR + 2] = (char)0xff;
	assert_int_equal(hold_msg_decode(&m, buf, n), HOLD_PROTO_BAD_FIELD);
	/* a number that is not 8 bytes */
	{
		struct hold_enc e;

		hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_RELEASE);
		hold_enc_mem(&e, HOLD_F_TID, "1234", 4);
		n = hold_enc_finish(&e);
		assert_int_equal(hold_msg_decode(&m, buf, n), HOLD_PROTO_BAD_FIELD);
	}
}

static void test_duplicate_and_unknown(void **st)
{
	struct hold_enc e;
	size_t n;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_RELEASE);
	hold_enc_num(&e, HOLD_F_TID, 1);
	hold_enc_num(&e, HOLD_F_TID, 2);
	n = hold_enc_finish(&e);
	assert_int_equal(hold_msg_decode(&m, buf, n), HOLD_PROTO_DUPLICATE);

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_RELEASE);
	hold_enc_str(&e, 200, "from a newer build");
	hold_enc_num(&e, HOLD_F_TID, 7);
	n = hold_enc_finish(&e);
	assert_int_equal(hold_msg_decode(&m, buf, n), HOLD_PROTO_OK);
	assert_int_equal(m.num[HOLD_F_TID], 7);
}

static void test_strerror(void **st)
{
	for (int i = 0; i < HOLD_PROTO_ERR_END_; i++)
		assert_string_not_equal(hold_proto_strerror(i), "unknown error");
	assert_string_equal(hold_proto_strerror(-1), "unknown error");
	assert_non_null(strstr(hold_proto_strerror(HOLD_PROTO_VERSION_MISMATCH), "one build"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_park_round_trip),
		cmocka_unit_test(test_exec_args_and_cap),
		cmocka_unit_test(test_encode_again),
		cmocka_unit_test(test_every_type_needs_its_fields),
		cmocka_unit_test(test_encoder_overflow),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_duplicate_and_unknown),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
