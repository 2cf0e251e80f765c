/* SPDX-License-Identifier: MIT */
/*
 * attach-pdb.c - hold attach --pdb: pdb in a parked CPython thread, on this
 * terminal.  hold listens on a unix socket in a directory of its own (0700,
 * the target's user's), runs gdb to start pdb in the target (hold-gdb.py:
 * hold-pdb) connected to it, and relays: this stdin to pdb, pdb to this
 * stdout, until pdb lets go (`c` with no breakpoints, `q`) or the program
 * ends.  Commands may be piped in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach-pdb.h"
#include "cli.h"
#include "paths.h"

/* stdin to the socket, the socket to stdout, until the socket closes. */
static void relay(int s)
{
	struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = s, .events = POLLIN}};
	char buf[4096];

	for (;;) {
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if ((n = read(s, buf, sizeof(buf))) <= 0)
				return; /* pdb let go, or the program ended */
			if (write(1, buf, (size_t)n) < 0)
				return;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			if ((n = read(0, buf, sizeof(buf))) <= 0) {
				/* no more commands: pdb reads those it has, then
				 * EOF, which lets the program run on (as q) */
				p[0].fd = -1;
				shutdown(s, SHUT_WR);
				continue;
			}
			if (write(s, buf, (size_t)n) < 0)
				return;
		}
	}
}

static volatile sig_atomic_t stop_waiting;

static void interrupted(int sig)
{
	(void)sig;
	stop_waiting = 1;
}

/* Take one connection from l: pdb's, the target's (its fd), or another
 * process's, refused and said (-2): another process of the target's user
 * could connect first, take the session and feed the worker its input. */
static int take(int l, int pid)
{
	struct ucred cr = {0};
	socklen_t len = sizeof(cr);
	int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0 || (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.pid == pid))
		return c;
	fprintf(stderr,
		"hold attach: refused a connection to pdb's channel from pid %d (uid %u): it is "
		"not pid %d\n",
		(int)cr.pid, (unsigned)cr.uid, pid);
	close(c);
	return -2;
}

/* gdb starts pdb in the target; meanwhile connections are taken as they
 * come, so that others' cannot fill the backlog the target's must reach.
 * gdb's wait status; *c is the target's connection if it came. */
static int run_gdb(pid_t kid, int l, int pid, int *c)
{
	struct pollfd p = {.fd = l, .events = POLLIN};
	int st = 0;

	*c = -1;
	for (;;) {
		pid_t w = waitpid(kid, &st, WNOHANG);

		if (w == kid || (w < 0 && errno != EINTR))
			return w == kid ? st : -1;
		if (poll(&p, 1, 50) == 1 && *c < 0) {
			int t = take(l, pid);

			*c = t >= 0 ? t : -1;
		}
	}
}

/* pdb's connection.  A thread C code runs connects only when it first calls
 * a Python function, which may be long after the release: wait, say so once,
 * and stop when the program ends. */
static int await_pdb(int l, int pid)
{
	struct pollfd p = {.fd = l, .events = POLLIN};

	for (int waited = 0;; waited++) {
		int r = poll(&p, 1, 1000), c;

		if (r == 1 && (c = take(l, pid)) != -2)
			return c;
		if (r == 1)
			continue;
		if (stop_waiting) {
			cli_fail(EXIT_USAGE, "interrupted: pid %d runs on without pdb", pid);
			return -1;
		}
		if (r < 0 && errno != EINTR)
			break;
		if (kill(pid, 0) < 0 && errno == ESRCH) {
			cli_fail(EXIT_USAGE,
				 "pid %d ended before pdb connected (its stderr may say why)", pid);
			return -1;
		}
		if (waited == 10)
			fprintf(stderr,
				"hold attach: pdb connects when pid %d next calls Python code; "
				"waiting (Ctrl-C stops waiting, the program runs on)\n",
				pid);
	}
	cli_fail(EXIT_USAGE, "pdb in pid %d did not connect: %s", pid, strerror(errno));
	return -1;
}

int attach_pdb(const char *gdb, char **gdb_argv, int pid, uid_t target_uid, const char *dir)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int l, c = -1, st = 0;
	pid_t kid;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/" HOLD_PDB_SOCK_NAME, dir);
	if ((l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 16) < 0)
		return cli_fail(EXIT_USAGE, "cannot listen on %s: %s", a.sun_path, strerror(errno));
	/* the target connects as its own user; nobody else may */
	if (target_uid != geteuid() &&
	    (chown(dir, target_uid, (gid_t)-1) < 0 || chown(a.sun_path, target_uid, (gid_t)-1) < 0))
		return cli_fail(EXIT_USAGE, "cannot give %s to uid %u: %s", dir,
				(unsigned)target_uid, strerror(errno));
	fflush(stdout);
	if ((kid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		dup2(null, 1); /* gdb's chatter is not pdb's */
		execv(gdb, gdb_argv);
		_exit(127);
	}
	/* Ctrl-C now is gdb's: it lets go of the target and says so */
	signal(SIGINT, SIG_IGN);
	st = kid > 0 ? run_gdb(kid, l, pid, &c) : -1;
	sigaction(SIGINT, &(struct sigaction){.sa_handler = interrupted}, NULL);
	if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (c >= 0)
			close(c);
		return cli_fail(EXIT_USAGE,
				"gdb could not start pdb in pid %d (its messages are above); if it "
				"was not released it is still parked",
				pid);
	}
	if (c < 0)
		c = await_pdb(l, pid);
	signal(SIGINT, SIG_DFL); /* ends the session: pdb reads EOF and lets go */
	if (c < 0)
		return EXIT_USAGE;
	close(l);
	unlink(a.sun_path);
	relay(c);
	close(c);
	return EXIT_DONE;
}
