/* SPDX-License-Identifier: MIT */
/*
 * holdd_bench - holdd's latencies, ingest rate and memory, against a
 * running holdd at $HOLD_SOCKET.
 *
 *   holdd_bench latency N LIBHOLD WAKE RELAY   exec -> listed by `hold ls` (a
 *       LIST request), and `hold release` (a RELEASE request) -> the target
 *       running (WAKE writes a byte to fd 3 from main); p50 and p99; each
 *       round also does the same hops through a minimal C relay listening
 *       at RELAY, the floor
 *   holdd_bench ingest N HOLDD_PID        fork reports per second, and holdd's
 *       resident memory per recorded process
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

static char inbuf[1 << 16];
static size_t inlen, consumed;

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int sock_to(const char *path, int type)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "holdd_bench: connect %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

static void send_msg(int fd, enum hold_msg_type t, uint64_t pid)
{
	char buf[128];
	struct hold_enc e;

	hold_enc_start(&e, buf, sizeof(buf), t);
	if (t == HOLD_MSG_HELLO)
		hold_enc_num(&e, HOLD_F_VERSION, HOLD_PROTO_VERSION);
	if (t == HOLD_MSG_RELEASE)
		hold_enc_num(&e, HOLD_F_PID, pid);
	if (send(fd, buf, hold_enc_finish(&e), 0) < 0)
		exit(2);
}

static int next(int fd, struct hold_msg *m)
{
	long len;

	memmove(inbuf, inbuf + consumed, inlen - consumed);
	inlen -= consumed;
	consumed = 0;
	while ((len = hold_msg_frame(inbuf, inlen)) == 0) {
		ssize_t n = recv(fd, inbuf + inlen, sizeof(inbuf) - inlen, 0);

		if (n <= 0)
			exit(2);
		inlen += (size_t)n;
	}
	if (len < 0 || hold_msg_decode(m, inbuf, (size_t)len))
		exit(2);
	consumed = (size_t)len;
	return m->type;
}

static uint64_t realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Is pid listed?  *since: when it parked (its clock, CLOCK_REALTIME). */
static int listed(int fd, int pid, uint64_t *since)
{
	struct hold_msg m;
	int found = 0;

	send_msg(fd, HOLD_MSG_LIST, 0);
	while (next(fd, &m) == HOLD_MSG_PARKED) {
		if ((int)m.num[HOLD_F_PID] == pid) {
			found = 1;
			*since = m.num[HOLD_F_SINCE_NS];
		}
	}
	return found;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("%s: p50 %.1f us  p99 %.1f us  (n=%d)\n", what, v[n / 2] / 1e3,
	       v[n * 99 / 100] / 1e3, n);
}

/* --- the floor: the same hops through a minimal C relay ------------------
 *
 * A parked target connects and says its pid ('P'); a client asks whether a
 * pid is there ('L' -> '1' or '0', as hold ls lists) or releases it ('R':
 * a byte to the target, then 'D' to the client, as holdd's RELEASE and
 * DONE).  One process, one poll loop: what holdd's part costs at least. */
#define RELAY_MAX 64

static void relay(int lfd)
{
	struct pollfd p[RELAY_MAX];
	int pid[RELAY_MAX], n = 1;

	p[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
	for (;;) {
		if (poll(p, (nfds_t)n, -1) < 0)
			_exit(2);
		if ((p[0].revents & POLLIN) && n < RELAY_MAX) {
			p[n] = (struct pollfd){.fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC),
					       .events = POLLIN};
			pid[n++] = 0;
		}
		for (int i = 1; i < n; i++) {
			char m[5];
			int who, j;

			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (read(p[i].fd, m, 5) != 5) { /* gone: forget it */
				close(p[i].fd);
				p[i] = p[--n];
				pid[i] = pid[n];
				i--;
				continue;
			}
			memcpy(&who, m + 1, 4);
			for (j = 1; j < n && pid[j] != who; j++)
				;
			if (m[0] == 'P')
				pid[i] = who;
			else if (m[0] == 'L' && write(p[i].fd, j < n ? "1" : "0", 1) != 1)
				_exit(2);
			else if (m[0] == 'R' && j < n) {
				if (write(p[j].fd, "r", 1) != 1 || write(p[i].fd, "D", 1) != 1)
					_exit(2);
				pid[j] = 0;
			}
		}
	}
}

