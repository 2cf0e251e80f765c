/* SPDX-License-Identifier: MIT */
/*
 * store.c - holdd's record of process trees: tree.c in memory, journal.c
 * on disk, and an exit watch (a pidfd) for every live process.
 *
 * Every change is applied to the tree and written to the journal as the
 * same message, and replay at start-up goes through the same functions, so
 * the tree after a restart is the tree before it.  Then each process the
 * journal says is alive gets its pidfd again, or is marked exited.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <unistd.h>

#include "holdd.h"
#include "paths.h"

#define REWRITE_MIN (4u << 20) /* rewrite the journal past 4 MiB ... */
#define REWRITE_X   4          /* ... and 4x what a snapshot would take */

struct proc_watch {
	struct watch w;
	struct tnode *node;
};

#ifndef HANDOFFS      /* the fuzzer keeps fewer, so that its TREE answers stay cheap */
#define HANDOFFS 1024 /* the newest hand-offs kept */
#endif

/* Not a park but the edge a park drew (park.h): it outlives the park, so
 * it is kept apart from the parked set and from the tree (it joins two
 * nodes, maybe of two trees), newest last. */
static struct tree tree;
static struct journal journal;
static struct handoff_edge handoffs[HANDOFFS];
static size_t nhandoffs, handoff_next; /* ring: next slot to write */
static int replaying;
static int journal_incomplete; /* records were dropped or damaged: rewrite it */
static int watch_full;         /* out of fds for pidfds: logged once */

static unsigned followers; /* connections of hold log -f */

/* May c see the event m (its process's user's, or its tree's owner's)? */
static int log_may_see(const struct conn *c, const struct hold_msg *m)
{
	const struct tnode *n = tree_find(&tree, (int)m->num[HOLD_F_PID]);
	uint32_t uid = hold_msg_has(m, HOLD_F_UID) ? (uint32_t)m->num[HOLD_F_UID]
		       : n                         ? n->uid
						   : UINT32_MAX;

	return conn_may_see(c, uid, n ? tree_owner(n) : uid);
}

/* Every follower that may see it gets the event as the journal has it. */
static void broadcast(const char *buf, size_t n)
{
	struct hold_msg m;

	if (!followers || hold_msg_decode(&m, buf, n) != HOLD_PROTO_OK)
		return;
	for (struct conn *c = conn_first(); c; c = conn_next(c))
		if (c->follow && !c->closing && log_may_see(c, &m))
			conn_send(c, buf, n);
}

static void journal_msg(const char *buf, size_t n)
{
	if (replaying)
		return;
	journal_add(&journal, buf, n);
	broadcast(buf, n);
}

void store_event(const char *msg, size_t n)
{
	journal_msg(msg, n);
}

struct log_req {
	struct conn *c;
	uint64_t sent;
};

static void log_one(const struct hold_msg *m, void *ctx)
{
	struct log_req *q = ctx;
	char buf[HOLD_MSG_MAX];
	size_t n;

	switch (m->type) {
	case HOLD_MSG_FORK:
	case HOLD_MSG_EXEC:
	case HOLD_MSG_EXIT:
	case HOLD_MSG_HANDOFF:
	case HOLD_MSG_PARKED:
	case HOLD_MSG_RELEASED:
		if (log_may_see(q->c, m) && (n = hold_msg_encode(m, buf, sizeof(buf)))) {
			conn_send(q->c, buf, n);
			q->sent++;
		}
		break;
	default: /* a snapshot (HELLO, NODE) or an OWNER: no event */
		break;
	}
}

void store_log(struct conn *c, const struct hold_msg *m)
{
	struct log_req q = {c, 0};
	struct journal j;
	struct journal_damage d;
	char dir[4096];

	store_flush(); /* what happened until now is in the file */
	snprintf(dir, sizeof(dir), "%s", journal.path ? journal.path : "");
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	if (journal.path && journal_open_ro(&j, dir) == 0) {
		journal_replay(&j, log_one, &q, &d);
		journal_close(&j);
	}
	conn_done(c, q.sent);
	if (m->num[HOLD_F_FLAGS] & HOLD_FL_FOLLOW) {
		c->follow = 1;
		followers++;
	}
}

void store_unfollow(struct conn *c)
{
	if (c->follow && followers)
		followers--;
	c->follow = 0;
}

