/* SPDX-License-Identifier: MIT */
/*
 * parked.c - what is parked right now, and releasing it.
 *
 * A spinning thread is released by a RELEASE on its own connection; a
 * stopped process (mode=stop) by SIGCONT through a pidfd, so a recycled
 * pid is never signalled.  A park ends when its thread says RELEASED (and
 * by whom) or its connection closes.  Stopped processes cannot reconnect
 * after a holdd restart, so holdd finds them by their park records instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <unistd.h>

#include "holdd.h"
#include "park-dir.h"
#include "paths.h"
#include "rules.h"

static LIST_HEAD(, parked) parks = LIST_HEAD_INITIALIZER(parks);
static size_t nparks;
static const char *rundir; /* the runtime directory, once found safe */

/* A spinning park reconnects every 200 ms to a holdd that restarted. */
#define RECONNECT_NS 2000000000ull

size_t parks_count(void)
{
	return nparks;
}

int parks_has_pid(int pid)
{
	const struct parked *p;

	LIST_FOREACH(p, &parks, link)
		if (p->park.pid == pid)
			return 1;
	return 0;
}

static int pidfd_of(int pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* A park's start (PARKED, the park's brief form) or end (RELEASED), for
 * the journal and hold log. */
static void log_park(const struct parked *p, enum hold_msg_type type, int by)
{
	char buf[HOLD_MSG_MAX];
	struct hold_enc e;

	if (type == HOLD_MSG_PARKED) { /* at the time holdd heard it: the log's order */
		static struct park now;

		now = p->park;
		now.since_ns = hold_now_ns();
		store_event(buf, park_to_brief_msg(buf, sizeof(buf), &now));
		return;
	}
	hold_enc_start(&e, buf, sizeof(buf), type);
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)p->park.pid);
	hold_enc_num(&e, HOLD_F_TID, (uint64_t)p->park.tid);
	hold_enc_num(&e, HOLD_F_UID, p->park.uid);
	hold_enc_num(&e, HOLD_F_SINCE_NS, hold_now_ns());
	hold_enc_num(&e, HOLD_F_BY, (uint64_t)by);
	store_event(buf, hold_enc_finish(&e));
}

static void park_free(struct parked *p)
{
	LIST_REMOVE(p, link);
	nparks--;
	if (p->proxy && rundir)
		park_dir_remove(rundir, p->park.pid, p->park.tid);
	if (p->pidfd >= 0)
		close(p->pidfd);
	free(p->record_path);
	free(p);
}

static void park_link(struct parked *p)
{
	LIST_INSERT_HEAD(&parks, p, link);
	nparks++;
}

/* --- pid namespaces -------------------------------------------------------
 * A park from a container arrives with the kernel's pid (holdd's view) and
 * the process's own (the container's).  A client in holdd's namespace is
 * shown holdd's pids; a client in that container (hold run inside it,
 * against a holdd of the host's) is shown the container's, and only the
 * container's parks. */

/* r came from a PARK on c: keep the process's own ids, and turn r's into
 * holdd's (the kernel's pid; for a process in another namespace its tid
 * and ppid looked up, its sender's pid not known here). */
static void ids_from(struct parked *p, const struct conn *c)
{
	struct park *r = &p->park;

	p->ns_pid = r->pid > 0 ? r->pid : c->pid;
	p->ns_tid = r->tid;
	p->ns_ppid = r->ppid;
	p->ns_peer = r->ho.peer;
	r->pid = c->pid; /* the kernel's word, not the message's */
	r->nspid = 0;
	if (p->ns_pid == c->pid)
		return;
	r->nspid = p->ns_pid;
	r->tid = p->ns_tid == p->ns_pid ? c->pid : proc_host_tid(c->pid, p->ns_tid);
	r->ppid = proc_ppid(c->pid);
	r->ho.peer = 0;
}

/* May c see p, in c's namespace? */
static int seen_by(const struct conn *c, const struct parked *p)
{
	return conn_may_see(c, p->park.uid, p->owner) &&
	       (!conn_foreign(c) || p->park.pidns == c->pidns);
}

/* p's pid and tid as c names them. */
static void ids_for(const struct conn *c, const struct parked *p, int *pid, int *tid)
{
	*pid = conn_foreign(c) ? p->ns_pid : p->park.pid;
	*tid = conn_foreign(c) ? p->ns_tid : p->park.tid;
}

