/* SPDX-License-Identifier: MIT */
/*
 * holdd-link.c - libhold's client of holdd: the protocol (proto.h) from its side.
 *
 * fork and exec reports go into holdd's ring (ring.h, ringmap.c) when this
 * process may write it: no system call, no wake-up.  Otherwise they are
 * datagrams to SOCKET.events, and the kernel attaches the sender's pid and
 * uid (SCM_CREDENTIALS), so no process needs a connection of its own.
 * When no holdd listens they cost a failed look-up.  A unix datagram queue
 * holds only net.unix.max_dgram_qlen (10) messages, and a burst of forks
 * and execs (a shell starting 20 jobs) fills it faster than holdd is
 * scheduled to drain it: a report that finds the queue full waits for
 * room, up to FULL_WAIT_NS, once per process -- a holdd that let one
 * report time out (stopped, or wedged) is not waited for again.
 *
 * A parked thread opens a stream connection to SOCKET, says HELLO and PARK,
 * and waits on it between looks at its hold flag: holdd's RELEASE wakes it
 * at once.  The connection is the program's guest: its fd is O_CLOEXEC and
 * moved high, and before every read libhold checks it is still the socket
 * it opened (the program may close or dup2 over any fd).  If holdd goes
 * away the thread stays parked and reconnects every 200 ms, announcing
 * itself again.  Everything here is async-signal-safe (sigsafe.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/auxv.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>

#include "libhold.h"
#include "paths.h"
#include "ring.h"
#include "sigsafe.h"

#define RETRY_NS     200000000u     /* reconnect to a restarted holdd this often */
#define HIGH_FD      512            /* out of the way of dup2(x, 0..2) and friends */
#define EXEC_BYTES   HOLD_RING_DATA /* an exec report fits a ring slot */
#define ARG_BYTES    256            /* each argv element is cut to this */
#define FULL_WAIT_NS 50000000u      /* no room in holdd's queue this long: it is stopped */
#define BUSY_WAIT_NS 2000000000u    /* a report waits at most this long for a busy one */

static int queue_gave_up; /* a report timed out: later ones do not wait */

static socklen_t addr_of(struct sockaddr_un *a, const char *suffix)
{
	struct buf b;

	a->sun_family = AF_UNIX;
	buf_init(&b, a->sun_path, sizeof(a->sun_path));
	buf_str(&b, hold_g.sock);
	buf_str(&b, suffix);
	if (b.full || !hold_g.sock[0])
		return 0;
	buf_cstr(&b);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + b.len + 1);
}

/* May a holdd of `owner` hear our parks (paths.h)?  The user namespace
 * is looked at only when the answer hangs on it. */
static int daemon_trusted(unsigned owner)
{
	unsigned me = (unsigned)safe_sys(SYS_geteuid, 0, 0, 0);
	char map[512];
	long n;

	if (owner != HOLD_OVERFLOW_UID || hold_daemon_trusted(owner, me, 0))
		return hold_daemon_trusted(owner, me, 0);
	n = safe_read_file("/proc/self/uid_map", map, sizeof(map));
	return hold_daemon_trusted(owner, me, n > 0 && hold_in_userns(map, (size_t)n));
}

/* Whose holdd is it?  The kernel says (SO_PEERCRED): only one of our own
 * or root's hears about a park, or could claim to release it. */
static int trusted_peer(long fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	return safe_sys6(SYS_getsockopt, fd, SOL_SOCKET, SO_PEERCRED, (long)&cr, (long)&len, 0) ==
		       0 &&
	       daemon_trusted(cr.uid);
}

static long send_to(long fd, const char *msg, size_t n, int flags, const struct sockaddr_un *a,
		    socklen_t alen)
{
	return safe_sys6(SYS_sendto, fd, (long)msg, (long)n, flags | MSG_NOSIGNAL, (long)a, alen);
}

/* A report that waited in vain leaves word for the rest of the tree (and
 * every process of this user): RUNTIME_DIR/holdd.stalled, its time the
 * time of the failure.  For STALLED_NS after it no report waits: a stopped
 * or wedged holdd costs one image 50 ms, not every image. */
#define STALLED_NS 10000000000ull

static void stalled_mark(void)
{
	long dir = hold_runtime_dirfd(), fd;

	if (dir < 0)
		return;
	fd = safe_sys6(SYS_openat, dir, (long)"holdd.stalled",
		       O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600, 0, 0);
	safe_sys(SYS_close, dir, 0, 0);
	if (fd < 0)
		return;
	safe_sys6(SYS_utimensat, fd, 0, 0, 0, 0, 0); /* its mtime: now */
	safe_sys(SYS_close, fd, 0, 0);
}

