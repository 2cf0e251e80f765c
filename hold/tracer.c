/* SPDX-License-Identifier: MIT */
/*
 * tracer.c - the ptrace engine of hold follow (and of hold run for a
 * static program): park the descendants of a process, as strace -f
 * follows a tree; see tracer.h.
 *
 * Every thread of PID is seized (PTRACE_SEIZE) with fork, vfork, clone and
 * exec events, so each new process is traced from its first instruction.
 * A new process that a fork rule takes, or an image that an exec rule
 * takes (stopped at the exec, before ld.so runs a line of it), is parked:
 * let go with SIGSTOP, so that it sits stopped (State T) with no tracer --
 * gdb may attach, as in libhold's mode=stop -- and announced to holdd,
 * which lists it, hands it to hold wait and releases it (SIGCONT).  All
 * else runs on at once.  On SIGINT or SIGTERM, or when PID exits, every
 * process still traced is let go running; only the parked stay stopped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tracer.h"

#include "park-dir.h"
#include "proc.h"
#include "rules.h"

#define OPTS       (PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC)
#define MAX_TRACED 8192

/* A traced task: decided (whether its first stop parks it) once its
 * parent's fork event is seen, which may come after its own first stop. */
struct task {
	int pid;
	int park_rule; /* fork rule that takes it, -1 none */
	unsigned decided : 1, started : 1, waiting : 1;
};

static struct task tasks[MAX_TRACED];
static int ntasks;
static int root;
static struct hold_ruleset rules;
static uint32_t fired[HOLD_RULES_MAX];
static struct client cl;
static volatile sig_atomic_t stopping;

static void on_stop_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static struct task *task_of(int pid, int add)
{
	for (int i = 0; i < ntasks; i++)
		if (tasks[i].pid == pid)
			return &tasks[i];
	if (!add || ntasks == MAX_TRACED)
		return NULL;
	tasks[ntasks] = (struct task){.pid = pid, .park_rule = -1};
	return &tasks[ntasks++];
}

/* A task seized while it ran: nothing to decide at its next stop. */
static void seized(int pid)
{
	struct task *t = task_of(pid, 1);

	if (t)
		t->decided = t->started = 1;
}

static void task_drop(int pid)
{
	struct task *t = task_of(pid, 0);

	if (t)
		*t = tasks[--ntasks];
}

/* The first rule of event ev that takes a process of facts f now (count=
 * kept here: one follower is one tree), or -1. */
static int rule_for(enum hold_event ev, struct proc_facts *f)
{
	for (unsigned i = 0; i < rules.n; i++) {
		const struct hold_rule *r = &rules.rule[i];
		struct hold_exec_facts x = {f->exe, f->exe, f->comm, f->argv};
		int hit = ev == HOLD_EV_FORK ? hold_rule_match_fork(r, f->comm, f->argv)
					     : hold_rule_match_exec(r, &x);

		if (hit && hold_rule_take(r, &fired[i]))
			return (int)i;
	}
	return -1;
}

