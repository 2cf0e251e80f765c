/* SPDX-License-Identifier: MIT */
/*
 * conn.c - holdd's client connections: parked threads and the hold CLI on
 * the stream socket.
 *
 * A client is who the kernel says it is (SO_PEERCRED at accept), never
 * what it says.  Input is framed into whole messages (proto.h) and handed
 * to the caller's handler one at a time; a malformed, oversized or
 * out-of-order message closes that one connection and is logged once.
 * Output is queued and written as the socket takes it, one answer at a time
 * (below).  A client's identity is also a pidfd of the process that
 * connected, so a connection that outlives its process can be told.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "holdd.h"

/* A client gets one answer at a time: holdd reads its next request only
 * once the last answer is written, so its queue holds at most one answer
 * (a whole tree, at most OUT_MAX).  A client that takes nothing of it for
 * STALL_NS is closed, as is one past OUT_MAX, and one whose user's answers
 * waiting to be read would pass UID_OUT_MAX: many slow readers of one user
 * held holdd at a gigabyte.  An answer's memory goes back once it is read. */
#define OUT_MAX     (32u << 20)
#define UID_OUT_MAX (64u << 20)
#define OUT_KEEP    16384u /* a buffer this small is kept for the next answer */
#define STALL_NS    (5ull * 1000000000ull)

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* Linux 6.5; Debian 12's headers predate it */
#endif

static LIST_HEAD(, conn) conns = LIST_HEAD_INITIALIZER(conns);
static int reserve = -1;   /* an fd to give back when accept finds none left */
static unsigned per_uid;   /* connections one user may hold; root's are not counted */
static uint64_t own_pidns; /* holdd's pid namespace (the inode of /proc/self/ns/pid) */

void conn_init(void)
{
	struct rlimit rl;
	uint64_t dev;

	if (proc_self_pidns(&dev, &own_pidns) != 0)
		own_pidns = 0;
	reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	per_uid = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur / 8 > 64
			  ? (unsigned)(rl.rlim_cur / 8 > 1u << 30 ? 1u << 30 : rl.rlim_cur / 8)
			  : 64;
}

static unsigned held_by(uint32_t uid)
{
	unsigned n = 0;
	const struct conn *c;

	LIST_FOREACH(c, &conns, link)
		n += c->uid == uid;
	return n;
}

/* No fd left for a new client: take one from the reserve to accept and
 * close it, so that it is told (its connection closes) instead of waiting
 * while a level-triggered epoll reports it for ever. */
static void turn_away(int listen_fd)
{
	static int said;
	int fd;

	if (reserve >= 0)
		close(reserve);
	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (!said++)
		hlog(LOG_WARNING,
		     "out of file descriptors: turning new clients away (raise holdd's "
		     "open-file limit)");
}

struct conn *conn_first(void)
{
	return LIST_FIRST(&conns);
}

struct conn *conn_next(const struct conn *c)
{
	return LIST_NEXT(c, link);
}

int conn_foreign(const struct conn *c)
{
	return c->pidns && c->pidns != own_pidns;
}

int conn_may_see(const struct conn *c, uint32_t uid, uint32_t owner)
{
	return c->uid == 0 || c->uid == uid || c->uid == owner;
}

struct conn *conn_adopt(int fd, int pid, uint32_t uid, int pidfd)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		if (pidfd >= 0)
			close(pidfd);
		return NULL;
	}
	c->w.kind = W_CONN;
	c->w.fd = fd;
	c->pid = pid;
	c->uid = uid;
	c->pidfd = pidfd;
	if (loop_add(&c->w, EPOLLIN) < 0) {
		if (c->pidfd >= 0)
			close(c->pidfd);
		close(fd);
		free(c);
		return NULL;
	}
	LIST_INSERT_HEAD(&conns, c, link);
	return c;
}

struct conn *conn_accept(int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), pidfd;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE)
			turn_away(listen_fd);
		return NULL;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		close(fd);
		return NULL;
	}
	if (cred.uid != 0 && held_by(cred.uid) >= per_uid) {
		static time_t said; /* at most once a second: a flood is not logged */

		if (time(NULL) != said) {
			said = time(NULL);
			hlog(LOG_WARNING,
			     "uid %u holds %u connections, its most: turning more away", cred.uid,
			     per_uid);
		}
		close(fd);
		return NULL;
	}
	/* Before Linux 6.5 there is no SO_PEERPIDFD: take a pidfd now, which
	 * names the same process unless it exited and its pid was reused
	 * between connect and this accept. */
	len = sizeof(pidfd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0)
		pidfd = (int)syscall(SYS_pidfd_open, cred.pid, 0);
	return conn_adopt(fd, cred.pid, cred.uid, pidfd);
}

int conn_peer_alive(const struct conn *c)
{
	struct pollfd p = {.fd = c->pidfd, .events = POLLIN};

	/* a pidfd polls readable once its process has exited */
	return c->pidfd >= 0 && poll(&p, 1, 0) == 0;
}

void conn_free(struct conn *c)
{
	loop_del(&c->w);
	if (c->pidfd >= 0)
		close(c->pidfd);
	close(c->w.fd);
	LIST_REMOVE(c, link);
	free(c->glob);
	free(c->out);
	free(c);
}

