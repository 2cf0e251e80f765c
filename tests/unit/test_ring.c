/* SPDX-License-Identifier: MIT */
/* The report ring (ring.h): what writers put in comes out in order; a full
 * ring drops and counts, never overwrites; a writer that died between its
 * ticket and its report costs a slot only after the stuck timeout, one
 * that lost the CPU there is waited for (up to a bound); a head
 * scribbled by a writer is survived; the first writer after holdd sleeps,
 * and only it, is told to wake holdd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ring.h"

struct seen {
	int n;
	int pids[HOLD_RING_SLOTS + 8];
	char last[64];
};

static void take(void *ctx, const char *msg, size_t n, int pid)
{
	struct seen *s = ctx;

	s->pids[s->n++] = pid;
	snprintf(s->last, sizeof(s->last), "%.*s", (int)n, msg);
}

static void *fresh(void)
{
	void *r = calloc(1, HOLD_RING_SIZE);

	assert_non_null(r);
	hold_ring_init(r);
	return r;
}

static void test_in_order(void **state)
{
	void *r = fresh();
	struct hold_ring_reader rd = {0};
	struct seen *s = calloc(1, sizeof(*s));

	(void)state;
	assert_false(hold_ring_pending(r, &rd));
	for (int i = 1; i <= 5; i++)
		assert_int_equal(hold_ring_put(r, "fork", 4, i), HOLD_RING_IN);
	assert_int_equal(hold_ring_put(r, "exec", 4, 6), HOLD_RING_IN);
	assert_true(hold_ring_pending(r, &rd));
	assert_int_equal(hold_ring_drain(r, &rd, 1, take, s), 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(s->pids[i], i + 1);
	assert_string_equal(s->last, "exec");
	assert_false(hold_ring_pending(r, &rd));
	assert_int_equal(hold_ring_put(r, "x", HOLD_RING_DATA + 1, 7), HOLD_RING_LARGE);
	free(s);
	free(r);
}

static void test_full_drops_and_counts(void **state)
{
	void *r = fresh();
	struct hold_ring_reader rd = {0};
	struct seen *s = calloc(1, sizeof(*s));

	(void)state;
	for (unsigned i = 0; i < HOLD_RING_SLOTS; i++)
		assert_int_equal(hold_ring_put(r, "f", 1, (int)i + 1), HOLD_RING_IN);
	assert_int_equal(hold_ring_put(r, "f", 1, 99999), HOLD_RING_FULL);
	assert_int_equal(hold_ring_put(r, "f", 1, 99999), HOLD_RING_FULL);
	assert_int_equal(hold_ring_drain(r, &rd, 1, take, s), HOLD_RING_SLOTS);
	assert_int_equal(rd.lost, 2);
	for (unsigned i = 0; i < HOLD_RING_SLOTS; i++) /* nothing overwritten */
		assert_int_equal(s->pids[i], (int)i + 1);
	assert_int_equal(hold_ring_put(r, "again", 5, 7), HOLD_RING_IN); /* room again */
	free(s);
	free(r);
}

static int runs(int pid)
{
	return pid == 77; /* 77 is running; every other writer has gone */
}

/* A slot taken, not published, its writer pid (0: not yet said). */
static void *stuck_ring(int pid)
{
	void *r = fresh();
	struct hold_ring_hdr *h = r;
	struct hold_ring_slot *slot0 = (struct hold_ring_slot *)((char *)r + HOLD_RING_HDR);

	h->head = 1; /* ticket 0 taken */
	slot0[0].pid = pid;
	assert_int_equal(hold_ring_put(r, "after", 5, 2), HOLD_RING_IN);
	return r;
}

