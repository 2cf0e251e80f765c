/* Unit tests for holdd's journal (holdd/journal.c): replay, a torn tail, a
 * corrupt record, and a rewrite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static long reopen_and_replay(uint64_t *cut)
{
	struct journal j;
	long n;

	assert_int_equal(journal_open(&j, dir), 0);
	nseen = 0;
	n = journal_replay(&j, apply, NULL, cut);
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

static void test_corrupt_record_stops_replay(void **st)
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
	assert_int_equal(reopen_and_replay(&cut), 1);
	assert_int_equal((long)cut, size - size / 3);
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
		cmocka_unit_test_setup_teardown(test_corrupt_record_stops_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_replaces, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