static void watch_node(struct tnode *n, uint64_t now);

static void mark_exited(struct tnode *n, uint64_t now)
{
	char buf[64];
	struct hold_enc e;

	tree_exit(&tree, n, now);
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_EXIT);
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)n->pid);
	hold_enc_num(&e, HOLD_F_SINCE_NS, now);
	journal_msg(buf, hold_enc_finish(&e));
}

static void watch_node(struct tnode *n, uint64_t now)
{
	struct proc_watch *pw;
	int fd;

	if (replaying || !n || n->watch || (n->flags & HOLD_FL_EXITED))
		return;
	fd = (int)syscall(SYS_pidfd_open, n->pid, 0);
	if (fd < 0) {
		if (errno == ESRCH) { /* gone before we looked */
			mark_exited(n, now);
		} else if (!watch_full) {
			watch_full = 1;
			hlog(LOG_WARNING,
			     "cannot watch pid %d for its exit (%s); exits of some "
			     "processes will not be recorded (raise holdd's open-file limit)",
			     n->pid, strerror(errno));
		}
		return;
	}
	pw = malloc(sizeof(*pw));
	if (!pw) {
		close(fd);
		return;
	}
	*pw = (struct proc_watch){{W_PROC, fd}, n};
	if (loop_add(&pw->w, EPOLLIN) < 0) {
		close(fd);
		free(pw);
		return;
	}
	n->watch = pw;
}

static void unwatch(struct tnode *n)
{
	struct proc_watch *pw = n->watch;

	if (!pw)
		return;
	loop_del(&pw->w);
	close(pw->w.fd);
	free(pw);
	n->watch = NULL;
}

void store_proc_exited(struct watch *w)
{
	struct tnode *n = ((struct proc_watch *)w)->node;

	unwatch(n);
	mark_exited(n, hold_now_ns());
}

static struct tnode *apply_fork(uint32_t uid, int parent, int child, uint64_t now)
{
	struct tnode *c = tree_fork(&tree, uid, parent, child, now);

	if (c) {
		watch_node(c->parent, now);
		watch_node(c, now);
	}
	return c;
}

static void apply_exec(uint32_t uid, int pid, const struct hold_msg *m, uint64_t now)
{
	struct hold_str path = hold_msg_str(m, HOLD_F_PATH);

	if (m->num[HOLD_F_FLAGS] & HOLD_FL_FAILED) { /* the image is the same: noted */
		watch_node(tree_exec_failed(&tree, uid, pid, (int)m->num[HOLD_F_PPID], &path,
					    (int)m->num[HOLD_F_ERRNO], now),
			   now);
		return;
	}
	watch_node(
		tree_exec(&tree, uid, pid, (int)m->num[HOLD_F_PPID], &path, m->arg, m->nargs, now),
		now);
}

int store_fork(uint32_t uid, int parent, int child)
{
	long cu;

	/* A user's report may name that user's child, or one already gone,
	 * never another user's process: right after fork a child has its
	 * parent's uid, and only root's children change theirs so soon. */
	if (child <= 0 || (uid != 0 && (cu = proc_real_uid(child)) >= 0 && (uint32_t)cu != uid))
		return -1;
	return store_fork_seen(uid, parent, child);
}

int store_fork_seen(uint32_t uid, int parent, int child)
{
	uint64_t now = hold_now_ns();
	char buf[128];
	struct hold_enc e;

	if (!apply_fork(uid, parent, child, now))
		return -1;
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_FORK);
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)parent);
	hold_enc_num(&e, HOLD_F_CHILD, (uint64_t)child);
	hold_enc_num(&e, HOLD_F_UID, uid);
	hold_enc_num(&e, HOLD_F_SINCE_NS, now);
	journal_msg(buf, hold_enc_finish(&e));
	return 0;
}