static void test_dead_writer_skipped_after_timeout(void **state)
{
	void *r = stuck_ring(55);
	struct hold_ring_reader rd = {.may_finish = runs};
	struct seen *s = calloc(1, sizeof(*s));

	(void)state;
	assert_int_equal(hold_ring_drain(r, &rd, 1000, take, s), 0); /* waits for it */
	assert_int_equal(hold_ring_drain(r, &rd, 1000 + HOLD_RING_STUCK_NS / 2, take, s), 0);
	assert_int_equal(hold_ring_drain(r, &rd, 1000 + HOLD_RING_STUCK_NS, take, s), 1);
	assert_int_equal(rd.skipped, 1);
	assert_string_equal(s->last, "after");
	assert_int_equal(((struct hold_ring_slot *)((char *)r + HOLD_RING_HDR))[0].pid, 0);
	free(s);
	free(r);
}

/* A writer that lost the CPU mid-report, on a loaded machine, is waited
 * for: losing its report would be the bug, not the wait. */
static void test_running_writer_waited_for(void **state)
{
	void *r = stuck_ring(77);
	struct hold_ring_reader rd = {.may_finish = runs};
	struct seen *s = calloc(1, sizeof(*s));
	struct hold_ring_slot *slot0 = (struct hold_ring_slot *)((char *)r + HOLD_RING_HDR);

	(void)state;
	assert_int_equal(hold_ring_drain(r, &rd, 1000, take, s), 0);
	assert_int_equal(hold_ring_drain(r, &rd, 1000 + HOLD_RING_STUCK_NS * 3, take, s), 0);
	assert_int_equal(rd.skipped, 0);
	slot0[0].len = 4; /* it runs again and finishes */
	memcpy(slot0[0].data, "fork", 4);
	__atomic_store_n(&slot0[0].seq, 1, __ATOMIC_RELEASE);
	assert_int_equal(hold_ring_drain(r, &rd, 1000 + HOLD_RING_STUCK_NS * 4, take, s), 2);
	assert_int_equal(s->pids[0], 77);
	assert_string_equal(s->last, "after");
	free(s);
	free(r);
}

/* Bounded all the same: a writer that never finishes (or never said who
 * it is) holds the ring up for HOLD_RING_WAIT_NS at most. */
static void test_wait_is_bounded(void **state)
{
	(void)state;
	for (int pid = 0; pid <= 77; pid += 77) {
		void *r = stuck_ring(pid);
		struct hold_ring_reader rd = {.may_finish = runs};
		struct seen *s = calloc(1, sizeof(*s));

		assert_int_equal(hold_ring_drain(r, &rd, 1000, take, s), 0);
		assert_int_equal(hold_ring_drain(r, &rd, 1000 + HOLD_RING_WAIT_NS - 1, take, s), 0);
		assert_int_equal(hold_ring_drain(r, &rd, 1000 + HOLD_RING_WAIT_NS, take, s), 1);
		assert_int_equal(rd.skipped, 1);
		free(s);
		free(r);
	}
}

/* Tickets taken and never published, a whole ring of them (an 8-byte
 * store on head by a writer that means harm), blind holdd for one
 * HOLD_RING_WAIT_NS, not for one per slot (hours, at five seconds each). */
static void test_a_run_of_stuck_slots_is_one_wait(void **state)
{
	void *r = fresh();
	struct hold_ring_hdr *h = r;
	struct hold_ring_reader rd = {.may_finish = runs};
	struct seen *s = calloc(1, sizeof(*s));

	(void)state;
	h->head = HOLD_RING_SLOTS - 1; /* taken, none published, no writer named */
	assert_int_equal(hold_ring_drain(r, &rd, 1000, take, s), 0);
	assert_int_equal(hold_ring_drain(r, &rd, 1000 + HOLD_RING_WAIT_NS, take, s), 0);
	assert_int_equal(rd.skipped, HOLD_RING_SLOTS - 1);
	assert_int_equal(hold_ring_put(r, "after", 5, 2), HOLD_RING_IN);
	assert_int_equal(hold_ring_drain(r, &rd, 1000 + HOLD_RING_WAIT_NS + 1, take, s), 1);
	assert_string_equal(s->last, "after");
	free(s);
	free(r);
}

