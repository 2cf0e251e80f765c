/* spawn_loop N PROGRAM: fork+execve PROGRAM N times, waiting for each. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : 0;
	char *args[] = {argc > 2 ? argv[2] : "/bin/true", NULL};

	if (n <= 0) {
		fprintf(stderr, "usage: spawn_loop N PROGRAM\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			execve(args[0], args, environ);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "spawn_loop: child %d failed\n", i);
			return 1;
		}
	}
	return 0;
}