void store_exec(uint32_t uid, int pid, const struct hold_msg *m)
{
	uint64_t now = hold_now_ns();
	char buf[HOLD_MSG_MAX];
	struct hold_enc e;
	struct hold_str path = hold_msg_str(m, HOLD_F_PATH);

	apply_exec(uid, pid, m, now);
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_EXEC);
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)pid);
	hold_enc_num(&e, HOLD_F_PPID, m->num[HOLD_F_PPID]);
	hold_enc_num(&e, HOLD_F_UID, uid);
	hold_enc_num(&e, HOLD_F_SINCE_NS, now);
	if (m->num[HOLD_F_FLAGS] & HOLD_FL_FAILED) {
		hold_enc_num(&e, HOLD_F_FLAGS, HOLD_FL_FAILED);
		hold_enc_num(&e, HOLD_F_ERRNO, m->num[HOLD_F_ERRNO]);
	}
	hold_enc_mem(&e, HOLD_F_PATH, path.p, path.len);
	for (unsigned i = 0; i < m->nargs; i++)
		hold_enc_mem(&e, HOLD_F_ARG, m->arg[i].p, m->arg[i].len);
	journal_msg(buf, hold_enc_finish(&e));
}

static void apply_own(uint32_t uid, int pid, uint64_t now)
{
	watch_node(tree_own(&tree, uid, pid, now), now);
}

void store_own(uint32_t uid, int pid)
{
	uint64_t now = hold_now_ns();
	char buf[64];
	struct hold_enc e;

	apply_own(uid, pid, now);
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_OWNER);
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)pid);
	hold_enc_num(&e, HOLD_F_OWNER, uid);
	hold_enc_num(&e, HOLD_F_SINCE_NS, now);
	journal_msg(buf, hold_enc_finish(&e));
}

int store_live_as(int pid, uint32_t uid)
{
	struct tnode *n = tree_find(&tree, pid);
	struct pollfd p;

	if (!n || (n->flags & HOLD_FL_EXITED) || n->uid != uid || !n->watch)
		return 0;
	/* the pidfd is the process recorded, not just its number: not
	 * readable, it has not exited, so the pid still names it */
	p = (struct pollfd){.fd = ((struct proc_watch *)n->watch)->w.fd, .events = POLLIN};
	return poll(&p, 1, 0) == 0;
}

uint32_t store_owner_of(int pid, uint32_t uid)
{
	/* The recorded fork edges first (they outlive double-forks), then
	 * the kernel's parent links, for a process whose fork report was
	 * lost: the nearest ancestor holdd knows decides. */
	for (int depth = 0, p = pid; p > 1 && depth < 256; depth++) {
		struct tnode *n = tree_find(&tree, p);

		if (n && !(n->flags & HOLD_FL_EXITED))
			return tree_owner(n);
		p = proc_ppid(p);
	}
	return uid;
}

/* From a HANDOFF message (journal replay) or a park; a repeat (a parked
 * thread announcing itself again to a restarted holdd) is dropped. */
static const struct handoff_edge *apply_handoff(const struct handoff_edge *h)
{
	for (size_t i = 0; i < nhandoffs; i++)
		if (handoffs[i].pid == h->pid && handoffs[i].tid == h->tid &&
		    handoffs[i].since_ns == h->since_ns)
			return NULL;
	handoffs[handoff_next] = *h;
	handoff_next = (handoff_next + 1) % HANDOFFS;
	if (nhandoffs < HANDOFFS)
		nhandoffs++;
	return &handoffs[(handoff_next + HANDOFFS - 1) % HANDOFFS];
}

void store_handoff(const struct park *p, uint32_t owner)
{
	char buf[HOLD_MSG_MAX];
	struct handoff_edge h;
	size_t n;

	edge_from_park(&h, p, owner);
	if (!apply_handoff(&h) || !(n = edge_to_msg(buf, sizeof(buf), &h)))
		return;
	journal_msg(buf, n);
}

/* --- replay ------------------------------------------------------------- */

/* A snapshot is HELLO and then its NODEs, each naming its parent by its
 * position among them.  Any other record ends the snapshot: it may prune a
 * node the table still points at, so a NODE after it that names a position
 * would reach freed memory (a crafted journal did, at every start). */
struct replay {
	struct tnode **snap; /* the snapshot's nodes, by position */
	size_t nsnap, cap;
};

