// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * follow.bpf.c - the kernel follower: fork, exec and exit of the processes
 * holdd follows, recorded from the scheduler's tracepoints into a ring
 * buffer, and fork and exec parked by rules matched here, in the kernel,
 * with nothing in the target.
 *
 * A park is SIGSTOP sent from the tracepoint: an exec'd image stops at the
 * return of execve, before ld.so or any constructor runs; a fork child at
 * its first return to user space, before any of its code.  holdd lists it
 * (kind stop) and releases it with SIGCONT, as it does libhold's stop parks.
 *
 * The costs that matter are the ones every process of the machine pays:
 * one hash lookup per fork, exec and exit, and a walk of the live rules
 * when there are any.  Nothing reaches the ring (and holdd) for a process
 * that is not followed and not parked.
 *
 * Dual-licensed because the kernel lets only GPL-compatible programs call
 * its functions (bpf_send_signal_task); the rest of hold is MIT.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "follow.h"
#include "glob-step.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define SIGSTOP      19
#define HOLD_EV_FORK 0 /* rules.h's enum hold_event */
#define HOLD_EV_EXEC 1

/* Written by holdd through the mapped .bss; read here. */
struct kf_rule rules[KF_RULES];
struct kf_slot slots[KF_SLOTS];
__u32 nrules;     /* 1 + the highest live rule: the walks stop there */
__u32 nslots;     /* the same for slots */
__u32 arg_events; /* 1 << event: a live rule of that event has arg= */
/* Read by holdd. */
__u64 lost;   /* events the ring had no room for */
__u64 parked; /* parks made */

/* bpf_send_signal_task: a signal to another task (the fork child), 6.13 on.
 * Weak: without it fork parks are off and holdd says so. */
extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type,
				__u64 value) __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, KF_RING);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KF_FOLLOWED);
	__type(key, __u32); /* tgid */
	__type(value, struct kf_followed);
} followed SEC(".maps");

