/*
 * sandbox.c - after start-up holdd keeps only what its loop needs.
 *
 * Capabilities: none, except CAP_KILL when it has it (a system holdd run
 * as root continues other users' stopped processes).  System calls: the
 * allow-list below, the whole policy in one table; anything else kills
 * holdd (fail closed).  If either step fails, holdd does not start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "holdd.h"

static const int allowed[] = {
	/* the event loop */
	SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait),
	SCMP_SYS(epoll_ctl),
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(close),
	/* clients and reports */
	SCMP_SYS(accept4),
	SCMP_SYS(recvfrom),
	SCMP_SYS(recvmsg),
	SCMP_SYS(recvmmsg),
	SCMP_SYS(sendto),
	SCMP_SYS(sendmsg),
	SCMP_SYS(getsockopt),
	/* syslog reconnects to /dev/log */
	SCMP_SYS(socket),
	SCMP_SYS(connect),
	/* exit watches and releasing stopped processes */
	SCMP_SYS(pidfd_open),
	SCMP_SYS(pidfd_send_signal),
	/* the journal and its rewrite; the spool (access, stat) */
	SCMP_SYS(openat),
	SCMP_SYS(pwrite64),
	SCMP_SYS(pread64),
	SCMP_SYS(ftruncate),
	SCMP_SYS(rename),
	SCMP_SYS(renameat),
	SCMP_SYS(renameat2),
	SCMP_SYS(unlink),
	SCMP_SYS(fstat),
	SCMP_SYS(newfstatat),
	SCMP_SYS(statx),
	SCMP_SYS(access),
	SCMP_SYS(faccessat),
	SCMP_SYS(faccessat2),
	SCMP_SYS(lseek),
	SCMP_SYS(fcntl),
	/* memory and time */
	SCMP_SYS(brk),
	SCMP_SYS(mmap),
	SCMP_SYS(munmap),
	SCMP_SYS(mremap),
	SCMP_SYS(madvise),
	SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday),
	SCMP_SYS(time),
	SCMP_SYS(futex),
	SCMP_SYS(getpid),
	SCMP_SYS(gettid),
	/* signals and leaving */
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
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

static int confine(char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = ctx ? 0 : -ENOMEM;

	for (size_t i = 0; rc == 0 && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i] >= 0) /* a call this architecture lacks is negative */
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
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
	return confine(err, errlen);
}