/* Wait for pid to sit in its group stop (after the SIGSTOP we left it). */
static int stopped_soon(int pid)
{
	const struct timespec tick = {0, 2 * 1000 * 1000};

	for (int i = 0; i < 500; i++) {
		if (proc_stopped(pid))
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

/* Let pid (of facts f) go stopped, and tell holdd: the park of hold ls and
 * hold wait. */
static void park(int pid, int rule, const char *event, const struct proc_facts *f)
{
	struct park p;
	struct hold_msg m;
	char buf[HOLD_MSG_MAX];
	size_t n;

	park_init(&p);
	p.pid = p.tid = pid;
	p.ppid = proc_ppid(pid);
	p.start = proc_starttime(pid);
	p.since_ns = hold_now_ns();
	p.mode = HOLD_MODE_STOP;
	p.flags = HOLD_FL_TRACED; /* holdd checks pid and start are that process */
	snprintf(p.event, sizeof(p.event), "%s", event);
	snprintf(p.rule, sizeof(p.rule), "%s", rules.rule[rule].text);
	snprintf(p.comm, sizeof(p.comm), "%s", f->comm);
	snprintf(p.exe, sizeof(p.exe), "%s", f->exe);
	for (int i = 0; f->argv[i] && p.argvlen + strlen(f->argv[i]) + 1 <= sizeof(p.argv); i++) {
		memcpy(p.argv + p.argvlen, f->argv[i], strlen(f->argv[i]) + 1);
		p.argvlen += strlen(f->argv[i]) + 1;
	}
	/* Detaching from an event stop delivers no signal: queue SIGSTOP
	 * first, and the untraced process takes it at once. */
	kill(pid, SIGSTOP);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	task_drop(pid);
	if (!stopped_soon(pid)) { /* a stop nobody lists would be a hang */
		kill(pid, SIGCONT);
		fprintf(stderr, "hold follow: pid %d did not stop; not parked, it runs on\n", pid);
		return;
	}
	n = park_to_msg(buf, sizeof(buf), HOLD_MSG_PARK, &p);
	m.type = 0;
	if (client_send(&cl, buf, n) < 0 || client_next(&cl, &m, 5000) != 1 ||
	    m.type != HOLD_MSG_DONE) { /* nobody could list it: let it run */
		kill(pid, SIGCONT);
		fprintf(stderr,
			"hold follow: holdd did not take the park of pid %d (%s); not parked, it "
			"runs on\n",
			pid, m.type == HOLD_MSG_ERROR ? cli_text(&m) : "no answer");
	} else
		fprintf(stderr,
			"hold: pid %d (%s) parked at %s by rule '%s' (stopped); attach: hold "
			"attach "
			"%d\n",
			pid, p.comm, event, p.rule, pid);
}

/* Why PTRACE_SEIZE was refused, in words a user can act on. */
static int seize_refused(int pid, int err)
{
	int scope = proc_yama_scope();

	if (err == ESRCH)
		return cli_fail(EXIT_NONE, "pid %d is not running", pid);
	if (scope == 3)
		return cli_fail(EXIT_USAGE,
				"Yama forbids every trace (kernel.yama.ptrace_scope = 3, "
				"fixed until reboot): hold follow cannot follow pid %d",
				pid);
	if (scope == 2)
		return cli_fail(EXIT_USAGE,
				"Yama lets only CAP_SYS_PTRACE trace "
				"(kernel.yama.ptrace_scope = 2): run hold follow as root");
	if (scope == 1)
		return cli_fail(
			EXIT_USAGE,
			"Yama lets a process be traced only by its ancestors "
			"(kernel.yama.ptrace_scope = 1), and pid %d is not a child of hold "
			"follow: run it as root (sudo), or start the program under hold run",
			pid);
	if (err == EPERM)
		return cli_fail(EXIT_USAGE,
				"cannot trace pid %d: it is another user's, setuid, or already "
				"traced (TracerPid in /proc/%d/status): follow it as its user, or "
				"as root",
				pid, pid);
	return cli_fail(EXIT_USAGE, "cannot trace pid %d: %s", pid, strerror(err));
}

/* Seize every thread of pid (a thread made meanwhile is caught by the
 * clone event of one already seized). */
static int seize_all(int pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (!(dir = opendir(path)))
		return seize_refused(pid, ESRCH);
	while ((d = readdir(dir))) {
		int tid = atoi(d->d_name);

		if (tid <= 0)
			continue;
		if (ptrace(PTRACE_SEIZE, tid, 0, OPTS) != 0) {
			int err = errno;

			closedir(dir);
			if (n) /* let the ones seized go */
				for (int i = 0; i < ntasks; i++)
					ptrace(PTRACE_DETACH, tasks[i].pid, 0, 0);
			return seize_refused(pid, err);
		}
		seized(tid);
		n++;
	}
	closedir(dir);
	return 0;
}

/* Tell holdd what the tree did (it checks with the kernel), so hold tree
 * shows the followed tree as it shows libhold's. */
static void report_fork(int parent, int child)
{
	char buf[128];
	struct hold_enc e;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_FORK);
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)parent);
	hold_enc_num(&e, HOLD_F_CHILD, (uint64_t)child);
	hold_enc_num(&e, HOLD_F_FLAGS, HOLD_FL_TRACED);
	client_send(&cl, buf, hold_enc_finish(&e));
}

