/* SPDX-License-Identifier: MIT */
/*
 * drain.c - holdd's side of the report ring (ring.h): made at start-up
 * beside the socket, drained in batches, slept on.
 *
 * After every turn of the loop the ring is drained; while reports flow a
 * one-shot timer drains it again COALESCE_NS later, so a burst of forks
 * and execs costs holdd a wake-up per COALESCE_NS (20 ms), not per report, and
 * the programs none.  When a drain finds nothing and no timer is pending,
 * holdd sets the ring's idle flag and sleeps; the first writer after that
 * wakes it with one empty datagram.  The server drains before it answers
 * any request, so what hold ls, tree and wait see is never stale.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "holdd.h"
#include "ring.h"

#define COALESCE_NS 20000000 /* while reports flow, drain this often */

static void *ring;
static struct hold_ring_reader rd;
static char path[PATH_MAX];
static struct watch timer_w = {W_DRAIN, -1};
static int armed;
static hold_ring_fn report;
static uint32_t ring_uid;
static ino_t ring_ino; /* the file we made: a later holdd's goes unharmed */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int drain_init(const char *sock, hold_ring_fn fn)
{
	struct stat ns;
	int fd;

	report = fn;
	ring_uid = (uint32_t)geteuid();
	if ((size_t)snprintf(path, sizeof(path), "%s%s", sock, HOLD_RING_SUFFIX) >= sizeof(path))
		return -1;
	unlink(path); /* a dead holdd's: its writers see the new inode */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)HOLD_RING_SIZE) < 0 ||
	    (ring = mmap(NULL, HOLD_RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) ==
		    MAP_FAILED) {
		ring = NULL;
		close(fd);
		unlink(path);
		return -1;
	}
	ring_ino = fstat(fd, &ns) == 0 ? ns.st_ino : 0;
	close(fd);
	/* whose pids the reports carry: set before the magic makes it a ring */
	proc_self_pidns(&((struct hold_ring_hdr *)ring)->pidns_dev,
			&((struct hold_ring_hdr *)ring)->pidns_ino);
	hold_ring_init(ring);
	rd.may_finish = proc_may_finish;
	timer_w.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (timer_w.fd < 0 || loop_add(&timer_w, EPOLLIN) < 0)
		return -1;
	return 0;
}

size_t drain_now(void)
{
	if (!ring)
		return 0;
	return hold_ring_drain(ring, &rd, mono_ns(), report, &ring_uid);
}

static void arm(void)
{
	struct itimerspec once = {.it_value = {0, COALESCE_NS}};

	if (armed)
		return;
	armed = timerfd_settime(timer_w.fd, 0, &once, NULL) == 0;
}

void drain_turn(void)
{
	if (!ring)
		return;
	if (drain_now() || hold_ring_pending(ring, &rd)) {
		arm();
		return;
	}
	if (armed)
		return;                   /* its timer comes first */
	if (hold_ring_sleep(ring, &rd)) { /* reports came in meanwhile */
		drain_now();
		arm();
	}
}

void drain_timer(void)
{
	uint64_t n;

	if (read(timer_w.fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	armed = 0;
	drain_turn();
}

uint64_t drain_lost(void)
{
	return rd.lost + rd.skipped + rd.bad;
}

void drain_close(void)
{
	struct stat st;

	if (!ring)
		return;
	drain_now();
	__atomic_store_n(&((struct hold_ring_hdr *)ring)->closed, 1, __ATOMIC_RELEASE);
	if (ring_ino && lstat(path, &st) == 0 && st.st_ino == ring_ino)
		unlink(path);
}
