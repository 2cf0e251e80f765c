/* SPDX-License-Identifier: MIT */
/*
 * interpose-recv.c - read, readv, recv, recvfrom, recvmsg, accept, accept4
 * and the _chk variants glibc's fortify calls.
 *
 * With no recv/accept rule (hold_fdc_on == 0) each is a flag test and a
 * jump to libc's.  Otherwise the call runs first and only then do we ask
 * decide.c about it: a recv rule parks the thread once the call has
 * returned data, with the buffer filled (gdb: `frame function hold_recv_hold`,
 * or the call's other hold_*_hold, for fd, buf, n and got, kept visible at
 * any optimisation); an accept rule parks once the new fd exists (fd,
 * newfd).
 * EAGAIN, errors and end of file (0 bytes) never park.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "interpose.h"

REAL(ssize_t, read, (int fd, void *buf, size_t n), (fd, buf, n))
REAL(ssize_t, readv, (int fd, const struct iovec *iov, int cnt), (fd, iov, cnt))
REAL(ssize_t, recv, (int fd, void *buf, size_t n, int fl), (fd, buf, n, fl))
REAL(ssize_t, recvfrom, (int fd, void *buf, size_t n, int fl, struct sockaddr *a, socklen_t *al),
     (fd, buf, n, fl, a, al))
REAL(ssize_t, recvmsg, (int fd, struct msghdr *msg, int fl), (fd, msg, fl))
REAL(int, accept, (int fd, struct sockaddr *a, socklen_t *al), (fd, a, al))
REAL(int, accept4, (int fd, struct sockaddr *a, socklen_t *al, int fl), (fd, a, al, fl))
REAL(ssize_t, __read_chk, (int fd, void *buf, size_t n, size_t cap), (fd, buf, n, cap))
REAL(ssize_t, __recv_chk, (int fd, void *buf, size_t n, size_t cap, int fl), (fd, buf, n, cap, fl))
REAL(ssize_t, __recvfrom_chk,
     (int fd, void *buf, size_t n, size_t cap, int fl, struct sockaddr *a, socklen_t *al),
     (fd, buf, n, cap, fl, a, al))

const struct hold_bind hold_binds_recv[] = {
	BIND(read),       BIND(readv),          BIND(recv),    BIND(recvfrom),
	BIND(recvmsg),    BIND(accept),         BIND(accept4), BIND(__read_chk),
	BIND(__recv_chk), BIND(__recvfrom_chk), {NULL, NULL},
};

/* The received data is in place.  Only the slow path touches errno.  Not
 * inlined: a frame inlined into hold_*_hold would be where gdb's `frame
 * function hold_recv_hold` lands, without the caller's arguments. */
static __attribute__((noinline)) void received(int fd, ssize_t got)
{
	if (got > 0)
		hold_decide_handoff(HOLD_EV_RECV, fd, -1, got);
}

/* Keep these alive (in registers or on the stack, where gdb's location
 * lists find them) until after the park: without it -O2 lets fd, buf and
 * the count die once the call returns, and gdb one frame above the park
 * shows <optimized out>.  It costs nothing but a register or two. */
#define SHOW3(a, b, c)       __asm__ volatile("" ::"g"(a), "g"(b), "g"(c))
#define SHOW4(a, b, c, d)    __asm__ volatile("" ::"g"(a), "g"(b), "g"(c), "g"(d))
#define SHOW5(a, b, c, d, e) __asm__ volatile("" ::"g"(a), "g"(b), "g"(c), "g"(d), "g"(e))

/* SCM_RIGHTS made new fds in this process: forget what was cached. */
static void passed_fds(const struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			__builtin_memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			hold_fd_forget(fd);
		}
	}
}

static __attribute__((noinline)) void accepted(int fd, int r)
{
	if (r >= 0) {
		hold_fd_forget(r); /* raw atomics: errno stays the program's */
		hold_decide_handoff(HOLD_EV_ACCEPT, fd, r, 0);
	}
}

/* The slow halves, out of line so the fast halves stay a test and a jump.
 * Their names and arguments are what gdb shows one frame above the park. */
#define SLOW static __attribute__((noinline, cold))

SLOW ssize_t hold_read_hold(int fd, void *buf, size_t n)
{
	ssize_t got = real_read(fd, buf, n);

	received(fd, got);
	SHOW4(fd, buf, n, got);
	return got;
}

SLOW ssize_t hold_readv_hold(int fd, const struct iovec *iov, int cnt)
{
	ssize_t got = real_readv(fd, iov, cnt);

	received(fd, got);
	SHOW4(fd, iov, cnt, got);
	return got;
}