static void report_exec(int pid, const struct proc_facts *f)
{
	char buf[HOLD_MSG_MAX];
	struct hold_enc e;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_EXEC);
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)pid);
	hold_enc_num(&e, HOLD_F_PPID, (uint64_t)proc_ppid(pid));
	hold_enc_num(&e, HOLD_F_FLAGS, HOLD_FL_TRACED);
	hold_enc_str(&e, HOLD_F_PATH, f->exe);
	for (int i = 0; f->argv[i]; i++)
		hold_enc_str(&e, HOLD_F_ARG, f->argv[i]);
	client_send(&cl, buf, hold_enc_finish(&e));
}

/* A new process's first stop: park it if its fork rule says so. */
static void first_stop(struct task *t)
{
	struct proc_facts f;

	if (t->park_rule >= 0) {
		proc_facts(t->pid, &f);
		park(t->pid, t->park_rule, "fork", &f);
	} else
		ptrace(PTRACE_CONT, t->pid, 0, 0);
}

/* One stop of a traced task. */
static void on_stop(int pid, int status)
{
	struct task *t = task_of(pid, 1);
	int sig = WSTOPSIG(status), ev = (unsigned)status >> 16;
	unsigned long msg = 0;

	if (!t) { /* more than MAX_TRACED: this one runs untraced */
		ptrace(PTRACE_DETACH, pid, 0, 0);
		return;
	}
	switch (ev) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE: {
		struct task *c;

		ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
		if (ev != PTRACE_EVENT_CLONE)
			report_fork(pid, (int)msg);
		if ((c = task_of((int)msg, 1))) {
			struct proc_facts f;

			c->park_rule = -1;
			/* the forking image's facts, read only if a fork rule may want them */
			if (ev != PTRACE_EVENT_CLONE && (rules.event_mask & (1u << HOLD_EV_FORK))) {
				proc_facts(pid, &f);
				c->park_rule = rule_for(HOLD_EV_FORK, &f);
			}
			c->decided = 1;
			if (c->waiting) { /* its first stop came first */
				c->waiting = 0;
				first_stop(c);
			}
		}
		ptrace(PTRACE_CONT, pid, 0, 0);
		return;
	}
	case PTRACE_EVENT_EXEC: {
		struct proc_facts f; /* read once: for the rules, the report and the park */
		int r;

		proc_facts(pid, &f);
		r = rule_for(HOLD_EV_EXEC, &f);
		report_exec(pid, &f);
		if (r >= 0)
			park(pid, r, "exec", &f);
		else
			ptrace(PTRACE_CONT, pid, 0, 0);
		return;
	}
	case PTRACE_EVENT_STOP:
		if (!t->started) { /* a new process or thread, from its first instruction */
			t->started = 1;
			if (!t->decided)
				t->waiting = 1;
			else
				first_stop(t);
		} else if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
			ptrace(PTRACE_LISTEN, pid, 0, 0); /* a group stop: keep it */
		} else {
			ptrace(PTRACE_CONT, pid, 0, 0);
		}
		return;
	default: /* a signal on its way to the process: deliver it */
		ptrace(PTRACE_CONT, pid, 0, sig);
	}
}

/* Let go of every task, running: interrupt each, and detach it at its
 * stop (a signal on its way goes with it). */
