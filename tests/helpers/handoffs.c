/* SPDX-License-Identifier: MIT */
/*
 * handoffs PORT - one of each hand-off, in a fixed order, for
 * tests/e2e/handoff_kinds.sh.  Built with _FORTIFY_SOURCE, so read() of a
 * sized buffer reaches libhold as __read_chk.  Prints "step NAME" before
 * each receive; the test matches libhold's park lines against the steps
 * that must park (and those that must not: EAGAIN, end of file, a file).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static void step(const char *name)
{
	printf("step %s\n", name);
	fflush(stdout);
}

static void must(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		exit(1);
	}
}

static int listener(int dom, int type, const struct sockaddr *a, socklen_t al)
{
	int on = 1, fd = socket(dom, type, 0);

	must(fd >= 0, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	must(bind(fd, a, al) == 0, "bind");
	if (type == SOCK_STREAM)
		must(listen(fd, 4) == 0, "listen");
	return fd;
}

int main(int argc, char **argv)
{
	char buf[64];
	int p[2], sp[2], l, c, s;
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	socklen_t unlen;
	volatile size_t want = sizeof(buf);

	must(argc == 2, "usage: handoffs PORT");
	in.sin_port = htons((uint16_t)atoi(argv[1]));

	/* never park: nothing there yet, or the end of the data */
	must(pipe2(p, O_NONBLOCK) == 0, "pipe2");
	step("pipe-eagain");
	must(read(p[0], buf, sizeof(buf)) == -1, "read of an empty pipe");
	must(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sp) == 0, "socketpair");
	step("unix-eagain");
	must(recv(sp[0], buf, sizeof(buf), 0) == -1, "recv of an empty socket");
	close(p[1]);
	step("pipe-eof");
	must(read(p[0], buf, sizeof(buf)) == 0, "read at end of file");
	close(p[0]);
	step("file");
	c = open("/dev/zero", O_RDONLY);
	must(read(c, buf, sizeof(buf)) > 0, "read of /dev/zero");
	close(c);

	/* park: one of each kind and call */
	snprintf(un.sun_path + 1, sizeof(un.sun_path) - 1, "hold-t-%d", (int)getpid());
	unlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(un.sun_path + 1));
	l = listener(AF_UNIX, SOCK_STREAM, (struct sockaddr *)&un, unlen);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	must(connect(c, (struct sockaddr *)&un, unlen) == 0, "connect");
	step("unix-accept");
	must((s = accept4(l, NULL, NULL, SOCK_CLOEXEC)) >= 0, "accept4");
	must(write(c, "hello", 5) == 5, "write");
	step("unix-recvmsg");
	must(recvmsg(s, &mh, 0) == 5, "recvmsg");
	must(write(c, "hello", 5) == 5, "write");
	step("unix-socketpair-unmatched");
	must(write(sp[1], "x", 1) == 1, "write");
	must(recv(sp[0], buf, sizeof(buf), 0) == 1, "recv");
	step("unix-read");
	must(read(s, buf, want) == 5, "read"); /* a size not known at compile time: __read_chk */
	close(s);
	close(c);
	close(l);

	l = listener(AF_INET, SOCK_STREAM, (struct sockaddr *)&in, sizeof(in));
	c = socket(AF_INET, SOCK_STREAM, 0);
	must(connect(c, (struct sockaddr *)&in, sizeof(in)) == 0, "connect tcp");
	s = accept(l, NULL, NULL);
	must(s >= 0 && write(c, "tcp!", 4) == 4, "accept tcp");
	step("tcp-recv");
	must(recv(s, buf, sizeof(buf), 0) == 4, "recv tcp");
	close(s);
	close(c);
	close(l);

	s = listener(AF_INET, SOCK_DGRAM, (struct sockaddr *)&in, sizeof(in));
	c = socket(AF_INET, SOCK_DGRAM, 0);
	must(sendto(c, "udp!", 4, 0, (struct sockaddr *)&in, sizeof(in)) == 4, "sendto");
	step("udp-recvfrom");
	must(recvfrom(s, buf, sizeof(buf), 0, NULL, NULL) == 4, "recvfrom");
	close(s);
	close(c);

	must(pipe(p) == 0 && write(p[1], "pipe", 4) == 4, "pipe");
	step("pipe-readv");
	must(readv(p[0], &iov, 1) == 4, "readv");
	/* the same fd number, now a file: the cache must have forgotten */
	c = open("/dev/zero", O_RDONLY);
	must(dup2(c, p[0]) == p[0], "dup2");
	step("dup2-file");
	must(read(p[0], buf, 1) == 1, "read");
	step("done");
	return 0;
}
