/* SPDX-License-Identifier: MIT */
/*
 * ring.h - fork and exec reports without waking holdd for each one.
 *
 * holdd makes one ring, a file beside its socket (SOCKET.ring, mode 0600,
 * its own): processes of holdd's user map it and append reports; holdd
 * drains it in batches -- on a short timer while reports flow, at once
 * before it answers any request, and after idle on one wake-up datagram
 * from the first writer that finds it asleep.  Who may write is decided
 * by the file's owner and mode, so a report in the ring is that user's.
 * Other users' processes (a tree that switched user) keep sending
 * datagrams, which the kernel names.
 *
 * The layout: a header page, then HOLD_RING_SLOTS slots of HOLD_RING_SLOT
 * bytes.  A writer takes a ticket (head) by compare-and-swap, only while
 * the ring has room (head - tail < SLOTS), fills the slot and publishes it
 * by storing seq = ticket + 1.  A report too large for a slot goes as a
 * datagram; a full ring drops the report and counts it (lost): a program
 * never waits for holdd.  Everything a writer does is atomic loads and
 * stores on shared memory: async-signal-safe, lock-free, no system call.
 *
 * Every byte of the ring is writable by any process of that user, so the
 * reader trusts none of it: its own tail, its own sizes, each length
 * checked, each report decoded as from the network.
 */
#ifndef HOLD_RING_H
#define HOLD_RING_H

#include <stddef.h>
#include <stdint.h>

#define HOLD_RING_MAGIC  0x32676e69726c6468ull /* "hdlring2" */
#define HOLD_RING_SLOTS  2048u                 /* a power of two */
#define HOLD_RING_SLOT   2048u
#define HOLD_RING_HDR    4096u
#define HOLD_RING_SIZE   (HOLD_RING_HDR + (size_t)HOLD_RING_SLOTS * HOLD_RING_SLOT)
#define HOLD_RING_SUFFIX ".ring"

struct hold_ring_hdr {
	uint64_t magic;
	uint64_t head;   /* writers: the next ticket */
	uint64_t tail;   /* holdd: every ticket below is taken */
	uint64_t lost;   /* writers: reports dropped, the ring full */
	uint32_t idle;   /* holdd sleeps: the writer that clears it wakes holdd */
	uint32_t closed; /* holdd has gone: map SOCKET.ring again */
	/* holdd's pid namespace (its /proc/self/ns/pid): a pid in a report
	 * means that namespace's pid, so a process in another one (a
	 * container that sees the ring) sends datagrams, which the kernel
	 * translates */
	uint64_t pidns_dev, pidns_ino;
};

struct hold_ring_slot {
	uint64_t seq; /* ticket + 1 once the report is in */
	uint32_t len;
	int32_t pid; /* the writer's own, as it says: checked by holdd; stored
		      * first, and 0 again once holdd has read the slot */
	char data[HOLD_RING_SLOT - 16];
};

#define HOLD_RING_DATA (HOLD_RING_SLOT - 16)

enum hold_ring_put {
	HOLD_RING_IN,    /* in the ring */
	HOLD_RING_WAKE,  /* in the ring, and holdd sleeps: wake it */
	HOLD_RING_FULL,  /* dropped and counted */
	HOLD_RING_LARGE, /* too large for a slot: send it otherwise */
};

/* Append one report (async-signal-safe). */
enum hold_ring_put hold_ring_put(void *ring, const void *msg, size_t n, int pid);

/* holdd's side.  tail is its own copy; the header's is for writers. */
struct hold_ring_reader {
	uint64_t tail;
	uint64_t stuck_since; /* ns when the slot at tail was first seen unfinished */
	uint64_t lost;        /* reports the writers dropped, as holdd counts them */
	uint64_t lost_seen;   /* the header's counter at the last drain */
	uint64_t skipped;     /* slots given up: a writer that died mid-report */
	uint64_t bad;         /* nonsense found: lengths, tickets */
	/* Can the writer of pid still finish its report?  1 while it runs,
	 * waits for the CPU or is in the kernel (a page fault); 0 once it has
	 * gone or is stopped.  NULL: always 1. */
	int (*may_finish)(int pid);
};

/* A slot taken and not yet published is waited for: HOLD_RING_STUCK_NS
 * when its writer has gone or is stopped (killed or stopped between its
 * ticket and its seq), else up to HOLD_RING_WAIT_NS -- a writer that lost
 * the CPU mid-report, on a loaded machine, may not get it back at once.
 * The wait is for a run of unfinished slots, not for each: tickets taken
 * and never published (a writer's scribble on head) blind holdd for one
 * HOLD_RING_WAIT_NS at most, not for one per slot. */
#define HOLD_RING_STUCK_NS 100000000ull
#define HOLD_RING_WAIT_NS  1000000000ull
/* The writers' count of drops is their word: holdd adds what it grew by
 * since the last drain, unless it went back or leapt past this (a ring
 * holds 2048 reports; a stopped holdd misses at most what its users fork
 * meanwhile), which it counts as a scribble instead. */
#define HOLD_RING_LOST_LEAP (1ull << 20)

typedef void (*hold_ring_fn)(void *ctx, const char *msg, size_t n, int pid);

/* Make a fresh ring in mem (HOLD_RING_SIZE bytes of zeros). */
void hold_ring_init(void *ring);
/* Hand every finished report to fn, in ticket order; how many. */
size_t hold_ring_drain(void *ring, struct hold_ring_reader *r, uint64_t now_ns, hold_ring_fn fn,
		       void *ctx);
/* Anything to drain?  (Cheap: two loads.) */
int hold_ring_pending(const void *ring, const struct hold_ring_reader *r);
/* Going to sleep: set idle, then look once more.  1: reports came in
 * meanwhile (idle is cleared again: drain, do not sleep). */
int hold_ring_sleep(void *ring, const struct hold_ring_reader *r);

#endif