static void detach_all(void)
{
	int status, pid;

	for (int i = 0; i < ntasks; i++)
		if (!tasks[i].waiting)
			ptrace(PTRACE_INTERRUPT, tasks[i].pid, 0, 0);
	while (ntasks > 0) {
		for (int i = 0; i < ntasks;)
			if (tasks[i].waiting) { /* already stopped, undecided: let it run */
				ptrace(PTRACE_DETACH, tasks[i].pid, 0, 0);
				tasks[i] = tasks[--ntasks];
			} else {
				i++;
			}
		if (!ntasks || (pid = waitpid(-1, &status, __WALL)) < 0)
			break;
		if (!WIFSTOPPED(status)) {
			task_drop(pid);
			continue;
		}
		if (!task_of(pid, 0)) { /* a child born meanwhile */
			ptrace(PTRACE_DETACH, pid, 0, 0);
			continue;
		}
		ptrace(PTRACE_DETACH, pid, 0,
		       ((unsigned)status >> 16) == 0 && WSTOPSIG(status) != SIGTRAP
			       ? WSTOPSIG(status)
			       : 0);
		task_drop(pid);
	}
}

/* The rules, for the ptrace engine: fork and exec only.  0, or an exit. */
int tracer_rules(const struct cmd_entry *self, const char *text)
{
	hold_rules_parse(&rules, text, "--rule", NULL, NULL);
	for (unsigned i = 0; i < rules.n; i++)
		if (rules.rule[i].event != HOLD_EV_FORK && rules.rule[i].event != HOLD_EV_EXEC)
			return cli_usage(
				self,
				"'%s': hold follow parks at fork and exec; recv and accept "
				"rules need libhold in the program (hold run, or hold env "
				"for a service)",
				rules.rule[i].text);
	return 0;
}

/* Follow until the root exits (its wait status in *root_status, -1 if it
 * was not seen) or a signal says stop; then let go of everything. */
static void follow_loop(int *root_status)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};
	int status;

	*root_status = -1;
	sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: waitpid returns */
	sigaction(SIGTERM, &sa, NULL);
	while (ntasks > 0 && !stopping) {
		int p = waitpid(-1, &status, __WALL);

		if (p < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFSTOPPED(status)) {
			on_stop(p, status);
			continue;
		}
		task_drop(p); /* exited */
		if (p == root) {
			*root_status = status;
			break;
		}
	}
	detach_all();
	client_close(&cl);
}

int tracer_follow(int pid)
{
	int err, status;

	root = pid;
	if (kill(root, 0) != 0 && errno == ESRCH)
		return seize_refused(root, ESRCH);
	if (cli_holdd_up(0) != 0 || client_open(&cl) < 0)
		return client_no_daemon();
	if ((err = seize_all(root)))
		return err;
	fprintf(stderr, "hold follow: following pid %d and what it starts (Ctrl-C to stop)\n",
		root);
	follow_loop(&status);
	fprintf(stderr, "hold follow: %s; let go of every process it still traced\n",
		stopping ? "stopped" : "pid exited");
	return EXIT_DONE;
}

int tracer_run(const struct cmd_entry *self, const char *text, char **argv)
{
	int status, err;
	pid_t kid;

	if ((err = tracer_rules(self, text)))
		return err;
	if (client_open(&cl) < 0)
		return client_no_daemon();
	if ((kid = fork()) < 0)
		return cli_fail(EXIT_USAGE, "fork: %s", strerror(errno));
	if (kid == 0) { /* wait to be seized, then become the program */
		raise(SIGSTOP);
		execvp(argv[0], argv);
		fprintf(stderr, "hold run: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(kid, &status, WUNTRACED) != kid || !WIFSTOPPED(status) ||
	    ptrace(PTRACE_SEIZE, kid, 0, OPTS) != 0) {
		kill(kid, SIGKILL);
		return cli_fail(EXIT_USAGE, "cannot trace the program: %s", strerror(errno));
	}
	root = kid;
	seized(kid);
	kill(kid, SIGCONT);
	follow_loop(&status);
	if (status == -1 && waitpid(kid, &status, 0) != kid) /* let go early: wait for it */
		return 127;
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 127;
}
