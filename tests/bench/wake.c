/* SPDX-License-Identifier: MIT */
/*
 * hold-wake: the latency benchmark's target; says "running" on fd 3.
 *
 * hold-wake RELAY: the floor's target: first "parks" the way a minimal C
 * program would -- connects to the relay, says its pid, waits for a byte --
 * then says "running".
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int park_at(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char msg[5] = {'P'}, c;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int pid = getpid();

	strncpy(a.sun_path, path, sizeof(a.sun_path) - 1);
	memcpy(msg + 1, &pid, 4);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || write(fd, msg, 5) != 5 ||
	    read(fd, &c, 1) != 1)
		return -1;
	return close(fd);
}

int main(int argc, char **argv)
{
	if (argc > 1 && park_at(argv[1]) < 0)
		return 1;
	return write(3, "r", 1) == 1 ? 0 : 1;
}
