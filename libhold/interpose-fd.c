/* SPDX-License-Identifier: MIT */
/*
 * interpose-fd.c - the calls that make, close or re-aim a file descriptor,
 * so fdclass.c's cache forgets what it knew about that number.
 *
 * They only ever forget, never fill in: a vfork child (which shares our
 * memory but has its own fd table) can then at worst cost its parent a
 * fresh look.  With no recv/accept rule each is a flag test and a jump.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "interpose.h"

REAL(int, close, (int fd), (fd))
REAL(int, dup, (int fd), (fd))
REAL(int, dup2, (int fd, int to), (fd, to))
REAL(int, dup3, (int fd, int to, int fl), (fd, to, fl))
REAL(int, fcntl, (int fd, int cmd, void *arg), (fd, cmd, arg))
REAL(int, fcntl64, (int fd, int cmd, void *arg), (fd, cmd, arg))
REAL(int, socket, (int d, int t, int p), (d, t, p))
REAL(int, socketpair, (int d, int t, int p, int sv[2]), (d, t, p, sv))
REAL(int, pipe, (int fds[2]), (fds))
REAL(int, pipe2, (int fds[2], int fl), (fds, fl))
REAL(int, open, (const char *p, int fl, mode_t m), (p, fl, m))
REAL(int, open64, (const char *p, int fl, mode_t m), (p, fl, m))
REAL(int, openat, (int d, const char *p, int fl, mode_t m), (d, p, fl, m))
REAL(int, openat64, (int d, const char *p, int fl, mode_t m), (d, p, fl, m))
REAL(int, __open_2, (const char *p, int fl), (p, fl))
REAL(int, __open64_2, (const char *p, int fl), (p, fl))
REAL(int, __openat_2, (int d, const char *p, int fl), (d, p, fl))
REAL(int, __openat64_2, (int d, const char *p, int fl), (d, p, fl))
REAL(int, creat, (const char *p, mode_t m), (p, m))
REAL(int, creat64, (const char *p, mode_t m), (p, m))
REAL(int, connect, (int fd, const struct sockaddr *a, socklen_t al), (fd, a, al))
REAL(int, bind, (int fd, const struct sockaddr *a, socklen_t al), (fd, a, al))
REAL(int, fclose, (FILE * f), (f))
REAL(int, close_range, (unsigned lo, unsigned hi, int fl), (lo, hi, fl))

/* closefrom returns nothing, so it has no REAL() stub: bound on first use,
 * or by hold_bind_all(). */
static void *closefrom_slot;

const struct hold_bind hold_binds_fd[] = {
	BIND(close),
	BIND(dup),
	BIND(dup2),
	BIND(dup3),
	BIND(fcntl),
	BIND(fcntl64),
	BIND(socket),
	BIND(socketpair),
	BIND(pipe),
	BIND(pipe2),
	BIND(open),
	BIND(open64),
	BIND(openat),
	BIND(openat64),
	BIND(__open_2),
	BIND(__open64_2),
	BIND(__openat_2),
	BIND(__openat64_2),
	BIND(creat),
	BIND(creat64),
	BIND(connect),
	BIND(bind),
	BIND(fclose),
	BIND(close_range),
	{"closefrom", &closefrom_slot},
	{NULL, NULL},
};

#define ON() __builtin_expect(hold_fdc_on, 0)

/* Forget fd r when the call made or re-aimed it (r >= 0): the fd cache
 * must not answer for the old file; keep errno. */
static int forget_new(int r)
{
	int e = errno;

	if (r >= 0)
		hold_fd_forget(r);
	errno = e;
	return r;
}

static int forget_pair(int r, const int fds[2])
{
	if (r == 0) {
		forget_new(fds[0]);
		forget_new(fds[1]);
	}
	return r;
}

/* The mode argument exists only when the flags ask for one. */
#define MODE_ARG(fl, m)                                                \
	do {                                                           \
		if (((fl)&O_CREAT) || ((fl)&O_TMPFILE) == O_TMPFILE) { \
			va_list ap_;                                   \
			va_start(ap_, fl);                             \
			m = (mode_t)va_arg(ap_, int);                  \
			va_end(ap_);                                   \
		}                                                      \
	} while (0)

/* Linux frees the number even when close fails (EINTR, EIO). */
static __attribute__((noinline)) int close_hold(int fd)
{
	int r = real_close(fd);

	forget_new(fd);
	return r;
}

EXPORT HOT int close(int fd)
{
	return ON() ? close_hold(fd) : real_close(fd);
}

EXPORT HOT int dup(int fd)
{
	return ON() ? forget_new(real_dup(fd)) : real_dup(fd);
}

EXPORT HOT int dup2(int fd, int to)
{
	return ON() ? forget_new(real_dup2(fd, to)) : real_dup2(fd, to);
}

EXPORT HOT int dup3(int fd, int to, int fl)
{
	return ON() ? forget_new(real_dup3(fd, to, fl)) : real_dup3(fd, to, fl);
}

