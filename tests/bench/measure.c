/* SPDX-License-Identifier: MIT */
/*
 * measure CMD [ARG...]: run CMD and print "WALL_NS CPU_NS PID MINFLT": its
 * wall time, and the CPU time (user + system) of it and of every
 * descendant that was waited for -- the kernel's own sum, from wait4's
 * rusage, to the microsecond, where a shell's times are in 10 ms ticks --
 * and their page faults.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	long long t0;
	pid_t pid;
	int st;

	if (argc < 2) {
		fprintf(stderr, "usage: measure CMD [ARG...]\n");
		return 2;
	}
	t0 = ns();
	pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) != pid) {
		perror("measure");
		return 2;
	}
	printf("%lld %lld %d %ld\n", ns() - t0, tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime), (int)pid,
	       ru.ru_minflt);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
