/* SPDX-License-Identifier: MIT */
/*
 * holdd.h - the daemon's internals.  One thread, one epoll loop.  Each
 * module owns its state; calls go down this list, never back up
 * (tests/layout.py checks):
 *
 *   holdd.c    start-up: options, sockets (or systemd's), sandbox
 *   server.c   the loop: what each event and request means (the dispatch
 *              table), fork/exec datagrams, signals, the tick, owners
 *   drain.c    the report ring (ring.h): drained in batches, slept on
 *   parked.c   what is parked; release; hold wait
 *   store.c    the recorded trees (tree.c in memory, journal.c on disk),
 *              exit watches, hand-offs
 *   watch.c    kernel rules (WATCH) and what the kernel follower saw
 *   bpf/follow.c  the kernel follower's loader (bpf/follow.bpf.c)
 *   conn.c     client connections: framing, output queues, identity
 *   loop.c     the epoll set
 *   (common/host/proc.c: what /proc says of a live process)
 *   log.c      syslog or stderr
 */
#ifndef HOLD_HOLDD_H
#define HOLD_HOLDD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>

#include "journal.h"
#include "park.h"
#include "proc.h"
#include "proto.h"
#include "ring.h"
#include "tree.h"

/* --- loop.c -------------------------------------------------------------- */

enum watch_kind {
	W_LISTEN,
	W_EVENTS,
	W_CONN,
	W_PROC,
	W_SIGNAL,
	W_TIMER,
	W_OWNER,
	W_DRAIN,
	W_KERNEL
};

/* What an epoll event points at: each watched thing starts with one. */
struct watch {
	enum watch_kind kind;
	int fd;
};

int loop_init(void);
int loop_add(struct watch *w, uint32_t events);
void loop_mod(struct watch *w, uint32_t events);
void loop_del(struct watch *w);
/* Wait for events; each one's data.ptr is a struct watch. */
int loop_wait(void *events, int max);

/* --- conn.c -------------------------------------------------------------- */

enum conn_state {
	C_NEW,      /* nothing yet: HELLO must come first */
	C_READY,    /* a CLI request, or a PARK, may come */
	C_PARKED,   /* a parked thread's connection: only RELEASED may come */
	C_WAITING,  /* `hold wait`: holdd answers when a park matches */
	C_WATCHING, /* a WATCH's: its kernel rules live while it does */
	C_STATES_
};

struct parked;

struct conn {
	struct watch w;
	LIST_ENTRY(conn) link; /* conn.c's list of every connection */
	int pid;               /* SO_PEERCRED at accept */
	uint32_t uid;
	int pidfd;      /* that very process (SO_PEERPIDFD), which a reused pid cannot
			   impersonate; -1 if the kernel cannot say */
	uint64_t pidns; /* HELLO's: the client's pid namespace, 0: not said */
	enum conn_state state;
	struct parked *park; /* C_PARKED */
	char *glob;          /* C_WAITING: exe/comm glob, NULL = any */
	uint64_t wait_from;  /* C_WAITING: parks since then are new */
	int wait_unseen;     /* C_WAITING: a park not handed to this uid before will do */
	int closing;         /* close once `out` is written */
	int follow;          /* hold log -f: every event goes to it too */
	int watch_slot;      /* C_WATCHING: its kernel follower slot + 1 */
	size_t inlen;
	char *out; /* the answer: out[outoff..outlen) is still to go */
	size_t outoff, outlen, outcap;
	uint64_t out_since; /* when output last went out, or began to wait */
	char in[HOLD_MSG_MAX];
};

/* Act on one message; -1: it may not come in the connection's state. */
typedef int (*conn_handler)(struct conn *c, const struct hold_msg *m);

/* Before the sandbox: the reserve fd, and how many connections one user
 * may hold (an eighth of the open-file limit; root's are not counted). */
void conn_init(void);
struct conn *conn_accept(int listen_fd);
/* A connected socket fd of a client that is pid/uid (pidfd: that process,
 * or -1), watched from now on; NULL (fd closed) if it cannot be. */
struct conn *conn_adopt(int fd, int pid, uint32_t uid, int pidfd);
/* Is the process that connected c still the one alive?  (Not when its
 * pidfd says it exited, or there is none: a connection outlives its maker,
 * and the pid may be someone else's by now.) */
int conn_peer_alive(const struct conn *c);
/* Read what the peer sent; -1: it closed, or failed. */
int conn_read(struct conn *c);
/* Hand whole messages read to `handle`, one at a time, while no answer is
 * waiting to be written; -1: a bad or out-of-order message, close. */
