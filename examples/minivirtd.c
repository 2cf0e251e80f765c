/*
 * minivirtd SOCKET QEMU - a libvirtd-shaped daemon, for the demo.
 *
 * The path a `virsh start` takes in libvirt, in miniature: a worker thread
 * accepts the client on a unix socket and receives the command; it hands
 * it to the main thread over a pipe; the main thread forks; the child waits
 * for a handshake from the parent, scrubs its environment and execs the
 * qemu-like program.  Serves one request, then exits.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmd_pipe[2], reply_pipe[2], listen_fd;

static void *rpc_worker(void *arg)
{
	char req[128] = "", reply[160] = "";
	int c = accept(listen_fd, NULL, NULL);
	ssize_t n = c < 0 ? -1 : recv(c, req, sizeof(req) - 1, 0);

	(void)arg;
	if (n <= 0) {
		perror("minivirtd: accept/recv");
		exit(1);
	}
	req[strcspn(req, "\n")] = '\0';
	dprintf(cmd_pipe[1], "%s\n", req);                 /* hand to main */
	n = read(reply_pipe[0], reply, sizeof(reply) - 1); /* wait for it */
	send(c, reply, n > 0 ? (size_t)n : 0, 0);
	close(c);
	return NULL;
}

static int start_guest(const char *qemu, const char *name)
{
	char *argv[] = {"mini-qemu", "-name", (char *)name, NULL};
	char *envp[] = {"PATH=/usr/bin:/bin", "HOME=/", NULL}; /* scrubbed */
	int hs[2], st;
	pid_t pid;
	char c;

	if (pipe(hs) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		close(hs[1]);
		if (read(hs[0], &c, 1) != 1) /* the handshake, as virCommand does */
			_exit(126);
		execve(qemu, argv, envp);
		_exit(127);
	}
	close(hs[0]);
	if (write(hs[1], "go", 1) != 1)
		return -1;
	close(hs[1]);
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char line[128], name[64];
	pthread_t worker;
	FILE *cmds;

	if (argc != 3) {
		fprintf(stderr, "usage: minivirtd SOCKET QEMU\n");
		return 2;
	}
	strncpy(sa.sun_path, argv[1], sizeof(sa.sun_path) - 1);
	unlink(argv[1]);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(listen_fd, 4) < 0 || pipe(cmd_pipe) < 0 || pipe(reply_pipe) < 0) {
		perror("minivirtd");
		return 1;
	}
	pthread_create(&worker, NULL, rpc_worker, NULL);
	cmds = fdopen(cmd_pipe[0], "r");
	if (!fgets(line, sizeof(line), cmds) || sscanf(line, "start %63s", name) != 1) {
		fprintf(stderr, "minivirtd: bad command\n");
		return 1;
	}
	dprintf(reply_pipe[1], "domain %s: qemu exited %d\n", name, start_guest(argv[2], name));
	pthread_join(worker, NULL);
	unlink(argv[1]);
	return 0;
}