/* PARKED for c: with the ids of c's namespace. */
static size_t parked_msg(const struct conn *c, const struct parked *p, char *buf, size_t cap)
{
	static struct park r;

	if (!conn_foreign(c))
		return park_to_msg(buf, cap, HOLD_MSG_PARKED, &p->park);
	r = p->park;
	r.pid = p->ns_pid;
	r.nspid = 0; /* its pid is the namespace's own */
	r.tid = p->ns_tid;
	r.ppid = p->ns_ppid;
	r.ho.peer = p->ns_peer;
	return park_to_msg(buf, cap, HOLD_MSG_PARKED, &r);
}

/* --- hold wait ------------------------------------------------------------
 * A plain `hold wait` is handed the oldest park that no earlier one of the
 * same user was handed, whether it parked before or after the command
 * began: pid=$(hold wait) cannot lose a park that landed first, and a loop
 * of hold wait walks the parks one by one.  --new: parks after it began. */

static int handed_to(const struct parked *p, uint32_t uid)
{
	for (unsigned i = 0; i < p->nhanded; i++)
		if (p->handed[i] == uid)
			return 1;
	return 0;
}

static int wait_takes(const struct conn *c, const struct parked *p)
{
	if (c->state != C_WAITING || !seen_by(c, p))
		return 0;
	if (c->wait_unseen ? handed_to(p, c->uid) : p->park.since_ns < c->wait_from)
		return 0;
	return !c->glob || hold_glob_path(c->glob, p->park.exe) || hold_glob(c->glob, p->park.comm);
}

static void hand(struct conn *c, struct parked *p)
{
	char buf[HOLD_MSG_MAX];

	conn_send(c, buf, parked_msg(c, p, buf, sizeof(buf)));
	c->state = C_READY;
	if (!c->wait_unseen)
		return;
	if (p->nhanded < sizeof(p->handed) / sizeof(p->handed[0]))
		p->handed[p->nhanded++] = c->uid;
	else /* more users than slots: the oldest hand-out is forgotten */
		p->handed[p->nhanded - 1] = c->uid;
}

/* Answer every `hold wait` this new park satisfies. */
static void notify_waiters(struct parked *p)
{
	for (struct conn *c = conn_first(); c; c = conn_next(c))
		if (wait_takes(c, p))
			hand(c, p);
}

/* The records of parks holdd released, removed at the next tick: an
 * unlink is a journal transaction on a disk file system, and done at once
 * it takes a CPU from the thread just released (and from whoever waits
 * for it).  A later park of the same thread writes a new file, which the
 * inode check leaves alone.  If holdd is killed before its tick, a record
 * of a released thread stays behind (hold ls without holdd lists it). */
#define LATER_MAX 512

static struct {
	int pid, tid;
	uint64_t ino;
} later[LATER_MAX];
static unsigned nlater;

/* A thread parked here again -- one whose connection broke before the
 * RELEASE reached it reconnects, still parked, its record unchanged --
 * keeps its record. */
static int parked_again(int pid, int tid)
{
	const struct parked *p;

	LIST_FOREACH(p, &parks, link)
		if (p->park.pid == pid && p->park.tid == tid && !p->released)
			return 1;
	return 0;
}

void parks_flush(void)
{
	for (unsigned i = 0; i < nlater && rundir; i++)
		if (!parked_again(later[i].pid, later[i].tid))
			park_dir_remove_ino(rundir, later[i].pid, later[i].tid, later[i].ino);
	nlater = 0;
}

static void remove_later(struct parked *p)
{
	if (nlater == LATER_MAX)
		parks_flush();
	later[nlater].pid = p->park.pid;
	later[nlater].tid = p->park.tid;
	later[nlater++].ino = p->record_ino;
	p->record_ino = 0;
}

static int release_one(struct parked *p)
{
	char buf[64];
	struct hold_enc e;

	if (p->park.mode == HOLD_MODE_STOP) {
		if (p->pidfd < 0)
			return -1;
		return (int)syscall(SYS_pidfd_send_signal, p->pidfd, SIGCONT, NULL, 0);
	}
	if (!p->conn && p->expect_by) { /* released as soon as it reconnects */
		p->release_pending = 1;
		return 0;
	}
	if (!p->conn)
		return -1;
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_RELEASE);
	hold_enc_num(&e, HOLD_F_TID, (uint64_t)p->park.tid);
	if (p->record_ino)
		hold_enc_num(&e, HOLD_F_FLAGS, HOLD_FL_RECORD);
	conn_send(p->conn, buf, hold_enc_finish(&e));
	p->released = 1; /* its RELEASED is on the way */
	if (p->record_ino)
		remove_later(p);
	return 0;
}

