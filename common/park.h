/*
 * park.h - a park in the one shape libhold reports it, holdd keeps it and
 * hold lists it, and its two outside forms:
 *
 *   message  PARK (libhold -> holdd) and PARKED (holdd -> hold), proto.h;
 *   record   RUNTIME_DIR/park-PID-TID, the key=value lines libhold leaves
 *            while parked, which hold lists and holdd reads when no
 *            connection can tell it (a stopped process, a restarted holdd).
 *
 * Writing either form is async-signal-safe (a parked fork child does both):
 * caller's buffers, no allocation, no stdio.  Reading never trusts its input.
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

struct hold_park {
	int pid, tid, ppid;
	uint32_t uid;              /* holdd: from the kernel; PARK's is ignored; a record's
				      counts only in a record of root's (park-dir.h) */
	uint64_t pidns;            /* the inode of its /proc/self/ns/pid; 0: not known */
	uint32_t flags;            /* PARK: HOLD_FL_UNRECORDED (libhold could not write the
				      record: holdd writes it), HOLD_FL_TRACED (hold follow) */
	uint64_t start;            /* field 22 of /proc/PID/stat: with pid, this process */
	uint64_t since_ns;         /* CLOCK_REALTIME */
	uint64_t timeout_ns;       /* 0: none */
	enum hold_mode mode;       /* spin, or stop (SIGSTOP) */
	char event[8];             /* fork, exec, recv, accept, here */
	char comm[16];             /* the process's name when it parked */
	char rule[HOLD_RULE_TEXT]; /* the rule, or hold_here()'s reason */
	char exe[PATH_MAX];
	char argv[HOLD_PARK_ARGV];
	size_t argvlen;
	/* recv and accept: the hand-off (fd -1 for the other events) */
	int fd, newfd;  /* newfd: what accept returned, else -1 */
	int peer;       /* the sender's pid, 0: not known */
	uint64_t bytes; /* what the recv returned */
	char addr[128]; /* "unix:/run/x.sock", "tcp:8080", "pipe:[123]" */
	char peercomm[16];
};

/* A park with nothing known: fd and newfd -1. */
void hold_park_init(struct hold_park *p);

/* PARK or PARKED (PARKED adds PID and UID: holdd takes a PARK's from the
 * kernel).  The message's length, 0 if it did not fit. */
size_t hold_park_to_msg(char *buf, size_t cap, enum hold_msg_type type, const struct hold_park *p);
/* From a decoded PARK or PARKED; fields it lacks stay as hold_park_init left them. */
void hold_park_from_msg(struct hold_park *p, const struct hold_msg *m);

/* The record's text into b (b->full: it did not fit). */
void hold_park_to_record(struct buf *b, const struct hold_park *p);
/* From a record's text; 0, or -1 if it names no pid and tid. */
int hold_park_from_record(struct hold_park *p, const char *text, size_t n);
/* "park-PID-TID": a record's file name, for writer and readers alike. */
void hold_park_record_name(struct buf *b, int pid, int tid);

/* argv as one line: elements joined by spaces (a newline becomes a space). */
void hold_park_argv_line(const struct hold_park *p, struct buf *b);

/* Numeric field `field` (man 5 proc: 4 ppid, 22 starttime, ...) of the text
 * of /proc/PID/stat, counted past the name, which may hold spaces and ')';
 * 0 if it has none. */
uint64_t hold_stat_field(const char *text, size_t n, int field);
#define HOLD_STAT_PPID      4
#define HOLD_STAT_STARTTIME 22

#endif
