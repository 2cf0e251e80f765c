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

static int open_at(struct journal *j, const char *path, int flags)
{
	struct stat st;

	memset(j, 0, sizeof(*j));
	j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | flags, 0600);
	if (j->fd < 0 || fstat(j->fd, &st) < 0 || !(j->path = strdup(path))) {
		if (j->fd >= 0)
			close(j->fd);
		j->fd = -1;
		return -1;
	}
	j->size = (uint64_t)st.st_size;
	return 0;
}

int journal_open(struct journal *j, const char *dir)
{
	char path[4096];

	if (hold_mkdirs(dir, 0700) < 0)
		return -1;
	if (snprintf(path, sizeof(path), "%s/journal", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open_at(j, path, 0);
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

long journal_replay(struct journal *j, void (*apply)(const struct hold_msg *, void *), void *ctx,
		    uint64_t *cut)
{
	unsigned char *all = malloc(j->size ? j->size : 1);
	uint64_t at = 0;
	long applied = 0;
	struct hold_msg m;

	*cut = 0;
	if (!all || pread(j->fd, all, j->size, 0) != (ssize_t)j->size) {
		free(all);
		return -1;
	}
	while (at < j->size) {
		unsigned char *rec = all + at + CRC_BYTES;
		size_t left = j->size - at;
		long len = left > CRC_BYTES ? hold_msg_frame(rec, left - CRC_BYTES) : 0;

		if (len <= 0 || get32(all + at) != crc32(0, rec, (uInt)len) ||
		    hold_msg_decode(&m, rec, (size_t)len) != HOLD_PROTO_OK)
			break;
		apply(&m, ctx);
		applied++;
		at += CRC_BYTES + (uint64_t)len;
	}
	free(all);
	if (at < j->size) {
		*cut = j->size - at;
		if (ftruncate(j->fd, (off_t)at) < 0)
			return -1;
		j->size = at;
	}
	return applied;
}

void journal_add(struct journal *j, const char *msg, size_t n)
{
	uint32_t crc = (uint32_t)crc32(0, (const unsigned char *)msg, (uInt)n);
	unsigned char c[CRC_BYTES] = {crc, crc >> 8, crc >> 16, crc >> 24};

	if (!n || j->fd < 0)
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
	size_t done = 0;

	while (done < j->len) {
		ssize_t w = pwrite(j->fd, j->buf + done, j->len - done, (off_t)j->size);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			j->len = 0;
			j->failed = 1;
			return -1;
		}
		done += (size_t)w;
		j->size += (uint64_t)w;
	}
	j->len = 0;
	return 0;
}

int journal_rewrite_begin(const struct journal *j, struct journal *fresh)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s.new", j->path) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open_at(fresh, path, O_TRUNC);
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