const struct parked *parks_add(struct conn *c, const struct hold_msg *m)
{
	struct parked *p, *o;
	struct park *r;
	int pending = 0, reconnected = 0;

	/* The pid is the kernel's word at connect time; a connection outlives
	 * its maker, and by now the pid may be another user's process. */
	if (!conn_peer_alive(c)) {
		hlog_limited("PARK after exit", LOG_WARNING,
			     "a PARK from uid %u on a connection whose process (pid %d) has "
			     "exited: refused, closing it",
			     c->uid, c->pid);
		c->closing = 1;
		return NULL;
	}
	if (!(p = calloc(1, sizeof(*p)))) {
		c->closing = 1;
		return NULL;
	}
	r = &p->park;
	park_from_msg(r, m);
	ids_from(p, c);
	proc_cgroup(r->pid, r->cgroup, sizeof(r->cgroup));
	r->uid = c->uid;
	p->owner = store_owner_of(r->pid, r->uid);
	if (!hold_msg_has(m, HOLD_F_SINCE_NS))
		r->since_ns = hold_now_ns();
	p->conn = c;
	p->pidfd = -1;
	if (r->mode == HOLD_MODE_STOP) { /* SIGCONT through the very process */
		p->pidfd = c->pidfd;
		c->pidfd = -1;
	}
	/* One park of a thread: an earlier one is this one's -- found by its
	 * record and now reconnected, or on a connection the thread no longer
	 * reads (it announces itself again only once that is gone to it, but
	 * the program may still hold a copy of the fd).  One process opening
	 * fifty connections for one thread made fifty rows; the newest
	 * connection is the one a release must reach. */
	LIST_FOREACH(o, &parks, link) {
		if (o->park.pid != r->pid || o->park.tid != r->tid)
			continue;
		reconnected = !o->released; /* not a new park: hold log had it */
		pending = o->release_pending;
		if (o->conn) { /* closed; a RELEASED on it is out of order */
			o->conn->park = NULL;
			o->conn->state = C_READY;
			o->conn->closing = 1;
		}
		park_free(o);
		break;
	}
	/* A process that switched user could not leave its record in its
	 * tree's directory: leave it for it, so that hold ls finds the park
	 * even if this holdd dies, and a holdd started later does too. */
	if ((r->flags & HOLD_FL_UNRECORDED) && rundir) {
		if (park_dir_write(rundir, r) == 0)
			p->proxy = 1;
		else
			hlog(LOG_WARNING, "cannot write the park record of pid %d in %s: %s",
			     r->pid, rundir, strerror(errno));
	} else if (rundir && r->mode != HOLD_MODE_STOP)
		p->record_ino = park_dir_has(rundir, r, c->uid);
	park_link(p);
	c->state = C_PARKED;
	c->park = p;
	hlog(LOG_INFO, "pid %d thread %d (%s) parked at %s%s%s by rule '%s'", r->pid, r->tid,
	     r->comm, r->event, r->ho.fd >= 0 ? " on " : "", r->ho.fd >= 0 ? r->ho.addr : "",
	     r->rule);
	if (!reconnected)
		log_park(p, HOLD_MSG_PARKED, 0);
	if (pending) /* a hold release came while it was away */
		release_one(p);
	else
		notify_waiters(p);
	return p;
}

int parks_add_stopped(struct park *r, uint32_t owner, int ns_pid, const char *by)
{
	struct parked *p;

	if (!(p = calloc(1, sizeof(*p))))
		return -1;
	p->park = *r;
	r = &p->park;
	r->tid = r->pid;
	r->mode = HOLD_MODE_STOP;
	if (!r->since_ns)
		r->since_ns = hold_now_ns();
	p->owner = owner;
	proc_cgroup(r->pid, r->cgroup, sizeof(r->cgroup));
	p->ns_pid = p->ns_tid = ns_pid;
	r->nspid = ns_pid != r->pid ? ns_pid : 0;
	p->ns_ppid = r->ppid;
	p->pidfd = pidfd_of(r->pid);
	if (rundir && park_dir_write(rundir, r) == 0)
		p->proxy = 1;
	park_link(p);
	hlog(LOG_INFO, "pid %d (%s) stopped at %s by rule '%s' (by %s)", r->pid, r->comm, r->event,
	     r->rule, by);
	log_park(p, HOLD_MSG_PARKED, 0);
	notify_waiters(p);
	return 0;
}

