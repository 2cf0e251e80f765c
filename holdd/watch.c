/* SPDX-License-Identifier: MIT */
/*
 * watch.c - kernel rules (WATCH) and what the kernel follower saw.
 *
 * A client asks holdd to park by fork and exec rules from the kernel
 * (bpf/follow.bpf.c): for any process it may park (hold watch), or for one
 * tree (hold run, hold follow).  Its rules take one slot of the follower's
 * tables and live as long as its connection, or with FLAGS=TREE as long as
 * any process of the tree.  The follower reports each fork, exec and exit
 * in a followed tree, and each park, through its ring buffer; holdd records
 * them as it records libhold's reports, and lists each park as a stop park
 * at once -- its record written by holdd, so that a restarted holdd finds it.
 *
 * Who may ask what: root's rules take any process; a user's take only
 * processes whose real, effective and saved uids are all that user's (what
 * the user could ptrace), and a user's tree must be a process of theirs.
 * The kernel checks the uids at the moment of the fork or exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <unistd.h>

#include "follow.h"
#include "holdd.h"
#include "rules.h"

static struct watch ring_w = {W_KERNEL, -1};
static int kernel_on;
static char why_off[300];
static uint64_t lost_said;

/* holdd's side of each slot of the follower's tables. */
static struct slot {
	int used;
	uint32_t gen;      /* as the follower's: bumped at each take */
	struct conn *conn; /* the WATCH's connection; NULL once it went (a tree) */
	int tree;          /* FLAGS=TREE: lives while its tree does */
	uint32_t owner;
	int root; /* the tree's first process; 0: any process */
	uint64_t root_start;
	unsigned nrules;        /* its rules in the follower's table ... */
	uint8_t rule[KF_RULES]; /* ... there, in the order WATCH gave them */
} slots[KF_SLOTS];

/* The follower's tables serve every user of the machine: one user (not
 * root) may hold this much of them, so that nobody can take them all. */
#define USER_SLOTS (KF_SLOTS / 16)
#define USER_RULES (KF_RULES / 4)

static struct {
	char text[HOLD_RULE_TEXT];
	uint64_t timeout_ns;
	uint32_t fired; /* parks it made */
} rule_of[KF_RULES];

/* How often each rule of a tree's watch fired, kept after the tree has
 * ended: hold run's summary asks when the tree is done, and a rule that
 * fired must not be called unmatched.  The last few trees are enough --
 * the summary asks within seconds of the end. */
#define ENDED 16
static struct ended {
	int root;
	uint64_t start;
	uint32_t owner;
	unsigned n;
	uint32_t fired[KF_RULES];
} ended[ENDED];
static unsigned ended_next;

static void on_event(const struct kf_event *e);

int watch_init(int enabled)
{
	if (!enabled) {
		snprintf(
			why_off, sizeof(why_off),
			"holdd was started with --no-kernel-follow (as hold run starts its private "
			"holdd, but for hold run --kernel, hold watch and hold follow)");
	} else if (geteuid() != 0) {
		snprintf(why_off, sizeof(why_off),
			 "holdd runs as uid %u, and only root's holdd may load BPF (start holdd as "
			 "root, or hold run as root)",
			 (unsigned)geteuid());
	} else if (kfollow_open(on_event) < 0) {
		snprintf(why_off, sizeof(why_off), "%s", kfollow_why());
	} else {
		ring_w.fd = kfollow_fd();
		if (loop_add(&ring_w, EPOLLIN) == 0) {
			kernel_on = 1;
			hlog(LOG_INFO, "kernel following is on%s",
			     kfollow_forks()
				     ? ""
				     : " for exec parks only: this kernel cannot stop a fork "
				       "child from BPF (6.13 can)");
			return 0;
		}
		snprintf(why_off, sizeof(why_off), "cannot watch its ring buffer: %s",
			 strerror(errno));
		kfollow_close();
	}
	hlog(LOG_INFO, "kernel following is off: %s", why_off);
	return -1;
}

int watch_trees(void)
{
	int n = 0;

	for (int i = 0; i < KF_SLOTS; i++)
		n += slots[i].used && slots[i].tree;
	return n;
}

/* A tree's watch as the summary sees it: whose, and how often each rule
 * fired. */
static void ended_of(const struct slot *s, struct ended *d)
{
	*d = (struct ended){.root = s->root, .start = s->root_start, .owner = s->owner};
	for (d->n = 0; d->n < s->nrules; d->n++)
		d->fired[d->n] = rule_of[s->rule[d->n]].fired;
}

