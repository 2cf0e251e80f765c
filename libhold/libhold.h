/* SPDX-License-Identifier: MIT */
/*
 * libhold.h - libhold's internal interfaces.  The data path is
 *
 *   interpose (interpose-*.c)  an interposer gathers the facts of a call
 *   -> decide (decide.c)       does a rule say park?
 *   -> park (parking.c)           the park frame: wait until released
 *   -> report (report.c: stderr and the park record; holdd-link.c: holdd)
 *
 * settings.c holds what the constructor (init.c) read from the environment;
 * fdclass.c caches which hand-off rules take each fd; sigsafe.c has the
 * async-signal-safe primitives all of them use.  Calls go down this list,
 * never back up (tests/layout.py checks).
 */
#ifndef HOLD_LIBHOLD_H
#define HOLD_LIBHOLD_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "envfix.h"
#include "park.h"
#include "proto.h"
#include "rules.h"

#define HIDDEN            __attribute__((visibility("hidden")))
#define HOLD_SETTINGS_MAX 16
#define HOLD_SETTINGS_MEM (8192 + PATH_MAX)
/* On the constructor path: grouped in .text.hot so a new image faults in
 * as few of libhold's code pages as it can. */
#define HOT __attribute__((hot))

/* settings.c: set up once by the constructor, read-only afterwards, so a
 * fork or vfork child may read it without locks. */
struct hold_global {
	/* Small fields first and the rule table last: every followed image
	 * pays a page fault per page it touches here, so keep them few. */
	int ready;
	int secure;    /* AT_SECURE (set-uid): the environment is not read */
	int err_known; /* fd 2 was open at start; dev/ino identify it */
	uint64_t err_dev, err_ino;
	const char *runtime_dir;    /* points into mem */
	char sock[108];             /* holdd's stream socket; datagrams go to sock.events */
	uint32_t *used;             /* per-rule fire counts, shared by the tree */
	struct hold_envfix fx;      /* fx.lib and fx.preload point into mem */
	struct buf arena;           /* mem, filled in order (settings.c) */
	const char *rules_too_long; /* a HOLD_RULES the arena could not keep */
	const char *settings[HOLD_SETTINGS_MAX];
	char mem[HOLD_SETTINGS_MEM]; /* "LD_PRELOAD=<lib>\0HOLD_X=...\0..." */
	struct hold_ruleset rules;
};

extern struct hold_global hold_g HIDDEN;

/* How settings.c says what went wrong: init.c passes hold_say. */
typedef void (*hold_say_fn)(const char *a, const char *b, const char *c);
/* Fill hold_g from the image's environment (rules aside). */
void hold_settings_load(char **envp, hold_say_fn say) HIDDEN;
/* HOLD_RULES as the image got it, kept or (too long to keep) not, for
 * the constructor; NULL if unset. */
const char *hold_rules_text(void) HIDDEN;
/* A captured HOLD_* setting's value, or NULL. */
const char *hold_setting(const char *name) HIDDEN;
/* Add NAME=value to what every new image gets; its value, NULL if no room. */
const char *hold_setting_add(const char *name, const char *value) HIDDEN;

/* decide.c */
int hold_decide_fork(void) HIDDEN;         /* rule index or -1; parent side */
void hold_decide_refund(int idx) HIDDEN;   /* the fork failed */
void hold_decide_exec(char **argv) HIDDEN; /* constructor: park if a rule says */
/* Before exec'ing path: an image libhold cannot enter (static, set-id)
 * that an exec rule takes parks the caller here. */
void hold_decide_preexec(const char *path, char *const argv[]) HIDDEN;
void hold_counts_open(const char *session) HIDDEN;
int hold_decide_any_count(void) HIDDEN;         /* a rule with count= */
void hold_decide_keep_argv(char **argv) HIDDEN; /* for fork rules with arg= */

/* fdclass.c: the per-fd cache of which hand-off rules take an fd. */
extern int hold_fdc_on HIDDEN;   /* any recv/accept rule: the interposers look */
extern int hold_in_vfork HIDDEN; /* set while a vfork child runs on our memory */

#define HOLD_FDC_CHUNK_BITS 9    /* 512 fds, 4 KiB per chunk */
#define HOLD_FDC_CHUNKS     2048 /* fds below 1 Mi are cached */
#define HOLD_FDC_KNOWN      (1ull << 32)
extern uint64_t *hold_fdc_chunks[HOLD_FDC_CHUNKS] HIDDEN;

struct hold_fd_info {
	struct hold_fd_facts f;
	uint64_t dev, ino;
	char lname[108], pname[108];
};

void hold_fd_facts(int fd, struct hold_fd_info *fi) HIDDEN;
uint32_t hold_fd_rules(int fd) HIDDEN; /* worked out, then cached; bit i: rule i */
uint32_t hold_fd_rules_fresh(int fd, struct hold_fd_info *fi) HIDDEN;
void hold_fd_forget(int fd) HIDDEN;
void hold_fd_forget_range(unsigned lo, unsigned hi) HIDDEN;

/* The cached rule mask of fd, else worked out: inline, as it sits on every
 * read/recv/accept of an image with hand-off rules. */
