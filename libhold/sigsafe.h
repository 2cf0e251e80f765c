/* SPDX-License-Identifier: MIT */
/*
 * sigsafe.h - async-signal-safe primitives for libhold (the safe_ functions).
 *
 * Everything here may run in a freshly forked child of a multi-threaded
 * parent, in a vfork child (which shares its parent's memory) or in the park
 * loop.  So: raw system calls that leave errno alone (a vfork child's errno is
 * its parent's), fixed caller-owned buffers, no malloc, no stdio, no locks.
 */
#ifndef HOLD_SIGSAFE_H
#define HOLD_SIGSAFE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "buf.h" /* formatting into caller-owned buffers */

/* A raw system call: returns the kernel's value, -errno on failure. */
long safe_sys6(long nr, long a, long b, long c, long d, long e, long f);
#define safe_sys(nr, a, b, c) safe_sys6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)

size_t safe_strlen(const char *s);
int safe_startswith(const char *s, const char *prefix);

/* write(2) all of it, retrying on EINTR and short writes. */
int safe_write_all(int fd, const char *s, size_t n);
/* Read a whole small file (e.g. /proc/self/cmdline); returns bytes or -errno. */
long safe_read_file(const char *path, char *buf, size_t cap);

uint64_t safe_now_ns(int clock);
void safe_sleep_ns(uint64_t ns);
int safe_getpid(void);
int safe_gettid(void);
/* This thread's name (prctl PR_GET_NAME): 0, or -1 (out[0] is then ""). */
int safe_comm(char out[16]);

#endif
