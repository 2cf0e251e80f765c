/* SPDX-License-Identifier: MIT */
/*
 * server.c - holdd's event loop: what each event means.
 *
 *   stream socket    parked threads and the CLI (conn.c); each request is
 *                    looked up in the dispatch table below, which says in
 *                    which connection states it may come and who answers
 *   datagram socket  fork and exec reports; the kernel names the sender
 *                    (SCM_CREDENTIALS), bad ones are counted and logged at
 *                    most once a second
 *   pidfds           a recorded process exited (store.c), or an owner of a
 *                    private holdd did
 *   signalfd         SIGTERM, SIGINT, SIGHUP: stop
 *   timerfd          the one-second tick: journal, pruning, record checks
 *   the kernel follower's ring buffer (watch.c)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "holdd.h"

#define BATCH     64   /* datagrams per recvmmsg */
#define DGRAM_MAX 4096 /* a report is far smaller */

static struct watch listen_w, events_w, signal_w, timer_w;
static struct watch owner_w[HOLDD_OWNERS_MAX]; /* pidfds; fd -1: free */
static int private_run;                        /* stop when the owners are gone */
static int owners;                             /* owners alive */
static int stopping;
static int serve_one; /* --read-journal: stop once its connection has closed */
static uint64_t events_in, bad_datagrams;

/* --- owners of a private holdd -------------------------------------------- */

/* pidfd: the owner's; the watch keeps it when this returns 0 */
static int add_owner(int pidfd)
{
	if (pidfd < 0)
		return -1;
	for (int i = 0; i < HOLDD_OWNERS_MAX; i++) {
		struct watch *w = &owner_w[i];

		if (w->fd >= 0)
			continue;
		w->fd = pidfd;
		if (loop_add(w, EPOLLIN) < 0) {
			w->fd = -1;
			return -1;
		}
		owners++;
		return 0;
	}
	errno = ENOSPC;
	return -1;
}

/* A private holdd stops once its run is over and nothing is parked. */
static void maybe_stop(void)
{
	if (private_run && owners == 0 && parks_count() == 0 && watch_trees() == 0 && !stopping) {
		hlog(LOG_INFO, "the run is over and nothing is parked: stopping");
		stopping = 1;
	}
}

static void owner_gone(struct watch *w)
{
	loop_del(w);
	close(w->fd);
	w->fd = -1;
	owners--;
	maybe_stop();
}

/* --- requests ------------------------------------------------------------- */

static void on_hello(struct conn *c, const struct hold_msg *m)
{
	c->pidns = m->num[HOLD_F_PIDNS];
	c->state = C_READY;
}

static void on_park(struct conn *c, const struct hold_msg *m)
{
	const struct parked *p;

	if (m->num[HOLD_F_FLAGS] & HOLD_FL_TRACED) {
		parks_add_traced(c, m);
		return;
	}
	p = parks_add(c, m);

	if (p && p->park.ho.fd >= 0 && hold_msg_has(m, HOLD_F_ADDR))
		store_handoff(&p->park, p->owner);
}

static void on_log(struct conn *c, const struct hold_msg *m)
{
	if (conn_foreign(c)) {
		conn_error(c, "hold log inside a container (another pid namespace) is not "
			      "supported: the events name the host's pids; run it on the host");
		return;
	}
	store_log(c, m);
}

static void on_tree(struct conn *c, const struct hold_msg *m)
{
	store_tree(c, m, parks_has_pid);
}

static void on_stats(struct conn *c, const struct hold_msg *m)
{
	char buf[128];
	struct hold_enc e;

	(void)m;
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_STATS);
	hold_enc_num(&e, HOLD_F_COUNT, events_in);
	hold_enc_num(&e, HOLD_F_NODES, store_nodes());
	conn_send(c, buf, hold_enc_finish(&e));
}

/* A second `hold run` found this holdd: a private one must now also wait
 * for that program, or it would stop under it when the first one ends. */
static void on_owner(struct conn *c, const struct hold_msg *m)
{
	/* the kernel's pid and uid: the tree it starts is that user's */
	if (!(m->num[HOLD_F_FLAGS] & HOLD_FL_NOTREE) && conn_peer_alive(c))
		store_own(c->uid, c->pid);
	if (stopping)
		conn_error(c, "holdd is stopping; start another");
	else if (!private_run)
		conn_done(c, 0);
	else if (conn_peer_alive(c) && add_owner(c->pidfd) == 0) {
		c->pidfd = -1; /* the owner watch has it now */
		conn_done(c, 1);
	} else
		conn_error(c, "holdd cannot watch pid %d: %s (start a shared holdd: holdd)",
			   (int)c->pid, strerror(errno));
}