void parks_add_traced(struct conn *c, const struct hold_msg *m)
{
	int pid = (int)m->num[HOLD_F_PID];
	long uid = pid > 0 ? proc_real_uid(pid) : -1;
	static struct park r;
	char by[64];

	/* the kernel's word on whose it is: a user parks only their own */
	if (uid < 0 || proc_starttime(pid) != m->num[HOLD_F_START]) {
		conn_error(c, "pid %d is not running (or is another process now)", pid);
		return;
	}
	if (c->uid != 0 && (uint32_t)uid != c->uid) {
		conn_error(c, "pid %d is uid %ld's: you (uid %u) cannot park it", pid, uid, c->uid);
		return;
	}
	/* one park of a process: a tracer announces each stop once, and ten
	 * thousand announcements of one stopped child were ten thousand rows */
	if (parks_has_pid(pid)) {
		conn_error(c, "pid %d is already parked", pid);
		return;
	}
	park_init(&r);
	park_from_msg(&r, m);
	r.pid = pid;
	r.uid = (uint32_t)uid;
	if (!hold_msg_has(m, HOLD_F_SINCE_NS))
		r.since_ns = 0;
	snprintf(by, sizeof(by), "the tracer pid %d, uid %u", c->pid, c->uid);
	if (parks_add_stopped(&r, store_owner_of(pid, r.uid), pid, by) < 0) {
		conn_error(c, "out of memory");
		return;
	}
	conn_done(c, 1);
}

void parks_released(struct conn *c, const struct hold_msg *m)
{
	struct parked *p = c->park;

	hlog(LOG_INFO, "pid %d thread %d released (%s)", p->park.pid, p->park.tid,
	     hold_by_name((unsigned)m->num[HOLD_F_BY]));
	log_park(p, HOLD_MSG_RELEASED, (int)m->num[HOLD_F_BY]);
	park_free(p);
	c->park = NULL;
	c->state = C_READY;
	c->closing = 1;
}

void parks_conn_gone(struct conn *c)
{
	if (!c->park)
		return;
	/* The process died, or its fd was closed under it (it reconnects). */
	hlog(LOG_INFO, "pid %d thread %d: connection closed while parked", c->park->park.pid,
	     c->park->park.tid);
	park_free(c->park);
	c->park = NULL;
}

void parks_list(struct conn *c, const struct hold_msg *m)
{
	char buf[HOLD_MSG_MAX];
	uint64_t n = 0;
	const struct parked *p;

	(void)m;
	LIST_FOREACH(p, &parks, link) {
		if (!seen_by(c, p))
			continue;
		conn_send(c, buf, parked_msg(c, p, buf, sizeof(buf)));
		n++;
	}
	conn_done(c, n);
}

void parks_release(struct conn *c, const struct hold_msg *m)
{
	int all = (m->num[HOLD_F_FLAGS] & HOLD_FL_ALL) != 0;
	int pid = (int)m->num[HOLD_F_PID], tid = (int)m->num[HOLD_F_TID];
	uint64_t n = 0;

	if (!all && !hold_msg_has(m, HOLD_F_PID)) {
		conn_error(c, "say what to release: PID, PID/TID or --all");
		return;
	}
	for (struct parked *p = LIST_FIRST(&parks), *next; p; p = next) {
		int ppid, ptid;

		next = LIST_NEXT(p, link);
		ids_for(c, p, &ppid, &ptid);
		if (!seen_by(c, p) || (!all && (ppid != pid || (tid && ptid != tid))))
			continue;
		if (release_one(p) < 0)
			continue;
		if (p->park.mode == HOLD_MODE_STOP) /* SIGCONT: no RELEASED comes back */
			log_park(p, HOLD_MSG_RELEASED, HOLD_BY_DAEMON);
		n++;
		if (!p->conn && !p->release_pending) /* nobody will say it ended */
			park_free(p);
	}
	if (n == 0 && !all) {
		if (tid)
			conn_error(c,
				   "%d/%d is not parked, or not yours (hold ls lists what you can "
				   "release)",
				   pid, tid);
		else
			conn_error(c,
				   "pid %d is not parked, or not yours (hold ls lists what you can "
				   "release)",
				   pid);
		return;
	}
	conn_done(c, n);
}

void parks_wait(struct conn *c, const struct hold_msg *m)
{
	struct hold_str g = hold_msg_str(m, HOLD_F_TEXT);

	free(c->glob); /* a WAIT answered before: this one's glob replaces it */
	c->glob = hold_msg_has(m, HOLD_F_TEXT) ? strndup(g.p, g.len) : NULL;
	/* FLAGS=UNSEEN: the oldest park not handed to this user yet; ALL: any
	 * park already there; SINCE_NS: one since the client started (it may
	 * have parked before we heard of it) */
	c->wait_unseen = (m->num[HOLD_F_FLAGS] & HOLD_FL_UNSEEN) != 0;
	if (m->num[HOLD_F_FLAGS] & HOLD_FL_ALL)
		c->wait_from = 0;
	else if (hold_msg_has(m, HOLD_F_SINCE_NS))
		c->wait_from = m->num[HOLD_F_SINCE_NS];
	else
		c->wait_from = hold_now_ns();
	c->state = C_WAITING;
	struct parked *oldest = NULL, *p;

	LIST_FOREACH(p, &parks, link)
		if (wait_takes(c, p) && (!oldest || p->park.since_ns < oldest->park.since_ns))
			oldest = p;
	if (oldest)
		hand(c, oldest);
}

