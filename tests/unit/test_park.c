/* Unit tests for a park's two outside forms (common/park.c): the PARK and
 * PARKED messages and the park record, each written and read back; values
 * that could forge a record line; argv that does not fit; /proc/PID/stat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "elf.h"
#include "park.h"
#include "paths.h"

static struct hold_park in, out;
static char mem[HOLD_MSG_MAX + 64];

static void set_argv(struct hold_park *p, const char *const *argv)
{
	p->argvlen = 0;
	for (; *argv; argv++) {
		size_t n = strlen(*argv) + 1;

		memcpy(p->argv + p->argvlen, *argv, n);
		p->argvlen += n;
	}
}

/* A recv park with every field set. */
static void sample(struct hold_park *p)
{
	static const char *const argv[] = {"/usr/sbin/minivirtd", "--listen", "", "x y", NULL};

	hold_park_init(p);
	p->pid = 4090;
	p->tid = 4093;
	p->ppid = 1;
	p->uid = 1000;
	p->start = 123456789;
	p->since_ns = 1700000000123000000ull;
	p->timeout_ns = 2500000000ull;
	p->mode = HOLD_MODE_STOP;
	strcpy(p->event, "recv");
	strcpy(p->comm, "rpc-worker-1");
	strcpy(p->rule, "recv:unix:*/virtd.sock,comm=rpc-worker*,count=1");
	strcpy(p->exe, "/usr/sbin/minivirtd");
	set_argv(p, argv);
	p->fd = 7;
	p->newfd = -1;
	p->peer = 4100;
	p->bytes = 42;
	strcpy(p->addr, "unix:/run/virtd.sock");
	strcpy(p->peercomm, "minivirsh");
}

static void same_park(const struct hold_park *a, const struct hold_park *b)
{
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->tid, b->tid);
	assert_int_equal(a->ppid, b->ppid);
	assert_true(a->start == b->start);
	assert_true(a->since_ns == b->since_ns);
	assert_true(a->timeout_ns == b->timeout_ns);
	assert_int_equal(a->mode, b->mode);
	assert_string_equal(a->event, b->event);
	assert_string_equal(a->comm, b->comm);
	assert_string_equal(a->rule, b->rule);
	assert_string_equal(a->exe, b->exe);
	assert_int_equal(a->fd, b->fd);
	assert_int_equal(a->newfd, b->newfd);
	assert_int_equal(a->peer, b->peer);
	assert_true(a->bytes == b->bytes);
	assert_string_equal(a->addr, b->addr);
	assert_string_equal(a->peercomm, b->peercomm);
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
	decode(hold_park_to_msg(mem, sizeof(mem), HOLD_MSG_PARKED, &in), &m);
	assert_int_equal(m.type, HOLD_MSG_PARKED);
	hold_park_from_msg(&out, &m);
	same_park(&in, &out);
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
	in.pidns = 4026531836u;
	decode(hold_park_to_msg(mem, sizeof(mem), HOLD_MSG_PARK, &in), &m);
	assert_false(hold_msg_has(&m, HOLD_F_UID));
	hold_park_from_msg(&out, &m);
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
	in.fd = -1;
	decode(hold_park_to_msg(mem, sizeof(mem), HOLD_MSG_PARKED, &in), &m);
	assert_false(hold_msg_has(&m, HOLD_F_ADDR));
	hold_park_from_msg(&out, &m);
	assert_int_equal(out.fd, -1);
	assert_int_equal(out.newfd, -1);
	assert_string_equal(out.addr, "");
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
	n = hold_park_to_msg(small, 100, HOLD_MSG_PARKED, &in);
	assert_int_equal(n, 0); /* not even the fields before argv fit */
	n = hold_park_to_msg(small, 550, HOLD_MSG_PARKED, &in);
	assert_true(n > 0 && n <= 550);
	assert_int_equal(hold_msg_decode(&m, small, n), HOLD_PROTO_OK);
	assert_true(m.nargs >= 1 && m.nargs < 4);
	for (unsigned i = 0; i < m.nargs; i++)
		assert_int_equal(m.arg[i].len, 199);
	n = hold_park_to_msg(small, sizeof(small), HOLD_MSG_PARKED, &in);
	assert_int_equal(hold_msg_decode(&m, small, n), HOLD_PROTO_OK);
	assert_int_equal(m.nargs, 4);
}

static void test_record_round_trip(void **st)
{
	struct buf b;

	sample(&in);
	buf_init(&b, mem, sizeof(mem));
	hold_park_to_record(&b, &in);
	assert_false(b.full);
	assert_int_equal(hold_park_from_record(&out, b.p, b.len), 0);
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
	hold_park_to_record(&b, &in);
	assert_non_null(strstr(b.p, "\nuid=4294967294\n"));
	assert_int_equal(hold_park_from_record(&out, b.p, b.len), 0);
	assert_true(out.uid == 4294967294u);
	in.flags = HOLD_FL_UNRECORDED;
	decode(hold_park_to_msg(mem, sizeof(mem), HOLD_MSG_PARK, &in), &m);
	hold_park_from_msg(&out, &m);
	assert_true(out.flags == HOLD_FL_UNRECORDED);
	in.flags = 0;
	decode(hold_park_to_msg(mem, sizeof(mem), HOLD_MSG_PARK, &in), &m);
	hold_park_from_msg(&out, &m);
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
	hold_park_to_record(&b, &in);
	assert_null(strstr(b.p, "\nmode=stop\n"));
	assert_null(strstr(b.p, "\npid=1\n"));
	assert_int_equal(hold_park_from_record(&out, b.p, b.len), 0);
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
	in.fd = -1;
	buf_init(&b, mem, sizeof(mem));
	hold_park_to_record(&b, &in);
	assert_null(strstr(b.p, "addr="));
	assert_null(strstr(b.p, "\nfd="));
	assert_int_equal(hold_park_from_record(&out, b.p, b.len), 0);
	assert_int_equal(out.fd, -1);
	/* no pid: not a record */
	assert_int_equal(hold_park_from_record(&out, junk, strlen(junk)), -1);
	assert_int_equal(out.tid, 5);
	assert_string_equal(out.exe, "/bin/true");
}

static void test_record_name(void **st)
{
	char name[64];
	struct buf b;

	buf_init(&b, name, sizeof(name));
	hold_park_record_name(&b, 12737, 12741);
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
		cmocka_unit_test(test_pdb_channel_name),
		cmocka_unit_test(test_stat_starttime),
		cmocka_unit_test(test_msg_copy_and_absent_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