static void slot_free(int i)
{
	struct slot *s = &slots[i];

	kfollow_slot_free(i);
	if (s->root)
		ended_of(s, &ended[ended_next++ % ENDED]);
	if (s->conn) { /* a hold follow whose tree is gone: it ends */
		s->conn->watch_slot = 0;
		s->conn->closing = 1;
		conn_flush(s->conn);
	}
	s->used = 0;
	s->conn = NULL;
}

void watch_conn_gone(struct conn *c)
{
	int i = c->watch_slot - 1;

	if (i < 0 || i >= KF_SLOTS)
		return;
	c->watch_slot = 0;
	slots[i].conn = NULL;
	if (!slots[i].tree)
		slot_free(i);
}

/* --- WATCH ----------------------------------------------------------------- */

struct refusal {
	char text[512];
};

static void refused(void *ctx, const char *where, unsigned line, const struct hold_rule_error *err)
{
	struct refusal *r = ctx;

	if (!r->text[0])
		snprintf(r->text, sizeof(r->text), "rule '%.*s': %s (at column %zu)",
			 (int)(err->len > 200 ? 200 : err->len), err->rule, err->problem, err->col);
}

/* Can the follower take rule r?  NULL, or why not. */
static const char *kernel_can(const struct hold_rule *r)
{
	if (r->event != HOLD_EV_FORK && r->event != HOLD_EV_EXEC)
		return "the kernel follower parks at fork and exec; recv and accept rules park "
		       "one thread and need libhold (hold run without --kernel)";
	return NULL;
}

/* WATCH with PID and no rules: how often each rule of the watch on that
 * tree fired, live or ended (hold run's summary). */
static int asked(const struct ended *d, const struct conn *c, int pid, uint64_t start)
{
	return d->root && d->root == pid && d->start == start && (!c->uid || c->uid == d->owner);
}

static void send_fired(struct conn *c, int pid, uint64_t start)
{
	struct ended now;
	const struct ended *d = NULL;
	char buf[32];
	struct hold_enc e;

	for (int i = 0; !d && i < KF_SLOTS; i++)
		if (slots[i].used && slots[i].root) {
			ended_of(&slots[i], &now);
			d = asked(&now, c, pid, start) ? &now : NULL;
		}
	for (unsigned k = 0; !d && k < ENDED; k++) /* newest first */
		if (asked(&ended[(ended_next - 1 - k) % ENDED], c, pid, start))
			d = &ended[(ended_next - 1 - k) % ENDED];
	if (!d) {
		conn_error(c, "no kernel watch of yours on pid %d's tree, now or lately", pid);
		return;
	}
	for (unsigned r = 0; r < d->n; r++) {
		hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_FIRED);
		hold_enc_num(&e, HOLD_F_COUNT, d->fired[r]);
		conn_send(c, buf, hold_enc_finish(&e));
	}
	conn_done(c, d->n);
}