static int relay_start(const char *path, pid_t *child)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 64) < 0)
		return -1;
	if ((*child = fork()) == 0)
		relay(lfd);
	close(lfd);
	return sock_to(path, SOCK_STREAM);
}

static int relay_ask(int fd, char op, int pid)
{
	char m[5] = {op}, c;

	memcpy(m + 1, &pid, 4);
	if (write(fd, m, 5) != 5 || read(fd, &c, 1) != 1)
		exit(2);
	return c;
}

static pid_t spawn(const char *wake, char *arg, char **envp, int out)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = {(char *)wake, arg, NULL};

		dup2(out, 3);
		execve(wake, argv, envp);
		_exit(127);
	}
	return pid;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of the rounds' ratios x[i] / y[i]: each round's pair ran
 * back to back, so the machine's drift cancels out. */
static double ratio(const uint64_t *x, const uint64_t *y, int n)
{
	double *r = calloc((size_t)n, sizeof(*r)), m;

	for (int i = 0; i < n; i++)
		r[i] = (double)x[i] / (double)y[i];
	qsort(r, (size_t)n, sizeof(*r), cmpd);
	m = r[n / 2];
	free(r);
	return m;
}

/* Round i: through holdd, then the same hops through the relay. */
static int latency(int n, const char *lib, const char *wake, const char *relay_path)
{
	const char *sock = getenv("HOLD_SOCKET");
	int fd = sock_to(sock, SOCK_STREAM), p[2], rfd;
	uint64_t *vis = calloc((size_t)n, 8), *rel = calloc((size_t)n, 8);
	uint64_t *park = calloc((size_t)n, 8), *bare = calloc((size_t)n, 8);
	uint64_t *fvis = calloc((size_t)n, 8), *frel = calloc((size_t)n, 8);
	char pre[4200], s[4200], rt[4200];
	char *envp[] = {pre, "HOLD_RULES=exec:*/hold-wake", s, rt, NULL};
	char *plain[] = {NULL};
	pid_t relay_pid;

	snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", lib);
	snprintf(s, sizeof(s), "HOLD_SOCKET=%s", sock);
	/* holdd's runtime directory, as hold run gives both */
	snprintf(rt, sizeof(rt), "HOLD_RUNTIME_DIR=%s", getenv("HOLD_RUNTIME_DIR"));
	send_msg(fd, HOLD_MSG_HELLO, 0);
	if (pipe(p) < 0 || (rfd = relay_start(relay_path, &relay_pid)) < 0)
		return 2;
	for (int i = 0; i < n; i++) {
		uint64_t t0 = now(), t2, since = 0;
		pid_t pid = spawn(wake, NULL, envp, p[1]);
		char ch;
		struct hold_msg m;

		/* look every 20 us: a busy loop would starve the target and
		 * holdd of this machine's few CPUs */
		while (!listed(fd, pid, &since))
			usleep(20);
		vis[i] = now() - t0;
		park[i] = realtime() - since;
		t2 = now();
		send_msg(fd, HOLD_MSG_RELEASE, (uint64_t)pid);
		if (read(p[0], &ch, 1) != 1)
			return 2;
		rel[i] = now() - t2;
		if (next(fd, &m) != HOLD_MSG_DONE)
			return 2;
		waitpid(pid, NULL, 0);

		/* the floor: no libhold, the target parks itself at the relay */
		t0 = now();
		pid = spawn(wake, (char *)relay_path, plain, p[1]);
		while (relay_ask(rfd, 'L', pid) != '1')
			usleep(20);
		fvis[i] = now() - t0;
		t2 = now();
		if (relay_ask(rfd, 'R', pid) != 'D' || read(p[0], &ch, 1) != 1)
			return 2;
		frel[i] = now() - t2;
		waitpid(pid, NULL, 0);
	}
	kill(relay_pid, SIGTERM);
	waitpid(relay_pid, NULL, 0);
	/* the baseline: the same fork+exec, no park */
	envp[1] = "HOLD_RULES=exec:*/no-such-program";
	for (int i = 0; i < n; i++) {
		uint64_t t0 = now();
		pid_t pid = spawn(wake, NULL, envp, p[1]);
		char ch;

		if (read(p[0], &ch, 1) != 1)
			return 2;
		bare[i] = now() - t0;
		waitpid(pid, NULL, 0);
	}
	printf("ratios to the floor, median of the rounds: listed %.2f, release -> running %.2f "
	       "(goal <= 1.5)\n",
	       ratio(vis, fvis, n), ratio(rel, frel, n));
	report("fork+exec -> listed by hold ls", vis, n);
	report("  floor: the same through a minimal C relay", fvis, n);
	report("  baseline: fork+exec -> main, no park", bare, n);
	report("  park -> listed by hold ls", park, n);
	report("hold release -> target running", rel, n);
	report("  floor: the same through a minimal C relay", frel, n);
return 0;
}