static int stalled_recently(void)
{
	char path[PATH_MAX];
	struct buf b;
	struct statx sx;
	uint64_t now = safe_now_ns(CLOCK_REALTIME), then;

	buf_init(&b, path, sizeof(path));
	buf_str(&b, hold_g.runtime_dir ? hold_g.runtime_dir : "");
	buf_str(&b, "/holdd.stalled");
	if (b.full || safe_sys6(SYS_statx, AT_FDCWD, (long)buf_cstr(&b), AT_SYMLINK_NOFOLLOW,
				STATX_MTIME, (long)&sx, 0) < 0)
		return 0;
	then = (uint64_t)sx.stx_mtime.tv_sec * 1000000000ull + sx.stx_mtime.tv_nsec;
	return now >= then && now - then < STALLED_NS;
}

/* holdd's queue is full.  Busy or stopped?  Room that appears -- holdd
 * took a report, though another sender may have won the slot -- says busy:
 * wait on, up to BUSY_WAIT_NS in all.  No room at all for FULL_WAIT_NS
 * says stopped or wedged: give up, for this image and (stalled_mark) for
 * the others.  fd is connected to the queue, so poll sees its room. */
static void send_when_room(long fd, const char *msg, size_t n)
{
	uint64_t end = safe_now_ns(CLOCK_MONOTONIC) + BUSY_WAIT_NS;

	for (;;) {
		struct pollfd p = {.fd = (int)fd, .events = POLLOUT};
		struct timespec ts = {0, FULL_WAIT_NS};
		long r = safe_sys6(SYS_ppoll, (long)&p, 1, (long)&ts, 0, 0, 0);

		if (r == 0) { /* no room in FULL_WAIT_NS: nobody is draining it */
			queue_gave_up = 1;
			stalled_mark();
			return;
		}
		r = safe_sys6(SYS_sendto, fd, (long)msg, (long)n, MSG_DONTWAIT | MSG_NOSIGNAL, 0,
			      0);
		if (r != -EAGAIN && r != -EINTR)
			return;
		if (safe_now_ns(CLOCK_MONOTONIC) > end)
			return; /* busy for so long: this report is dropped */
	}
}

/* Is holdd's report socket there, and its owner us or root?  Asked of the
 * file (a datagram has no peer to ask) before the first report, and again
 * after a no: a report costs one statx when no holdd listens, and none
 * reaches a socket someone else planted. */
static int socket_trusted(const struct sockaddr_un *a)
{
	static int yes;
	struct statx sx;

	if (__atomic_load_n(&yes, __ATOMIC_RELAXED))
		return 1;
	if (safe_sys6(SYS_statx, AT_FDCWD, (long)a->sun_path, AT_SYMLINK_NOFOLLOW,
		      STATX_TYPE | STATX_UID, (long)&sx, 0) < 0 ||
	    !S_ISSOCK(sx.stx_mode) || !daemon_trusted(sx.stx_uid))
		return 0;
	__atomic_store_n(&yes, 1, __ATOMIC_RELAXED);
	return 1;
}

/* The datagram queue is full: the report goes as a connection of its own
 * instead (HELLO, then the report), which waits in the stream socket's
 * backlog -- thousands deep where the datagram queue holds ten -- until
 * holdd takes it.  Nothing here waits; 0 when it went. */
static int send_by_stream(const char *msg, size_t n)
{
	struct sockaddr_un a;
	socklen_t alen = addr_of(&a, "");
	char buf[HOLD_MSG_HDR + 16 + EXEC_BYTES];
	struct hold_enc e;
	size_t h;
	long fd, r = -1;

	if (!alen || n > EXEC_BYTES)
		return -1;
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_HELLO);
	hold_enc_num(&e, HOLD_F_VERSION, HOLD_PROTO_VERSION);
	h = hold_enc_finish(&e);
	for (size_t i = 0; i < n; i++)
		buf[h + i] = msg[i];
	fd = safe_sys(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (safe_sys(SYS_connect, fd, &a, alen) == 0 && trusted_peer(fd))
		r = safe_sys6(SYS_sendto, fd, (long)buf, (long)(h + n), MSG_NOSIGNAL, 0, 0);
	safe_sys(SYS_close, fd, 0, 0);
	return r == (long)(h + n) ? 0 : -1;
}

