/* SPDX-License-Identifier: MIT */
/*
 * interpose-cred.c - a process that changes its credentials lets go of
 * holdd's report ring first.
 *
 * The ring is its user's (ring.h: holdd's file, mode 0600), and what is in
 * it holdd takes as that user's word.  A worker that drops from root to
 * www-data, as nginx, Apache and libvirt's do, kept its writable mapping of
 * root's ring, and code running as www-data could write reports in root's
 * name: move another user's process into its own tree, rename a live
 * process, stall root's recording.  So every libc call that changes a
 * uid, a gid, the groups or the capabilities drops the mapping before it
 * runs (ringmap.c); after it, reports go as datagrams, which the kernel
 * names, or into the ring of the new user's own holdd.  An exec drops
 * every mapping anyway, set-id image or not.  A program that changes its
 * credentials with a raw system call, not through libc, keeps the mapping
 * (README: what holdd trusts).
 */
#define _GNU_SOURCE /* setresuid, setresgid */
#include <grp.h>
#include <sys/types.h>
#include <unistd.h>

#include "interpose.h"

/* name, interposed: the ring let go of, then libc's own */
#define DROP_FIRST(name, params, args)   \
	REAL(int, name, params, args)    \
	EXPORT int name params           \
	{                                \
		hold_ring_drop();        \
		return real_##name args; \
	}

/* the kernel's capset(2), which libcap's cap_set_proc calls: no header
 * of libc's declares it */
int capset(void *hdr, const void *data);

DROP_FIRST(setuid, (uid_t u), (u))
DROP_FIRST(setgid, (gid_t g), (g))
DROP_FIRST(seteuid, (uid_t u), (u))
DROP_FIRST(setegid, (gid_t g), (g))
DROP_FIRST(setreuid, (uid_t r, uid_t e), (r, e))
DROP_FIRST(setregid, (gid_t r, gid_t e), (r, e))
DROP_FIRST(setresuid, (uid_t r, uid_t e, uid_t s), (r, e, s))
DROP_FIRST(setresgid, (gid_t r, gid_t e, gid_t s), (r, e, s))
DROP_FIRST(setgroups, (size_t n, const gid_t *l), (n, l))
DROP_FIRST(capset, (void *h, const void *d), (h, d))

const struct hold_bind hold_binds_cred[] = {
	BIND(setuid),    BIND(setgid),   BIND(seteuid),   BIND(setegid),
	BIND(setreuid),  BIND(setregid), BIND(setresuid), BIND(setresgid),
	BIND(setgroups), BIND(capset),   {NULL, NULL},
};
