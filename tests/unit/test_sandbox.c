/* SPDX-License-Identifier: MIT */
/* holdd's seccomp policy (holdd/sandbox.c), tried for real: a forked child
 * confines itself with it and makes one call; what the table allows
 * returns, anything else -- a call it lacks, or an argument it does not
 * allow -- kills the child with SIGSYS. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "holdd.h"

enum call { SOCK_UNIX, SOCK_INET, CONT, KILL, GETFL, DUPFD, PTRACE, EXECVE };

static void make(enum call c, int pidfd)
{
	switch (c) {
	case SOCK_UNIX:
		syscall(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		break;
	case SOCK_INET:
		syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
		break;
	case CONT:
		syscall(SYS_pidfd_send_signal, pidfd, SIGCONT, NULL, 0);
		break;
	case KILL:
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		break;
	case GETFL:
		syscall(SYS_fcntl, 0, F_GETFL);
		break;
	case DUPFD:
		syscall(SYS_fcntl, 0, F_DUPFD, 100);
		break;
	case PTRACE:
		syscall(SYS_ptrace, 0, 0, 0, 0);
		break;
	case EXECVE:
		syscall(SYS_execve, "/bin/true", NULL, NULL);
		break;
	}
}

/* How the confined child ended: its exit status, or 128 + signal. */
static int confined(enum call c)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getppid(), 0), st;
	pid_t pid = fork();
	char err[256];

	if (pid == 0) {
		if (sandbox_confine(err, sizeof(err)) < 0)
			syscall(SYS_exit_group, 99);
		make(c, pidfd);
		syscall(SYS_exit_group, 0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(pidfd);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

static void test_allowed_calls_return(void **st)
{
	assert_int_equal(confined(SOCK_UNIX), 0);
	assert_int_equal(confined(CONT), 0); /* a SIGCONT to this test: harmless */
	assert_int_equal(confined(GETFL), 0);
}

static void test_other_arguments_kill(void **st)
{
	assert_int_equal(confined(SOCK_INET), 128 + SIGSYS);
	assert_int_equal(confined(KILL), 128 + SIGSYS); /* never reaches this test */
	assert_int_equal(confined(DUPFD), 128 + SIGSYS);
}

static void test_other_calls_kill(void **st)
{
	assert_int_equal(confined(PTRACE), 128 + SIGSYS);
	assert_int_equal(confined(EXECVE), 128 + SIGSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed_calls_return),
		cmocka_unit_test(test_other_arguments_kill),
		cmocka_unit_test(test_other_calls_kill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