/* fcntl's third argument is an int, a long or a pointer by command; as
 * glibc does, pass it on as a pointer-sized value. */
static int fcntl_via(int (*f)(int, int, void *), int fd, int cmd, void *arg)
{
	int r = f(fd, cmd, arg);

	if (ON() && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		forget_new(r);
	return r;
}

/* fcntl's third argument, of whatever type: each is passed as one word */
#define THIRD_ARG(last)                   \
	({                                \
		va_list ap_;              \
		void *a_;                 \
		va_start(ap_, last);      \
		a_ = va_arg(ap_, void *); \
		va_end(ap_);              \
		a_;                       \
	})

EXPORT HOT int fcntl(int fd, int cmd, ...)
{
	return fcntl_via(real_fcntl, fd, cmd, THIRD_ARG(cmd));
}

EXPORT HOT int fcntl64(int fd, int cmd, ...)
{
	return fcntl_via(real_fcntl64, fd, cmd, THIRD_ARG(cmd));
}

EXPORT HOT int socket(int d, int t, int p)
{
	return ON() ? forget_new(real_socket(d, t, p)) : real_socket(d, t, p);
}

EXPORT HOT int socketpair(int d, int t, int p, int sv[2])
{
	return ON() ? forget_pair(real_socketpair(d, t, p, sv), sv) : real_socketpair(d, t, p, sv);
}

EXPORT HOT int pipe(int fds[2])
{
	return ON() ? forget_pair(real_pipe(fds), fds) : real_pipe(fds);
}

EXPORT HOT int pipe2(int fds[2], int fl)
{
	return ON() ? forget_pair(real_pipe2(fds, fl), fds) : real_pipe2(fds, fl);
}

EXPORT HOT int open(const char *p, int fl, ...)
{
	mode_t m = 0;

	MODE_ARG(fl, m);
	return ON() ? forget_new(real_open(p, fl, m)) : real_open(p, fl, m);
}

EXPORT HOT int open64(const char *p, int fl, ...)
{
	mode_t m = 0;

	MODE_ARG(fl, m);
	return ON() ? forget_new(real_open64(p, fl, m)) : real_open64(p, fl, m);
}

EXPORT HOT int openat(int d, const char *p, int fl, ...)
{
	mode_t m = 0;

	MODE_ARG(fl, m);
	return ON() ? forget_new(real_openat(d, p, fl, m)) : real_openat(d, p, fl, m);
}

EXPORT HOT int openat64(int d, const char *p, int fl, ...)
{
	mode_t m = 0;

	MODE_ARG(fl, m);
	return ON() ? forget_new(real_openat64(d, p, fl, m)) : real_openat64(d, p, fl, m);
}

EXPORT int __open_2(const char *p, int fl)
{
	return ON() ? forget_new(real___open_2(p, fl)) : real___open_2(p, fl);
}

EXPORT int __open64_2(const char *p, int fl)
{
	return ON() ? forget_new(real___open64_2(p, fl)) : real___open64_2(p, fl);
}

EXPORT int __openat_2(int d, const char *p, int fl)
{
	return ON() ? forget_new(real___openat_2(d, p, fl)) : real___openat_2(d, p, fl);
}

EXPORT int __openat64_2(int d, const char *p, int fl)
{
	return ON() ? forget_new(real___openat64_2(d, p, fl)) : real___openat64_2(d, p, fl);
}

EXPORT int creat(const char *p, mode_t m)
{
	return ON() ? forget_new(real_creat(p, m)) : real_creat(p, m);
}

EXPORT int creat64(const char *p, mode_t m)
{
	return ON() ? forget_new(real_creat64(p, m)) : real_creat64(p, m);
}

/* connect and bind give a socket its peer or its name: the class changes. */
EXPORT HOT int connect(int fd, const struct sockaddr *a, socklen_t al)
{
	int r = real_connect(fd, a, al);

	if (ON())
		forget_new(fd);
	return r;
}

EXPORT int bind(int fd, const struct sockaddr *a, socklen_t al)
{
	int r = real_bind(fd, a, al);

	if (ON())
		forget_new(fd);
	return r;
}

/* fclose closes its fd inside libc, past our close(). */
EXPORT HOT int fclose(FILE *f)
{
	int fd = ON() && f ? fileno_unlocked(f) : -1;
	int r = real_fclose(f);

	if (fd >= 0)
		forget_new(fd);
	return r;
}

EXPORT int close_range(unsigned lo, unsigned hi, int fl)
{
	int r = real_close_range(lo, hi, fl);
	int e = errno;

	if (ON() && r == 0)
		hold_fd_forget_range(lo, hi);
	errno = e;
	return r;
}

EXPORT void closefrom(int lo)
{
	void (*f)(int) = (void (*)(int))hold_real("closefrom", &closefrom_slot);
	int e;

	if (f)
		f(lo);
	e = errno;
	if (ON() && lo >= 0)
		hold_fd_forget_range((unsigned)lo, ~0u);
	errno = e;
}
