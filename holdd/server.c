/*
 * server.c - holdd's event loop: the stream socket (parked threads and the
 * CLI), the datagram socket (fork and exec reports), exit watches, signals
 * and a one-second tick.
 *
 * Every peer is named by the kernel -- SO_PEERCRED on a stream,
 * SCM_CREDENTIALS on a datagram -- never by what it says.  A malformed,
 * oversized or out-of-order message closes that one connection and is
 * logged once; bad datagrams are counted and logged at most once a second.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "holdd.h"

#define BATCH     64          /* datagrams per recvmmsg */
#define DGRAM_MAX 4096        /* a report is far smaller */
#define OUT_MAX   (64u << 20) /* a client that reads nothing is dropped */

struct daemon D;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int server_watch(struct watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	return epoll_ctl(D.ep, EPOLL_CTL_ADD, w->fd, &ev);
}

int may_see(const struct conn *c, uint32_t uid)
{
	return c->uid == 0 || c->uid == uid;
}

static void want_out(struct conn *c, int on)
{
	struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = &c->w};

	epoll_ctl(D.ep, EPOLL_CTL_MOD, c->w.fd, &ev);
}

static void conn_flush(struct conn *c)
{
	size_t done = 0;

	while (done < c->outlen) {
		ssize_t w = send(c->w.fd, c->out + done, c->outlen - done, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0) {
			c->closing = 1;
			c->outlen = 0;
			return;
		}
		done += (size_t)w;
	}
	memmove(c->out, c->out + done, c->outlen - done);
	c->outlen -= done;
	want_out(c, c->outlen > 0);
}

void conn_send(struct conn *c, const char *msg, size_t n)
{
	if (!n || c->closing)
		return;
	if (c->outlen + n > c->outcap) {
		size_t cap = c->outcap ? c->outcap * 2 : 16384;
		char *o;

		while (cap < c->outlen + n)
			cap *= 2;
		if (cap > OUT_MAX || !(o = realloc(c->out, cap))) {
			hlog(LOG_WARNING,
			     "pid %d is not reading its answers; closing its connection", c->pid);
			c->closing = 1;
			return;
		}
		c->out = o;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, msg, n);
	c->outlen += n;
	if (c->outlen == n) /* nothing was queued before: try now */
		conn_flush(c);
}

void conn_error(struct conn *c, const char *fmt, ...)
{
	char text[1024], buf[1200];
	struct hold_enc e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_ERROR);
	hold_enc_str(&e, HOLD_F_TEXT, text);
	conn_send(c, buf, hold_enc_finish(&e));
}

void conn_done(struct conn *c, uint64_t count)
{
	char buf[64];
	struct hold_enc e;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_DONE);
	hold_enc_num(&e, HOLD_F_COUNT, count);
	conn_send(c, buf, hold_enc_finish(&e));
}

void conn_close(struct conn *c)
{
	parks_conn_gone(c);
	epoll_ctl(D.ep, EPOLL_CTL_DEL, c->w.fd, NULL);
	close(c->w.fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		D.conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->glob);
	free(c->out);
	free(c);
}

static void accept_one(void)
{
	int fd = accept4(D.listen.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct conn *c;

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    !(c = calloc(1, sizeof(*c)))) {
		close(fd);
		return;
	}
	c->w.kind = W_CONN;
	c->w.fd = fd;
	c->pid = cred.pid;
	c->uid = cred.uid;
	if (server_watch(&c->w, EPOLLIN) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = D.conns;
	if (D.conns)
		D.conns->prev = c;
	D.conns = c;
}

static void stats(struct conn *c)
{
	char buf[128];
	struct hold_enc e;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_STATS);
	hold_enc_num(&e, HOLD_F_COUNT, D.events_in);
	hold_enc_num(&e, HOLD_F_NODES, D.tree.nodes);
	conn_send(c, buf, hold_enc_finish(&e));
}