static void report(const struct hold_msg *m, int pid, uint32_t uid);
static void bad_datagram(int pid, uint32_t uid, const char *why);
/* Linux never gives out a pid above this (PID_MAX_LIMIT, 2^22): a larger
 * number in a report is a lie, and as an int it could wrap onto a real
 * process. */
#define PID_LIMIT (1u << 22)

/* A report that found the datagram queue full came this way instead, on a
 * connection of its own: the sender is the connection's (SO_PEERCRED). */
/* A report on a connection: the sender's own, or -- FLAGS=TRACED -- a
 * tracer's (hold follow) about a process it traces, which counts as that
 * process's own only if the kernel says it is the tracer's user's (or the
 * tracer is root's) and, for a fork, that the child's parent is the one
 * named. */
static void on_report(struct conn *c, const struct hold_msg *m)
{
	int pid = (int)m->num[HOLD_F_PID];
	long uid;

	if (!(m->num[HOLD_F_FLAGS] & HOLD_FL_TRACED)) {
		report(m, c->pid, c->uid);
		return;
	}
	uid = pid > 0 && (unsigned)pid <= PID_LIMIT ? proc_real_uid(pid) : -1;
	if (uid < 0 || (c->uid != 0 && (uint32_t)uid != c->uid) ||
	    (m->type == HOLD_MSG_FORK && proc_ppid((int)m->num[HOLD_F_CHILD]) != pid &&
	     proc_real_uid((int)m->num[HOLD_F_CHILD]) >= 0)) {
		bad_datagram(c->pid, c->uid, "a traced report about a process not the tracer's");
		return;
	}
	report(m, pid, (uint32_t)uid);
}

#define IN(s) (1u << (s))

/* Who answers what, and in which connection states it may come; anything
 * else closes the connection.  A connection says HELLO first; a parked
 * thread's then carries one PARK and, at the end, RELEASED; a `hold wait`
 * sends nothing more until it is answered; a report that found the
 * datagram queue full comes as FORK or EXEC on a connection of its own. */
static const struct request {
	unsigned states;
	void (*handle)(struct conn *c, const struct hold_msg *m);
} requests[HOLD_MSG_TYPE_END_] = {
	[HOLD_MSG_HELLO] = {IN(C_NEW), on_hello},
	[HOLD_MSG_PARK] = {IN(C_READY), on_park},
	[HOLD_MSG_RELEASED] = {IN(C_PARKED), parks_released},
	[HOLD_MSG_LIST] = {IN(C_READY), parks_list},
	[HOLD_MSG_TREE] = {IN(C_READY), on_tree},
	[HOLD_MSG_RELEASE] = {IN(C_READY), parks_release},
	[HOLD_MSG_WAIT] = {IN(C_READY), parks_wait},
	[HOLD_MSG_STATS] = {IN(C_READY), on_stats},
	[HOLD_MSG_OWNER] = {IN(C_READY), on_owner},
	[HOLD_MSG_LOG] = {IN(C_READY), on_log},
	[HOLD_MSG_WATCH] = {IN(C_READY), watch_request},
	[HOLD_MSG_FORK] = {IN(C_READY), on_report},
	[HOLD_MSG_EXEC] = {IN(C_READY), on_report},
};

static int dispatch(struct conn *c, const struct hold_msg *m)
{
	const struct request *r = &requests[m->type]; /* decode checked the type */

	if (!r->handle || !(r->states & IN(c->state)))
		return -1;
	r->handle(c, m);
	return 0;
}

static void close_conn(struct conn *c)
{
	parks_conn_gone(c);
	watch_conn_gone(c);
	store_unfollow(c);
	conn_free(c);
}

static void on_conn(struct conn *c, uint32_t ev)
{
	if ((ev & EPOLLIN) && conn_read(c) < 0) {
		close_conn(c);
		return;
	}
	if (ev & EPOLLOUT)
		conn_flush(c);
	/* every report in the rings counts before a request is answered */
	drain_now();
	watch_ready();
	conn_set_lost(drain_lost() + watch_lost());
	if (conn_take(c, dispatch) < 0) {
		close_conn(c);
		return;
	}
	if ((ev & (EPOLLHUP | EPOLLERR)) && !(ev & EPOLLIN))
		c->closing = 1;
	if (c->closing && c->outlen == 0)
		close_conn(c);
}

/* Connections another module marked closing, not on an event of their
 * own (a WATCH whose tree has ended), once their answers are out. */
