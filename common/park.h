/* SPDX-License-Identifier: MIT */
/*
 * park.h - a park in the one shape libhold reports it, holdd keeps it and
 * hold lists it, the hand-off a recv or accept park carries, and their
 * outside forms:
 *
 *   message  PARK (libhold -> holdd), PARKED (holdd -> hold, and the
 *            journal's park event) and HANDOFF (holdd -> hold tree, and
 *            the journal), proto.h;
 *   record   RUNTIME_DIR/park-PID-TID, the key=value lines libhold leaves
 *            while parked, which hold lists and holdd reads when no
 *            connection can tell it (a stopped process, a restarted holdd);
 *   JSON     hold ls, tree and log --json (common/host/json.h).
 *
 * Each field is declared once, in its shape's table (park.c): its record
 * key, its JSON key, its protocol tag and its type.  Every form is written
 * and read by walking the table, so the forms cannot drift apart, and a new
 * field is one line there.
 *
 * Writing any form but JSON is async-signal-safe (a parked fork child does
 * it): caller's buffers, no allocation, no stdio.  Reading never trusts its
 * input.
 */
#ifndef HOLD_PARK_H
#define HOLD_PARK_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "proto.h"
#include "rules.h"

#define HOLD_PARK_ARGV 1024 /* the argv kept: NUL-separated, as /proc/PID/cmdline */

/* A recv or accept hand-off: data crossed from `peer` to the receiver over
 * addr.  Embedded in a park of that event and in holdd's hand-off edge. */
struct hold_handoff {
	int fd, newfd;  /* fd the rule fired on (-1: no hand-off); newfd: what
			   accept returned, else -1 */
	int peer;       /* the sender's pid: SO_PEERCRED, or a pipe's writer; 0
			   not known */
	uint64_t bytes; /* what the recv returned */
	char addr[128]; /* "unix:/run/x.sock", "tcp:8080", "pipe:[123]" */
	char peer_comm[16];
};

struct park {
	int pid, tid, ppid;
	int nspid;                 /* holdd: the pid in its own namespace, where that is
				      not holdd's (a container); 0: the same */
	uint32_t uid;              /* holdd: from the kernel; PARK's is ignored; a record's
				      counts only in a record of root's (park-dir.h) */
	uint64_t pidns;            /* the inode of its /proc/self/ns/pid; 0: not known */
	uint32_t flags;            /* PARK: HOLD_FL_UNRECORDED (libhold could not write the
				      record: holdd writes it), HOLD_FL_TRACED (hold follow),
				      HOLD_FL_KERNEL (the kernel follower stopped it) */
	uint64_t start;            /* field 22 of /proc/PID/stat: with pid, this process */
	uint64_t since_ns;         /* CLOCK_REALTIME */
	uint64_t timeout_ns;       /* 0: none */
	enum hold_mode mode;       /* spin, or stop (SIGSTOP) */
	char event[8];             /* fork, exec, recv, accept, here, preexec */
	char comm[16];             /* the process's name when it parked */
	char rule[HOLD_RULE_TEXT]; /* the rule, or hold_here()'s reason */
	char exe[PATH_MAX];
	char cgroup[256]; /* holdd: its cgroup v2 path ("/system.slice/x.service") */
	char argv[HOLD_PARK_ARGV];
	size_t argvlen;
	struct hold_handoff ho; /* recv and accept; ho.fd -1 for the other events */
};

/* The edge a recv/accept park draws, which outlives the park: data went
 * from ho.peer to pid/tid, of uid, in the tree of owner. */
struct handoff_edge {
	int pid, tid;
	uint32_t uid, owner;
	uint64_t since_ns;
	char event[8], comm[16];
	struct hold_handoff ho;
};

/* --- the tables ------------------------------------------------------------ */

enum shape_kind {
	SK_INT,     /* int */
	SK_U32,     /* uint32_t */
	SK_U64,     /* uint64_t */
	SK_NS,      /* uint64_t nanoseconds: seconds with decimals in a record */
	SK_MODE,    /* enum hold_mode: "spin" or "stop" */
	SK_FLAGS,   /* uint32_t of HOLD_FL_*: only a park's own flags are read */
	SK_STR,     /* char[size] */
	SK_ARGV,    /* char[size], NUL-separated, and its length at argv_len */
	SK_HANDOFF, /* struct hold_handoff: its own table (handoff_shape) */
};

