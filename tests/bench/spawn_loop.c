/* SPDX-License-Identifier: MIT */
/*
 * spawn_loop N PROGRAM: fork+execve PROGRAM N times, waiting for each.
 * spawn_loop -b N PROGRAM: a burst: fork+execve all N, then wait for them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static pid_t spawn(char **args)
{
	pid_t pid = fork();

	if (pid == 0) {
		execve(args[0], args, environ);
		_exit(127);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	int burst = argc > 1 && strcmp(argv[1], "-b") == 0;
	int n = argc > 2 + burst ? atoi(argv[1 + burst]) : 0;
	char *args[] = {argc > 2 + burst ? argv[2 + burst] : "/bin/true", NULL};

	if (n <= 0) {
		fprintf(stderr, "usage: spawn_loop [-b] N PROGRAM\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		pid_t pid = spawn(args);

		if (pid < 0 || (!burst && reap(pid) < 0)) {
			fprintf(stderr, "spawn_loop: child %d failed\n", i);
			return 1;
		}
	}
	for (int i = 0; burst && i < n; i++)
		if (reap(-1) < 0) {
			fprintf(stderr, "spawn_loop: a child failed\n");
			return 1;
		}
	return 0;
}
