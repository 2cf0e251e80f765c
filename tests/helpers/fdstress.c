/* SPDX-License-Identifier: MIT */
/*
 * fdstress THREADS ITERATIONS - threads that open, dup2, fcntl-dup and close
 * pipes, socket pairs and files in one shared fd table, and read from them,
 * for tests/e2e/fdcache_stress.sh under the rule recv:pipe.
 *
 * Each thread follows its own deterministic script (a PRNG seeded by its
 * index) over its own fds, so it knows how many of its reads were from a
 * pipe: that many parks, no more, no fewer.  The fd numbers are shared by
 * all threads and reused all the time, which is what stresses libhold's
 * per-fd cache.  Prints "thread TID expect N" per thread.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define SLOTS 6

enum kind { EMPTY, PIPE, SPAIR, FILE_ };

struct slot {
	enum kind k;
	int fd, wfd; /* wfd: where to write one byte before a read */
};

struct worker {
	long iters;
	unsigned seed;
	long expect;
	int tid;
};

/* Is wfd still used by another slot (dup2 shares the object)? */
static int shared(struct slot *s, int i)
{
	for (int j = 0; j < SLOTS; j++)
		if (j != i && s[j].k != EMPTY && s[j].wfd == s[i].wfd)
			return 1;
	return 0;
}

static void drop(struct slot *s, int i)
{
	if (s[i].k == EMPTY)
		return;
	close(s[i].fd);
	if (s[i].wfd >= 0 && !shared(s, i))
		close(s[i].wfd);
	s[i].k = EMPTY;
}

static void make(struct slot *s, int i, unsigned r)
{
	int p[2];

	drop(s, i);
	switch (r % 4) {
	case 0:
	case 1:
		if (pipe2(p, O_CLOEXEC) == 0)
			s[i] = (struct slot){PIPE, p[0], p[1]};
		break;
	case 2:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) == 0)
			s[i] = (struct slot){SPAIR, p[0], p[1]};
		break;
	default:
		if ((p[0] = open("/dev/zero", O_RDONLY | O_CLOEXEC)) >= 0)
			s[i] = (struct slot){FILE_, p[0], -1};
	}
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct slot s[SLOTS] = {0};
	char c;

	w->tid = gettid();
	for (long n = 0; n < w->iters; n++) {
		unsigned r = (unsigned)rand_r(&w->seed);
		int i = (int)(r % SLOTS), j = (int)((r / SLOTS) % SLOTS);

		switch ((r >> 8) % 6) {
		case 0:
			make(s, i, r >> 12);
			break;
		case 1: /* i becomes another handle on j's object */
			if (i != j && s[j].k != EMPTY && s[i].k != EMPTY) {
				int fd = s[i].fd;

				if (s[i].wfd >= 0 && !shared(s, i))
					close(s[i].wfd);
				if (dup2(s[j].fd, fd) == fd)
					s[i] = (struct slot){s[j].k, fd, s[j].wfd};
			}
			break;
		case 2: /* move i to a new number */
			if (s[i].k != EMPTY) {
				int fd = fcntl(s[i].fd, F_DUPFD_CLOEXEC, 0);

				if (fd >= 0) {
					close(s[i].fd);
					s[i].fd = fd;
				}
			}
			break;
		case 3:
			drop(s, i);
			break;
		default: /* read one byte; a pipe must park */
			if (s[i].k == EMPTY)
				break;
			if (s[i].wfd >= 0 && write(s[i].wfd, "x", 1) != 1)
				abort();
			if (read(s[i].fd, &c, 1) != 1)
				abort();
			w->expect += s[i].k == PIPE;
		}
	}
	for (int i = 0; i < SLOTS; i++)
		drop(s, i);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : 0;
	long iters = argc > 2 ? atol(argv[2]) : 0;
	pthread_t t[16];
	struct worker w[16];

	if (n < 1 || n > 16 || iters < 1) {
		fprintf(stderr, "usage: fdstress THREADS(1-16) ITERATIONS\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){.iters = iters, .seed = (unsigned)i + 1};
		pthread_create(&t[i], NULL, run, &w[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		printf("thread %d expect %ld\n", w[i].tid, w[i].expect);
	}
	return 0;
}
