/* SPDX-License-Identifier: MIT */
/*
 * spawner HOW [--scrub] TARGET [ARG]: start TARGET through one of libc's
 * paths and report its exit status.  HOW: fork (the child prints and exits
 * without exec), forkexec, vfork, posix_spawn, posix_spawnp, system, popen,
 * execl, execlp, execle, execv, execvp, fexecve.
 * --scrub first empties this process's environment (but PATH).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int report(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) < 0) {
		perror("waitpid");
		return 1;
	}
	printf("child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}

static void exec_as(const char *how, char *t)
{
	char *argv[] = {t, NULL};
	char *envp[] = {"PATH=/bin:/usr/bin", NULL};

	if (!strcmp(how, "execl"))
		execl(t, t, (char *)NULL);
	else if (!strcmp(how, "execlp"))
		execlp(t, t, (char *)NULL);
	else if (!strcmp(how, "execle"))
		execle(t, t, (char *)NULL, envp);
	else if (!strcmp(how, "execv"))
		execv(t, argv);
	else if (!strcmp(how, "execvp"))
		execvp(t, argv);
	else if (!strcmp(how, "fexecve")) {
		int fd = open(t, O_RDONLY | O_CLOEXEC);

		fexecve(fd, argv, envp);
	} else
		execve(t, argv, environ);
	perror(how);
	_exit(127);
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";
	int i = 2;
	pid_t pid;

	if (argc > i && !strcmp(argv[i], "--scrub")) {
		clearenv();
		setenv("PATH", "/bin:/usr/bin", 1);
		i++;
	}
	if (argc <= i) {
		fprintf(stderr, "usage: spawner HOW [--scrub] TARGET\n");
		return 2;
	}
	char *t = argv[i], *targv[] = {t, NULL};

	if (!strcmp(how, "fork")) {
		if ((pid = fork()) == 0) {
			printf("fork child %d ran\n", (int)getpid());
			fflush(stdout);
			_exit(0);
		}
		return report(pid);
	}
	if (!strcmp(how, "vfork")) {
		if ((pid = vfork()) == 0) {
			execve(t, targv, environ);
			_exit(127);
		}
		return report(pid);
	}
	if (!strcmp(how, "posix_spawn") || !strcmp(how, "posix_spawnp")) {
		int e = how[11] ? posix_spawnp(&pid, t, NULL, NULL, targv, environ)
				: posix_spawn(&pid, t, NULL, NULL, targv, environ);
		if (e) {
			fprintf(stderr, "%s: %s\n", how, strerror(e));
			return 1;
		}
		return report(pid);
	}
	if (!strcmp(how, "system")) {
		int st = system(t);

		printf("child exited %d\n", WEXITSTATUS(st));
		return 0;
	}
	if (!strcmp(how, "popen")) {
		char line[256];
		FILE *f = popen(t, "r");

		while (f && fgets(line, sizeof(line), f))
			fputs(line, stdout);
		printf("child exited %d\n", f ? WEXITSTATUS(pclose(f)) : 127);
		return 0;
	}
	if ((pid = fork()) == 0)
		exec_as(how, t);
	return report(pid);
}
