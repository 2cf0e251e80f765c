/* SPDX-License-Identifier: MIT */
/* Unit tests for holdd's journal (holdd/journal.c): replay, a torn tail, a
 * damaged record passed over, a write that fails part way (a full disk),
 * a file too large to read, and a rewrite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "journal.h"

static char dir[] = "/tmp/hold-journal-test.XXXXXX";
static int seen[16], nseen;

static void apply(const struct hold_msg *m, void *ctx)
{
	(void)ctx;
	if (nseen < 16)
		seen[nseen++] = (int)m->num[HOLD_F_PID];
}

static void add_exit(struct journal *j, int pid)
{
	char buf[64];
	struct hold_enc e;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_EXIT);
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)pid);
	journal_add(j, buf, hold_enc_finish(&e));
}

static struct journal_damage dmg;

static long reopen_and_replay(uint64_t *cut)
{
	struct journal j;
	long n;

	assert_int_equal(journal_open(&j, dir), 0);
	nseen = 0;
	n = journal_replay(&j, apply, NULL, &dmg);
	*cut = dmg.cut;
	journal_close(&j);
	return n;
}

static int setup(void **st)
{
	(void)st;
	strcpy(dir, "/tmp/hold-journal-test.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	char cmd[128];

	(void)st;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void write_three(void)
{
	struct journal j;

	assert_int_equal(journal_open(&j, dir), 0);
	add_exit(&j, 1);
	add_exit(&j, 2);
	add_exit(&j, 3);
	journal_close(&j);
}

static void test_replay_in_order(void **st)
{
	uint64_t cut;

	(void)st;
	write_three();
	assert_int_equal(reopen_and_replay(&cut), 3);
	assert_int_equal(cut, 0);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[2], 3);
}

static void test_torn_tail_dropped_and_appended_after(void **st)
{
	char path[128];
	uint64_t cut;
	FILE *f;
	struct journal j;

	(void)st;
	write_three();
	snprintf(path, sizeof(path), "%s/journal", dir);
	f = fopen(path, "a");
	fwrite("\x12\x34\x56\x78\x40\x00\x00", 1, 7, f); /* a record cut short */
	fclose(f);
	assert_int_equal(reopen_and_replay(&cut), 3);
	assert_int_equal(cut, 7);
	assert_int_equal(journal_open(&j, dir), 0); /* the next record follows good ones */
	add_exit(&j, 4);
	journal_close(&j);
	assert_int_equal(reopen_and_replay(&cut), 4);
	assert_int_equal(cut, 0);
	assert_int_equal(seen[3], 4);
}

/* One damaged byte in the middle loses that record, not those after it. */
static void test_damaged_record_is_passed_over(void **st)
{
	char path[128];
	uint64_t cut;
	FILE *f;
	long size;

	(void)st;
	write_three();
	snprintf(path, sizeof(path), "%s/journal", dir);
	f = fopen(path, "r+");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size / 3 + 14, SEEK_SET); /* inside record 2's value */
	fputc(0x5a, f);
	fclose(f);
	assert_int_equal(reopen_and_replay(&cut), 2);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 3);
	assert_int_equal(cut, 0);
	assert_int_equal((long)dmg.skipped, size / 3);
}

/* A write that fails part way (here the file-size limit, as a full disk
 * would) leaves no part of a record behind: what is written once there is
 * room again follows whole records, and replay finds all of them. */
static void test_failed_write_leaves_no_torn_record(void **st)
{
	struct journal j;
	struct rlimit old, small;
	uint64_t cut, size;

	(void)st;
	write_three();
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	assert_int_equal(journal_open(&j, dir), 0);
	size = j.size;
	small = (struct rlimit){(rlim_t)size + 30, old.rlim_max};
	setrlimit(RLIMIT_FSIZE, &small);
	for (int pid = 100; pid < 110; pid++)
		add_exit(&j, pid); /* ~300 bytes: the write stops after 30 */
	assert_int_equal(journal_flush(&j), -1);
	assert_true(j.failed);
	setrlimit(RLIMIT_FSIZE, &old);
	assert_true(j.size == size);
	add_exit(&j, 4);
	assert_int_equal(journal_flush(&j), 0);
	assert_false(j.failed);
	journal_close(&j);
	assert_int_equal(reopen_and_replay(&cut), 4);
	assert_int_equal(cut, 0);
	assert_int_equal(dmg.skipped, 0);
	assert_int_equal(seen[3], 4);
}

/* A journal larger than holdd ever writes (a sparse file, say) is not
 * read into memory: it is set aside and replay starts empty. */
static void test_oversized_journal_is_set_aside(void **st)
{
	char path[128], aside[160];
	struct stat sb;
	uint64_t cut;
	FILE *f;

	(void)st;
	write_three();
	snprintf(path, sizeof(path), "%s/journal", dir);
	f = fopen(path, "r+");
	assert_int_equal(ftruncate(fileno(f), (off_t)JOURNAL_MAX + 1), 0);
	fclose(f);
	assert_int_equal(reopen_and_replay(&cut), 0);
	assert_true(dmg.set_aside == JOURNAL_MAX + 1);
	snprintf(aside, sizeof(aside), "%s.damaged", path);
	assert_int_equal(stat(aside, &sb), 0);
	assert_true((uint64_t)sb.st_size == JOURNAL_MAX + 1);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 0);
}

/* Records longer than the replay window's slack, across window edges. */
static void test_many_records_across_windows(void **st)
{
	struct journal j;
	uint64_t cut;
	char buf[HOLD_MSG_MAX], arg[4000];
	struct hold_enc e;
	long n;

	(void)st;
	memset(arg, 'a', sizeof(arg));
	assert_int_equal(journal_open(&j, dir), 0);
	for (int i = 0; i < 1000; i++) { /* ~4 MB: several windows */
		hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_EXIT);
		hold_enc_num(&e, HOLD_F_PID, (uint64_t)i);
		hold_enc_mem(&e, HOLD_F_ARG, arg, (size_t)(i * 37) % sizeof(arg));
		journal_add(&j, buf, hold_enc_finish(&e));
	}
	journal_close(&j);
	assert_int_equal(journal_open(&j, dir), 0);
	nseen = 0;
	n = journal_replay(&j, apply, NULL, &dmg);
	cut = dmg.cut;
	journal_close(&j);
	assert_int_equal(n, 1000);
	assert_int_equal(cut, 0);
	assert_int_equal(dmg.skipped, 0);
}

static void test_rewrite_replaces(void **st)
{
	struct journal j, fresh;
	uint64_t cut;

	(void)st;
	write_three();
	assert_int_equal(journal_open(&j, dir), 0);
	assert_int_equal(journal_rewrite_begin(&j, &fresh), 0);
	add_exit(&fresh, 9);
	assert_int_equal(journal_rewrite_commit(&j, &fresh), 0);
	add_exit(&j, 10); /* appends go to the new file */
	journal_close(&j);
	assert_int_equal(reopen_and_replay(&cut), 2);
	assert_int_equal(seen[0], 9);
	assert_int_equal(seen[1], 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail_dropped_and_appended_after, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_damaged_record_is_passed_over, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_leaves_no_torn_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_oversized_journal_is_set_aside, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_many_records_across_windows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_replaces, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