static inline __attribute__((always_inline)) uint32_t hold_fd_rules_cached(int fd)
{
	unsigned c = (unsigned)fd >> HOLD_FDC_CHUNK_BITS;
	uint64_t *p, v;

	if (__builtin_expect(c < HOLD_FDC_CHUNKS, 1) &&
	    (p = __atomic_load_n(&hold_fdc_chunks[c], __ATOMIC_ACQUIRE))) {
		v = __atomic_load_n(&p[fd & ((1 << HOLD_FDC_CHUNK_BITS) - 1)], __ATOMIC_ACQUIRE);
		if (v & HOLD_FDC_KNOWN)
			return (uint32_t)v;
	}
	return hold_fd_rules(fd);
}

/* decide.c: a recv (newfd -1, bytes > 0) or accept (newfd >= 0) on fd
 * succeeded; park the calling thread if a rule says. */
void hold_handoff_slow(enum hold_event ev, int fd, int newfd, long bytes, uint32_t m) HIDDEN;

static inline __attribute__((always_inline)) void hold_decide_handoff(enum hold_event ev, int fd,
								      int newfd, long bytes)
{
	uint32_t m = hold_fd_rules_cached(fd) & hold_g.rules.of_event[ev];

	if (__builtin_expect(m != 0, 0))
		hold_handoff_slow(ev, fd, newfd, bytes, m);
}

/* peer.c: who is at the other end of a hand-off (0: not found). */
int hold_pipe_writer(uint64_t dev, uint64_t ino) HIDDEN;

/* ringmap.c: put a report in holdd's ring (ring.h): enum hold_ring_put;
 * HOLD_RING_LARGE also when there is no ring of ours to put it in. */
int hold_ring_report(const char *msg, size_t n) HIDDEN;
/* Is there a ring of ours to report into (mapping it if need be)? */
int hold_ring_ready(void) HIDDEN;
/* Let go of the ring before this process's credentials change
 * (interpose-cred.c): no later code of it may write in the old user's name. */
void hold_ring_drop(void) HIDDEN;

/* interpose.c: bind every interposer's real function now (see interpose.h). */
void hold_bind_all(void) HIDDEN;

/* parking.c */

/* What to park and why: a rule's, or hold_here()'s. */
struct hold_park_info {
	const char *event; /* "fork", "exec", "recv", "accept", "here" */
	const char *rule;  /* rule text, or hold_here()'s reason */
	enum hold_mode mode;
	uint64_t timeout_ns;
	const struct hold_handoff *ho; /* recv/accept only */
	const char *next_exe;          /* preexec: the image about to be exec'd */
	char *const *next_argv;        /* and its argv: what the park is listed by */
};

/* A parked thread's stream connection to holdd (holdd-link.c). */
struct hold_conn {
	int fd; /* -1: none; retry at retry_ns */
	uint64_t dev, ino;
	uint64_t retry_ns;
	unsigned rlen;
	char rbuf[256];
};

/* A park in progress, on the parked thread's stack: the park as everyone
 * sees it (park.h), and the connection holdd releases it through. */
struct parking {
	struct park park;
	struct hold_conn conn;
	int recorded; /* its park record was written */
};

void hold_park(const struct hold_park_info *pi) HIDDEN;
void hold_park_rule(int idx, const char *event) HIDDEN;
/* Park before exec'ing path with argv (listed by them, not by the caller). */
void hold_park_preexec(int idx, const char *path, char *const argv[]) HIDDEN;
void hold_park_handoff(int idx, const struct hold_handoff *ho) HIDDEN;

/* report.c: to the user -- a line on stderr (while fd 2 is the one the
 * image started with) and the park record in the runtime directory. */
/* The runtime directory, made if missing, open; -1 (said once) when it
 * cannot be, or is not safe (paths.h: hold_dir_unsafe). */
long hold_runtime_dirfd(void) HIDDEN;
/* The same, and the directory's mode in *mode. */
long hold_runtime_dirfd_mode(unsigned *mode) HIDDEN;
int hold_report_record(const struct park *p) HIDDEN; /* 0, or -1 (said) */
void hold_report_line(const struct park *p) HIDDEN;
/* The park could not be made visible, so it was not made: say why. */
void hold_report_unseen(const struct park *p) HIDDEN;
/* The record goes (if it was written) and a line says who released it. */
void hold_report_released(const struct park *p, int recorded, enum hold_by by) HIDDEN;
void hold_say(const char *a, const char *b, const char *c) HIDDEN;
void hold_report_rule_error(void *ctx, const char *where, unsigned line,
			    const struct hold_rule_error *err) HIDDEN;

/* holdd-link.c: to holdd.  fork and exec go as datagrams and cost nothing
 * when no holdd listens; a parked thread keeps a stream connection through
 * which holdd can release it. */
void hold_client_fork(int child) HIDDEN;
void hold_client_exec(char **argv) HIDDEN;
/* An exec that failed with err: path as the program named it. */
void hold_client_exec_failed(const char *path, char *const *argv, int err) HIDDEN;
/* 0 when holdd took the PARK; else the thread retries every 200 ms. */
int hold_client_announce(struct parking *p) HIDDEN;
/* Wait up to ns for holdd; 1 if it released this thread. */
int hold_client_wait(struct parking *p, uint64_t ns) HIDDEN;
void hold_client_released(struct parking *p, enum hold_by by) HIDDEN;

#endif
