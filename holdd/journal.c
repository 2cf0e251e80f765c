/* SPDX-License-Identifier: MIT */
/*
 * journal.c - the checksummed append-only journal; see journal.h.
 */
#define _GNU_SOURCE
#include "journal.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define CRC_BYTES 4

/* flags: O_RDWR | O_CREAT [| O_TRUNC] to write, O_RDONLY to read only */
static int open_at(struct journal *j, const char *path, int flags)
{
	struct stat st;

	memset(j, 0, sizeof(*j));
	j->fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (j->fd < 0 || fstat(j->fd, &st) < 0 || !(j->path = strdup(path))) {
		if (j->fd >= 0)
			close(j->fd);
		j->fd = -1;
		return -1;
	}
	j->size = (uint64_t)st.st_size;
	j->readonly = (flags & O_ACCMODE) == O_RDONLY;
	return 0;
}

/* dir/journal into path; -1 (ENAMETOOLONG) if it does not fit */
static int journal_path(char *path, size_t cap, const char *dir)
{
	if (snprintf(path, cap, "%s/journal", dir) >= (int)cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int journal_open_ro(struct journal *j, const char *dir)
{
	char path[4096];

	return journal_path(path, sizeof(path), dir) < 0 ? -1 : open_at(j, path, O_RDONLY);
}

int journal_open(struct journal *j, const char *dir)
{
	char path[4096];

	if (hold_mkdirs(dir, 0700) < 0 || journal_path(path, sizeof(path), dir) < 0)
		return -1;
	return open_at(j, path, O_RDWR | O_CREAT);
}

void journal_close(struct journal *j)
{
	journal_flush(j);
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j->buf);
	memset(j, 0, sizeof(*j));
	j->fd = -1;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define WINDOW  (1u << 20) /* replay reads the file this much at a time */
#define REC_MAX (CRC_BYTES + HOLD_MSG_MAX)

/* The whole record at p (avail bytes there), decoded into m: its length,
 * or 0 if there is none. */
static size_t record_at(const unsigned char *p, size_t avail, struct hold_msg *m)
{
	long len = avail > CRC_BYTES ? hold_msg_frame(p + CRC_BYTES, avail - CRC_BYTES) : 0;

	if (len <= 0 || get32(p) != crc32(0, p + CRC_BYTES, (uInt)len) ||
	    hold_msg_decode(m, p + CRC_BYTES, (size_t)len) != HOLD_PROTO_OK)
		return 0;
	return CRC_BYTES + (size_t)len;
}

/* A journal too large to be holdd's: renamed aside, an empty one opened. */
int journal_set_aside(struct journal *j, struct journal_damage *d)
{
	char aside[4200];
	char *path = j->path;

	d->set_aside = j->size;
	snprintf(aside, sizeof(aside), "%s.damaged", path);
	if (rename(path, aside) < 0)
		return -1;
	close(j->fd);
	j->path = NULL;
	if (open_at(j, path, O_RDWR | O_CREAT | O_TRUNC) < 0) {
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

long journal_replay(struct journal *j, void (*apply)(const struct hold_msg *, void *), void *ctx,
		    struct journal_damage *d)
{
	unsigned char *buf;
	uint64_t base = 0, bad = UINT64_MAX; /* where a damaged stretch began */
	size_t have = 0, at = 0;
	long applied = 0;
	struct hold_msg m;

	memset(d, 0, sizeof(*d));
	if (j->size > JOURNAL_MAX && j->readonly)
		return 0;
	if (j->size > JOURNAL_MAX)
		return journal_set_aside(j, d) < 0 ? -1 : 0;
	if (!(buf = malloc(WINDOW + REC_MAX)))
		return -1;
	for (;;) {
		size_t n;

		/* keep a whole record's worth ahead of `at`, unless the file ends */
		if (have - at < REC_MAX && base + have < j->size) {
			size_t want = WINDOW + REC_MAX - (have - at);
			ssize_t got;

			memmove(buf, buf + at, have - at);
			base += at;
			have -= at;
			at = 0;
			if (want > j->size - base - have)
				want = (size_t)(j->size - base - have);
			got = pread(j->fd, buf + have, want, (off_t)(base + have));
			if (got <= 0) {
				free(buf);
				return -1;
			}
			have += (size_t)got;
		}
		if (at >= have)
			break;
		if (!(n = record_at(buf + at, have - at, &m))) { /* damage: look on */
			if (bad == UINT64_MAX)
				bad = base + at;
			at++;
			continue;
		}
		if (bad != UINT64_MAX) {
			d->skipped += base + at - bad;
			bad = UINT64_MAX;
		}
		apply(&m, ctx);
		applied++;
		at += n;
	}
	free(buf);
	if (bad != UINT64_MAX) { /* nothing whole after it: a torn end */
		d->cut = j->size - bad;
		if (!j->readonly && ftruncate(j->fd, (off_t)bad) < 0)
			return -1;
		j->size = bad;
	}
	return applied;
}

void journal_add(struct journal *j, const char *msg, size_t n)
{
	uint32_t crc = (uint32_t)crc32(0, (const unsigned char *)msg, (uInt)n);
	unsigned char c[CRC_BYTES] = {crc, crc >> 8, crc >> 16, crc >> 24};

	if (!n || j->fd < 0 || j->readonly)
		return;
	if (j->len + CRC_BYTES + n > j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 65536;
		char *b;

		while (cap < j->len + CRC_BYTES + n)
			cap *= 2;
		if (!(b = realloc(j->buf, cap)))
			return; /* the record is lost; the tree in memory is not */
		j->buf = b;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, c, CRC_BYTES);
	memcpy(j->buf + j->len + CRC_BYTES, msg, n);
	j->len += CRC_BYTES + n;
}

int journal_flush(struct journal *j)
{
	uint64_t good = j->size; /* the file ends with a whole record here */
	size_t done = 0;

	while (done < j->len) {
		ssize_t w = pwrite(j->fd, j->buf + done, j->len - done, (off_t)(good + done));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;

			/* never a record after a torn one: cut back, and if even
			 * that fails, the next write starts here all the same */
			if (ftruncate(j->fd, (off_t)good) < 0) {
			}
			j->len = 0;
			j->failed = 1;
			errno = e;
			return -1;
		}
		done += (size_t)w;
	}
	j->size = good + done;
	j->len = 0;
	j->failed = 0;
	return 0;
}

int journal_rewrite_begin(const struct journal *j, struct journal *fresh)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s.new", j->path) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open_at(fresh, path, O_RDWR | O_CREAT | O_TRUNC);
}

int journal_rewrite_commit(struct journal *j, struct journal *fresh)
{
	if (journal_flush(fresh) < 0 || rename(fresh->path, j->path) < 0) {
		int e = errno;

		unlink(fresh->path);
		journal_close(fresh);
		errno = e;
		return -1;
	}
	free(fresh->path);
	fresh->path = j->path;
	j->path = NULL;
	journal_close(j);
	*j = *fresh;
	return 0;
}