/* The writers' count of dropped reports is theirs to scribble on: holdd
 * adds what it grew by, and a count that leaps (8.49e18) or goes back is a
 * scribble, not losses. */
static void test_lost_count_is_holdds(void **state)
{
	void *r = fresh();
	struct hold_ring_hdr *h = r;
	struct hold_ring_reader rd = {0};
	struct seen *s = calloc(1, sizeof(*s));

	(void)state;
	h->lost = 152;
	hold_ring_drain(r, &rd, 1, take, s);
	assert_int_equal(rd.lost, 152);
	h->lost = 8490000000000000000ull;
	hold_ring_drain(r, &rd, 2, take, s);
	assert_int_equal(rd.lost, 152);
	assert_int_equal(rd.bad, 1);
	h->lost = 7; /* back */
	hold_ring_drain(r, &rd, 3, take, s);
	assert_int_equal(rd.lost, 152);
	assert_int_equal(rd.bad, 2);
	h->lost = 9;
	hold_ring_drain(r, &rd, 4, take, s);
	assert_int_equal(rd.lost, 154);
	free(s);
	free(r);
}

static void test_scribbled_header(void **state)
{
	void *r = fresh();
	struct hold_ring_hdr *h = r;
	struct hold_ring_reader rd = {0};
	struct seen *s = calloc(1, sizeof(*s));
	struct hold_ring_slot *slot0 = (struct hold_ring_slot *)((char *)r + HOLD_RING_HDR);

	(void)state;
	h->head = UINT64_MAX - 3; /* far ahead of holdd's tail */
	assert_int_equal(hold_ring_drain(r, &rd, 1, take, s), 0);
	assert_int_equal(rd.bad, 1);
	assert_int_equal(rd.tail, UINT64_MAX - 3); /* starts again from there */
	/* a published slot with a length past its end is not read */
	h->head = rd.tail + 1;
	slot0[(rd.tail) & (HOLD_RING_SLOTS - 1)].len = HOLD_RING_DATA + 1;
	slot0[(rd.tail) & (HOLD_RING_SLOTS - 1)].seq = rd.tail + 1;
	assert_int_equal(hold_ring_drain(r, &rd, 1, take, s), 0);
	assert_int_equal(rd.bad, 2);
	free(s);
	free(r);
}

static void test_one_wake_after_sleep(void **state)
{
	void *r = fresh();
	struct hold_ring_reader rd = {0};
	struct seen *s = calloc(1, sizeof(*s));

	(void)state;
	assert_int_equal(hold_ring_put(r, "a", 1, 1), HOLD_RING_IN); /* awake: no wake */
	assert_int_equal(hold_ring_sleep(r, &rd), 1); /* unread reports: do not sleep */
	assert_int_equal(hold_ring_drain(r, &rd, 1, take, s), 1);
	assert_int_equal(hold_ring_sleep(r, &rd), 0);                  /* asleep */
	assert_int_equal(hold_ring_put(r, "b", 1, 2), HOLD_RING_WAKE); /* the first wakes */
	assert_int_equal(hold_ring_put(r, "c", 1, 3), HOLD_RING_IN);   /* the rest do not */
	assert_int_equal(hold_ring_drain(r, &rd, 1, take, s), 2);
	free(s);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_full_drops_and_counts),
		cmocka_unit_test(test_dead_writer_skipped_after_timeout),
		cmocka_unit_test(test_running_writer_waited_for),
		cmocka_unit_test(test_wait_is_bounded),
		cmocka_unit_test(test_a_run_of_stuck_slots_is_one_wait),
		cmocka_unit_test(test_lost_count_is_holdds),
		cmocka_unit_test(test_scribbled_header),
		cmocka_unit_test(test_one_wake_after_sleep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
