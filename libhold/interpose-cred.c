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

REAL(int, setuid, (uid_t u), (u))
REAL(int, setgid, (gid_t g), (g))
REAL(int, seteuid, (uid_t u), (u))
REAL(int, setegid, (gid_t g), (g))
REAL(int, setreuid, (uid_t r, uid_t e), (r, e))
REAL(int, setregid, (gid_t r, gid_t e), (r, e))
REAL(int, setresuid, (uid_t r, uid_t e, uid_t s), (r, e, s))
REAL(int, setresgid, (gid_t r, gid_t e, gid_t s), (r, e, s))
REAL(int, setgroups, (size_t n, const gid_t *l), (n, l))
REAL(int, capset, (void *h, const void *d), (h, d))

const struct hold_bind hold_binds_cred[] = {
	BIND(setuid),    BIND(setgid),   BIND(seteuid),   BIND(setegid),
	BIND(setreuid),  BIND(setregid), BIND(setresuid), BIND(setresgid),
	BIND(setgroups), BIND(capset),   {NULL, NULL},
};

EXPORT int setuid(uid_t u)
{
	hold_ring_drop();
	return real_setuid(u);
}

EXPORT int setgid(gid_t g)
{
	hold_ring_drop();
	return real_setgid(g);
}

EXPORT int seteuid(uid_t u)
{
	hold_ring_drop();
	return real_seteuid(u);
}

EXPORT int setegid(gid_t g)
{
	hold_ring_drop();
	return real_setegid(g);
}

EXPORT int setreuid(uid_t r, uid_t e)
{
	hold_ring_drop();
	return real_setreuid(r, e);
}

EXPORT int setregid(gid_t r, gid_t e)
{
	hold_ring_drop();
	return real_setregid(r, e);
}

EXPORT int setresuid(uid_t r, uid_t e, uid_t s)
{
	hold_ring_drop();
	return real_setresuid(r, e, s);
}

EXPORT int setresgid(gid_t r, gid_t e, gid_t s)
{
	hold_ring_drop();
	return real_setresgid(r, e, s);
}

EXPORT int setgroups(size_t n, const gid_t *l)
{
	hold_ring_drop();
	return real_setgroups(n, l);
}

/* the kernel's capset(2), which libcap's cap_set_proc calls */
int capset(void *hdr, const void *data);
EXPORT int capset(void *hdr, const void *data)
{
	hold_ring_drop();
	return real_capset(hdr, data);
}