static void replay_one(const struct hold_msg *m, void *ctx)
{
	struct replay *r = ctx;
	uint64_t t = m->num[HOLD_F_SINCE_NS];
	struct tnode *n;

	switch (m->type) {
	case HOLD_MSG_HELLO: /* a snapshot starts */
		r->nsnap = 0;
		break;
	case HOLD_MSG_NODE: {
		uint64_t pi = m->num[HOLD_F_PARENT]; /* 1-based position, 0: a root */

		n = tree_restore(&tree, pi && pi <= r->nsnap ? r->snap[pi - 1] : NULL, m);
		if (r->nsnap == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 1024;
			r->snap = realloc(r->snap, r->cap * sizeof(*r->snap));
		}
		if (r->snap)
			r->snap[r->nsnap++] = n;
		break;
	}
	case HOLD_MSG_FORK:
		apply_fork((uint32_t)m->num[HOLD_F_UID], (int)m->num[HOLD_F_PID],
			   (int)m->num[HOLD_F_CHILD], t);
		break;
	case HOLD_MSG_EXEC:
		apply_exec((uint32_t)m->num[HOLD_F_UID], (int)m->num[HOLD_F_PID], m, t);
		break;
	case HOLD_MSG_OWNER:
		apply_own((uint32_t)m->num[HOLD_F_OWNER], (int)m->num[HOLD_F_PID], t);
		break;
	case HOLD_MSG_EXIT:
		if ((n = tree_find(&tree, (int)m->num[HOLD_F_PID])))
			tree_exit(&tree, n, t);
		break;
	case HOLD_MSG_HANDOFF: {
		struct handoff_edge h;

		edge_from_msg(&h, m);
		apply_handoff(&h);
		break;
	}
	}
	if (m->type != HOLD_MSG_NODE && m->type != HOLD_MSG_HELLO) {
		r->nsnap = 0;
		tree_prune(&tree, t, NULL, NULL);
	}
}

int store_open(const char *state_dir, const struct tree_limits *lim, int readonly)
{
	struct replay r = {0};
	struct journal_damage d;
	long n;

	struct stat st;
	const char *why;

	if (tree_init(&tree, lim) < 0)
		return -1;
	/* another user's directory could hand holdd a journal of lies, or a
	 * link to write through */
	if ((readonly || hold_mkdirs(state_dir, 0700) == 0) && lstat(state_dir, &st) == 0 &&
	    (why = hold_dir_unsafe(st.st_mode, st.st_uid, geteuid()))) {
		hlog(LOG_ERR,
		     "not keeping the journal in %s: it %s (owner uid %u, mode %04o); set "
		     "HOLD_STATE_DIR or --state-dir to a directory of your own, mode 0700",
		     state_dir, why, (unsigned)st.st_uid, (unsigned)st.st_mode & 07777);
		return -1;
	}
	if ((readonly ? journal_open_ro(&journal, state_dir) : journal_open(&journal, state_dir)) <
	    0) {
		hlog(LOG_ERR,
		     "cannot open the journal in %s: %s (set HOLD_STATE_DIR or "
		     "--state-dir to a writable directory)",
		     state_dir, strerror(errno));
		return -1;
	}
	replaying = 1;
	n = journal_replay(&journal, replay_one, &r, &d);
	replaying = 0;
	free(r.snap);
	if (n < 0 && !readonly) { /* a crash loop helps nobody: start without it */
		hlog(LOG_ERR,
		     "cannot replay the journal %s (%s): renamed %s.damaged; starting with no "
		     "recorded trees",
		     journal.path, strerror(errno), journal.path);
		tree_free(&tree);
		nhandoffs = handoff_next = 0; /* what the replay got to goes with it */
		if (journal_set_aside(&journal, &d) < 0 || tree_init(&tree, lim) < 0)
			return -1;
		memset(&d, 0, sizeof(d)); /* said */
		n = 0;
	}
	if (n < 0) {
		hlog(LOG_ERR, "cannot read the journal %s: %s", journal.path, strerror(errno));
		return -1;
	}
	if (d.set_aside)
		hlog(LOG_ERR,
		     "journal %s: %llu bytes, more than holdd ever writes: not read, renamed "
		     "%s.damaged; starting with no recorded trees",
		     journal.path, (unsigned long long)d.set_aside, journal.path);
	if (d.cut)
		hlog(LOG_WARNING,
		     "journal %s: dropped a torn or corrupt tail of %llu bytes (holdd was "
		     "stopped mid-write)",
		     journal.path, (unsigned long long)d.cut);
	if (d.skipped) {
		hlog(LOG_WARNING,
		     "journal %s: %llu bytes of damaged records passed over; the records "
		     "around them were kept, and the journal will be rewritten without them",
		     journal.path, (unsigned long long)d.skipped);
		journal_incomplete = 1;
	}
	hlog(LOG_INFO, "journal %s: %ld records, %zu processes", journal.path, n, tree.nodes);
	return 0;
}