/* Where a field appears (flags). */
#define SF_MSG     1u  /* in a message, by its tag */
#define SF_NONZERO 2u  /* ... only when not 0 (SK_HANDOFF: only when ho.fd >= 0) */
#define SF_ANSWER  4u  /* ... only in holdd's answers (PARKED, HANDOFF), never in a PARK */
#define SF_BRIEF   8u  /* ... also in the journal's brief park event */
#define SF_RECORD  16u /* in a park record, by its key */
#define SF_JSON    32u /* in JSON, by its JSON key */

struct shape_field {
	char key[9];   /* the record's key; arrays, not pointers: no relocation */
	char json[11]; /* the JSON key */
	uint8_t tag;   /* enum hold_field */
	uint8_t kind;  /* enum shape_kind */
	uint8_t where; /* SF_* */
	uint16_t off, size;
};

struct shape {
	const struct shape_field *f;
	unsigned n;
	uint16_t argv_len; /* SK_ARGV: the offset of its size_t length */
};

extern const struct shape park_shape, handoff_shape, edge_shape;

/* --- a park ---------------------------------------------------------------- */

/* A park with nothing known: ho.fd and ho.newfd -1. */
void park_init(struct park *p);

/* PARK or PARKED.  The message's length, 0 if it did not fit. */
size_t park_to_msg(char *buf, size_t cap, enum hold_msg_type type, const struct park *p);
/* The journal's park event: PARKED with who, when, event, rule and comm only. */
size_t park_to_brief_msg(char *buf, size_t cap, const struct park *p);
/* From a decoded PARK or PARKED; fields it lacks stay as park_init left them. */
void park_from_msg(struct park *p, const struct hold_msg *m);

/* The record's text into b (b->full: it did not fit). */
void park_to_record(struct buf *b, const struct park *p);
/* From a record's text; 0, or -1 if it names no pid and tid. */
int park_from_record(struct park *p, const char *text, size_t n);
/* "park-PID-TID": a record's file name, for writer and readers alike. */
void park_record_name(struct buf *b, int pid, int tid);

/* argv as one line: elements joined by spaces (a newline becomes a space). */
void park_argv_line(const struct park *p, struct buf *b);

/* --- a hand-off edge ------------------------------------------------------- */

/* HANDOFF; its length, 0 if it did not fit. */
size_t edge_to_msg(char *buf, size_t cap, const struct handoff_edge *h);
/* From a decoded HANDOFF (no OWNER: the uid's). */
void edge_from_msg(struct handoff_edge *h, const struct hold_msg *m);
/* The edge a hand-off park draws. */
void edge_from_park(struct handoff_edge *h, const struct park *p, uint32_t owner);

/* --- the walkers (json.h has JSON's) ----------------------------------------- */

/* A message of type, of the fields of s that carry flag `want` and not
 * `skip`, from the struct at base; argv (last in its table) as many
 * elements as fit.  Its length, 0 if it did not fit. */
size_t shape_to_msg(char *buf, size_t cap, enum hold_msg_type type, const struct shape *s,
		    const void *base, unsigned want, unsigned skip);
void shape_from_msg(const struct shape *s, void *base, const struct hold_msg *m);
/* Is the hand-off field f (SK_HANDOFF) at v there?  A park's only when a
 * recv or accept rule parked it (SF_NONZERO: ho.fd >= 0); an edge's always. */
int shape_handoff_present(const struct shape_field *f, const void *v);

/* Numeric field `field` (man 5 proc: 4 ppid, 22 starttime, ...) of the text
 * of /proc/PID/stat, counted past the name, which may hold spaces and ')';
 * 0 if it has none. */
uint64_t hold_stat_field(const char *text, size_t n, int field);
#define HOLD_STAT_PPID      4
#define HOLD_STAT_STARTTIME 22

#endif