int server_add_owner(pid_t pid)
{
	for (int i = 0; i < HOLDD_OWNERS_MAX; i++) {
		struct watch *w = &D.owner[i];

		if (w->fd >= 0)
			continue;
		if ((w->fd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0)
			return -1;
		if (server_watch(w, EPOLLIN) < 0) {
			close(w->fd);
			w->fd = -1;
			return -1;
		}
		D.owners++;
		return 0;
	}
	errno = ENOSPC;
	return -1;
}

static void owner_gone(struct watch *w)
{
	epoll_ctl(D.ep, EPOLL_CTL_DEL, w->fd, NULL);
	close(w->fd);
	w->fd = -1;
	D.owners--;
	parks_tick();
}

/* A second `hold run` found this holdd: a private one must now also wait
 * for that program, or it would stop under it when the first one ends. */
static void add_owner(struct conn *c)
{
	if (D.stop)
		conn_error(c, "holdd is stopping; start another");
	else if (!D.private_run)
		conn_done(c, 0);
	else if (server_add_owner(c->pid) == 0)
		conn_done(c, 1);
	else
		conn_error(c, "holdd cannot watch pid %d: %s (start a shared holdd: holdd)",
			   (int)c->pid, strerror(errno));
}

/* Which messages each state accepts; anything else is out of order. */
static int dispatch(struct conn *c, const struct hold_msg *m)
{
	if (c->state == C_NEW)
		return m->type == HOLD_MSG_HELLO ? (c->state = C_READY, 0) : -1;
	if (c->state == C_PARKED) {
		if (m->type != HOLD_MSG_RELEASED)
			return -1;
		parks_released(c, m);
		return 0;
	}
	if (c->state == C_WAITING)
		return -1;
	switch (m->type) {
	case HOLD_MSG_PARK:
		parks_add(c, m);
		return 0;
	case HOLD_MSG_LIST:
		parks_list(c);
		return 0;
	case HOLD_MSG_TREE:
		store_tree(c, m);
		return 0;
	case HOLD_MSG_RELEASE:
		parks_release(c, m);
		return 0;
	case HOLD_MSG_WAIT:
		parks_wait(c, m);
		return 0;
	case HOLD_MSG_STATS:
		stats(c);
		return 0;
	case HOLD_MSG_OWNER:
		add_owner(c);
		return 0;
	default:
		return -1;
	}
}

static const char *type_name(unsigned t)
{
	static const char *const names[HOLD_MSG_TYPE_END_] = {
		[HOLD_MSG_HELLO] = "HELLO",       [HOLD_MSG_FORK] = "FORK",
		[HOLD_MSG_EXEC] = "EXEC",         [HOLD_MSG_PARK] = "PARK",
		[HOLD_MSG_RELEASED] = "RELEASED", [HOLD_MSG_RELEASE] = "RELEASE",
		[HOLD_MSG_ERROR] = "ERROR",       [HOLD_MSG_LIST] = "LIST",
		[HOLD_MSG_PARKED] = "PARKED",     [HOLD_MSG_TREE] = "TREE",
		[HOLD_MSG_NODE] = "NODE",         [HOLD_MSG_WAIT] = "WAIT",
		[HOLD_MSG_STATS] = "STATS",       [HOLD_MSG_DONE] = "DONE",
		[HOLD_MSG_EXIT] = "EXIT",         [HOLD_MSG_HANDOFF] = "HANDOFF",
		[HOLD_MSG_OWNER] = "OWNER",
	};

	return t < HOLD_MSG_TYPE_END_ && names[t] ? names[t] : "?";
}

/* Read what the peer sent and act on each whole message; -1: close it. */
static int conn_input(struct conn *c)
{
	ssize_t n = recv(c->w.fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
	long len;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (n < 0)
		return 0;
	c->inlen += (size_t)n;
	while ((len = hold_msg_frame(c->in, c->inlen)) > 0) {
		struct hold_msg m;
		int err = hold_msg_decode(&m, c->in, (size_t)len);

		if (err) {
			hlog(LOG_WARNING,
			     "pid %d uid %u sent a malformed message (%s); closing its "
			     "connection",
			     c->pid, c->uid, hold_proto_strerror(err));
			return -1;
		}
		if (dispatch(c, &m) < 0) {
			hlog(LOG_WARNING,
			     "pid %d uid %u sent %s out of order; closing its connection", c->pid,
			     c->uid, type_name(m.type));
			return -1;
		}
		c->inlen -= (size_t)len;
		memmove(c->in, c->in + len, c->inlen);
	}
	if (len < 0) {
		hlog(LOG_WARNING,
		     "pid %d uid %u sent a malformed message (%s); closing its connection", c->pid,
		     c->uid, hold_proto_strerror((int)-len));
		return -1;
	}
	return 0;
}

static void bad_datagram(int pid, uint32_t uid, const char *why)
{
	static time_t last;
	time_t now = time(NULL);

	D.bad_datagrams++;
	if (now != last) {
		last = now;
		hlog(LOG_WARNING, "ignoring a bad report from pid %d uid %u: %s (%llu so far)", pid,
		     uid, why, (unsigned long long)D.bad_datagrams);
	}
}

static void ingest(const char *buf, size_t n, const struct ucred *cr)
{
	struct hold_msg m;
	int err;

	if (!cr) {
		bad_datagram(0, 0, "no sender credentials");
		return;
	}
	if ((err = hold_msg_decode(&m, buf, n))) {
		bad_datagram(cr->pid, cr->uid, hold_proto_strerror(err));
		return;
	}
	D.events_in++;
	if (m.type == HOLD_MSG_FORK)
		store_fork(cr->uid, cr->pid, (int)m.num[HOLD_F_CHILD]);
	else if (m.type == HOLD_MSG_EXEC)
		store_exec(cr->uid, cr->pid, &m);
	else
		bad_datagram(cr->pid, cr->uid, "not a fork or exec report");
}

static void datagrams(void)
{
	static char bufs[BATCH][DGRAM_MAX];
	static char ctl[BATCH][CMSG_SPACE(sizeof(struct ucred))];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	int n;

	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){bufs[i], DGRAM_MAX};
		mm[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i],
						.msg_iovlen = 1,
						.msg_control = ctl[i],
						.msg_controllen = sizeof(ctl[i])};
	}
	while ((n = recvmmsg(D.events.fd, mm, BATCH, MSG_DONTWAIT, NULL)) > 0) {
		for (int i = 0; i < n; i++) {
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mm[i].msg_hdr);
			const struct ucred *cr = NULL;

			if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS)
				cr = (const struct ucred *)CMSG_DATA(cm);
			ingest(bufs[i], mm[i].msg_len, cr);
			mm[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
		}
		if (n < BATCH)
			break;
	}
}

