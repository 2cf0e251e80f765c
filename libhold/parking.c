/* SPDX-License-Identifier: MIT */
/*
 * parking.c - hold a thread (spin) or the whole process (stop) until released.
 *
 * Runs in fork children, vfork children and ordinary threads alike, so it
 * keeps the async-signal-safe rules of sigsafe.h: raw system calls, its own
 * stack, no locks.  The flag is a local of hold_park() so that each parked
 * thread has its own: in gdb, `frame function hold_park` then
 * `set var hold = 0` releases exactly that thread (the seed's trick).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "hold.h"
#include "libhold.h"
#include "sigsafe.h"

/* How often a spinning park looks at its flag: every millisecond at first,
 * so a scripted attach is released at once, then less and less often, so
 * a park that waits for a person costs nothing (a thousand parks, a few
 * thousand wake-ups a second in all).  holdd's RELEASE wakes it at once
 * whatever the interval; gdb's `set var hold = 0` within LOOK_MAX_NS. */
#define LOOK_NS     1000000u
#define LOOK_MAX_NS 100000000u

/* Yama ptrace_scope=1 lets a process be traced only by its ancestors; the
 * user's gdb is not one.  Yama has no "get", so on release we go back to
 * the default (no exception).  Without Yama the call fails harmlessly. */
static void yama_allow(int on)
{
	safe_sys6(SYS_prctl, PR_SET_PTRACER, on ? (long)PR_SET_PTRACER_ANY : 0, 0, 0, 0, 0);
}

/* A stopped process cannot time itself out, so a watchdog child does: it
 * sleeps out the timeout and exits, and its exit signal is SIGCONT, so its
 * death is the wake-up.  Exit signal != SIGCHLD makes it a "clone" child:
 * the program's own wait()/waitpid(-1) never see it, nor does a SIGCHLD. */
static long watchdog_start(uint64_t timeout_ns)
{
	uint64_t deadline = safe_now_ns(CLOCK_MONOTONIC) + timeout_ns;
	long pid = safe_sys6(SYS_clone, SIGCONT, 0, 0, 0, 0, 0);

	if (pid != 0)
		return pid;
	safe_sys6(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0, 0);
	for (uint64_t now; (now = safe_now_ns(CLOCK_MONOTONIC)) < deadline;)
		safe_sleep_ns(deadline - now);
	safe_sys(SYS_exit, 0, 0, 0);
	__builtin_unreachable();
}

static void watchdog_stop(long wd)
{
	int st;

	safe_sys(SYS_kill, wd, SIGKILL, 0);
	safe_sys6(SYS_wait4, wd, (long)&st, __WALL, 0, 0, 0);
}

/* wd: the timeout's watchdog, or 0 for none. */
static enum hold_by stop_until_continued(int pid, long wd)
{
	int st;

	safe_sys(SYS_kill, pid, SIGSTOP, 0);
	if (wd <= 0)
		return HOLD_BY_SIGCONT;
	/* The kernel marks the watchdog a zombie before its SIGCONT can wake
	 * us, so WNOHANG tells the two wake-ups apart without a race. */
	if (safe_sys6(SYS_wait4, wd, (long)&st, WNOHANG | __WALL, 0, 0, 0) == wd)
		return HOLD_BY_TIMEOUT;
	watchdog_stop(wd);
	return HOLD_BY_SIGCONT;
}

static void copy(char *dst, size_t cap, const char *s)
{
	struct buf b;

	buf_init(&b, dst, cap);
	buf_str(&b, s ? s : "");
	buf_cstr(&b);
}

/* Which pid namespace our pids belong to (a container's, or the host's):
 * holdd shows this park by them to a hold run in the same container. */
static uint64_t pidns_self(void)
{
	struct statx sx;

	if (safe_sys6(SYS_statx, AT_FDCWD, (long)"/proc/self/ns/pid", 0, STATX_INO, (long)&sx, 0) <
	    0)
		return 0;
	return sx.stx_ino;
}