static void revive_one(struct tnode *n, int depth, void *ctx)
{
	(void)depth;
	(void)ctx;
	watch_node(n, hold_now_ns());
}

/* After replay: watch the processes still alive, mark the rest exited. */
void store_revive(void)
{
	tree_walk(&tree, NULL, revive_one, NULL);
}

/* --- answering `hold tree` ------------------------------------------------ */

struct tree_req {
	struct conn *c;
	int (*parked)(int pid);
	uint64_t sent;
};

static size_t enc_node(char *buf, size_t cap, const struct tnode *n, uint32_t flags,
		       uint64_t parent, uint64_t depth)
{
	struct hold_enc e;

	hold_enc_start(&e, buf, cap, HOLD_MSG_NODE);
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)n->pid);
	hold_enc_num(&e, HOLD_F_PARENT, parent);
	hold_enc_num(&e, HOLD_F_PPID, (uint64_t)n->ppid_seen);
	hold_enc_num(&e, HOLD_F_UID, n->uid);
	hold_enc_num(&e, HOLD_F_FLAGS, flags);
	hold_enc_num(&e, HOLD_F_SINCE_NS, n->since_ns);
	hold_enc_num(&e, HOLD_F_COUNT, depth);
	if (n->owner)
		hold_enc_num(&e, HOLD_F_OWNER, n->owner - 1);
	if (n->flags & HOLD_FL_EXITED)
		hold_enc_num(&e, HOLD_F_EXIT_NS, n->exit_ns);
	if (n->failed) /* its last failed exec: "ENOENT /no/such" */
		hold_enc_mem(&e, HOLD_F_TEXT, n->failed->s, n->failed->len);
	if (n->exe) {
		hold_enc_mem(&e, HOLD_F_PATH, n->exe->s, n->exe->len);
		for (size_t i = 0; n->argv && i <= n->argv->len; i += strlen(n->argv->s + i) + 1)
			hold_enc_str(&e, HOLD_F_ARG, n->argv->s + i);
	}
	return hold_enc_finish(&e);
}

static void send_node(struct tnode *n, int depth, void *ctx)
{
	struct tree_req *q = ctx;
	char buf[HOLD_MSG_MAX];
	uint32_t flags = n->flags & 0xffff;
	const struct tnode *p = n->parent;

	if (!conn_may_see(q->c, n->uid, tree_owner(n)))
		return;
	if (q->parked(n->pid) && !(n->flags & HOLD_FL_EXITED))
		flags |= HOLD_FL_PARKED;
	conn_send(q->c, buf,
		  enc_node(buf, sizeof(buf), n, flags, p && p->parent ? (uint64_t)p->pid : 0,
			   (uint64_t)depth));
	q->sent++;
}

void store_tree(struct conn *c, const struct hold_msg *m, int (*parked)(int pid))
{
	struct tree_req q = {.c = c, .parked = parked};
	struct tnode *top = NULL;

	/* the trees hold holdd's pids, which mean nothing in a container */
	if (conn_foreign(c)) {
		conn_error(c, "hold tree inside a container (another pid namespace) is not "
			      "supported: the trees are recorded by the host's pids; run hold tree "
			      "on the host (hold ls, wait, attach and release work here)");
		return;
	}

	if (hold_msg_has(m, HOLD_F_PID)) {
		top = tree_find(&tree, (int)m->num[HOLD_F_PID]);
		if (!top || !conn_may_see(c, top->uid, tree_owner(top))) {
			conn_error(c, "pid %d is in no recorded tree (hold tree lists them all)",
				   (int)m->num[HOLD_F_PID]);
			return;
		}
	}
	tree_walk(&tree, top, send_node, &q);
	/* Hand-offs after the nodes, oldest first; the CLI places them. */
	for (size_t i = 0; i < nhandoffs; i++) {
		const struct handoff_edge *h =
			&handoffs[(handoff_next + HANDOFFS - nhandoffs + i) % HANDOFFS];
		char buf[HOLD_MSG_MAX];

		if (conn_may_see(c, h->uid, h->owner))
			conn_send(c, buf, edge_to_msg(buf, sizeof(buf), h));
	}
	conn_done(c, q.sent);
}