static void close_marked(void)
{
	struct conn *next;

	for (struct conn *c = conn_first(); c; c = next) {
		next = conn_next(c);
		if (c->closing && c->outlen == 0)
			close_conn(c);
	}
}

/* Clients that took nothing of an answer for a while go. */
static void close_stalled(void)
{
	uint64_t now = hold_now_ns();
	struct conn *next;

	for (struct conn *c = conn_first(); c; c = next) {
		next = conn_next(c);
		if (conn_stalled(c, now)) {
			hlog_limited("stalled", LOG_WARNING,
				     "pid %d uid %u reads none of its answer; closing its "
				     "connection",
				     c->pid, c->uid);
			close_conn(c);
		}
	}
}

/* --- reports -------------------------------------------------------------- */

/* Rate-limited for each reason (hlog_limited), so a flood of one kind
 * neither fills the log nor hides a report of another kind. */
static void bad_datagram(int pid, uint32_t uid, const char *why)
{
	bad_datagrams++;
	hlog_limited(why, LOG_WARNING, "ignoring a bad report from pid %d uid %u: %s (%llu so far)",
		     pid, uid, why, (unsigned long long)bad_datagrams);
}

/* A fork or exec report from pid/uid, as the kernel named them. */
static void report(const struct hold_msg *m, int pid, uint32_t uid)
{
	events_in++;
	if (m->num[HOLD_F_CHILD] > PID_LIMIT || m->num[HOLD_F_PPID] > PID_LIMIT) {
		bad_datagram(pid, uid, "a pid no process can have");
		return;
	}
	if (m->type == HOLD_MSG_FORK) {
		if (store_fork(uid, pid, (int)m->num[HOLD_F_CHILD]) < 0)
			bad_datagram(pid, uid,
				     "a fork report naming another user's process or an ancestor");
	} else if (m->type == HOLD_MSG_EXEC) {
		store_exec(uid, pid, m);
	} else {
		bad_datagram(pid, uid, "not a fork or exec report");
	}
}

/* A report from the ring: holdd's own user's, the file says; the pid is
 * the writer's word, so it must be a pid, and if that process is still
 * there, one of that user's. */
static void ring_report(void *ctx, const char *buf, size_t n, int pid)
{
	uint32_t uid = *(const uint32_t *)ctx;
	struct hold_msg m;
	int err;

	if (pid <= 0 || (unsigned)pid > PID_LIMIT) {
		bad_datagram(pid, uid, "a ring report with a pid no process can have");
		return;
	}
	/* Whose is the process the writer names?  It must have the ring's
	 * user among its uids -- root's ring too: a process that left root
	 * by a raw system call keeps its mapping (libhold drops it at every
	 * libc credential change), and may name any pid.  A process holdd
	 * already watches as the ring's user's (its fork was recorded) is
	 * known without /proc. */
	if (!store_live_as(pid, uid) && proc_has_uid(pid, uid) == 0) {
		bad_datagram(pid, uid, "a ring report about another user's process");
		return;
	}
	if ((err = hold_msg_decode(&m, buf, n))) {
		bad_datagram(pid, uid, hold_proto_strerror(err));
		return;
	}
	/* A fork's child is the writer's word too.  A user's may name only
	 * that user's processes (store_fork); root's children may change
	 * their uid at once, so one of root's that is not root's any more
	 * must still be the named parent's child -- unless that parent has
	 * exited, and the child was re-parented (libvirt's double fork, then
	 * setuid to libvirt-qemu, all before holdd drains the ring). */
	if (m.type == HOLD_MSG_FORK && uid == 0 && proc_ppid((int)m.num[HOLD_F_CHILD]) != pid &&
	    proc_has_uid((int)m.num[HOLD_F_CHILD], 0) == 0 && proc_real_uid(pid) >= 0) {
		bad_datagram(pid, uid, "a ring report naming another user's process as a child");
		return;
	}
	report(&m, pid, uid);
}

int server_ring(const char *sock)
{
	return drain_init(sock, ring_report);
}

void server_report(const char *buf, size_t n, int pid, uint32_t uid)
{
	struct hold_msg m;
	int err;

	if ((err = hold_msg_decode(&m, buf, n))) {
		bad_datagram(pid, uid, hold_proto_strerror(err));
		return;
	}
	report(&m, pid, uid);
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
	while ((n = recvmmsg(events_w.fd, mm, BATCH, MSG_DONTWAIT, NULL)) > 0) {
		for (int i = 0; i < n; i++) {
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mm[i].msg_hdr);
			const struct ucred *cr = NULL;

			if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS)
				cr = (const struct ucred *)CMSG_DATA(cm);
			if (cr && mm[i].msg_len == 0)
				; /* a wake-up: the ring has reports (drained after this turn) */
			else if (cr)
				server_report(bufs[i], mm[i].msg_len, cr->pid, cr->uid);
			else
				bad_datagram(0, 0, "no sender credentials");
			mm[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
		}
		if (n < BATCH)
			break;
	}
}

