/* SPDX-License-Identifier: MIT */
/*
 * ringmap.c - holdd's report ring (ring.h), mapped into this image.
 *
 * Mapped at the first report, kept across fork (the mapping is inherited),
 * mapped again after exec.  Only a ring of our own user's holdd: owned by
 * our euid and by nobody else writable, so what we write is known to be
 * ours; a process that switched user since (its euid no longer the ring's)
 * reports by datagram, which the kernel names.  A ring whose holdd has
 * closed it, or that a new holdd replaced, is let go.  Async-signal-safe.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "libhold.h"
#include "ring.h"
#include "sigsafe.h"

static void *ring;
static uint64_t ring_ino;
static unsigned ring_uid;
static int ring_fresh; /* just mapped, its owner checked: the report that follows need not */

static int ring_path(char *out, size_t cap)
{
	struct buf b;

	buf_init(&b, out, cap);
	buf_str(&b, hold_g.sock);
	buf_str(&b, HOLD_RING_SUFFIX);
	buf_cstr(&b);
	return !b.full && hold_g.sock[0];
}

static void ring_unmap(void)
{
	if (ring)
		safe_sys(SYS_munmap, ring, HOLD_RING_SIZE, 0);
	ring = NULL;
}

/* Are our pids holdd's?  Not in a container that sees holdd's ring but
 * has a pid namespace of its own: there reports go as datagrams, whose
 * pids the kernel translates. */
static int same_pidns(const struct hold_ring_hdr *h)
{
	struct statx sx;

	return safe_sys6(SYS_statx, AT_FDCWD, (long)"/proc/self/ns/pid", 0, STATX_INO, (long)&sx,
			 0) == 0 &&
	       h->pidns_ino == sx.stx_ino &&
	       h->pidns_dev == (uint64_t)makedev(sx.stx_dev_major, sx.stx_dev_minor);
}

/* SOCKET.ring, if it is a live ring of our euid's holdd.  No holdd (no
 * file): one failed open, nothing more. */
static void *ring_open(void)
{
	char path[sizeof(hold_g.sock) + sizeof(HOLD_RING_SUFFIX)];
	struct statx sx;
	unsigned euid;
	long fd, m;

	if (!ring_path(path, sizeof(path)))
		return NULL;
	fd = safe_sys6(SYS_openat, AT_FDCWD, (long)path,
		       O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0, 0, 0);
	if (fd < 0)
		return NULL;
	euid = (unsigned)safe_sys(SYS_geteuid, 0, 0, 0);
	if (safe_sys6(SYS_statx, fd, (long)"", AT_EMPTY_PATH,
		      STATX_TYPE | STATX_MODE | STATX_UID | STATX_INO | STATX_SIZE, (long)&sx,
		      0) < 0 ||
	    !S_ISREG(sx.stx_mode) || sx.stx_uid != euid || (sx.stx_mode & 077) ||
	    sx.stx_size != HOLD_RING_SIZE) {
		safe_sys(SYS_close, fd, 0, 0);
		return NULL;
	}
	m = safe_sys6(SYS_mmap, 0, HOLD_RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	safe_sys(SYS_close, fd, 0, 0);
	if (m < 0 && m > -4096)
		return NULL;
	ring = (void *)m;
	if (__atomic_load_n(&((struct hold_ring_hdr *)ring)->magic, __ATOMIC_ACQUIRE) !=
		    HOLD_RING_MAGIC ||
	    __atomic_load_n(&((struct hold_ring_hdr *)ring)->closed, __ATOMIC_ACQUIRE) ||
	    !same_pidns(ring)) {
		ring_unmap();
		return NULL;
	}
	ring_ino = sx.stx_ino;
	ring_uid = euid;
	ring_fresh = 1;
	return ring;
}

void hold_ring_drop(void)
{
	void *r = __atomic_exchange_n(&ring, NULL, __ATOMIC_ACQ_REL);

	/* Not munmap: another thread may be in the middle of a report.  The
	 * range becomes private, anonymous memory at once for every thread:
	 * a report under way lands in it, unseen, and nothing faults. */
	if (r)
		safe_sys6(SYS_mmap, (long)r, HOLD_RING_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ring_fresh = 0;
}

/* A full ring may be a dead holdd's that a new one replaced. */
static int replaced(void)
{
	char path[sizeof(hold_g.sock) + sizeof(HOLD_RING_SUFFIX)];
	struct statx sx;

	return ring_path(path, sizeof(path)) &&
	       safe_sys6(SYS_statx, AT_FDCWD, (long)path, AT_SYMLINK_NOFOLLOW, STATX_INO, (long)&sx,
			 0) == 0 &&
	       sx.stx_ino != ring_ino;
}

int hold_ring_ready(void)
{
	if (ring && ring_fresh) {
		ring_fresh = 0;
		return 1;
	}
	if (ring && (ring_uid != (unsigned)safe_sys(SYS_geteuid, 0, 0, 0) ||
		     __atomic_load_n(&((struct hold_ring_hdr *)ring)->closed, __ATOMIC_ACQUIRE)))
		ring_unmap(); /* a user switch since, or holdd has gone */
	return ring || ring_open();
}

int hold_ring_report(const char *msg, size_t n)
{
	int pid;
	enum hold_ring_put r;

	if (!hold_ring_ready())
		return HOLD_RING_LARGE; /* no ring: send it otherwise */
	ring_fresh = 0;                 /* the next report looks at the euid again */
	pid = (int)safe_sys(SYS_getpid, 0, 0, 0);
	r = hold_ring_put(ring, msg, n, pid);
	if (r == HOLD_RING_FULL && replaced()) {
		ring_unmap();
		if (ring_open())
			r = hold_ring_put(ring, msg, n, pid);
	}
	return r;
}
