/* SPDX-License-Identifier: MIT */
/* minivirsh SOCKET COMMAND... - the client: send one command, print the reply.
 * Commands: ping, start NAME, quit. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[256], cmd[200] = "";
	ssize_t n;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: minivirsh SOCKET ping | start NAME | quit\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s", i > 2 ? " " : "",
			 argv[i]);
	strncpy(sa.sun_path, argv[1], sizeof(sa.sun_path) - 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("minivirsh: connect");
		return 1;
	}
	dprintf(fd, "%s\n", cmd);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0) {
		fprintf(stderr, "minivirsh: no answer from %s\n", argv[1]);
		return 1;
	}
	buf[n] = '\0';
	fputs(buf, stdout);
	return 0;
}