void parks_recover(const char *runtime_dir)
{
	struct park *r;
	struct stat st;
	const char *why;
	int n;

	/* records in a directory someone else can write to may be anyone's */
	if (lstat(runtime_dir, &st) < 0)
		return;
	if ((why = hold_dir_unsafe(st.st_mode, st.st_uid, geteuid()))) {
		hlog(LOG_WARNING,
		     "not reading park records in %s: it %s (owner uid %u, mode %04o); set "
		     "HOLD_RUNTIME_DIR to a directory of your own, mode 0700",
		     runtime_dir, why, (unsigned)st.st_uid, (unsigned)st.st_mode & 07777);
		return;
	}
	rundir = runtime_dir;
	n = park_dir_read(runtime_dir, &r);
	for (int i = 0; i < n; i++) {
		struct parked *p;
		char path[4200];
		struct buf b;
		int proxy;

		buf_init(&b, path, sizeof(path));
		buf_str(&b, runtime_dir);
		buf_chr(&b, '/');
		park_record_name(&b, r[i].pid, r[i].tid);
		buf_cstr(&b);
		/* one a holdd wrote for a process of another user: ours to
		 * remove when its park ends -- a spinning one that does not
		 * come back to us within RECONNECT_NS has ended already */
		proxy = lstat(path, &st) == 0 && st.st_uid == geteuid() &&
			(r[i].uid != geteuid() || (r[i].flags & HOLD_FL_KERNEL));
		if ((r[i].mode != HOLD_MODE_STOP && !proxy) || !(p = calloc(1, sizeof(*p))))
			continue;
		p->proxy = proxy;
		if (r[i].mode != HOLD_MODE_STOP)
			p->expect_by = hold_now_ns() + RECONNECT_NS;
		p->park = r[i]; /* uid: the record's owner, who libhold ran as */
		p->owner = store_owner_of(p->park.pid, p->park.uid);
		/* a record of holdd's own namespace, which a kernel park's
		 * nspid gives the process's own */
		p->ns_pid = p->park.nspid > 0 ? p->park.nspid : p->park.pid;
		p->ns_tid = p->park.tid == p->park.pid ? p->ns_pid : p->park.tid;
		p->ns_ppid = p->park.ppid;
		p->ns_peer = p->park.ho.peer;
		p->pidfd = pidfd_of(p->park.pid);
		p->record_path = strdup(path);
		park_link(p);
		hlog(LOG_INFO, "pid %d (%s) is %s at %s (found in %s)", p->park.pid, p->park.comm,
		     p->expect_by ? "parked" : "stopped", p->park.event, runtime_dir);
	}
	free(r);
}

void parks_tick(void)
{
	struct parked *next;

	uint64_t now = hold_now_ns();
	static uint64_t swept;
	int gone;

	parks_flush();
	/* the records of processes killed while parked: every 5 s */
	if (rundir && now - swept >= 5000000000ull) {
		swept = now;
		if ((gone = park_dir_sweep(rundir)) > 0)
			hlog(LOG_INFO, "removed %d park record%s of processes gone from %s", gone,
			     gone == 1 ? "" : "s", rundir);
	}
	/* a park found by its record is gone once its record is, or its
	 * process; a spinning one once it has not come back in time */
	for (struct parked *p = LIST_FIRST(&parks); p; p = next) {
		next = LIST_NEXT(p, link);
		if (p->conn)
			continue;
		/* nothing in a kernel park counts its timeout= but holdd */
		if ((p->park.flags & HOLD_FL_KERNEL) && p->park.timeout_ns &&
		    now - p->park.since_ns >= p->park.timeout_ns && release_one(p) == 0) {
			hlog(LOG_INFO, "pid %d released: its rule's timeout= ran out", p->park.pid);
			log_park(p, HOLD_MSG_RELEASED, HOLD_BY_TIMEOUT);
			park_free(p);
			continue;
		}
		if ((p->record_path && access(p->record_path, F_OK) != 0) ||
		    (p->expect_by && now > p->expect_by) ||
		    proc_starttime(p->park.pid) != p->park.start ||
		    (p->park.mode == HOLD_MODE_STOP && !proc_stopped(p->park.pid)))
			park_free(p);
	}
}
