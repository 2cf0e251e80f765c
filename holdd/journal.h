/*
 * journal.h - holdd's append-only journal of tree events, so that process
 * trees survive a holdd restart.
 *
 * A record is a CRC-32 (zlib) of a protocol message, then that message
 * (proto.h: it carries its own length).  Replay stops at the first record
 * that is cut short or fails its checksum -- a holdd killed mid-write
 * leaves at most one such record, at the end -- and truncates the file
 * there, so new records follow good ones.  Records are buffered and written
 * once per event-loop turn; a rewrite (a snapshot of the live tree) keeps
 * the file from growing without bound.
 */
#ifndef HOLD_JOURNAL_H
#define HOLD_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct journal {
	int fd;
	char *path;
	uint64_t size; /* bytes in the file */
	char *buf;     /* not yet written */
	size_t len, cap;
	int failed; /* a write failed: logged once, then records are dropped */
};

/* Open (creating dir and file) dir/journal; -1 with errno on failure. */
int journal_open(struct journal *j, const char *dir);
void journal_close(struct journal *j);

/* Apply every good record in order; returns how many.  *cut: bytes of a
 * torn or corrupt tail that were dropped (0 if none). */
long journal_replay(struct journal *j, void (*apply)(const struct hold_msg *, void *), void *ctx,
		    uint64_t *cut);

void journal_add(struct journal *j, const char *msg, size_t n);
/* Write what is buffered; -1 (errno set) if the write failed. */
int journal_flush(struct journal *j);

/* Rewrite: records added to `fresh` replace the file when committed. */
int journal_rewrite_begin(const struct journal *j, struct journal *fresh);
int journal_rewrite_commit(struct journal *j, struct journal *fresh);

#endif
