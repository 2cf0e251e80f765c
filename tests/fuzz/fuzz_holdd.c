/* SPDX-License-Identifier: MIT */
/*
 * fuzz_holdd.c - holdd itself, driven by a script the fuzzer writes.
 *
 * Not the decoder alone (fuzz_proto.c): the daemon's modules -- the
 * request table, connections, the parked set, the tree store and its
 * journal -- as they run, with several clients of different users talking
 * at once and reports from senders of the fuzzer's choosing.  Each client
 * is a socketpair whose one end holdd adopts as a connection; the script
 * says who writes what, who reads, who hangs up.  Messages are either raw
 * bytes or built from fuzzed types and fields, so the fuzzer gets past
 * HELLO into the states a real client reaches.
 *
 * And holdd restarts, now and then, on a journal the script wrote.
 *
 * Script: a byte picks an action, the bytes after it its arguments.  Pids
 * of reported processes lie above PID_MAX_LIMIT, so holdd never watches or
 * signals a real process; a client counts as alive (its pidfd is the
 * fuzzer's own) or as exited (no pidfd).  holdd's state carries over from
 * one input to the next, as a daemon's does; each input ends by hanging
 * up its clients.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <zlib.h>

#include "holdd.h"

#define CLIENTS 8
/* Pids above this machine's pid_max (and below Linux's 2^22, which holdd
 * refuses past): no process has them, so holdd never watches, reads or
 * signals a real process on the fuzzer's word. */
static int FAKE_PID;

struct input {
	const uint8_t *p;
	size_t n;
};

static unsigned byte(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static unsigned u16(struct input *in)
{
	return byte(in) | byte(in) << 8;
}

static struct client {
	int mine;   /* the fuzzer's end; -1: none */
	int holdds; /* holdd's end, to find its conn */
	struct conn *c;
} clients[CLIENTS];

/* holdd's conn for client k, if holdd has not closed it */
static struct conn *conn_of(const struct client *k)
{
	for (struct conn *c = conn_first(); c; c = conn_next(c))
		if (c == k->c && c->w.fd == k->holdds)
			return c;
	return NULL;
}

static void hang_up(struct client *k)
{
	struct conn *c;

	if (k->mine < 0)
		return;
	close(k->mine);
	k->mine = -1;
	if ((c = conn_of(k)))
		server_event(&c->w, EPOLLIN | EPOLLHUP);
}

static void open_client(struct client *k, struct input *in)
{
	static const uint32_t uids[] = {0, 1000, 1001};
	int sv[2], pidfd = -1;
	unsigned how = byte(in);

	hang_up(k);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	if (how & 4) /* alive: its process is this one */
		pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	k->mine = sv[0];
	k->holdds = sv[1];
	k->c = conn_adopt(sv[1], getpid(), uids[how % 3], pidfd);
	if (!k->c) {
		close(sv[0]);
		k->mine = -1;
	}
}

/* A message built from the script: a type, then fields. */
static size_t build(struct input *in, char *buf, size_t cap)
{
	static const unsigned strs[] = {HOLD_F_PATH, HOLD_F_ARG,  HOLD_F_EVENT, HOLD_F_RULE,
					HOLD_F_TEXT, HOLD_F_COMM, HOLD_F_ADDR,  HOLD_F_PEERCOMM};
	static const char *const words[] = {"",       "*",       "exec", "recv",
					    "/bin/x", "unix:/s", "a\nb", "**?"};
	struct hold_enc e;
	unsigned nf = byte(in) % 12;

	hold_enc_start(&e, buf, cap, (enum hold_msg_type)(1 + byte(in) % (HOLD_MSG_TYPE_END_ - 1)));
	while (nf--) {
		unsigned t = byte(in);

		if (t & 1) {
			enum hold_field f = (enum hold_field)(1 + (t >> 2) % (HOLD_F_NUM_END_ - 1));
			uint64_t v = u16(in);

			if (t & 2) /* absurd: never a pid of this machine either */
				v |= (uint64_t)u16(in) << 48;
			else if (f == HOLD_F_CHILD || f == HOLD_F_PID || f == HOLD_F_PPID ||
				 f == HOLD_F_PEER || f == HOLD_F_TID || f == HOLD_F_PARENT)
				v = FAKE_PID + v % 64; /* a few, so that they meet */
			hold_enc_num(&e, f, v);
		} else if (t & 2) {
			unsigned len = byte(in) % 64;

			if (len > in->n)
				len = (unsigned)in->n;
			hold_enc_mem(&e, (enum hold_field)strs[(t >> 2) % 8], in->p, len);
			in->p += len;
			in->n -= len;
		} else {
			hold_enc_str(&e, (enum hold_field)strs[(t >> 2) % 8], words[(t >> 5) % 8]);
		}
	}
	return hold_enc_finish(&e);
}

static char state[64];
static struct tree_limits lim = {60ull * 1000000000ull, 64}; /* small: TREE answers stay cheap */

/* holdd restarts on a journal the script wrote: records built and framed
 * with their checksums (so replay applies them: snapshots, forks, exits,
 * hand-offs), or raw bytes, or a record cut short. */
static void restart(struct input *in)
{
	char path[128], msg[HOLD_MSG_MAX];
	unsigned n = byte(in) % 16;
	FILE *f;

	store_close();
	snprintf(path, sizeof(path), "%s/journal", state);
	if (!(f = fopen(path, "w")))
		abort();
	while (n--) {
		unsigned how = byte(in);

		if (how & 1) {
			size_t len = build(in, msg, sizeof(msg));
			uint32_t crc = (uint32_t)crc32(0, (const unsigned char *)msg, (uInt)len);
			unsigned char c[4] = {crc, crc >> 8, crc >> 16, crc >> 24};

			if (how & 2) /* a wrong checksum */
				c[0] ^= 1;
			fwrite(c, 1, 4, f);
			fwrite(msg, 1, how & 4 ? len / 2 : len, f); /* or cut short */
		} else {
			size_t len = byte(in) % 64;

			if (len > in->n)
				len = in->n;
			fwrite(in->p, 1, len, f);
			in->p += len;
			in->n -= len;
		}
	}
	fclose(f);
	if (store_open(state, &lim, 0) < 0)
		abort();
}

static void drain(struct client *k)
{
	char sink[65536];
	struct conn *c;

	while (k->mine >= 0 && read(k->mine, sink, sizeof(sink)) > 0)
		;
	if ((c = conn_of(k)) && c->outlen > c->outoff)
		server_event(&c->w, EPOLLOUT);
}

static void say(struct client *k, const void *msg, size_t n)
{
	struct conn *c;

	if (k->mine < 0 || !n || write(k->mine, msg, n) < 0)
		return;
	if ((c = conn_of(k)))
		server_event(&c->w, EPOLLIN);
}

static void remove_state(void)
{
	static const char *const files[] = {"journal", "journal.new", "journal.damaged",
					    "journal.damaged.damaged"};
	char path[128];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", state, files[i]);
		unlink(path);
	}
	rmdir(state);
}