SLOW ssize_t hold_recv_hold(int fd, void *buf, size_t n, int fl)
{
	ssize_t got = real_recv(fd, buf, n, fl);

	received(fd, got);
	SHOW5(fd, buf, n, fl, got);
	return got;
}

SLOW ssize_t hold_recvfrom_hold(int fd, void *buf, size_t n, int fl, struct sockaddr *a,
				socklen_t *al)
{
	ssize_t got = real_recvfrom(fd, buf, n, fl, a, al);

	received(fd, got);
	SHOW4(fd, buf, n, fl);
	SHOW3(a, al, got);
	return got;
}

SLOW ssize_t hold_recvmsg_hold(int fd, struct msghdr *msg, int fl)
{
	ssize_t got = real_recvmsg(fd, msg, fl);

	if (got >= 0 && msg->msg_controllen)
		passed_fds(msg);
	received(fd, got);
	SHOW4(fd, msg, fl, got);
	return got;
}

SLOW int hold_accept_hold(int fd, struct sockaddr *a, socklen_t *al)
{
	int newfd = real_accept(fd, a, al);

	accepted(fd, newfd);
	SHOW4(fd, a, al, newfd);
	return newfd;
}

SLOW int hold_accept4_hold(int fd, struct sockaddr *a, socklen_t *al, int fl)
{
	int newfd = real_accept4(fd, a, al, fl);

	accepted(fd, newfd);
	SHOW5(fd, a, al, fl, newfd);
	return newfd;
}

SLOW ssize_t hold_read_chk_hold(int fd, void *buf, size_t n, size_t cap)
{
	ssize_t got = real___read_chk(fd, buf, n, cap);

	received(fd, got);
	SHOW5(fd, buf, n, cap, got);
	return got;
}

SLOW ssize_t hold_recv_chk_hold(int fd, void *buf, size_t n, size_t cap, int fl)
{
	ssize_t got = real___recv_chk(fd, buf, n, cap, fl);

	received(fd, got);
	SHOW4(fd, buf, n, cap);
	SHOW3(fl, got, fd);
	return got;
}

SLOW ssize_t hold_recvfrom_chk_hold(int fd, void *buf, size_t n, size_t cap, int fl,
				    struct sockaddr *a, socklen_t *al)
{
	ssize_t got = real___recvfrom_chk(fd, buf, n, cap, fl, a, al);

	received(fd, got);
	SHOW4(fd, buf, n, cap);
	SHOW4(fl, a, al, got);
	return got;
}

#define ON() __builtin_expect(hold_fdc_on, 0)

EXPORT HOT ssize_t read(int fd, void *buf, size_t n)
{
	return ON() ? hold_read_hold(fd, buf, n) : real_read(fd, buf, n);
}

EXPORT HOT ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	return ON() ? hold_readv_hold(fd, iov, cnt) : real_readv(fd, iov, cnt);
}

EXPORT HOT ssize_t recv(int fd, void *buf, size_t n, int fl)
{
	return ON() ? hold_recv_hold(fd, buf, n, fl) : real_recv(fd, buf, n, fl);
}

EXPORT HOT ssize_t recvfrom(int fd, void *buf, size_t n, int fl, struct sockaddr *a, socklen_t *al)
{
	return ON() ? hold_recvfrom_hold(fd, buf, n, fl, a, al)
		    : real_recvfrom(fd, buf, n, fl, a, al);
}

EXPORT HOT ssize_t recvmsg(int fd, struct msghdr *msg, int fl)
{
	return ON() ? hold_recvmsg_hold(fd, msg, fl) : real_recvmsg(fd, msg, fl);
}

EXPORT HOT int accept(int fd, struct sockaddr *a, socklen_t *al)
{
	return ON() ? hold_accept_hold(fd, a, al) : real_accept(fd, a, al);
}

EXPORT HOT int accept4(int fd, struct sockaddr *a, socklen_t *al, int fl)
{
	return ON() ? hold_accept4_hold(fd, a, al, fl) : real_accept4(fd, a, al, fl);
}

EXPORT HOT ssize_t __read_chk(int fd, void *buf, size_t n, size_t cap)
{
	return ON() ? hold_read_chk_hold(fd, buf, n, cap) : real___read_chk(fd, buf, n, cap);
}

EXPORT HOT ssize_t __recv_chk(int fd, void *buf, size_t n, size_t cap, int fl)
{
	return ON() ? hold_recv_chk_hold(fd, buf, n, cap, fl)
		    : real___recv_chk(fd, buf, n, cap, fl);
}

EXPORT HOT ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t cap, int fl,
				  struct sockaddr *a, socklen_t *al)
{
	return ON() ? hold_recvfrom_chk_hold(fd, buf, n, cap, fl, a, al)
		    : real___recvfrom_chk(fd, buf, n, cap, fl, a, al);
}
