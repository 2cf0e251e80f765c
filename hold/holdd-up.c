/* SPDX-License-Identifier: MIT */
/*
 * holdd-up.c - a holdd for this process to report to (hold run, hold
 * follow): when none answers, a private one on the usual socket, which
 * stops once this process (the program it becomes, or the follower) has
 * exited and nothing is parked; a second one that finds it joins it
 * (OWNER), so it stops only after both.  That holdd is double-forked away:
 * the program never sees it as a child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "paths.h"

static void start_holdd_child(int ready, pid_t owner, const char *log, int kernel)
{
	char fd[16], pid[16];
	const char *holdd = cli_holdd_path();

	setsid();
	if (fork() != 0)
		_exit(0);
	snprintf(fd, sizeof(fd), "%d", ready);
	snprintf(pid, sizeof(pid), "%d", (int)owner);
	int null = open("/dev/null", O_RDWR);

	dup2(null, 0);
	dup2(null, 1);
	/* The kernel follower only for what asks for it (hold run --kernel,
	 * watch, follow): loading it is half a second of every start.  Root's
	 * tree may drop to other users (www-data workers, qemu as
	 * libvirt-qemu): their reports must reach it too. */
	const char *argv[16] = {
		"holdd",      "--socket", hold_socket_path(), "--exit-with", pid, "--ready-fd", fd,
		"--log-file", log};
	int n = 9;

	if (!kernel)
		argv[n++] = "--no-kernel-follow";
	if (geteuid() == 0)
		argv[n++] = "--any-user";
	argv[n] = NULL;
	execv(holdd, (char *const *)argv);
	dprintf(2, "hold %s: cannot run %s: %s\n", cli_verb, holdd, strerror(errno));
	_exit(127);
}

/* A holdd already answers: if root's tree may drop to other users and
 * they cannot reach that holdd, say so now, not when a park is lost. */
static void check_reach(void)
{
	struct stat st;

	if (geteuid() != 0 || stat(hold_socket_path(), &st) < 0 || (st.st_mode & 0002))
		return;
	fprintf(stderr,
		"hold %s: the holdd at %s is mode %04o: processes of this tree that switch "
		"to another user cannot report their parks to it, and will not park (start it "
		"with holdd --any-user)\n",
		cli_verb, hold_socket_path(), (unsigned)st.st_mode & 07777);
}

#define LOG_KEEP (1 << 20)

static int start_private_holdd(int kernel)
{
	char log[4200], old[4210], ch, why[1024];
	struct stat lst;
	int p[2], st;
	pid_t kid;
	struct pollfd pf;

	if (hold_dir_ready(hold_runtime_dir(), why, sizeof(why)) < 0)
		return cli_fail(EXIT_USAGE, "%s", why);
	if (geteuid() == 0)
		hold_dir_let_through(hold_runtime_dir());
	snprintf(log, sizeof(log), "%s/holdd.log", hold_runtime_dir());
	/* every private holdd appends to it: the last MiB or two are kept */
	if (stat(log, &lst) == 0 && S_ISREG(lst.st_mode) && lst.st_size > LOG_KEEP) {
		snprintf(old, sizeof(old), "%s.old", log);
		rename(log, old);
	}
	if (pipe(p) < 0)
		return cli_fail(EXIT_USAGE, "pipe: %s", strerror(errno));
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	if ((kid = fork()) == 0) {
		close(p[0]);
		start_holdd_child(p[1], getppid(), log, kernel);
	}
	close(p[1]);
	waitpid(kid, &st, 0);
	pf = (struct pollfd){.fd = p[0], .events = POLLIN};
	if (poll(&pf, 1, 10000) != 1 || read(p[0], &ch, 1) != 1) {
		close(p[0]);
		return cli_fail(EXIT_USAGE, "the private holdd did not start; its log is %s", log);
	}
	close(p[0]);
	return 0;
}

/* A holdd answers: ask it to stay up while this process (soon the program)
 * lives.  0 when it will, or when it is not a private one that would stop;
 * -1 when it is going away, so we start our own. */
static int join_holdd(struct client *cl)
{
	char buf[16];
	struct hold_enc e;
	struct hold_msg m;
	int r;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_OWNER);
	if (client_send(cl, buf, hold_enc_finish(&e)) < 0)
		return -1;
	r = client_next(cl, &m, 5000);
	return r == 1 && m.type == HOLD_MSG_DONE ? 0 : -1;
}

int cli_holdd_up(int libhold_reports)
{
	struct client cl;

	/* getenv first: hold_socket_path() reads HOLD_SOCKET, and the private
	 * holdd must listen where the program will report */
	if (client_open(&cl) == 0) {
		int joined = join_holdd(&cl);

		client_close(&cl);
		if (joined < 0 && start_private_holdd(!libhold_reports) != 0)
			return -1;
		if (joined == 0 && libhold_reports)
			check_reach();
		return 0;
	}
	if (errno == EPERM) { /* someone else's holdd answers there */
		client_no_daemon();
		return -1;
	}
	return start_private_holdd(!libhold_reports) != 0 ? -1 : 0;
}
