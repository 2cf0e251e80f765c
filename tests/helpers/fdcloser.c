/* SPDX-License-Identifier: MIT */
/*
 * fdcloser TARGET: a parent makes pipes A, B, C and forks; the child closes
 * every fd from 2 to 1023, puts A's and B's write ends on fds 3 and 4 and
 * C's on fd 2, then forks a grandchild that execs TARGET.  Afterwards the
 * parent prints what arrived on each pipe.  Under hold, nothing may arrive
 * on A or B, and on C only what the exec'd image (whose stderr C is) says.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void drain(const char *name, int fd)
{
	char buf[4096];
	ssize_t n, total = 0;

	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		total += n;
		for (char *l = strtok(buf, "\n"); l && (l - buf) < n; l = strtok(NULL, "\n"))
			printf("%s: %s\n", name, l);
		memset(buf, 0, sizeof(buf));
	}
	printf("%s: %zd bytes\n", name, total);
}

int main(int argc, char **argv)
{
	int a[2], b[2], c[2], st;
	pid_t pid;

	if (argc < 2 || pipe(a) || pipe(b) || pipe(c))
		return 2;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		int wa = dup(a[1]), wb = dup(b[1]), wc = dup(c[1]);

		/* keep copies far up while everything low is closed */
		wa = dup2(wa, 1100), wb = dup2(wb, 1101), wc = dup2(wc, 1102);
		for (int fd = 2; fd < 1024; fd++)
			close(fd);
		dup2(wa, 3), dup2(wb, 4), dup2(wc, 2);
		close(wa), close(wb), close(wc);
		if ((pid = fork()) == 0) {
			execl(argv[1], argv[1], (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
	}
	close(a[1]), close(b[1]), close(c[1]);
	waitpid(pid, &st, 0);
	drain("A", a[0]);
	drain("B", b[0]);
	drain("C", c[0]);
	printf("child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 1);
	return 0;
}