struct scratch {
	char buf[KF_BUF];
	char pat[KF_PAT];
	__u32 args[KF_ARGS]; /* offsets of argv's elements in buf */
	__u32 nargs;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

static struct scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

/* --- glob, one step per bpf_loop turn (glob-step.h) ------------------------------ */

struct glob_ctx {
	struct hold_glob_run g;
	int result;
};

static long glob_turn(__u32 i, void *ctx)
{
	struct glob_ctx *x = ctx;
	struct scratch *sc = scratch_get();

	if (!sc) {
		x->result = -1;
		return 1;
	}
	x->result = hold_glob_step(&x->g, sc->pat, KF_PAT - 1, sc->buf, KF_BUF - 1);
	return x->result != 0;
}

/* Does scratch's pattern match the string at buf[off]?  Undecided after
 * KF_STEPS steps is no.  The functions called in the walk of the rules are
 * global, which the verifier checks once, not once per call. */
__noinline int glob_at(__u32 off)
{
	struct glob_ctx x = {.g = {.p = 0, .s = off}, .result = 0};

	bpf_loop(KF_STEPS, glob_turn, &x, 0);
	return x.result > 0;
}

/* --- the strings of an event ------------------------------------------------ */

struct split_ctx {
	struct scratch *sc;
	__u32 len;
	__u32 base; /* KF_BUF_PATH: just past the last '/' */
};

static long base_turn(__u32 i, void *ctx)
{
	struct split_ctx *x = ctx;
	char c = x->sc->buf[(KF_BUF_PATH + i) & (KF_BUF - 1)];

	if (!c)
		return 1;
	if (c == '/')
		x->base = KF_BUF_PATH + i + 1;
	return 0;
}

static long args_turn(__u32 i, void *ctx)
{
	struct split_ctx *x = ctx;
	struct scratch *sc = x->sc;

	if (i >= x->len || sc->nargs >= KF_ARGS)
		return 1;
	if (i == 0 || !sc->buf[(KF_BUF_ARGV + i - 1) & (KF_BUF - 1)])
		sc->args[sc->nargs++ & (KF_ARGS - 1)] = KF_BUF_ARGV + i;
	return 0;
}

/* argv of the task's image (as it started), NUL-separated, into buf. */
static __u32 read_argv(struct scratch *sc, struct task_struct *t)
{
	unsigned long start = BPF_CORE_READ(t, mm, arg_start), end = BPF_CORE_READ(t, mm, arg_end);
	__u32 len = end > start ? end - start : 0;

	if (len > KF_ARGV - 1)
		len = KF_ARGV - 1;
	if (!len || bpf_probe_read_user(sc->buf + KF_BUF_ARGV, len & (KF_ARGV - 1), (void *)start))
		len = 0;
	sc->buf[(KF_BUF_ARGV + len) & (KF_BUF - 1)] = 0;
	sc->buf[KF_BUF - 1] = 0;
	return len;
}

static void split_args(struct scratch *sc, __u32 len)
{
	struct split_ctx x = {.sc = sc, .len = len};

	sc->nargs = 0;
	bpf_loop(KF_ARGV, args_turn, &x, 0);
}

/* --- rules ------------------------------------------------------------------- */

/* Does rule i's pattern `which` match the string at off? */
__noinline int rule_glob(__u32 i, __u32 which, __u32 off)
{
	struct scratch *sc = scratch_get();

	if (!sc)
		return 0;
	bpf_probe_read_kernel(sc->pat, KF_PAT,
			      rules[i & (KF_RULES - 1)].pat[which & (KF_PATS - 1)]);
	return glob_at(off);
}

/* Does rule i's arg= match an element of the argv in scratch? */
__noinline int rule_any_arg(__u32 i)
{
	struct scratch *sc = scratch_get();

	if (!sc)
		return 0;
	for (__u32 a = 0; a < KF_ARGS; a++) {
		if (a >= sc->nargs)
			break;
		if (rule_glob(i, KF_PAT_ARG, sc->args[a & (KF_ARGS - 1)]))
			return 1;
	}
	return 0;
}

/* What the walk of the rules needs of one event, as plain numbers: the
 * walk runs under bpf_loop(), verified once, however many rules there are. */
struct match_ctx {
	__u32 event;
	__u32 uid, euid, suid;
	__u32 followed, fslot, fgen; /* the task's tree, if followed */
	__u32 base;                  /* exec: the basename's offset in buf */
	__u32 found;                 /* the rule that takes it, + 1 */
	__u32 fired;                 /* that rule's firings, this one counted */
};

/* Are all of the task's uids the owner's?  (Root's rules take anything;
 * a user's, only what that user could ptrace.) */
static int owned_by(const struct match_ctx *m, __u32 owner)
{
	return owner == 0 || (m->uid == owner && m->euid == owner && m->suid == owner);
}

static long rule_turn(__u32 i, void *ctx)
{
	struct match_ctx *m = ctx;
	struct kf_rule *r;
	struct kf_slot *s;
	__u32 fired;

	if (i >= nrules || i >= KF_RULES)
		return 1;
	r = &rules[i & (KF_RULES - 1)];
	if (!r->live || r->event != m->event || r->slot >= KF_SLOTS)
		return 0;
	s = &slots[r->slot & (KF_SLOTS - 1)];
	/* a tree's rule takes its tree; a watch's, any process */
	if (!s->live || (s->pid && !(m->followed && m->fslot == r->slot && m->fgen == s->gen)))
		return 0;
	if (!owned_by(m, r->owner))
		return 0;
	/* a watch of one cgroup: current (the exec'ing task, or the forking
	 * parent, whose cgroup the child starts in) must be in it */
	if (s->cgroup && bpf_get_current_ancestor_cgroup_id(s->cglevel) != s->cgroup)
		return 0;
	if ((r->has & (1u << KF_PAT_EXE)) && !rule_glob(i, KF_PAT_EXE, KF_BUF_PATH) &&
	    !(m->base != KF_BUF_PATH && rule_glob(i, KF_PAT_EXE, m->base)))
		return 0;
	if ((r->has & (1u << KF_PAT_COMM)) && !rule_glob(i, KF_PAT_COMM, KF_BUF_COMM))
		return 0;
	if ((r->has & (1u << KF_PAT_ARG)) && !rule_any_arg(i))
		return 0;
	/* count=: every firing counted, the spent ones park nothing */
	fired = __sync_fetch_and_add(&r->fired, 1) + 1;
	if (r->count && fired > r->count)
		return 0;
	m->found = i + 1;
	m->fired = fired;
	return 1;
}

/* The first rule of m->event that takes task t, + 1; 0: none. */
static __u32 match(struct scratch *sc, struct match_ctx *m, struct task_struct *t,
		   const struct kf_followed *f)
{
	const struct cred *cr = BPF_CORE_READ(t, cred);

	m->uid = BPF_CORE_READ(cr, uid.val);
	m->euid = BPF_CORE_READ(cr, euid.val);
	m->suid = BPF_CORE_READ(cr, suid.val);
	m->followed = f != NULL;
	m->fslot = f ? f->slot : 0;
	m->fgen = f ? f->gen : 0;
	m->found = 0;
	if (arg_events & (1u << m->event))
		split_args(sc, read_argv(sc, t));
	bpf_loop(KF_RULES, rule_turn, m, 0);
	return m->found;
}

/* --- the followed trees -------------------------------------------------------- */

/* Is tgid followed?  A slot's root is found here the first time it forks
 * or execs after holdd named it. */
static struct kf_followed *followed_of(struct task_struct *t, __u32 tgid)
{
	struct kf_followed *f = bpf_map_lookup_elem(&followed, &tgid);

