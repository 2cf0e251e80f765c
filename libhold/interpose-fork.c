/* SPDX-License-Identifier: MIT */
/*
 * interpose-fork.c - fork(), _Fork() and the C half of vfork().
 *
 * The decision is taken in the parent, before the fork (a normal context,
 * and count= is consumed once, in shared memory); the child only parks,
 * right after fork returns in it and before the caller's code runs.
 * Python's os.fork, multiprocessing's fork start method and most daemons
 * come through fork(); Python's subprocess through vfork().
 */
#define _GNU_SOURCE
#include <unistd.h>

#include "interpose.h"

typedef pid_t (*fork_fn)(void);

static HOT pid_t fork_via(const char *name, void **slot)
{
	fork_fn f = (fork_fn)hold_real(name, slot);
	int idx;
	pid_t pid;

	if (!f) {
		errno = ENOSYS;
		return -1;
	}
	idx = hold_decide_fork();
	pid = f();
	if (pid == 0 && idx >= 0)
		hold_park_rule(idx, "fork");
	else if (pid < 0)
		hold_decide_refund(idx);
	else if (pid > 0)
		hold_client_fork(pid);
	return pid;
}

EXPORT pid_t fork(void)
{
	static void *slot;

	return fork_via("fork", &slot);
}

EXPORT pid_t _Fork(void)
{
	static void *slot;

	return fork_via("_Fork", &slot);
}

/* interpose-vfork.S's callbacks: declared here, where they are defined, for
 * assembly has no header. */
HIDDEN int hold_vfork_prepare(void);
HIDDEN void hold_vfork_child(int idx);
HIDDEN pid_t hold_vfork_failed(int idx, long err);

/* Called by interpose-vfork.S before the vfork system call.  The child will
 * share our memory and locks, so it must not be the one to look up a real
 * function: bind them all here, once per process; then decide. */
HIDDEN int hold_vfork_prepare(void)
{
	static int bound;

	if (!__atomic_load_n(&bound, __ATOMIC_RELAXED)) {
		hold_bind_all();
		__atomic_store_n(&bound, 1, __ATOMIC_RELAXED);
	}
	return hold_decide_fork();
}

/* Called by interpose-vfork.S in the vfork child, which shares its parent's
 * memory: hold_park() writes nothing but this stack. */
HIDDEN void hold_vfork_child(int idx)
{
	hold_park_rule(idx, "fork");
}

/* Called (tail-jumped) by interpose-vfork.S when the vfork system call fails. */
HIDDEN pid_t hold_vfork_failed(int idx, long err)
{
	hold_decide_refund(idx);
	errno = (int)-err;
	return -1;
}

#if !defined(__x86_64__)
/* Elsewhere vfork is fork: POSIX allows it, and a C wrapper around the real
 * vfork would return into a frame its child has already reused. */
EXPORT pid_t vfork(void)
{
	return fork();
}
#endif
