/* SPDX-License-Identifier: MIT */
/*
 * park-dir.c - read the park records of a directory; see park-dir.h.
 */
#define _GNU_SOURCE
#include "park-dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"

/* A small file, whole: at most cap - 1 bytes; -1 if it cannot be read. */
static ssize_t slurp(int dirfd, const char *name, char *buf, size_t cap, struct stat *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	ssize_t n = -1, r;

	if (fd < 0)
		return -1;
	if (fstat(fd, st) == 0 && S_ISREG(st->st_mode))
		for (n = 0;
		     (size_t)n < cap - 1 && (r = read(fd, buf + n, cap - 1 - (size_t)n)) > 0;)
			n += r;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static int by_pid(const void *a, const void *b)
{
	const struct park *x = a, *y = b;

	return x->pid != y->pid ? (x->pid > y->pid) - (x->pid < y->pid)
				: (x->tid > y->tid) - (x->tid < y->tid);
}

int park_dir_read(const char *dir, struct park **out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct park *v = NULL;
	int n = 0, cap = 0;

	*out = NULL;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char text[8192];
		struct stat st;
		ssize_t len;

		if (strncmp(e->d_name, "park-", 5) != 0)
			continue;
		if (n == cap) {
			struct park *nv = realloc(v, sizeof(*v) * (size_t)(cap * 2 + 8));

			if (!nv)
				break;
			v = nv;
			cap = cap * 2 + 8;
		}
		len = slurp(dirfd(d), e->d_name, text, sizeof(text), &st);
		/* a record outlives a process killed while parked: check */
		if (len > 0 && park_from_record(&v[n], text, (size_t)len) == 0 &&
		    proc_starttime(v[n].pid) == v[n].start) {
			if (st.st_uid != 0) /* root's records say whose park */
				v[n].uid = (uint32_t)st.st_uid;
			n++;
		}
	}
	closedir(d);
	if (n > 1) /* v is NULL for none */
		qsort(v, (size_t)n, sizeof(*v), by_pid);
	*out = v;
	return n;
}

int park_dir_sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char text[8192], path[4200];
		static struct park p;
		struct stat st;
		ssize_t len;

		if (strncmp(e->d_name, "park-", 5) != 0)
			continue;
		len = slurp(dirfd(d), e->d_name, text, sizeof(text), &st);
		/* only a record that says whose process it was, and that
		 * process gone: a record being written is not yet under its name */
		if (len <= 0 || park_from_record(&p, text, (size_t)len) != 0 || !p.start ||
		    proc_starttime(p.pid) == p.start)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n += unlink(path) == 0;
	}
	closedir(d);
	return n;
}

/* RUNTIME_DIR/NAME of a park, with a leading '.' for its temporary. */
static void record_path(struct buf *b, const char *dir, int pid, int tid, int tmp)
{
	buf_str(b, dir);
	buf_str(b, tmp ? "/." : "/");
	park_record_name(b, pid, tid);
	buf_cstr(b);
}

int park_dir_write(const char *dir, const struct park *p)
{
	char text[8192], tmp[4200], path[4200];
	struct buf b, tb, pb;
	int fd;
	ssize_t w;

	buf_init(&b, text, sizeof(text));
	park_to_record(&b, p);
	buf_init(&tb, tmp, sizeof(tmp));
	record_path(&tb, dir, p->pid, p->tid, 1);
	buf_init(&pb, path, sizeof(path));
	record_path(&pb, dir, p->pid, p->tid, 0);
	if (b.full || tb.full || pb.full) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	w = write(fd, b.p, b.len);
	close(fd);
	if (w != (ssize_t)b.len || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

void park_dir_remove(const char *dir, int pid, int tid)
{
	char path[4200];
	struct buf b;

	buf_init(&b, path, sizeof(path));
	record_path(&b, dir, pid, tid, 0);
	if (!b.full)
		unlink(path);
}

uint64_t park_dir_has(const char *dir, const struct park *p, uint32_t uid)
{
	char path[4200], text[8192];
	struct buf b;
	struct stat st;
	struct park r;
	ssize_t n;

	buf_init(&b, path, sizeof(path));
	record_path(&b, dir, p->pid, p->tid, 0);
	if (b.full || (n = slurp(AT_FDCWD, path, text, sizeof(text), &st)) <= 0)
		return 0;
	if (st.st_uid != uid || park_from_record(&r, text, (size_t)n) != 0 || r.pid != p->pid ||
	    r.tid != p->tid || r.start != p->start)
		return 0;
	return (uint64_t)st.st_ino;
}

void park_dir_remove_ino(const char *dir, int pid, int tid, uint64_t ino)
{
	char path[4200];
	struct buf b;
	struct stat st;

	buf_init(&b, path, sizeof(path));
	record_path(&b, dir, pid, tid, 0);
	if (!b.full && lstat(path, &st) == 0 && (uint64_t)st.st_ino == ino)
		unlink(path);
}
