/* SPDX-License-Identifier: MIT */
/* Unit tests for the park and hand-off tables (common/park.c) and the forms
 * walked from them: the PARK, PARKED and HANDOFF messages, the park record
 * and JSON, each written and read back field by field of the table (a new
 * field is checked as soon as it is in the table and sample() sets it);
 * values that could forge a record line; argv that does not fit;
 * /proc/PID/stat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf.h"
#include "park.h"
#include "paths.h"
#include "text.h"

static struct park in, out;
static char mem[HOLD_MSG_MAX + 64];

static void set_argv(struct park *p, const char *const *argv)
{
	p->argvlen = 0;
	for (; *argv; argv++) {
		size_t n = strlen(*argv) + 1;

		memcpy(p->argv + p->argvlen, *argv, n);
		p->argvlen += n;
	}
}

/* A recv park with every field set. */
static void sample(struct park *p)
{
	static const char *const argv[] = {"/usr/sbin/minivirtd", "--listen", "", "x y", NULL};

	park_init(p);
	p->pid = 4090;
	p->tid = 4093;
	p->ppid = 1;
	p->nspid = 7;
	p->uid = 1000;
	p->start = 123456789;
	p->since_ns = 1700000000123000000ull;
	p->timeout_ns = 2500000000ull;
	p->mode = HOLD_MODE_STOP;
	strcpy(p->event, "recv");
	strcpy(p->comm, "rpc-worker-1");
	strcpy(p->rule, "recv:unix:*/virtd.sock,comm=rpc-worker*,count=1");
	strcpy(p->exe, "/usr/sbin/minivirtd");
	strcpy(p->cgroup, "/system.slice/minivirtd.service");
	set_argv(p, argv);
	p->pidns = 4026531836u;
	p->flags = HOLD_FL_TRACED;
	p->ho.fd = 7;
	p->ho.newfd = 9;
	p->ho.peer = 4100;
	p->ho.bytes = 42;
	strcpy(p->ho.addr, "unix:/run/virtd.sock");
	strcpy(p->ho.peer_comm, "minivirsh");
}

/* Every field of table s that carries `where` and not `skip`: the same in
 * a and b; and each was set by sample() (not 0), so a field that a form
 * drops cannot pass unseen. */
static void same_fields(const struct shape *s, const void *a, const void *b, unsigned where,
			unsigned skip)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct shape_field *f = &s->f[i];
		const char *x = (const char *)a + f->off, *y = (const char *)b + f->off;
		static const char zero[PATH_MAX]; /* the largest field: exe */

		if (!(f->where & where) || (f->where & skip))
			continue;
		if (f->kind == SK_HANDOFF) {
			same_fields(&handoff_shape, x, y, where, skip);
			continue;
		}
		assert_true(f->size <= sizeof(zero));
		if (memcmp(x, zero, f->size) == 0)
			fail_msg("field %s (%s): sample() leaves it 0", f->key, f->json);
		if (memcmp(x, y, f->size) != 0)
			fail_msg("field %s (%s) did not survive the round trip", f->key, f->json);
	}
}

static void same_park(const struct park *a, const struct park *b)
{
	same_fields(&park_shape, a, b, SF_RECORD, 0);
}

static void decode(size_t n, struct hold_msg *m)
{
	assert_true(n > HOLD_MSG_HDR);
	assert_int_equal(hold_msg_decode(m, mem, n), HOLD_PROTO_OK);
}

static void test_parked_message_round_trip(void **st)
{
	struct hold_msg m;

	sample(&in);
	decode(park_to_msg(mem, sizeof(mem), HOLD_MSG_PARKED, &in), &m);
	assert_int_equal(m.type, HOLD_MSG_PARKED);
	park_from_msg(&out, &m);
	same_fields(&park_shape, &in, &out, SF_MSG, 0);
	assert_int_equal(out.uid, 1000);
	assert_int_equal(out.argvlen, in.argvlen);
	assert_memory_equal(out.argv, in.argv, in.argvlen);
}

/* A PARK names no uid (holdd takes it from the kernel); its pid, and its
 * pid namespace, are the process's own view, which holdd keeps beside the
 * kernel's pid for a client in that namespace. */
static void test_park_message_carries_no_identity(void **st)
{
	struct hold_msg m;

	sample(&in);
	decode(park_to_msg(mem, sizeof(mem), HOLD_MSG_PARK, &in), &m);
	assert_false(hold_msg_has(&m, HOLD_F_UID));
	park_from_msg(&out, &m);
	same_fields(&park_shape, &in, &out, SF_MSG, SF_ANSWER);
	assert_int_equal(out.pid, in.pid);
	assert_int_equal(out.tid, in.tid);
	assert_true(out.pidns == in.pidns);
	assert_int_equal(out.uid, 0);
}