	if (f) {
		struct kf_slot *s = &slots[f->slot & (KF_SLOTS - 1)];

		if (f->slot < KF_SLOTS && s->live && s->gen == f->gen)
			return f;
		bpf_map_delete_elem(&followed, &tgid); /* its slot was let go */
		return NULL;
	}
	for (__u32 i = 0; i < KF_SLOTS; i++) {
		struct kf_slot *s = &slots[i];
		struct kf_followed nf;

		if (i >= nslots)
			break;
		if (!s->live || s->pid != tgid ||
		    s->start != BPF_CORE_READ(t, group_leader, start_boottime) / KF_TICK_NS)
			continue;
		nf.slot = i;
		nf.gen = s->gen;
		/* counted once, however many of its threads get here at once */
		if (bpf_map_update_elem(&followed, &tgid, &nf, BPF_NOEXIST) == 0)
			__sync_fetch_and_add(&s->procs, 1);
		return bpf_map_lookup_elem(&followed, &tgid);
	}
	return NULL;
}

/* --- events ------------------------------------------------------------------- */

static void fill(struct kf_event *e, struct task_struct *t, __u32 type)
{
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up;

	e->type = type;
	e->pid = BPF_CORE_READ(t, tgid);
	e->tid = BPF_CORE_READ(t, pid);
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level & 31]);
	e->nspid = up.nr;
	e->pidns = BPF_CORE_READ(up.ns, ns.inum);
	e->uid = BPF_CORE_READ(t, cred, uid.val);
	e->euid = BPF_CORE_READ(t, cred, euid.val);
	e->start = BPF_CORE_READ(t, start_boottime) / KF_TICK_NS;
	e->cgroup = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
	e->slot = KF_SLOTS;
	e->gen = 0;
	e->rule = 0;
	e->rule_fired = 0;
	e->exit_code = 0;
	e->pathlen = e->argvlen = 0;
	BPF_CORE_READ_STR_INTO(&e->comm, t, comm);
}

/* Reserve an event, or count it lost.  A park without its event is no
 * park: the caller stops nothing it cannot tell holdd about. */
static struct kf_event *reserve(__u64 size)
{
	struct kf_event *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e)
		__sync_fetch_and_add(&lost, 1);
	return e;
}

/* Hand an event up.  holdd is woken for a park, and when the ring is a
 * quarter full; the rest it reads at its next turn (before it answers any
 * request, and every second), so that a followed tree's fork, exec and
 * exit cost it no wake-up each. */
static void submit(struct kf_event *e)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (e->rule || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > KF_RING / 4)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

/* A task parked (sent = 0: the signal went): say so in its event, and
 * follow it from now on, so that its children are recorded under the slot
 * whose rule took it. */
static void parked_by(long sent, __u32 tgid, __u32 rule, __u32 fired, struct kf_followed *f,
		      struct kf_event *e)
{
	struct kf_followed nf;

	if (sent != 0)
		return;
	e->rule = rule;
	e->rule_fired = fired;
	__sync_fetch_and_add(&parked, 1);
	if (f) {
		e->slot = f->slot;
		e->gen = f->gen;
		return;
	}
	nf.slot = rules[(rule - 1) & (KF_RULES - 1)].slot;
	nf.gen = slots[nf.slot & (KF_SLOTS - 1)].gen;
	e->slot = nf.slot;
	e->gen = nf.gen;
	if (bpf_map_update_elem(&followed, &tgid, &nf, BPF_NOEXIST) == 0)
		__sync_fetch_and_add(&slots[nf.slot & (KF_SLOTS - 1)].procs, 1);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct kf_followed *f;
	struct match_ctx m = {};
	struct scratch *sc;
	struct kf_event *e;
	__u32 rule = 0;

