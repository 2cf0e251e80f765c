/* SPDX-License-Identifier: MIT */
/*
 * sandbox.c - after start-up holdd keeps only what its loop needs.
 *
 * Capabilities: none, except CAP_KILL when it has it (a system holdd run
 * as root continues other users' stopped processes).  System calls: the
 * allow-list below, the whole policy in one table, some calls only with a
 * given argument (as OpenSSH's SC_ALLOW_ARG); anything else kills holdd
 * (fail closed).  If either step fails, holdd does not start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "holdd.h"

/* One allowed call: any arguments, or argument `arg` equal to `value`
 * (several entries for one call: any of them). */
struct allow {
	int nr;
	int arg; /* -1: any arguments */
	uint32_t value;
};
#define ALLOW(name)                   \
	{                             \
		SCMP_SYS(name), -1, 0 \
	}
#define ALLOW_ARG(name, n, v)        \
	{                            \
		SCMP_SYS(name), n, v \
	}

static const struct allow allowed[] = {
	/* the event loop */
	ALLOW(epoll_wait),
	ALLOW(epoll_pwait),
	ALLOW(epoll_ctl),
	ALLOW(poll), /* is a client's process alive (its pidfd) */
	ALLOW(ppoll),
	ALLOW(read),
	ALLOW(write),
	ALLOW(close),
	/* clients and reports */
	ALLOW(accept4),
	ALLOW(recvfrom),
	ALLOW(recvmsg),
	ALLOW(recvmmsg),
	ALLOW(sendto),
	ALLOW(sendmsg),
	ALLOW(getsockopt),
	/* syslog reconnects to /dev/log: unix sockets only */
	ALLOW_ARG(socket, 0, AF_UNIX),
	ALLOW(connect),
	/* exit watches; releasing a stopped process is the only signal sent */
	ALLOW(pidfd_open),
	ALLOW_ARG(pidfd_send_signal, 1, SIGCONT),
	/* the journal and its rewrite; park records (access, stat); a
	 * container's thread found by its own tid in /proc/PID/task (common/host/proc.c) */
	ALLOW(openat),
	ALLOW(getdents64),
	/* a kernel park's executable, /proc/PID/exe (holdd/watch.c) */
	ALLOW(readlink),
	ALLOW(readlinkat),
	ALLOW(pwrite64),
	ALLOW(pread64),
	ALLOW(ftruncate),
	ALLOW(rename),
	ALLOW(renameat),
	ALLOW(renameat2),
	ALLOW(unlink),
	ALLOW(fstat),
	ALLOW(newfstatat),
	ALLOW(statx),
	ALLOW(access),
	ALLOW(faccessat),
	ALLOW(faccessat2),
	ALLOW(lseek),
	ALLOW_ARG(fcntl, 1, F_GETFD),
	ALLOW_ARG(fcntl, 1, F_SETFD),
	ALLOW_ARG(fcntl, 1, F_GETFL),
	ALLOW_ARG(fcntl, 1, F_SETFL),
	/* memory and time */
	ALLOW(brk),
	ALLOW(mmap),
	ALLOW(munmap),
	ALLOW(mremap),
	ALLOW(madvise),
	ALLOW(timerfd_settime), /* the report ring's coalescing timer */
	ALLOW(clock_gettime),
	ALLOW(gettimeofday),
	ALLOW(time),
	ALLOW(futex),
	ALLOW(getpid),
	ALLOW(gettid),
	/* signals and leaving */
	ALLOW(rt_sigreturn),
	ALLOW(rt_sigprocmask),
	ALLOW(exit),
	ALLOW(exit_group),
};

static int drop_caps(char *err, size_t errlen)
{
	cap_t caps = cap_get_proc();
	cap_value_t kill = CAP_KILL;
	cap_flag_value_t had = CAP_CLEAR;
	int rc;

	if (!caps) {
		snprintf(err, errlen, "cap_get_proc: %s", strerror(errno));
		return -1;
	}
	cap_get_flag(caps, CAP_KILL, CAP_PERMITTED, &had);
	cap_clear(caps);
	if (had == CAP_SET) {
		cap_set_flag(caps, CAP_PERMITTED, 1, &kill, CAP_SET);
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &kill, CAP_SET);
	}
	rc = cap_set_proc(caps);
	cap_free(caps);
	if (rc < 0) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int sandbox_confine(char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = ctx ? 0 : -ENOMEM;

	for (size_t i = 0; rc == 0 && i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		const struct allow *a = &allowed[i];

		if (a->nr < 0) /* a call this architecture lacks */
			continue;
		if (a->arg < 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, a->nr, 0);
		else /* the low 32 bits: these arguments are ints */
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, a->nr, 1,
					      SCMP_CMP((unsigned)a->arg, SCMP_CMP_MASKED_EQ,
						       0xffffffffu, a->value));
	}
	if (rc == 0)
		rc = seccomp_load(ctx);
	if (ctx)
		seccomp_release(ctx);
	if (rc < 0) {
		snprintf(err, errlen, "cannot install the seccomp filter: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

int sandbox_enter(char *err, size_t errlen)
{
	if (drop_caps(err, errlen) < 0)
		return -1;
	return sandbox_confine(err, errlen);
}
