/* SPDX-License-Identifier: MIT */
/*
 * interpose.h - how an interposer reaches the definition it hides.
 *
 * REAL(ret, name, params, args) declares real_name, a pointer that starts
 * at a stub: the first call looks the next definition up (dlsym
 * RTLD_NEXT), stores it and goes on.  So the fast path of an interposer is
 * a flag test and an indirect jump, with no "resolved yet?" branch.  The
 * lookup is not async-signal-safe, so hold_bind_all() (interpose.c) binds
 * every pointer ahead of time where a lookup could land in a bad place:
 * before a vfork (the child shares our memory and locks) and in images with
 * hand-off rules.  Each file lists its pointers in a table for that.
 */
#ifndef HOLD_INTERPOSE_H
#define HOLD_INTERPOSE_H

#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

#include "libhold.h"

#define EXPORT __attribute__((visibility("default")))

#define REAL(ret, name, params, args)                                     \
	static ret early_##name params;                                   \
	static ret(*real_##name) params = early_##name;                   \
	static ret early_##name params                                    \
	{                                                                 \
		ret(*f_) params = (ret(*) params)dlsym(RTLD_NEXT, #name); \
		if (!f_) {                                                \
			errno = ENOSYS;                                   \
			return (ret)-1;                                   \
		}                                                         \
		__atomic_store_n(&real_##name, f_, __ATOMIC_RELAXED);     \
		return f_ args;                                           \
	}

/* One entry of a file's binding table; the table ends with {NULL, NULL}. */
struct hold_bind {
	const char *name;
	void **slot;
};
#define BIND(name)                           \
	{                                    \
#name, (void **)&real_##name \
	}

extern const struct hold_bind hold_binds_recv[] HIDDEN; /* interpose-recv.c */
extern const struct hold_bind hold_binds_fd[] HIDDEN;   /* interpose-fd.c */
extern const struct hold_bind hold_binds_cred[] HIDDEN; /* interpose-cred.c */

/* The next definition of `name` (libc's), looked up once into *slot, for
 * interposers without a REAL() stub.  Parent side only: dlsym takes locks
 * a forked child must not. */
static inline void *hold_real(const char *name, void **slot)
{
	void *f = __atomic_load_n(slot, __ATOMIC_RELAXED);

	if (!f) {
		f = dlsym(RTLD_NEXT, name);
		__atomic_store_n(slot, f, __ATOMIC_RELAXED);
	}
	return f;
}

/* glibc's _FORTIFY_SOURCE entry points, which a fortified program calls in
 * place of open, read and recv: its headers declare them only in a
 * fortified build, and libhold interposes them in every build. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t n, size_t cap);
ssize_t __recv_chk(int fd, void *buf, size_t n, size_t cap, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t cap, int flags, struct sockaddr *a,
		       socklen_t *al);

#endif
