/* SPDX-License-Identifier: MIT */
/* many_forks N: fork N children at once, each of which exits at once (or,
 * under a fork rule, parks first); wait for them all and say how many
 * exited 0.  For many parks at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0, ok = 0, st;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			perror("fork");
			n = i;
			break;
		}
	}
	for (int i = 0; i < n; i++)
		if (wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	printf("%d of %d children exited 0\n", ok, n);
	return ok == n ? 0 : 1;
}