/* hold_elf_dynamic over a file in memory: fd is unused, the image is elf_img. */
static unsigned char elf_img[256];

static long mem_pread(long fd, void *buf, unsigned long n, unsigned long off)
{
	(void)fd;
	if (off > sizeof(elf_img))
		return -1;
	if (n > sizeof(elf_img) - off)
		n = sizeof(elf_img) - off;
	memcpy(buf, elf_img + off, n);
	return (long)n;
}

/* A 64-bit ELF with two program headers at 64, the second PT_INTERP or not. */
static void make_elf(uint32_t second)
{
	uint64_t phoff = 64;
	uint16_t size = 56, n = 2;
	uint32_t load = 1;

	memset(elf_img, 0, sizeof(elf_img));
	memcpy(elf_img, "\177ELF\2", 5);
	memcpy(elf_img + 0x20, &phoff, 8);
	memcpy(elf_img + 0x36, &size, 2);
	memcpy(elf_img + 0x38, &n, 2);
	memcpy(elf_img + 64, &load, 4);
	memcpy(elf_img + 64 + 56, &second, 4);
}

static void test_elf_dynamic(void **st)
{
	make_elf(3); /* PT_INTERP */
	assert_int_equal(hold_elf_dynamic(0, mem_pread), 1);
	make_elf(2); /* PT_DYNAMIC alone: no ld.so to run it */
	assert_int_equal(hold_elf_dynamic(0, mem_pread), 0);
	memcpy(elf_img, "#!/bin/sh\n", 10);
	assert_int_equal(hold_elf_dynamic(0, mem_pread), -1);
	make_elf(3);
	elf_img[4] = 1; /* 32-bit */
	assert_int_equal(hold_elf_dynamic(0, mem_pread), -1);
}

/* The first user namespace's uid_map, however padded, is the identity; a
 * container's is not; an unread map says no. */
static void test_userns_map(void **st)
{
	static const char first[] = "         0          0 4294967295\n";
	static const char ct[] = "         0     200000      65536\n";

	assert_false(hold_in_userns(first, strlen(first)));
	assert_false(hold_in_userns("0 0 4294967295", 14));
	assert_true(hold_in_userns(ct, strlen(ct)));
	assert_true(hold_in_userns("0 0 4294967295\n1 1 1\n", 21));
	assert_true(hold_in_userns("0 0 429496729\n", 15));
	assert_false(hold_in_userns("", 0));
	assert_true(hold_daemon_trusted(HOLD_OVERFLOW_UID, 0, 1));
	assert_false(hold_daemon_trusted(HOLD_OVERFLOW_UID, 0, 0));
	assert_false(hold_daemon_trusted(1000, 1001, 1));
}

/* fork and exec parks carry no hand-off: fd and newfd stay -1. */
static void test_no_handoff(void **st)
{
	struct hold_msg m;

	sample(&in);
	in.ho.fd = -1;
	decode(park_to_msg(mem, sizeof(mem), HOLD_MSG_PARKED, &in), &m);
	assert_false(hold_msg_has(&m, HOLD_F_ADDR));
	park_from_msg(&out, &m);
	assert_int_equal(out.ho.fd, -1);
	assert_int_equal(out.ho.newfd, -1);
	assert_string_equal(out.ho.addr, "");
}

/* An argv longer than the message keeps the elements that fit, whole. */
static void test_long_argv_is_cut_between_elements(void **st)
{
	char small[2500];
	struct hold_msg m;
	size_t n;

	sample(&in);
	/* four elements of 199 bytes and their NULs: 800 of HOLD_PARK_ARGV */
	memset(in.argv, 'a', 800);
	for (size_t i = 199; i < 800; i += 200)
		in.argv[i] = '\0';
	in.argvlen = 800;
	n = park_to_msg(small, 100, HOLD_MSG_PARKED, &in);
	assert_int_equal(n, 0); /* not even the fields before argv fit */
	n = park_to_msg(small, 650, HOLD_MSG_PARKED, &in);
	assert_true(n > 0 && n <= 650);
	assert_int_equal(hold_msg_decode(&m, small, n), HOLD_PROTO_OK);
	assert_true(m.nargs >= 1 && m.nargs < 4);
	for (unsigned i = 0; i < m.nargs; i++)
		assert_int_equal(m.arg[i].len, 199);
	n = park_to_msg(small, sizeof(small), HOLD_MSG_PARKED, &in);
	assert_int_equal(hold_msg_decode(&m, small, n), HOLD_PROTO_OK);
	assert_int_equal(m.nargs, 4);
}

