/* SPDX-License-Identifier: MIT */
/*
 * journal.h - holdd's append-only journal of tree events, so that process
 * trees survive a holdd restart.
 *
 * A record is a CRC-32 (zlib) of a protocol message, then that message
 * (proto.h: it carries its own length).  A write that fails part way (a
 * full disk) is cut back to the last whole record, so no record ever
 * follows a torn one.  Replay reads the file through a window of bounded
 * size; a damaged record is skipped (the next record is found by its
 * checksum) and what follows it kept; bytes at the end that make no whole
 * record -- holdd killed mid-write -- are cut off.  A file over
 * JOURNAL_MAX is not read at all but set aside.  Records are buffered and
 * written once per event-loop turn; a rewrite (a snapshot of the live
 * tree) keeps the file small.
 */
#ifndef HOLD_JOURNAL_H
#define HOLD_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define JOURNAL_MAX (1ull << 30) /* a journal past this came from no holdd: set aside */

struct journal {
	int fd;
	char *path;
	uint64_t size; /* bytes in the file: whole records only */
	char *buf;     /* not yet written */
	size_t len, cap;
	int failed;   /* the last write failed (its records were dropped) */
	int readonly; /* opened to read only: nothing is written, cut or set aside */
};

/* What a replay found wrong, if anything. */
struct journal_damage {
	uint64_t cut;       /* bytes at the end that made no whole record: removed */
	uint64_t skipped;   /* bytes of damaged records in the middle: passed over */
	uint64_t set_aside; /* the size of a file over JOURNAL_MAX, renamed PATH.damaged */
};

/* Open (creating dir and file) dir/journal; -1 with errno on failure. */
int journal_open(struct journal *j, const char *dir);
void journal_close(struct journal *j);
/* Open dir/journal to read only (hold tree with no holdd running). */
int journal_open_ro(struct journal *j, const char *dir);

/* Apply every good record in order; returns how many, or -1 (errno). */
long journal_replay(struct journal *j, void (*apply)(const struct hold_msg *, void *), void *ctx,
		    struct journal_damage *d);

/* Rename the journal PATH.damaged and go on with an empty one (one holdd
 * cannot replay, or one too large); -1 (errno) if that failed. */
int journal_set_aside(struct journal *j, struct journal_damage *d);

void journal_add(struct journal *j, const char *msg, size_t n);
/* Write what is buffered; -1 (errno set) if the write failed, and then
 * the file ends at its last whole record and the buffer is dropped. */
int journal_flush(struct journal *j);

/* Rewrite: records added to `fresh` replace the file when committed. */
int journal_rewrite_begin(const struct journal *j, struct journal *fresh);
int journal_rewrite_commit(struct journal *j, struct journal *fresh);

#endif