/* --- signals and the tick ------------------------------------------------- */

static void on_signal(void)
{
	struct signalfd_siginfo si;

	while (read(signal_w.fd, &si, sizeof(si)) == sizeof(si)) {
		hlog(LOG_INFO, "signal %u: stopping", si.ssi_signo);
		stopping = 1;
	}
}

void server_housekeeping(void)
{
	watch_ready();
	store_tick();
	parks_tick();
	watch_tick();
	close_marked();
	close_stalled();
	maybe_stop();
}

static void on_tick(void)
{
	uint64_t ticks;

	if (read(timer_w.fd, &ticks, sizeof(ticks)) < 0)
		return;
	server_housekeeping();
}

/* --- the loop ---------------------------------------------------------------- */

int server_init(int listen_fd, int events_fd, pid_t exit_with)
{
	struct itimerspec tick = {{1, 0}, {1, 0}};
	sigset_t sigs;
	int on = 1, big = 8 << 20;

	listen_w = (struct watch){W_LISTEN, listen_fd};
	events_w = (struct watch){W_EVENTS, events_fd};
	setsockopt(events_fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	if (setsockopt(events_fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(events_fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal_w = (struct watch){W_SIGNAL, signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC)};
	timer_w = (struct watch){W_TIMER,
				 timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)};
	timerfd_settime(timer_w.fd, 0, &tick, NULL);
	/* no sockets of its own: --read-journal serves one connection */
	if ((listen_fd >= 0 && loop_add(&listen_w, EPOLLIN) < 0) ||
	    (events_fd >= 0 && loop_add(&events_w, EPOLLIN) < 0) ||
	    loop_add(&signal_w, EPOLLIN) < 0 || loop_add(&timer_w, EPOLLIN) < 0)
		return -1;
	for (int i = 0; i < HOLDD_OWNERS_MAX; i++)
		owner_w[i] = (struct watch){W_OWNER, -1};
	if (exit_with > 0) {
		int fd = (int)syscall(SYS_pidfd_open, exit_with, 0);

		private_run = 1;
		if (fd >= 0 && add_owner(fd) < 0) /* fd < 0: already gone */
			close(fd);
	}
	return 0;
}

void server_event(struct watch *w, uint32_t events)
{
	switch (w->kind) {
	case W_LISTEN:
		conn_accept(listen_w.fd);
		break;
	case W_CONN:
		on_conn((struct conn *)w, events);
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
		datagrams();
		break;
	case W_DRAIN:
		drain_timer();
		break;
	case W_KERNEL:
		watch_ready();
		close_marked();
		break;
	}
}

int server_serve(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ||
	    !conn_adopt(fd, cr.pid, cr.uid, (int)syscall(SYS_pidfd_open, cr.pid, 0)))
		return -1;
	serve_one = 1;
	return 0;
}

void server_run(void)
{
	struct epoll_event evs[64];

	while (!stopping && !(serve_one && !conn_first())) {
		int n = loop_wait(evs, 64);
		/* Holding reports back to batch them would make senders wait: a
		 * unix datagram queue holds net.unix.max_dgram_qlen (10) of them,
		 * and libhold waits for room only briefly, then drops.  The
		 * journal write is what batches. */
		int reports_only = n > 0;

		/* Reports first, exits after: a process's last report must find
		 * it alive (tree.c copes either way, this keeps it simple). */
		for (int i = 0; i < n; i++)
			if (((struct watch *)evs[i].data.ptr)->kind == W_EVENTS)
				server_event(evs[i].data.ptr, evs[i].events);
		for (int i = 0; i < n; i++) {
			struct watch *w = evs[i].data.ptr;

			if (w->kind != W_EVENTS && w->kind != W_PROC && w->kind != W_DRAIN)
				reports_only = 0;
			if (w->kind != W_EVENTS)
				server_event(w, evs[i].events);
		}
		drain_turn();
		/* reports alone: write the journal at most every 50 ms; a park
		 * or request writes it at once */
		store_flush_after(reports_only ? 50000000 : 0);
	}
	store_flush();
}