static void on_signal(void)
{
	struct signalfd_siginfo si;

	while (read(D.sig.fd, &si, sizeof(si)) == sizeof(si)) {
		hlog(LOG_INFO, "signal %u: stopping", si.ssi_signo);
		D.stop = 1;
	}
}

static void on_tick(void)
{
	uint64_t ticks;

	if (read(D.timer.fd, &ticks, sizeof(ticks)) < 0)
		return;
	store_tick();
	parks_tick();
}

static void on_conn(struct conn *c, uint32_t ev)
{
	if ((ev & EPOLLIN) && conn_input(c) < 0) {
		conn_close(c);
		return;
	}
	if (ev & EPOLLOUT)
		conn_flush(c);
	if ((ev & (EPOLLHUP | EPOLLERR)) && !(ev & EPOLLIN))
		c->closing = 1;
	if (c->closing && c->outlen == 0)
		conn_close(c);
}

void server_loop(void)
{
	struct epoll_event evs[64];

	while (!D.stop) {
		int n = epoll_wait(D.ep, evs, 64, -1);
		/* Holding reports back to batch them would make senders wait: a
		 * unix datagram queue holds net.unix.max_dgram_qlen (10) of them,
		 * and libhold waits for room only briefly, then drops.  The
		 * journal write is what batches. */
		int reports_only = n > 0;

		/* Reports first, exits after: a process's last report must find
		 * it alive (tree.c copes either way, this keeps it simple). */
		for (int i = 0; i < n; i++)
			if (((struct watch *)evs[i].data.ptr)->kind == W_EVENTS)
				datagrams();
		for (int i = 0; i < n; i++) {
			struct watch *w = evs[i].data.ptr;

			if (w->kind != W_EVENTS && w->kind != W_PROC)
				reports_only = 0;
			switch (w->kind) {
			case W_LISTEN:
				accept_one();
				break;
			case W_CONN:
				on_conn((struct conn *)w, evs[i].events);
				break;
			case W_PROC:
				store_proc_exited(w);
				break;
			case W_SIGNAL:
				on_signal();
				break;
			case W_TIMER:
				on_tick();
				break;
			case W_OWNER:
				owner_gone(w);
				break;
			case W_EVENTS:
				break;
			}
		}
		/* reports alone: write the journal at most every 50 ms; a park
		 * or request writes it at once */
		store_flush_after(reports_only ? 50000000 : 0);
	}
	store_flush();
}
