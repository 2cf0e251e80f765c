/* minivirsh SOCKET start NAME - the client: send one command, print the reply. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[256];
	ssize_t n;
	int fd;

	if (argc != 4 || strcmp(argv[2], "start") != 0) {
		fprintf(stderr, "usage: minivirsh SOCKET start NAME\n");
		return 2;
	}
	strncpy(sa.sun_path, argv[1], sizeof(sa.sun_path) - 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("minivirsh: connect");
		return 1;
	}
	dprintf(fd, "start %s\n", argv[3]);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	fputs(buf, stdout);
	return 0;
}