/* libFuzzer calls these */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/hold-fuzz.XXXXXX";

	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	int pid_max = 0;

	(void)argc;
	(void)argv;
	if (!f || fscanf(f, "%d", &pid_max) != 1 || pid_max + 1000 + 64 > 1 << 22)
		abort(); /* no pids are sure to be free: do not fuzz on this machine */
	fclose(f);
	FAKE_PID = pid_max + 1000;
	signal(SIGPIPE, SIG_IGN); /* a client writing to a connection holdd closed */
	log_init(1);
	log_quiet();
	conn_init();
	if (!mkdtemp(dir) || loop_init() < 0 || store_open(dir, &lim, 0) < 0)
		abort();
	snprintf(state, sizeof(state), "%s", dir);
	atexit(remove_state);
	for (int i = 0; i < CLIENTS; i++)
		clients[i].mine = -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	char msg[HOLD_MSG_MAX];

	while (in.n) {
		struct client *k = &clients[byte(&in) % CLIENTS];
		unsigned op = byte(&in) % 9;

		switch (op) {
		case 0:
			open_client(k, &in);
			break;
		case 1: { /* raw bytes */
			unsigned len = u16(&in) % 512;

			if (len > in.n)
				len = (unsigned)in.n;
			say(k, in.p, len);
			in.p += len;
			in.n -= len;
			break;
		}
		case 2: { /* HELLO, then a built message */
			struct hold_enc e;
			size_t n;

			hold_enc_start(&e, msg, sizeof(msg), HOLD_MSG_HELLO);
			hold_enc_num(&e, HOLD_F_VERSION, HOLD_PROTO_VERSION);
			if ((n = hold_enc_finish(&e)) && (byte(&in) & 1))
				say(k, msg, n);
			say(k, msg, build(&in, msg, sizeof(msg)));
			break;
		}
		case 3:
			drain(k);
			break;
		case 4:
			hang_up(k);
			break;
		case 5: { /* a report from a process of the fuzzer's choosing */
			size_t n = build(&in, msg, sizeof(msg));
			int pid = FAKE_PID + (int)u16(&in) % 64;

			server_report(msg, n, pid, byte(&in) % 2 ? 1000 : 0);
			break;
		}
		case 6:
			server_housekeeping();
			break;
		case 7:
			store_flush();
			break;
		case 8:
			restart(&in);
			break;
		}
	}
	for (int i = 0; i < CLIENTS; i++) {
		drain(&clients[i]);
		hang_up(&clients[i]);
	}
	return 0;
}