int conn_take(struct conn *c, conn_handler handle);
/* Has an answer waited, not one byte taken, too long?  (Close it.) */
int conn_stalled(const struct conn *c, uint64_t now);
void conn_flush(struct conn *c);
void conn_send(struct conn *c, const char *msg, size_t n);
void conn_error(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An ERROR with FLAGS: HOLD_FL_KERNEL, the kernel follower cannot do it here
 * (off, or not on this kernel): not the request's fault. */
void conn_refuse(struct conn *c, uint32_t flags, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void conn_done(struct conn *c, uint64_t count);
/* Reports lost so far (the ring full): DONE carries it as LOST. */
void conn_set_lost(uint64_t lost);
void conn_free(struct conn *c);
struct conn *conn_first(void);
struct conn *conn_next(const struct conn *c);
/* Is the client in a pid namespace other than holdd's (a container)?  Its
 * pids are that namespace's, and it is shown that namespace's parks. */
int conn_foreign(const struct conn *c);
/* May this client see what a process of uid, in a tree that belongs to
 * owner, did?  Root sees everything; a user, their processes and trees. */
int conn_may_see(const struct conn *c, uint32_t uid, uint32_t owner);

/* --- parked.c ------------------------------------------------------------ */

struct parked {
	LIST_ENTRY(parked) link; /* parked.c's set */
	struct conn *conn;       /* NULL: a stopped process found by its record */
	int pidfd;               /* stop mode: SIGCONT goes through it */
	char *record_path;       /* the record's path, for parks found by it */
	int proxy;               /* holdd wrote its record (PARK said none was written) */
	int released;            /* RELEASE sent: it is no longer parked, whatever comes back */
	uint64_t record_ino;     /* libhold's record, in holdd's directory: holdd removes it
				  * after RELEASE (parked.c), off the released thread's path */
	uint64_t expect_by;      /* found by its record, spinning: it must reconnect by then */
	int release_pending;     /* released before it reconnected: release it when it does */
	uint32_t handed[8];      /* the users a `hold wait` handed it to */
	unsigned nhanded;
	uint32_t owner;                       /* the uid its tree belongs to (store_owner_of) */
	int ns_pid, ns_tid, ns_ppid, ns_peer; /* as its own pid namespace sees them */
	struct park park;
};

/* A PARK on c: the park, or NULL (out of memory: c is closing). */
const struct parked *parks_add(struct conn *c, const struct hold_msg *m);
/* PARK with FLAGS=TRACED: a tracer (hold follow) stopped the message's pid
 * and let it go; answered DONE or ERROR. */
void parks_add_traced(struct conn *c, const struct hold_msg *m);
void parks_released(struct conn *c, const struct hold_msg *m);
void parks_conn_gone(struct conn *c);
void parks_list(struct conn *c, const struct hold_msg *m);
void parks_release(struct conn *c, const struct hold_msg *m);
void parks_wait(struct conn *c, const struct hold_msg *m);
/* A process stopped outside holdd (the kernel follower, or a tracer):
 * listed, journalled, recorded; c (or NULL) is told DONE or ERROR, and
 * `by` says who stopped it in the log.  -1 if it cannot be listed. */
int parks_add_stopped(struct park *r, uint32_t owner, int ns_pid, const char *by);
/* Stopped processes, from the records in the runtime directory. */
void parks_recover(const char *runtime_dir);
void parks_tick(void);
/* Remove the records of released parks now (holdd is stopping). */
void parks_flush(void);
size_t parks_count(void);
int parks_has_pid(int pid);

/* --- store.c ------------------------------------------------------------- */

/* hold log: the journal's events c may see, DONE, and with FOLLOW every
 * event from now on (store_event). */
void store_log(struct conn *c, const struct hold_msg *m);
/* A park or release, for the journal and hold log -f (PARKED or RELEASED:
 * PID, TID, UID, SINCE_NS, ...). */
void store_event(const char *msg, size_t n);
void store_unfollow(struct conn *c); /* c is closing */
/* readonly: the journal is read, never written (holdd --read-journal). */
int store_open(const char *state_dir, const struct tree_limits *lim, int readonly);
/* Everything store_open made, freed (the fuzzer opens it again and again). */
void store_close(void);
void store_revive(void);
/* A fork report; -1 if refused (it names another user's process, or would
 * tie the tree in a knot). */
int store_fork(uint32_t uid, int parent, int child);
/* The same, from the kernel's word (the follower): not checked again. */
int store_fork_seen(uint32_t uid, int parent, int child);
void store_exec(uint32_t uid, int pid, const struct hold_msg *m);
/* pid, a live process of uid (the kernel's word), starts a tree of uid's. */
void store_own(uint32_t uid, int pid);
/* The uid the tree of live process pid (of uid) belongs to: by recorded
 * fork edges, else by the kernel's parent links; uid if in no owned tree. */
uint32_t store_owner_of(int pid, uint32_t uid);
/* 1: pid is a live process holdd watches, recorded as uid's (no /proc
 * read); 0: holdd cannot say. */
int store_live_as(int pid, uint32_t uid);
void store_proc_exited(struct watch *w);
/* Answer TREE; parked(pid) marks the parked processes. */
void store_tree(struct conn *c, const struct hold_msg *m, int (*parked)(int pid));
/* A recv/accept park: remember the hand-off (from p->peer to p). */
void store_handoff(const struct park *p, uint32_t owner);
size_t store_nodes(void);
void store_tick(void);
void store_flush(void);
/* Write the journal if gap_ns has passed since the last write (0: now). */
void store_flush_after(uint64_t gap_ns);

/* --- watch.c: kernel rules and the kernel follower's events --------------- */

/* Load the kernel follower (before the sandbox; root); 0, or -1 with
 * kfollow_why() saying why it is off, logged in one line. */
int watch_init(int enabled);
void watch_request(struct conn *c, const struct hold_msg *m); /* WATCH */
void watch_conn_gone(struct conn *c);
void watch_ready(void); /* the ring buffer has events */
/* Trees still followed for a WATCH with FLAGS=TREE (a private holdd stays). */
int watch_trees(void);
void watch_tick(void);     /* the one-second housekeeping */
uint64_t watch_lost(void); /* events the follower's ring had no room for */

/* --- bpf/follow.c: the kernel follower's loader -------------------------- */

struct kf_event;
struct hold_rule;
typedef void (*kfollow_fn)(const struct kf_event *e);
int kfollow_open(kfollow_fn fn);
const char *kfollow_why(void); /* "" when it is on */
int kfollow_fd(void);          /* the ring buffer's (epoll) fd, -1 */
void kfollow_drain(void);      /* every event in the ring, to fn */
int kfollow_forks(void);       /* can it park a fork child (kernel 6.13 on)? */
/* A slot for one client: PID's tree (start: its field 22), or pid 0: any
 * process owner may park; cgroup (a v2 id, at depth cglevel): only in it
 * or below, 0: anywhere.  Its index, or -1 when all are taken. */
int kfollow_slot_take(uint32_t owner, int pid, uint64_t start, uint64_t cgroup, uint32_t cglevel);
void kfollow_slot_free(int slot);      /* and its rules */
unsigned kfollow_slot_procs(int slot); /* a tree's processes alive, as the kernel counts */
/* Rule r in slot; its index, or -1 when the table is full. */
int kfollow_rule_add(int slot, uint32_t owner, const struct hold_rule *r);
uint64_t kfollow_lost(void);
void kfollow_close(void);

/* --- server.c ------------------------------------------------------------ */

/* A private holdd (hold run's) stops once all of its owners, the programs
 * run under it, have exited and nothing is parked. */
#define HOLDD_OWNERS_MAX 64

/* exit_with > 0: a private holdd, owned by that pid first. */
int server_init(int listen_fd, int events_fd, pid_t exit_with);
void server_run(void);
/* --read-journal: fd is a connection to answer (its peer from the kernel);
 * server_run returns once it has closed.  0, or -1. */
int server_serve(int fd);
/* The report ring beside the socket (drain.c), its reports checked here. */
int server_ring(const char *sock);
/* One turn's pieces, which server_run drives and the fuzzer
 * (tests/fuzz/fuzz_holdd.c) drives too: one event of a watch; a report
 * from pid/uid as the kernel named them; the one-second housekeeping. */
void server_event(struct watch *w, uint32_t events);
void server_report(const char *buf, size_t n, int pid, uint32_t uid);
void server_housekeeping(void);

/* --- drain.c: the report ring ---------------------------------------------- */

/* Make SOCKET.ring (before the sandbox); fn gets each report, with a
 * pointer to the ring's uid (holdd's own) as ctx. */
int drain_init(const char *sock, hold_ring_fn fn);
size_t drain_now(void); /* every finished report, now */
void drain_turn(void);  /* after a turn of the loop: drain, then time or sleep */
void drain_timer(void); /* W_DRAIN fired */
uint64_t drain_lost(void);
void drain_close(void); /* holdd goes: writers let the ring go */

/* --- log.c, sandbox.c ---------------------------------------------------- */

void log_init(int to_stderr);
void log_quiet(void); /* say nothing (the fuzzer: millions of bad messages) */
int log_is_stderr(void);
void hlog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* hlog for what a client can make happen again and again: at most ten lines
 * at once and then one a second for each kind `what` (a static string), so
 * that a flood neither fills the log nor hides another kind. */
void hlog_limited(const char *what, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Drop capabilities and confine; fails closed. */
int sandbox_enter(char *err, size_t errlen);
/* The seccomp half alone (tests/unit/test_sandbox.c). */
int sandbox_confine(char *err, size_t errlen);

#endif