void watch_request(struct conn *c, const struct hold_msg *m)
{
	struct hold_str t = hold_msg_str(m, HOLD_F_TEXT);
	int pid = (int)m->num[HOLD_F_PID], slot;
	uint64_t start = 0;
	struct hold_ruleset *rs;
	struct refusal why = {""};
	char text[4096];

	if (!kernel_on) {
		conn_refuse(c, HOLD_FL_KERNEL, "kernel following is off: %s", why_off);
		return;
	}
	if (conn_foreign(c)) {
		conn_refuse(c, HOLD_FL_KERNEL,
			    "kernel following cannot take rules from inside a pid namespace: "
			    "run hold watch on the host (its parks list the container's pids "
			    "too)");
		return;
	}
	if (!hold_msg_has(m, HOLD_F_TEXT)) { /* hold watch --status: it is on */
		if (hold_msg_has(m, HOLD_F_PID))
			send_fired(c, pid, m->num[HOLD_F_START]);
		else
			conn_done(c, 0);
		return;
	}
	if (!t.len || t.len >= sizeof(text)) {
		conn_error(c, "WATCH needs its rules (TEXT), at most %zu bytes", sizeof(text) - 1);
		return;
	}
	memcpy(text, t.p, t.len);
	text[t.len] = 0;
	if (!(rs = calloc(1, sizeof(*rs)))) {
		conn_error(c, "out of memory");
		return;
	}
	if (hold_rules_parse(rs, text, "WATCH", refused, &why) || !rs->n) {
		conn_error(c, "%s", why.text[0] ? why.text : "no rule given");
		goto out;
	}
	for (unsigned i = 0; i < rs->n; i++) {
		const char *no = kernel_can(&rs->rule[i]);

		if (no) {
			conn_error(c, "rule '%s': %s", rs->rule[i].text, no);
			goto out;
		}
		/* hold follow turns to ptrace on this one */
		if (rs->rule[i].event == HOLD_EV_FORK && !kfollow_forks()) {
			conn_refuse(c, HOLD_FL_KERNEL,
				    "kernel following cannot park at fork on this kernel "
				    "(bpf_send_signal_task came in Linux 6.13): rule '%s'; exec "
				    "rules work",
				    rs->rule[i].text);
			goto out;
		}
	}
	if (hold_msg_has(m, HOLD_F_PID)) {
		long uid = pid > 0 ? proc_real_uid(pid) : -1;

		start = pid > 0 ? proc_starttime(pid) : 0;
		if (uid < 0 || !start ||
		    (hold_msg_has(m, HOLD_F_START) && m->num[HOLD_F_START] != start)) {
			conn_error(c, "pid %d is not running (or is another process now)", pid);
			goto out;
		}
		if (c->uid != 0 && !(proc_has_uid(pid, c->uid) && (uint32_t)uid == c->uid)) {
			conn_error(c,
				   "pid %d is uid %ld's: you (uid %u) may follow only your own "
				   "processes",
				   pid, uid, c->uid);
			goto out;
		}
	} else {
		pid = 0;
	}
	if (c->uid != 0) {
		unsigned nslots = 0, nrules = 0;

		for (int i = 0; i < KF_SLOTS; i++)
			if (slots[i].used && slots[i].owner == c->uid) {
				nslots++;
				nrules += slots[i].nrules;
			}
		if (nslots + 1 > USER_SLOTS || nrules + rs->n > USER_RULES) {
			conn_error(c,
				   "uid %u holds %u kernel watch%s with %u rule%s; a user may hold "
				   "%d watches and %d rules at once (stop a hold watch, or use "
				   "fewer rules)",
				   c->uid, nslots, nslots == 1 ? "" : "es", nrules,
				   nrules == 1 ? "" : "s", USER_SLOTS, USER_RULES);
			goto out;
		}
	}
	if ((slot = kfollow_slot_take(c->uid, pid, start, m->num[HOLD_F_CGROUP_ID],
				      (uint32_t)m->num[HOLD_F_CGROUP_LEVEL])) < 0) {
		conn_error(c,
			   "the kernel follower serves %d clients at once, and has no room "
			   "for another now",
			   KF_SLOTS);
		goto out;
	}
	slots[slot] = (struct slot){.used = 1,
				    .gen = slots[slot].gen + 1,
				    .owner = c->uid,
				    .root = pid,
				    .root_start = start};
	for (unsigned i = 0; i < rs->n; i++) {
		int k = kfollow_rule_add(slot, c->uid, &rs->rule[i]);

		if (k < 0) {
			slot_free(slot);
			conn_error(c,
				   "the kernel follower's rule table is full (%d rules across all "
				   "watches): stop a hold watch, or use fewer rules",
				   KF_RULES);
			goto out;
		}
		snprintf(rule_of[k].text, sizeof(rule_of[k].text), "%s", rs->rule[i].text);
		rule_of[k].timeout_ns = rs->rule[i].timeout_ns;
		rule_of[k].fired = 0;
		slots[slot].rule[slots[slot].nrules++] = (uint8_t)k;
	}
	if (pid)
		store_own(c->uid, pid);
	slots[slot].tree = pid && (m->num[HOLD_F_FLAGS] & HOLD_FL_TREE);
	if (!slots[slot].tree) { /* the rules go with the connection */
		slots[slot].conn = c;
		c->watch_slot = slot + 1;
		c->state = C_WATCHING;
	}
	hlog(LOG_INFO, "uid %u set %u kernel rule%s (%s) for %s%.0d", c->uid, rs->n,
	     rs->n == 1 ? "" : "s", text, pid ? "the tree of pid " : "any process", pid);
	conn_done(c, rs->n);
out:
	free(rs);
}

/* --- the follower's events -------------------------------------------------- */

static void record_exec(const struct kf_event *e)
{
	static char buf[HOLD_MSG_MAX];
	struct hold_enc en;
	struct hold_msg m;
	size_t n;

	hold_enc_start(&en, buf, sizeof(buf), HOLD_MSG_EXEC);
	hold_enc_num(&en, HOLD_F_PPID, e->ppid);
	hold_enc_mem(&en, HOLD_F_PATH, e->path, strnlen(e->path, sizeof(e->path)));
	for (uint32_t off = 0, k = 0;
	     off < e->argvlen && off < sizeof(e->argv) && k < HOLD_MSG_ARGS; k++) {
		size_t len = strnlen(e->argv + off, sizeof(e->argv) - off);

		hold_enc_mem(&en, HOLD_F_ARG, e->argv + off, len);
		off += (uint32_t)len + 1;
	}
	n = hold_enc_finish(&en);
	if (n && hold_msg_decode(&m, buf, n) == 0)
		store_exec(e->uid, (int)e->pid, &m);
}