	if (child->pid != ctgid) /* a thread: neither recorded nor parked */
		return 0;
	f = followed_of(parent, ptgid);
	/* a vfork child shares its parent's memory until it execs: its exec
	 * is what to park, not the fork */
	if (nrules && !child->vfork_done && bpf_send_signal_task && (sc = scratch_get())) {
		m.event = HOLD_EV_FORK;
		m.base = KF_BUF_PATH;
		sc->buf[KF_BUF_PATH] = 0;
		BPF_CORE_READ_STR_INTO((char(*)[16]) & sc->buf[KF_BUF_COMM], parent, comm);
		rule = match(sc, &m, parent, f);
	}
	if (!f && !rule)
		return 0;
	/* the child is the tree's whether or not its event finds room: its
	 * exec must still park by the tree's rules */
	if (f) {
		struct kf_followed nf = *f;

		if (bpf_map_update_elem(&followed, &ctgid, &nf, BPF_ANY) == 0)
			__sync_fetch_and_add(&slots[nf.slot & (KF_SLOTS - 1)].procs, 1);
	}
	if (!(e = reserve(KF_EVENT_SHORT)))
		return 0;
	fill(e, child, KF_FORK);
	if (f) {
		e->slot = f->slot;
		e->gen = f->gen;
	}
	if (rule)
		parked_by(bpf_send_signal_task(child, SIGSTOP, PIDTYPE_TGID, 0), ctgid, rule,
			  m.fired, f, e);
	submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	struct kf_followed *f = followed_of(p, tgid);
	struct match_ctx m = {};
	struct scratch *sc;
	struct kf_event *e;
	__u32 rule = 0, argvlen;
	long n;

	if ((!f && !nrules) || !(sc = scratch_get()))
		return 0;
	n = bpf_probe_read_kernel_str(sc->buf + KF_BUF_PATH, KF_PATH,
				      BPF_CORE_READ(bprm, filename));
	if (n < 0)
		sc->buf[KF_BUF_PATH] = 0;
	sc->buf[KF_BUF_PATH + KF_PATH - 1] = 0;
	BPF_CORE_READ_STR_INTO((char(*)[16]) & sc->buf[KF_BUF_COMM], p, comm);
	if (nrules) {
		struct split_ctx x = {.sc = sc, .base = KF_BUF_PATH};

		bpf_loop(KF_PATH, base_turn, &x, 0);
		m.event = HOLD_EV_EXEC;
		m.base = x.base;
		rule = match(sc, &m, p, f);
	}
	if (!f && !rule)
		return 0;
	argvlen = read_argv(sc, p);
	if (!(e = reserve(sizeof(*e))))
		return 0;
	fill(e, p, KF_EXEC);
	if (f) {
		e->slot = f->slot;
		e->gen = f->gen;
	}
	e->pathlen = n > 0 ? n - 1 : 0;
	bpf_probe_read_kernel(e->path, KF_PATH, sc->buf + KF_BUF_PATH);
	e->argvlen = argvlen;
	bpf_probe_read_kernel(e->argv, KF_ARGV, sc->buf + KF_BUF_ARGV);
	/* the new image stops at the return of execve: current is the task */
	if (rule)
		parked_by(bpf_send_signal(SIGSTOP), tgid, rule, m.fired, f, e);
	submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	struct kf_followed *f, of;
	struct kf_slot *s;
	struct kf_event *e;

	/* the process ends with its last thread */
	if (BPF_CORE_READ(p, signal, live.counter) != 0 ||
	    !(f = bpf_map_lookup_elem(&followed, &tgid)))
		return 0;
	of = *f;
	bpf_map_delete_elem(&followed, &tgid);
	s = &slots[of.slot & (KF_SLOTS - 1)];
	if (of.slot < KF_SLOTS && s->live && s->gen == of.gen)
		__sync_fetch_and_sub(&s->procs, 1);
	if (!(e = reserve(KF_EVENT_SHORT)))
		return 0;
	fill(e, p, KF_EXIT);
	e->slot = of.slot;
	e->gen = of.gen;
	e->exit_code = BPF_CORE_READ(p, exit_code);
	submit(e);
	return 0;
}

/* The glob test: the same matcher, run by BPF_PROG_TEST_RUN on a table of
 * cases that common/'s copy must answer alike (tests/unit/test_glob_bpf.c). */
SEC("syscall")
int glob_test(struct kf_glob_test *t)
{
	struct scratch *sc = scratch_get();

	if (!sc)
		return 1;
	bpf_probe_read_kernel(sc->pat, KF_PAT, t->pat);
	bpf_probe_read_kernel(sc->buf, KF_BUF, t->str);
	sc->pat[KF_PAT - 1] = 0;
	sc->buf[KF_BUF - 1] = 0;
	t->result = glob_at(0);
	return 0;
}
