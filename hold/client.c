/* SPDX-License-Identifier: MIT */
/*
 * client.c - the hold CLI's side of the protocol: a connection to holdd,
 * one message at a time, and what is parked (from holdd, else from the
 * park records).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "park-dir.h"
#include "paths.h"
#include "proc.h"

static char refused[512]; /* why the holdd that answered was not trusted */

/* In a user namespace (a container with --uidmap)?  paths.h says why it
 * matters. */
static int in_userns(void)
{
	char map[512];
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, map, sizeof(map));

	if (fd >= 0)
		close(fd);
	return n > 0 && hold_in_userns(map, (size_t)n);
}

static int hello(struct client *c)
{
	uint64_t dev, ino;
	char buf[64];
	struct hold_enc e;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_HELLO);
	hold_enc_num(&e, HOLD_F_VERSION, HOLD_PROTO_VERSION);
	/* in a container, holdd answers with the container's pids */
	if (proc_self_pidns(&dev, &ino) == 0)
		hold_enc_num(&e, HOLD_F_PIDNS, ino);
	return client_send(c, buf, hold_enc_finish(&e));
}

int client_open(struct client *c)
{
	return client_open_at(c, hold_socket_path(), (unsigned)geteuid());
}

int client_open_at(struct client *c, const char *path, unsigned also_trusted)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct ucred cr = {0};
	socklen_t len = sizeof(cr);

	c->inlen = 0;
	c->consumed = 0;
	if (strlen(path) >= sizeof(a.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(a.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int err = errno;

		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		errno = err;
		return -1;
	}
	/* whoever listens there must be us or root, as the kernel says: a
	 * holdd someone else planted would learn what we run and could claim
	 * to have released what we parked (root asking a user's own holdd
	 * about that user's park names that user: also_trusted) */
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 ||
	    !(hold_daemon_trusted(cr.uid, (unsigned)geteuid(), in_userns()) ||
	      cr.uid == also_trusted)) {
		snprintf(refused, sizeof(refused),
			 "the holdd at %s runs as uid %u, neither you nor root: not talking to it "
			 "(remove that socket, or set HOLD_SOCKET to one of your own)",
			 path, (unsigned)cr.uid);
		close(c->fd);
		c->fd = -1;
		errno = EPERM;
		return -1;
	}
	return hello(c);
}

static int client_open_journal(struct client *c)
{
	char path[4200];
	int sv[2];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/journal", hold_state_dir());
	if (access(path, R_OK) != 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		if (sv[1] == 3)
			fcntl(3, F_SETFD, 0);
		else
			dup2(sv[1], 3);
		execl(cli_holdd_path(), "holdd", "--read-journal", "3", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return -1;
	}
	c->fd = sv[0];
	c->inlen = 0;
	c->consumed = 0;
	return hello(c);
}

void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int client_send(struct client *c, const char *msg, size_t n)
{
	return n && send(c->fd, msg, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

int client_next(struct client *c, struct hold_msg *m, int timeout_ms)
{
	long len;

	/* drop the message handed out last time (this client's: two clients
	 * of one process must not share it) */
	memmove(c->in, c->in + c->consumed, c->inlen - c->consumed);
	c->inlen -= c->consumed;
	c->consumed = 0;
	while ((len = hold_msg_frame(c->in, c->inlen)) == 0) {
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		ssize_t n;
		int r = poll(&p, 1, timeout_ms);

		if (r == 0)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
		if (n <= 0)
			return -1;
		c->inlen += (size_t)n;
	}
	if (len < 0 || hold_msg_decode(m, c->in, (size_t)len) != HOLD_PROTO_OK)
		return -1;
	c->consumed = (size_t)len;
	return 1;
}

int client_no_daemon(void)
{
	if (errno == EPERM && refused[0])
		return cli_fail(EXIT_USAGE, "%s", refused);
	return cli_fail(EXIT_USAGE,
			"no holdd answers at %s (%s); start one with `holdd`, or run the "
			"program with `hold run`, which starts one",
			hold_socket_path(), strerror(errno));
}

int cli_parks(struct park **rows, int *from_records)
{
	struct client c;
	struct hold_msg m;
	char buf[64];
	struct hold_enc e;
	int n = 0, cap = 0, r;

	*rows = NULL;
	*from_records = 0;
	if (client_open(&c) < 0) {
		struct stat st;
		const char *dir = hold_runtime_dir(), *why;

		if (errno == EPERM)
			return client_no_daemon(), -1;
		*from_records = 1;
		if (lstat(dir, &st) < 0)
			return 0; /* no directory: nothing was ever parked here */
		/* records in a directory others can write to may be anyone's */
		if ((why = hold_dir_unsafe(st.st_mode, st.st_uid, (unsigned)geteuid())))
			return cli_fail(
				-1,
				"not reading the park records in %s: it %s (owner uid %u, "
				"mode %04o); remove it, or set HOLD_RUNTIME_DIR to a directory "
				"of your own, mode 0700",
				dir, why, (unsigned)st.st_uid, (unsigned)st.st_mode & 07777);
		n = park_dir_read(dir, rows);
		return n < 0 ? 0 : n;
	}
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_LIST);
	client_send(&c, buf, hold_enc_finish(&e));
	while ((r = client_next(&c, &m, 10000)) == 1 && m.type == HOLD_MSG_PARKED) {
		if (n == cap) {
			struct park *nr =
				realloc(*rows, sizeof(**rows) * (size_t)(cap = cap * 2 + 8));

			if (!nr)
				break;
			*rows = nr;
		}
		park_from_msg(&(*rows)[n++], &m);
	}
	client_close(&c);
	if (r != 1 || m.type != HOLD_MSG_DONE) {
		free(*rows);
		*rows = NULL;
		if (r == 1 && m.type == HOLD_MSG_ERROR)
			return cli_fail(-1, "holdd did not answer the list request (%s)",
					cli_text(&m));
		return cli_fail(-1, "holdd did not answer the list request (connection closed)");
	}
	return n;
}

/* what is a format, as the declaration says (cli.h); checked at each call */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
int client_open_or_journal(struct client *c, const char *what)
{
	if (client_open(c) == 0)
		return 0;
	if (errno == EPERM || client_open_journal(c) < 0)
		return -client_no_daemon();
	fprintf(stderr, "hold %s: no holdd answers at %s: ", cli_verb, hold_socket_path());
	fprintf(stderr, what, hold_state_dir());
	fputc('\n', stderr);
	return 1;
}
#pragma GCC diagnostic pop