static void malformed(const struct conn *c, int err)
{
	hlog_limited("malformed", LOG_WARNING,
		     "pid %d uid %u sent a malformed message (%s); closing its connection", c->pid,
		     c->uid, hold_proto_strerror(err));
}

int conn_read(struct conn *c)
{
	ssize_t n;

	if (c->inlen == sizeof(c->in)) /* whole messages wait for their turn */
		return 0;
	n = recv(c->w.fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (n > 0)
		c->inlen += (size_t)n;
	return 0;
}

int conn_take(struct conn *c, conn_handler handle)
{
	long len;

	while (c->outlen == 0 && !c->closing && (len = hold_msg_frame(c->in, c->inlen)) > 0) {
		struct hold_msg m;
		int err = hold_msg_decode(&m, c->in, (size_t)len);

		if (err) {
			malformed(c, err);
			return -1;
		}
		if (handle(c, &m) < 0) {
			hlog_limited("out of order", LOG_WARNING,
				     "pid %d uid %u sent %s out of order; closing its connection",
				     c->pid, c->uid, hold_msg_type_name(m.type));
			return -1;
		}
		c->inlen -= (size_t)len;
		memmove(c->in, c->in + len, c->inlen);
	}
	if (hold_msg_frame(c->in, c->inlen) < 0) {
		malformed(c, (int)-hold_msg_frame(c->in, c->inlen));
		return -1;
	}
	return 0;
}

int conn_stalled(const struct conn *c, uint64_t now)
{
	return c->outlen > c->outoff && now - c->out_since > STALL_NS;
}

void conn_flush(struct conn *c)
{
	size_t done = 0;

	while (c->outoff < c->outlen) {
		ssize_t w = send(c->w.fd, c->out + c->outoff, c->outlen - c->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0) {
			c->closing = 1;
			c->outlen = c->outoff = 0;
			return;
		}
		c->outoff += (size_t)w;
		done += (size_t)w;
	}
	if (c->outoff == c->outlen) { /* all read: give a large buffer back */
		c->outlen = c->outoff = 0;
		if (c->outcap > OUT_KEEP) {
			free(c->out);
			c->out = NULL;
			c->outcap = 0;
		}
	}
	if (done)
		c->out_since = hold_now_ns();
	/* while an answer is on its way, no new request is read */
	loop_mod(&c->w, c->outlen ? EPOLLOUT : EPOLLIN);
}

/* The memory uid's answers hold, other than c's. */
static size_t uid_out(uint32_t uid, const struct conn *c)
{
	const struct conn *o;
	size_t n = 0;

	LIST_FOREACH(o, &conns, link)
		if (o != c && o->uid == uid)
			n += o->outcap;
	return n;
}

void conn_send(struct conn *c, const char *msg, size_t n)
{
	if (!n || c->closing)
		return;
	if (c->outoff && c->outlen + n > c->outcap) { /* what was read makes room */
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	if (c->outlen + n > c->outcap) {
		size_t cap = c->outcap ? c->outcap * 2 : OUT_KEEP;
		char *o;

		while (cap < c->outlen + n)
			cap *= 2;
		if (cap > OUT_KEEP && uid_out(c->uid, c) + cap > UID_OUT_MAX) {
			hlog_limited("answers too large", LOG_WARNING,
				     "uid %u: its answers waiting to be read would pass %u MiB; "
				     "closing the connection of pid %d (read what you ask for)",
				     c->uid, UID_OUT_MAX >> 20, c->pid);
			c->closing = 1;
			c->outlen = c->outoff = 0;
			return;
		}
		if (cap > OUT_MAX || !(o = realloc(c->out, cap))) {
			hlog_limited(
				"answer too large", LOG_WARNING,
				"pid %d uid %u: an answer of over %u MiB; closing its connection "
				"(ask for less: hold tree PID)",
				c->pid, c->uid, OUT_MAX >> 20);
			c->closing = 1;
			c->outlen = c->outoff = 0; /* dropped: closed at once */
			return;
		}
		c->out = o;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, msg, n);
	c->outlen += n;
	if (c->outlen == n) { /* nothing was queued before: try now */
		c->out_since = hold_now_ns();
		conn_flush(c);
	}
}

static void error_v(struct conn *c, uint32_t flags, const char *fmt, va_list ap)
{
	char text[1024], buf[1200];
	struct hold_enc e;

	vsnprintf(text, sizeof(text), fmt, ap);
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_ERROR);
	hold_enc_str(&e, HOLD_F_TEXT, text);
	if (flags)
		hold_enc_num(&e, HOLD_F_FLAGS, flags);
	conn_send(c, buf, hold_enc_finish(&e));
}

void conn_error(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_v(c, 0, fmt, ap);
	va_end(ap);
}

void conn_refuse(struct conn *c, uint32_t flags, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_v(c, flags, fmt, ap);
	va_end(ap);
}

static uint64_t lost;

void conn_set_lost(uint64_t n)
{
	lost = n;
}

void conn_done(struct conn *c, uint64_t count)
{
	char buf[64];
	struct hold_enc e;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_DONE);
	hold_enc_num(&e, HOLD_F_COUNT, count);
	if (lost)
		hold_enc_num(&e, HOLD_F_LOST, lost);
	conn_send(c, buf, hold_enc_finish(&e));
}