static void test_record_round_trip(void **st)
{
	struct buf b;

	sample(&in);
	buf_init(&b, mem, sizeof(mem));
	park_to_record(&b, &in);
	assert_false(b.full);
	assert_int_equal(park_from_record(&out, b.p, b.len), 0);
	same_park(&in, &out);
	/* the record keeps argv's elements apart (\0), an empty one too */
	assert_int_equal(out.argvlen, in.argvlen);
	assert_memory_equal(out.argv, in.argv, in.argvlen);
	assert_non_null(strstr(b.p, "\nargv=/usr/sbin/minivirtd\\0--listen\\0\\0x y\n"));
	assert_non_null(strstr(b.p, "\nmode=stop\n"));
	assert_non_null(strstr(b.p, "\nsince=1700000000.123\n"));
	assert_non_null(strstr(b.p, "\ntimeout=2.500\n"));
}

/* A record says whose park it is (uid=, all 32 bits), for the records holdd
 * writes for processes of other users; PARK says when libhold wrote none. */
static void test_record_uid_and_unrecorded(void **st)
{
	struct buf b;
	struct hold_msg m;

	sample(&in);
	in.uid = 4294967294u;
	buf_init(&b, mem, sizeof(mem));
	park_to_record(&b, &in);
	assert_non_null(strstr(b.p, "\nuid=4294967294\n"));
	assert_int_equal(park_from_record(&out, b.p, b.len), 0);
	assert_true(out.uid == 4294967294u);
	in.flags = HOLD_FL_UNRECORDED | HOLD_FL_ALL; /* a park says only its own flags */
	decode(park_to_msg(mem, sizeof(mem), HOLD_MSG_PARK, &in), &m);
	park_from_msg(&out, &m);
	assert_true(out.flags == HOLD_FL_UNRECORDED);
	in.flags = 0;
	decode(park_to_msg(mem, sizeof(mem), HOLD_MSG_PARK, &in), &m);
	park_from_msg(&out, &m);
	assert_false(out.flags);
}

/* A process may call itself anything: its name cannot forge a line. */
static void test_record_values_cannot_forge_lines(void **st)
{
	struct buf b;

	sample(&in);
	in.mode = HOLD_MODE_SPIN;
	strcpy(in.comm, "x\nmode=stop\\");
	strcpy(in.exe, "/tmp/a\npid=1");
	buf_init(&b, mem, sizeof(mem));
	park_to_record(&b, &in);
	assert_null(strstr(b.p, "\nmode=stop\n"));
	assert_null(strstr(b.p, "\npid=1\n"));
	assert_int_equal(park_from_record(&out, b.p, b.len), 0);
	assert_int_equal(out.mode, HOLD_MODE_SPIN);
	assert_int_equal(out.pid, 4090);
	assert_string_equal(out.comm, in.comm);
	assert_string_equal(out.exe, in.exe);
}

static void test_record_without_handoff_or_pid(void **st)
{
	struct buf b;
	const char *junk = "tid=5\nexe=/bin/true\nunknown=1\nnot a line\n";

	sample(&in);
	in.ho.fd = -1;
	buf_init(&b, mem, sizeof(mem));
	park_to_record(&b, &in);
	assert_null(strstr(b.p, "addr="));
	assert_null(strstr(b.p, "\nfd="));
	assert_int_equal(park_from_record(&out, b.p, b.len), 0);
	assert_int_equal(out.ho.fd, -1);
	/* no pid: not a record */
	assert_int_equal(park_from_record(&out, junk, strlen(junk)), -1);
	assert_int_equal(out.tid, 5);
	assert_string_equal(out.exe, "/bin/true");
}

/* The journal's brief park event carries who, when and why, no more. */
static void test_brief_message(void **st)
{
	struct hold_msg m;

	sample(&in);
	decode(park_to_brief_msg(mem, sizeof(mem), &in), &m);
	assert_int_equal(m.type, HOLD_MSG_PARKED);
	assert_false(hold_msg_has(&m, HOLD_F_PATH));
	assert_int_equal(m.nargs, 0);
	park_from_msg(&out, &m);
	same_fields(&park_shape, &in, &out, SF_BRIEF, 0);
}

/* A hand-off edge: from the park that drew it, through HANDOFF and back. */
static void test_edge_round_trip(void **st)
{
	struct handoff_edge h, back;
	struct hold_msg m;

	sample(&in);
	edge_from_park(&h, &in, 1001);
	assert_int_equal(h.ho.peer, 4100);
	decode(edge_to_msg(mem, sizeof(mem), &h), &m);
	assert_int_equal(m.type, HOLD_MSG_HANDOFF);
	edge_from_msg(&back, &m);
	same_fields(&edge_shape, &h, &back, SF_MSG, 0);
	/* a journal of before OWNER: the tree is the process's user's */
	m.have &= ~(1ull << HOLD_F_OWNER);
	edge_from_msg(&back, &m);
	assert_int_equal(back.owner, in.uid);
}

