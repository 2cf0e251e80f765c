/* SPDX-License-Identifier: MIT */
/* recv_loop read|recv N: N one-byte reads from /dev/zero, or N one-byte
 * recv() calls on a socket pair (each after a one-byte send), for
 * tests/bench/recv.sh to count instructions per call under callgrind. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;
	int fd = open("/dev/zero", O_RDONLY), sv[2];
	char c;

	if (argc < 3 || fd < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 2;
	if (strcmp(argv[1], "read") == 0) {
		for (long i = 0; i < n; i++)
			if (read(fd, &c, 1) != 1)
				return 1;
	} else {
		for (long i = 0; i < n; i++)
			if (send(sv[1], "x", 1, 0) != 1 || recv(sv[0], &c, 1, 0) != 1)
				return 1;
	}
	return 0;
}