/* --- housekeeping ------------------------------------------------------- */

struct snap {
	struct journal *j;
	uint32_t pos;
};

/* Snapshot: a node's PARENT is its parent's 1-based position in the
 * snapshot (pids alone are ambiguous after reuse); tree_walk puts parents
 * before their children. */
static void snap_one(struct tnode *n, int depth, void *ctx)
{
	struct snap *s = ctx;
	char buf[HOLD_MSG_MAX];
	uint64_t parent = n->parent && n->parent->parent ? n->parent->mark : 0;

	(void)depth;
	n->mark = ++s->pos;
	journal_add(s->j, buf, enc_node(buf, sizeof(buf), n, n->flags & 0xffff, parent, 0));
}

static void rewrite_journal(void)
{
	struct journal fresh;
	struct snap s = {&fresh, 0};
	char buf[64];
	struct hold_enc e;
	uint64_t before = journal.size;
	static int failing; /* said once until it works */

	store_flush();
	if (journal_rewrite_begin(&journal, &fresh) < 0) {
		if (!failing++)
			hlog(LOG_WARNING, "cannot rewrite the journal: %s", strerror(errno));
		return;
	}
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_HELLO); /* a snapshot starts */
	hold_enc_num(&e, HOLD_F_VERSION, HOLD_PROTO_VERSION);
	journal_add(&fresh, buf, hold_enc_finish(&e));
	tree_walk(&tree, NULL, snap_one, &s);
	for (size_t i = 0; i < nhandoffs; i++) {
		char hb[HOLD_MSG_MAX];

		journal_add(
			&fresh, hb,
			edge_to_msg(
				hb, sizeof(hb),
				&handoffs[(handoff_next + HANDOFFS - nhandoffs + i) % HANDOFFS]));
	}
	if (journal_rewrite_commit(&journal, &fresh) < 0) {
		if (!failing++)
			hlog(LOG_WARNING, "cannot rewrite the journal: %s", strerror(errno));
		return;
	}
	failing = 0;
	journal_incomplete = 0;
	hlog(LOG_INFO, "journal rewritten: %llu -> %llu bytes, %u processes",
	     (unsigned long long)before, (unsigned long long)journal.size, s.pos);
}

static void unwatch_one(struct tnode *n, int depth, void *ctx)
{
	(void)depth;
	(void)ctx;
	unwatch(n);
}

void store_close(void)
{
	store_flush();
	tree_walk(&tree, NULL, unwatch_one, NULL);
	tree_free(&tree);
	journal_close(&journal);
	nhandoffs = handoff_next = 0;
	journal_incomplete = 0;
}

size_t store_nodes(void)
{
	return tree.nodes;
}

void store_tick(void)
{
	uint64_t now = hold_now_ns();

	store_flush();
	tree_prune(&tree, now, NULL, NULL);
	/* a snapshot of the tree in memory also puts back what a full disk
	 * made the journal lose */
	if (!journal.readonly &&
	    ((journal.size > REWRITE_MIN && journal.size > REWRITE_X * tree.bytes) ||
	     (journal_incomplete && !journal.failed)))
		rewrite_journal();
}

void store_flush_after(uint64_t gap_ns)
{
	static uint64_t last;
	uint64_t now;

	if (!journal.len)
		return;
	now = hold_now_ns();
	if (gap_ns && now - last < gap_ns)
		return;
	last = now;
	store_flush();
}

void store_flush(void)
{
	int was_failing = journal.failed;

	if (!journal.len)
		return;
	if (journal_flush(&journal) == 0) {
		if (was_failing)
			hlog(LOG_INFO, "the journal %s is written again", journal.path);
		return;
	}
	journal_incomplete = 1;
	if (!was_failing) /* once while it lasts */
		hlog(LOG_ERR,
		     "cannot write the journal %s: %s; the trees live on in memory, and the "
		     "journal is rewritten from them once it can be",
		     journal.path, strerror(errno));
}
