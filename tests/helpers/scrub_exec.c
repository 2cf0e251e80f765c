/* SPDX-License-Identifier: MIT */
/* execve PATH with an environment of just PATH=/bin, as libvirt does. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *envp[] = {"PATH=/bin", NULL};

	if (argc < 2) {
		fprintf(stderr, "usage: scrub_exec PATH [ARG]...\n");
		return 2;
	}
	execve(argv[1], argv + 1, envp);
	perror("execve");
	return 127;
}