static void send_datagram(const char *msg, size_t n)
{
	struct sockaddr_un a;
	socklen_t alen = addr_of(&a, ".events");
	long fd;

	if (!n || !alen || !socket_trusted(&a))
		return;
	fd = safe_sys(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (send_to(fd, msg, n, MSG_DONTWAIT, &a, alen) == -EAGAIN && !queue_gave_up &&
	    send_by_stream(msg, n) < 0) {
		if (stalled_recently())
			queue_gave_up = 1;
		else if (safe_sys(SYS_connect, fd, &a, alen) == 0)
			send_when_room(fd, msg, n);
	}
	safe_sys(SYS_close, fd, 0, 0);
}

/* holdd sleeps on an empty ring: an empty datagram wakes it (once, for
 * whoever cleared its idle flag). */
static void wake_holdd(void)
{
	struct sockaddr_un a;
	socklen_t alen = addr_of(&a, ".events");
	long fd;

	if (!alen || (fd = safe_sys(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	send_to(fd, "", 0, MSG_DONTWAIT, &a, alen);
	safe_sys(SYS_close, fd, 0, 0);
}

/* A fork or exec report: into holdd's ring when this process may write
 * it (no system call, no wake-up), else as a datagram. */
static void send_report(const char *msg, size_t n)
{
	switch (hold_ring_report(msg, n)) {
	case HOLD_RING_IN:
	case HOLD_RING_FULL: /* dropped and counted: never wait */
		return;
	case HOLD_RING_WAKE:
		wake_holdd();
		return;
	default:
		send_datagram(msg, n);
	}
}

void hold_client_fork(int child)
{
	char buf[64];
	struct hold_enc e;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_FORK);
	hold_enc_num(&e, HOLD_F_CHILD, (uint64_t)child);
	send_report(buf, hold_enc_finish(&e));
}

/* Add argv elements, each cut to ARG_BYTES, while they fit in `room`. */
static void enc_args_vec(struct hold_enc *e, char *const *argv, size_t room)
{
	for (unsigned i = 0; argv && argv[i] && i < HOLD_MSG_ARGS; i++) {
		size_t n = safe_strlen(argv[i]);

		if (n > ARG_BYTES)
			n = ARG_BYTES;
		if (e->len + 4 + n > room)
			break;
		hold_enc_mem(e, HOLD_F_ARG, argv[i], n);
	}
}

/* Will a report reach a holdd?  Asked before an exec report is put
 * together: an image with no holdd to hear it pays two failed look-ups,
 * not the report. */
static int holdd_there(void)
{
	struct sockaddr_un a;

	return hold_ring_ready() || (addr_of(&a, ".events") && socket_trusted(&a));
}

/* An exec's report: the new image's (err 0), or a failed one's. */
static HOT void exec_report(const char *path, char *const *argv, int err)
{
	char buf[EXEC_BYTES];
	struct hold_enc e;

	if (!holdd_there())
		return;
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_EXEC);
	hold_enc_mem(&e, HOLD_F_PATH, path ? path : "", path ? safe_strlen(path) : 0);
	hold_enc_num(&e, HOLD_F_PPID, (uint64_t)safe_sys(SYS_getppid, 0, 0, 0));
	if (err) {
		hold_enc_num(&e, HOLD_F_FLAGS, HOLD_FL_FAILED);
		hold_enc_num(&e, HOLD_F_ERRNO, (uint64_t)err);
	}
	enc_args_vec(&e, (char **)argv, sizeof(buf));
	send_report(buf, hold_enc_finish(&e));
}

HOT void hold_client_exec(char **argv)
{
	exec_report((const char *)getauxval(AT_EXECFN), argv, 0);
}

HOT void hold_client_exec_failed(const char *path, char *const *argv, int err)
{
	exec_report(path, argv, err ? err : ENOENT);
}

static int fd_identity(long fd, uint64_t *dev, uint64_t *ino)
{
	struct statx sx;

	if (safe_sys6(SYS_statx, fd, (long)"", AT_EMPTY_PATH, STATX_INO, (long)&sx, 0) < 0)
		return -1;
	*dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	*ino = sx.stx_ino;
	return 0;
}

static int still_ours(const struct hold_conn *c)
{
	uint64_t dev, ino;

	return fd_identity(c->fd, &dev, &ino) == 0 && dev == c->dev && ino == c->ino;
}

/* Forget the connection; close it only if the fd is still ours. */
static void drop(struct hold_conn *c, int ours)
{
	if (ours)
		safe_sys(SYS_close, c->fd, 0, 0);
	c->fd = -1;
	c->rlen = 0;
	c->retry_ns = safe_now_ns(CLOCK_MONOTONIC) + RETRY_NS;
}

static long connect_stream(void)
{
	struct sockaddr_un a;
	socklen_t alen = addr_of(&a, "");
	long fd, high;

	if (!alen)
		return -1;
	fd = safe_sys(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (safe_sys(SYS_connect, fd, &a, alen) < 0 || !trusted_peer(fd)) {
		safe_sys(SYS_close, fd, 0, 0);
		return -1;
	}
	high = safe_sys(SYS_fcntl, fd, F_DUPFD_CLOEXEC, HIGH_FD);
	if (high >= 0) {
		safe_sys(SYS_close, fd, 0, 0);
		fd = high;
	}
	return fd;
}

/* HELLO, then PARK: one write, so holdd never sees half an announcement. */
static size_t enc_park(char *buf, size_t cap, const struct park *p)
{
	struct hold_enc e;
	size_t n;

	hold_enc_start(&e, buf, cap, HOLD_MSG_HELLO);
	hold_enc_num(&e, HOLD_F_VERSION, HOLD_PROTO_VERSION);
	n = hold_enc_finish(&e);
	return n + park_to_msg(buf + n, cap - n, HOLD_MSG_PARK, p);
}

int hold_client_announce(struct parking *p)
{
	struct hold_conn *c = &p->conn;
	char buf[HOLD_MSG_MAX];
	size_t n = enc_park(buf, sizeof(buf), &p->park);

	c->fd = (int)connect_stream();
	c->rlen = 0;
	if (c->fd < 0) {
		c->retry_ns = safe_now_ns(CLOCK_MONOTONIC) + RETRY_NS;
		return -1;
	}
	if (fd_identity(c->fd, &c->dev, &c->ino) < 0 ||
	    safe_sys6(SYS_sendto, c->fd, (long)buf, (long)n, MSG_NOSIGNAL, 0, 0) != (long)n) {
		drop(c, 1);
		return -1;
	}
	return 0;
}

/* Consume what holdd sent; 1 if it released this thread. */
static int take_messages(struct parking *p)
{
	struct hold_conn *c = &p->conn;
	long n = safe_sys(SYS_read, c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen);
	struct hold_msg m;
	long len;

	if (n <= 0) { /* holdd went away (or the fd did): park on, reconnect */
		drop(c, 1);
		return 0;
	}
	c->rlen += (unsigned)n;
	while ((len = hold_msg_frame(c->rbuf, c->rlen)) > 0) {
		if (hold_msg_decode(&m, c->rbuf, (size_t)len) == HOLD_PROTO_OK &&
		    m.type == HOLD_MSG_RELEASE) {
			if (m.num[HOLD_F_FLAGS] & HOLD_FL_RECORD)
				p->recorded = 0; /* holdd removes it */
			return 1;
		}
		c->rlen -= (unsigned)len;
		for (unsigned i = 0; i < c->rlen; i++)
			c->rbuf[i] = c->rbuf[i + (unsigned)len];
	}
	if (len < 0 || c->rlen == sizeof(c->rbuf))
		drop(c, 1);
	return 0;
}

int hold_client_wait(struct parking *p, uint64_t ns)
{
	struct hold_conn *c = &p->conn;
	struct timespec ts = {0, (long)ns};
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};

	if (c->fd < 0) {
		safe_sleep_ns(ns);
		if (safe_now_ns(CLOCK_MONOTONIC) >= c->retry_ns)
			hold_client_announce(p);
		return 0;
	}
	if (safe_sys6(SYS_ppoll, (long)&pfd, 1, (long)&ts, 0, 0, 0) <= 0)
		return 0;
	if ((pfd.revents & POLLNVAL) || !still_ours(c)) {
		drop(c, 0); /* the program closed or reused our fd: not ours to close */
		return 0;
	}
	return take_messages(p);
}

void hold_client_released(struct parking *p, enum hold_by by)
{
	struct hold_conn *c = &p->conn;
	char buf[64];
	struct hold_enc e;
	size_t n;

	if (c->fd < 0 || !still_ours(c))
		return;
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_RELEASED);
	hold_enc_num(&e, HOLD_F_TID, (uint64_t)p->park.tid);
	hold_enc_num(&e, HOLD_F_BY, (uint64_t)by);
	n = hold_enc_finish(&e);
	safe_sys6(SYS_sendto, c->fd, (long)buf, (long)n, MSG_NOSIGNAL, 0, 0);
	safe_sys(SYS_close, c->fd, 0, 0);
	c->fd = -1;
}
