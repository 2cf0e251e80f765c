/*
 * holdd.h - the daemon's internals.  One thread, one epoll loop
 * (server.c); what it knows lives in the tree store (store.c, over tree.c
 * and journal.c) and the parked set (parks.c).
 */
#ifndef HOLD_HOLDD_H
#define HOLD_HOLDD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "journal.h"
#include "proto.h"
#include "tree.h"

enum watch_kind { W_LISTEN, W_EVENTS, W_CONN, W_PROC, W_SIGNAL, W_TIMER, W_OWNER };

/* A private holdd (hold run's) stops once all of its owners, the programs
 * run under it, have exited and nothing is parked. */
#define HOLDD_OWNERS_MAX 64

/* What an epoll event points at: each watched thing starts with one. */
struct watch {
	enum watch_kind kind;
	int fd;
};

enum conn_state {
	C_NEW,     /* nothing yet: HELLO must come first */
	C_READY,   /* a CLI request, or a PARK, may come */
	C_PARKED,  /* a parked thread's connection: only RELEASED may come */
	C_WAITING, /* `hold wait`: holdd answers when a park matches */
};

struct park;

struct conn {
	struct watch w;
	struct conn *prev, *next;
	int pid;
	uint32_t uid;
	enum conn_state state;
	struct park *park;
	char *glob;         /* C_WAITING: exe/comm glob, NULL = any */
	uint64_t wait_from; /* C_WAITING: parks since then are new */
	int closing;        /* close once `out` is written */
	size_t inlen;
	char *out;
	size_t outlen, outcap;
	char in[HOLD_MSG_MAX];
};

struct park {
	struct park *prev, *next;
	struct conn *conn; /* NULL: a stopped process found in the spool */
	int pid, tid, ppid, mode, pidfd;
	uint32_t uid;
	uint64_t start, since_ns, timeout_ns;
	char *event, *rule, *comm, *exe, *argv; /* argv: NUL-separated */
	char *addr, *peercomm;                  /* recv/accept, else "" */
	int fd, peer;                           /* recv/accept: fd -1 otherwise */
	uint64_t bytes;
	size_t argvlen;
	char *spool; /* record path, for parks found in the spool */
};

struct daemon {
	int ep;
	struct watch listen, events, sig, timer;
	struct watch owner[HOLDD_OWNERS_MAX]; /* pidfds; fd -1: free */
	struct conn *conns;
	struct park *parks;
	size_t nparks;
	struct tree tree;
	struct journal journal;
	const char *runtime_dir, *state_dir;
	uint64_t events_in, bad_datagrams;
	int private_run; /* --exit-with: stop when the owners are gone */
	int owners;      /* owners alive */
	int stop;
};

extern struct daemon D;

/* log.c */
void log_init(int to_stderr);
int log_is_stderr(void);
void hlog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* server.c */
int server_watch(struct watch *w, uint32_t events);
void server_loop(void);
/* Keep a private holdd running while pid lives; -1 with errno if it cannot. */
int server_add_owner(pid_t pid);
void conn_send(struct conn *c, const char *msg, size_t n);
void conn_error(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void conn_done(struct conn *c, uint64_t count);
void conn_close(struct conn *c);
int may_see(const struct conn *c, uint32_t uid);

/* store.c */
int store_open(const char *state_dir, const struct tree_limits *lim);
void store_revive(void);
void store_fork(uint32_t uid, int parent, int child);
void store_exec(uint32_t uid, int pid, const struct hold_msg *m);
void store_proc_exited(struct watch *w);
void store_tree(struct conn *c, const struct hold_msg *m);
/* A recv/accept park: remember the hand-off (from p->peer to p). */
void store_handoff(const struct park *p);
void store_tick(void);
void store_flush(void);
/* Write the journal if gap_ns has passed since the last write (0: now). */
void store_flush_after(uint64_t gap_ns);

/* parks.c */
void parks_add(struct conn *c, const struct hold_msg *m);
void parks_released(struct conn *c, const struct hold_msg *m);
void parks_conn_gone(struct conn *c);
void parks_list(struct conn *c);
void parks_release(struct conn *c, const struct hold_msg *m);
void parks_wait(struct conn *c, const struct hold_msg *m);
void parks_recover_spool(void);
void parks_tick(void);

/* sandbox.c: drop capabilities and confine; fails closed. */
int sandbox_enter(char *err, size_t errlen);

uint64_t now_ns(void);

#endif