static void park(const struct kf_event *e, struct slot *s)
{
	static struct park r;
	uint32_t k = (e->rule - 1) % KF_RULES;
	uint32_t owner = s ? s->owner : 0;

	rule_of[k].fired++;
	park_init(&r);
	r.pid = r.tid = (int)e->pid;
	r.ppid = (int)e->ppid;
	r.uid = e->uid;
	r.pidns = e->pidns;
	r.flags = HOLD_FL_KERNEL;
	r.start = e->start;
	r.since_ns = hold_now_ns();
	r.timeout_ns = rule_of[k].timeout_ns;
	r.mode = HOLD_MODE_STOP;
	snprintf(r.event, sizeof(r.event), "%s", e->type == KF_FORK ? "fork" : "exec");
	snprintf(r.comm, sizeof(r.comm), "%.15s", e->comm);
	snprintf(r.rule, sizeof(r.rule), "%s", rule_of[k].text);
	if (proc_exe(r.pid, r.exe, sizeof(r.exe)) <= 0)
		snprintf(r.exe, sizeof(r.exe), "%.*s", (int)sizeof(e->path), e->path);
	if (e->type == KF_EXEC) {
		r.argvlen = e->argvlen < sizeof(r.argv) ? e->argvlen : sizeof(r.argv) - 1;
		memcpy(r.argv, e->argv, r.argvlen);
	} else {
		ssize_t n = proc_read(r.pid, "cmdline", r.argv, sizeof(r.argv) - 1);

		r.argvlen = n > 0 ? (size_t)n : 0;
	}
	if (r.argvlen && !r.argv[r.argvlen - 1]) /* as a record keeps it: no last NUL */
		r.argvlen--;
	if (s && !s->root) /* a watch's park starts a tree: its children are recorded */
		store_own(owner, r.pid);
	if (parks_add_stopped(&r, owner, (int)e->nspid, "the kernel follower") < 0) {
		/* a park nobody can see is the one thing not to leave */
		int fd = (int)syscall(SYS_pidfd_open, r.pid, 0);

		hlog(LOG_WARNING, "pid %d stopped by rule '%s' could not be listed: continued",
		     r.pid, r.rule);
		if (fd >= 0) {
			syscall(SYS_pidfd_send_signal, fd, SIGCONT, NULL, 0);
			close(fd);
		}
	}
}

static void on_event(const struct kf_event *e)
{
	struct slot *s = NULL;

	if (e->slot < KF_SLOTS && slots[e->slot].used && slots[e->slot].gen == e->gen)
		s = &slots[e->slot];
	switch (e->type) {
	case KF_FORK:
		if (s)
			store_fork_seen(e->uid, (int)e->ppid, (int)e->pid);
		break;
	case KF_EXEC:
		if (s)
			record_exec(e);
		break;
	case KF_EXIT:
		return; /* the tree's end: watch_ready */
	}
	if (e->rule)
		park(e, s);
}

/* Has a tree ended?  Every process the program met has exited -- the
 * kernel counts them, where no event is lost to a full ring -- and the
 * root is gone (a root that never forked or exec'd was never met). */
static int tree_done(int i)
{
	return slots[i].used && slots[i].root && !kfollow_slot_procs(i) &&
	       proc_starttime(slots[i].root) != slots[i].root_start;
}

void watch_ready(void)
{
	uint32_t gen_done[KF_SLOTS];

	/* asked before the drain: the tree's every event is in the ring by
	 * then, and is recorded before its slot goes */
	for (int i = 0; i < KF_SLOTS; i++)
		gen_done[i] = tree_done(i) ? slots[i].gen : 0;
	kfollow_drain();
	for (int i = 0; i < KF_SLOTS; i++)
		if (gen_done[i] && slots[i].used && slots[i].gen == gen_done[i])
			slot_free(i);
}

void watch_tick(void)
{
	uint64_t lost = kfollow_lost();

	if (lost > lost_said) {
		hlog(LOG_WARNING,
		     "the kernel follower's ring buffer was full: %llu events lost so far (no "
		     "park was made without its event)",
		     (unsigned long long)lost);
		lost_said = lost;
	}
}

uint64_t watch_lost(void)
{
	return kfollow_lost();
}
