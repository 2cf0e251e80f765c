/* SPDX-License-Identifier: MIT */
/*
 * ring.c - the report ring (ring.h): libhold writes, holdd reads.
 */
#include "ring.h"

#define LOAD(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

static struct hold_ring_hdr *hdr(void *ring)
{
	return ring;
}

static struct hold_ring_slot *slot(void *ring, uint64_t ticket)
{
	return (struct hold_ring_slot *)((char *)ring + HOLD_RING_HDR) +
	       (ticket & (HOLD_RING_SLOTS - 1));
}

enum hold_ring_put hold_ring_put(void *ring, const void *msg, size_t n, int pid)
{
	struct hold_ring_hdr *h = hdr(ring);
	struct hold_ring_slot *s;
	uint64_t t = LOAD(&h->head);

	if (n > HOLD_RING_DATA)
		return HOLD_RING_LARGE;
	do {
		if (t - LOAD(&h->tail) >= HOLD_RING_SLOTS) {
			__atomic_fetch_add(&h->lost, 1, __ATOMIC_RELAXED);
			return HOLD_RING_FULL;
		}
	} while (!__atomic_compare_exchange_n(&h->head, &t, t + 1, 0, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	s = slot(ring, t);
	__atomic_store_n(&s->pid, pid, __ATOMIC_RELAXED); /* first: says who is writing */
	s->len = (uint32_t)n;
	for (size_t i = 0; i < n; i++) /* no memcpy: a vfork child may run this */
		s->data[i] = ((const char *)msg)[i];
	STORE(&s->seq, t + 1);
	/* against hold_ring_sleep: either holdd sees our head, or we its idle */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (LOAD(&h->idle) && __atomic_exchange_n(&h->idle, 0, __ATOMIC_ACQ_REL))
		return HOLD_RING_WAKE;
	return HOLD_RING_IN;
}

void hold_ring_init(void *ring)
{
	STORE(&hdr(ring)->magic, HOLD_RING_MAGIC);
}

int hold_ring_pending(const void *ring, const struct hold_ring_reader *r)
{
	return LOAD(&((const struct hold_ring_hdr *)ring)->head) != r->tail;
}

/* Is an unfinished slot, first seen at stuck_since, still waited for? */
static int wait_on(const struct hold_ring_reader *r, struct hold_ring_slot *s, uint64_t now_ns)
{
	uint64_t waited = now_ns - r->stuck_since;
	int pid;

	if (waited < HOLD_RING_STUCK_NS)
		return 1;
	if (waited >= HOLD_RING_WAIT_NS)
		return 0;
	pid = __atomic_load_n(&s->pid, __ATOMIC_RELAXED);
	/* not yet said who it is, or it can still finish */
	return pid <= 0 || !r->may_finish || r->may_finish(pid);
}

/* The writers' count of dropped reports, taken as far as it makes sense
 * (HOLD_RING_LOST_LEAP): holdd's own count is what it says. */
static void count_lost(struct hold_ring_hdr *h, struct hold_ring_reader *r)
{
	uint64_t said = LOAD(&h->lost), grew = said - r->lost_seen;

	if (grew > HOLD_RING_LOST_LEAP)
		r->bad++;
	else
		r->lost += grew;
	r->lost_seen = said;
}

size_t hold_ring_drain(void *ring, struct hold_ring_reader *r, uint64_t now_ns, hold_ring_fn fn,
		       void *ctx)
{
	struct hold_ring_hdr *h = hdr(ring);
	uint64_t head = LOAD(&h->head);
	size_t n = 0;

	/* A head behind the tail, or more than a ring ahead, is a writer's
	 * scribble: start again from it, counting what was skipped. */
	if (head - r->tail > HOLD_RING_SLOTS) {
		r->bad++;
		r->tail = head;
		r->stuck_since = 0;
	}
	while (r->tail != head) {
		struct hold_ring_slot *s = slot(ring, r->tail);
		uint32_t len;
		int32_t pid;
		char copy[HOLD_RING_DATA];

		if (LOAD(&s->seq) != r->tail + 1) {
			/* unfinished: a writer between its ticket and its seq */
			if (!r->stuck_since) {
				r->stuck_since = now_ns ? now_ns : 1;
				break;
			}
			if (wait_on(r, s, now_ns))
				break;
			/* given up; stuck_since stays: the next unfinished
			 * slot of this run has been waited for as long */
			r->skipped++;
			__atomic_store_n(&s->pid, 0, __ATOMIC_RELAXED);
			r->tail++;
			continue;
		}
		len = __atomic_load_n(&s->len, __ATOMIC_RELAXED);
		pid = __atomic_load_n(&s->pid, __ATOMIC_RELAXED);
		if (len > HOLD_RING_DATA) {
			r->bad++;
		} else {
			/* copied out first: a writer may scribble on it while fn reads */
			for (uint32_t i = 0; i < len; i++)
				copy[i] = __atomic_load_n(&s->data[i], __ATOMIC_RELAXED);
			fn(ctx, copy, len, pid);
			n++;
		}
		__atomic_store_n(&s->pid, 0, __ATOMIC_RELAXED); /* before its tail frees it */
		r->stuck_since = 0;
		r->tail++;
	}
	STORE(&h->tail, r->tail);
	count_lost(h, r);
	return n;
}

int hold_ring_sleep(void *ring, const struct hold_ring_reader *r)
{
	struct hold_ring_hdr *h = hdr(ring);

	STORE(&h->idle, 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (LOAD(&h->head) == r->tail)
		return 0;
	STORE(&h->idle, 0);
	return 1;
}