static long rss_kib(int pid)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			v = atol(line + 6);
	fclose(f);
	return v;
}

static uint64_t events_seen(int fd, uint64_t *nodes)
{
	struct hold_msg m;

	send_msg(fd, HOLD_MSG_STATS, 0);
	if (next(fd, &m) != HOLD_MSG_STATS)
		exit(2);
	*nodes = m.num[HOLD_F_NODES];
	return m.num[HOLD_F_COUNT];
}

static int ingest(int n, int holdd)
{
	char path[4200], buf[64];
	int st = sock_to(getenv("HOLD_SOCKET"), SOCK_STREAM), dg;
	uint64_t nodes0, nodes1, c0, t0, t1;
	long rss0, rss1;

	snprintf(path, sizeof(path), "%s.events", getenv("HOLD_SOCKET"));
	dg = sock_to(path, SOCK_DGRAM);
	send_msg(st, HOLD_MSG_HELLO, 0);
	c0 = events_seen(st, &nodes0);
	rss0 = rss_kib(holdd);
	t0 = now();
	for (int i = 0, child = 1 << 22; i < n; i++) {
		struct hold_enc e;

		/* pids from the top of what Linux can give out (2^22) down, none
		 * of them a live process: each is recorded, found gone by its
		 * pidfd_open, and kept as exited */
		while (--child > 1 && (kill(child, 0) == 0 || errno == EPERM))
			;
		hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_FORK);
		hold_enc_num(&e, HOLD_F_CHILD, (unsigned)child);
		if (send(dg, buf, hold_enc_finish(&e), 0) < 0)
			return 2;
	}
	while (events_seen(st, &nodes1) < c0 + (uint64_t)n)
		;
	t1 = now();
	rss1 = rss_kib(holdd);
	printf("ingest: %d fork reports in %.1f ms: %.0f events/s\n", n, (t1 - t0) / 1e6,
	       n / ((t1 - t0) / 1e9));
	printf("memory: %llu processes recorded, RSS %ld -> %ld KiB: %.0f bytes per process\n",
	       (unsigned long long)(nodes1 - nodes0), rss0, rss1,
	       (rss1 - rss0) * 1024.0 / (double)(nodes1 - nodes0));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "latency"))
		return latency(atoi(argv[2]), argv[3], argv[4], argv[5]);
	if (argc == 4 && !strcmp(argv[1], "ingest"))
		return ingest(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr,
		"usage: holdd_bench latency N LIBHOLD WAKE RELAY_SOCKET | ingest N HOLDD_PID\n");
	return 2;
}