/* JSON: every field the table marks, by its JSON key, valid and in one
 * vocabulary for ls, tree and log; the hand-off's fields only with one. */
static void test_json(void **st)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	sample(&in);
	json_shape(f, &park_shape, &in, 0);
	fclose(f);
	for (unsigned i = 0; i < park_shape.n; i++) {
		char key[32];

		if (!(park_shape.f[i].where & SF_JSON) || park_shape.f[i].kind == SK_HANDOFF)
			continue;
		snprintf(key, sizeof(key), "\"%s\": ", park_shape.f[i].json);
		assert_non_null(strstr(text, key));
	}
	assert_non_null(strstr(text, "\"mode\": \"stop\""));
	assert_non_null(strstr(text, "\"peer_comm\": \"minivirsh\""));
	assert_non_null(
		strstr(text, "\"argv\": [\"/usr/sbin/minivirtd\", \"--listen\", \"\", \"x y\"]"));
	assert_null(strstr(text, "start"));
	free(text);
	in.ho.fd = -1;
	f = open_memstream(&text, &len);
	json_shape(f, &park_shape, &in, SF_BRIEF);
	fclose(f);
	assert_null(strstr(text, "addr"));
	assert_null(strstr(text, "argv"));
	assert_non_null(strstr(text, "\"rule\": "));
	free(text);
}

static void test_record_name(void **st)
{
	char name[64];
	struct buf b;

	buf_init(&b, name, sizeof(name));
	park_record_name(&b, 12737, 12741);
	assert_string_equal(buf_cstr(&b), "park-12737-12741");
}

static void test_stat_starttime(void **st)
{
	/* the name may hold spaces and parentheses: fields count from the last ')' */
	const char *stat = "4090 (a) b (c)) S 1 4090 4090 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 "
			   "0 987654 12345678 300 18446744073709551615";

	assert_true(hold_stat_field(stat, strlen(stat), HOLD_STAT_STARTTIME) == 987654);
	assert_true(hold_stat_field("garbage", 7, HOLD_STAT_STARTTIME) == 0);
	assert_true(hold_stat_field("", 0, HOLD_STAT_STARTTIME) == 0);
}

static void test_msg_copy_and_absent_fields(void **st)
{
	struct hold_enc e;
	struct hold_msg m;
	char small[5];

	hold_enc_start(&e, mem, sizeof(mem), HOLD_MSG_ERROR);
	hold_enc_str(&e, HOLD_F_TEXT, "no such park");
	decode(hold_enc_finish(&e), &m);
	assert_int_equal(hold_msg_copy(&m, HOLD_F_TEXT, small, sizeof(small)), 4);
	assert_string_equal(small, "no s");
	assert_int_equal(hold_msg_str(&m, HOLD_F_PATH).len, 0);
	assert_string_equal(hold_msg_str(&m, HOLD_F_PATH).p, "");
	assert_int_equal(hold_msg_copy(&m, HOLD_F_PATH, small, sizeof(small)), 0);
	assert_string_equal(small, "");
}

/* hold attach --pdb's socket is never taken for the program's hand-off;
 * only exactly that shape is. */
static void test_pdb_channel_name(void **state)
{
	(void)state;
	assert_true(hold_is_pdb_channel("/tmp/hold-pdb.a1B2c3/pdb.sock"));
	assert_false(hold_is_pdb_channel("/tmp/hold-pdb.a1B2c3/pdb.sockx"));
	assert_false(hold_is_pdb_channel("/tmp/hold-pdb.a1B2c/pdb.sock"));
	assert_false(hold_is_pdb_channel("/tmp/hold-pdb.a1B2c3/x/pdb.sock"));
	assert_false(hold_is_pdb_channel("/var/tmp/hold-pdb.a1B2c3/pdb.sock"));
	assert_false(hold_is_pdb_channel("/tmp/wsgi.1.0.1.sock"));
	assert_false(hold_is_pdb_channel(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parked_message_round_trip),
		cmocka_unit_test(test_elf_dynamic),
		cmocka_unit_test(test_userns_map),
		cmocka_unit_test(test_park_message_carries_no_identity),
		cmocka_unit_test(test_no_handoff),
		cmocka_unit_test(test_long_argv_is_cut_between_elements),
		cmocka_unit_test(test_record_uid_and_unrecorded),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_values_cannot_forge_lines),
		cmocka_unit_test(test_record_without_handoff_or_pid),
		cmocka_unit_test(test_record_name),
		cmocka_unit_test(test_brief_message),
		cmocka_unit_test(test_edge_round_trip),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_pdb_channel_name),
		cmocka_unit_test(test_stat_starttime),
		cmocka_unit_test(test_msg_copy_and_absent_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