/* Everything the park reports, read once, here on the parked thread. */
static void gather(struct park *p, const struct hold_park_info *pi)
{
	char st[1024];
	long n;

	park_init(p);
	p->pid = safe_getpid();
	p->tid = safe_gettid();
	p->ppid = (int)safe_sys(SYS_getppid, 0, 0, 0);
	n = safe_read_file("/proc/self/stat", st, sizeof(st));
	p->start = n > 0 ? hold_stat_field(st, (size_t)n, HOLD_STAT_STARTTIME) : 0;
	p->pidns = pidns_self();
	p->uid = (uint32_t)safe_sys(SYS_geteuid, 0, 0, 0);
	p->since_ns = safe_now_ns(CLOCK_REALTIME);
	p->timeout_ns = pi->timeout_ns;
	p->mode = pi->mode;
	copy(p->event, sizeof(p->event), pi->event);
	copy(p->rule, sizeof(p->rule), pi->rule);
	safe_comm(p->comm);
	if (pi->next_exe) { /* preexec: listed by what it is about to become */
		copy(p->exe, sizeof(p->exe), pi->next_exe);
		for (size_t i = 0; pi->next_argv && pi->next_argv[i]; i++) {
			size_t len = safe_strlen(pi->next_argv[i]) + 1;

			if (p->argvlen + len > sizeof(p->argv))
				break;
			for (size_t k = 0; k < len; k++)
				p->argv[p->argvlen + k] = pi->next_argv[i][k];
			p->argvlen += len;
		}
		return;
	}
	n = safe_sys6(SYS_readlinkat, AT_FDCWD, (long)"/proc/self/exe", (long)p->exe,
		      sizeof(p->exe) - 1, 0, 0);
	p->exe[n > 0 ? n : 0] = '\0';
	/* NUL-separated; setproctitle() pads with NULs: drop them */
	n = safe_read_file("/proc/self/cmdline", p->argv, sizeof(p->argv) - 1);
	while (n > 0 && p->argv[n - 1] == '\0')
		n--;
	if (n > 0) {
		p->argv[n] = '\0';
		p->argvlen = (size_t)n + 1;
	}
	if (pi->ho) {
		p->ho = *pi->ho;
	}
}

/* The flag stays a local of this frame, and the loop stays here too: an
 * inlined helper would be a frame of its own in gdb, where `hold` is not
 * in scope.  Between looks the thread waits on holdd's connection, so
 * `hold release` wakes it at once. */
__attribute__((noinline)) void hold_park(const struct hold_park_info *pi)
{
	volatile int hold = 1; /* gdb: set var hold = 0 */
	struct parking p;
	uint64_t deadline = 0, look = LOOK_NS;
	enum hold_by by = HOLD_BY_GDB;
	long wd = 0;

	if (pi->timeout_ns)
		deadline = safe_now_ns(CLOCK_MONOTONIC) + pi->timeout_ns;
	gather(&p.park, pi);
	/* A stopped process cannot time itself out: without its watchdog
	 * (no process left under RLIMIT_NPROC) it would stay stopped for
	 * ever, so it spins instead, and its timeout holds. */
	if (p.park.mode == HOLD_MODE_STOP && pi->timeout_ns &&
	    (wd = watchdog_start(pi->timeout_ns)) <= 0) {
		p.park.mode = HOLD_MODE_SPIN;
		wd = 0;
		hold_say("cannot start the watchdog that ends a stopped park's timeout", NULL,
			 " (too many processes?): parking spinning instead of stopped");
	}
	yama_allow(1);
	p.recorded = hold_report_record(&p.park) == 0;
	if (!p.recorded) /* holdd writes it, if it can */
		p.park.flags |= HOLD_FL_UNRECORDED;
	/* A park nobody can list is a hang: with no record and no holdd, run on. */
	if (hold_client_announce(&p) < 0 && !p.recorded) {
		yama_allow(0);
		if (wd)
			watchdog_stop(wd);
		hold_report_unseen(&p.park);
		return;
	}
	hold_report_line(&p.park);
	if (p.park.mode == HOLD_MODE_STOP) {
		by = stop_until_continued(p.park.pid, wd);
	} else {
		while (hold) {
			uint64_t now = safe_now_ns(CLOCK_MONOTONIC);

			if (deadline && now >= deadline) {
				by = HOLD_BY_TIMEOUT;
				break;
			}
			if (hold_client_wait(&p, deadline && deadline - now < look ? deadline - now
										   : look)) {
				by = HOLD_BY_DAEMON;
				break;
			}
			look = look * 2 < LOOK_MAX_NS ? look * 2 : LOOK_MAX_NS;
		}
	}
	yama_allow(0);
	hold_client_released(&p, by);
	hold_report_released(&p.park, p.recorded, by);
}

/* Park as rule idx says; ho: the hand-off, for recv/accept rules. */
static void park_by_rule(int idx, const char *event, const struct hold_handoff *ho)
{
	const struct hold_rule *r = &hold_g.rules.rule[idx];
	struct hold_park_info pi = {
		.event = event,
		.rule = r->text,
		.mode = r->mode,
		.timeout_ns = r->timeout_ns,
		.ho = ho,
	};

	hold_park(&pi);
}

void hold_park_rule(int idx, const char *event)
{
	park_by_rule(idx, event, NULL);
}

void hold_park_preexec(int idx, const char *path, char *const argv[])
{
	const struct hold_rule *r = &hold_g.rules.rule[idx];
	struct hold_park_info pi = {
		.event = "preexec",
		.rule = r->text,
		.mode = r->mode,
		.timeout_ns = r->timeout_ns,
		.next_exe = path,
		.next_argv = argv,
	};

	hold_park(&pi);
}

void hold_park_handoff(int idx, const struct hold_handoff *ho)
{
	park_by_rule(idx, hold_event_name(hold_g.rules.rule[idx].event), ho);
}

void hold_here(const char *why)
{
	struct hold_park_info pi = {.event = "here", .rule = why ? why : "hold_here"};

	hold_park(&pi);
}
