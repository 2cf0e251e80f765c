/* SPDX-License-Identifier: MIT */
/*
 * minivirtd SOCKET QEMU - a libvirtd-shaped daemon, for the demo.
 *
 * The path a `virsh start` takes in libvirt, in miniature: a pool of
 * rpc-worker threads accepts clients on a unix socket and receives their
 * commands; `ping` is answered by the worker itself, `start NAME` is handed
 * to the main thread over a pipe; the main thread forks; the child waits
 * for a handshake from the parent, scrubs its environment and execs the
 * qemu-like program.  `quit` ends it.  Reads go through read()/recv(), not
 * stdio, as in libvirt (stdio reads happen inside libc, where libhold
 * does not see them).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 4

static int cmd_pipe[2], listen_fd;
static unsigned served;

/* One request on connection c; a "start" waits for the main thread. */
static void serve(int c, const char *name)
{
	char req[128], reply[192] = "", vm[64];
	ssize_t n = recv(c, req, sizeof(req) - 1, 0);
	int rp[2];

	if (n <= 0)
		return;
	req[n] = '\0';
	req[strcspn(req, "\n")] = '\0';
	if (strcmp(req, "ping") == 0) {
		snprintf(reply, sizeof(reply), "pong from %s (request %u)\n", name,
			 __atomic_add_fetch(&served, 1, __ATOMIC_RELAXED));
	} else if (sscanf(req, "start %63s", vm) == 1 && pipe2(rp, O_CLOEXEC) == 0) {
		dprintf(cmd_pipe[1], "start %s %d\n", vm, rp[1]); /* hand to main */
		n = read(rp[0], reply, sizeof(reply) - 1);        /* its answer */
		reply[n > 0 ? n : 0] = '\0';
		close(rp[0]);
	} else if (strcmp(req, "quit") == 0) {
		/* answer first: the main thread's quit ends the process */
		send(c, "bye\n", 4, MSG_NOSIGNAL);
		dprintf(cmd_pipe[1], "quit\n");
		return;
	} else {
		snprintf(reply, sizeof(reply), "unknown command '%s'\n", req);
	}
	send(c, reply, strlen(reply), MSG_NOSIGNAL);
}

static void *rpc_worker(void *arg)
{
	char name[16];

	snprintf(name, sizeof(name), "rpc-worker-%d", (int)(long)arg);
	pthread_setname_np(pthread_self(), name);
	for (;;) {
		int c = accept(listen_fd, NULL, NULL);

		if (c < 0)
			continue;
		serve(c, name);
		close(c);
	}
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
	char line[128], vm[64];
	pthread_t worker;
	ssize_t n;
	int reply_fd;

	if (argc != 3) {
		fprintf(stderr, "usage: minivirtd SOCKET QEMU\n");
		return 2;
	}
	strncpy(sa.sun_path, argv[1], sizeof(sa.sun_path) - 1);
	unlink(argv[1]);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(listen_fd, 16) < 0 || pipe2(cmd_pipe, O_CLOEXEC) < 0) {
		perror("minivirtd");
		return 1;
	}
	for (long i = 1; i <= WORKERS; i++)
		pthread_create(&worker, NULL, rpc_worker, (void *)i);
	/* The main thread: one command per read (each is one short write). */
	while ((n = read(cmd_pipe[0], line, sizeof(line) - 1)) > 0) {
		line[n] = '\0';
		if (strncmp(line, "quit", 4) == 0)
			break;
		if (sscanf(line, "start %63s %d", vm, &reply_fd) != 2)
			continue;
		dprintf(reply_fd, "domain %s: qemu exited %d\n", vm, start_guest(argv[2], vm));
		close(reply_fd);
	}
	unlink(argv[1]);
	return 0;
}
