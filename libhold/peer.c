/* SPDX-License-Identifier: MIT */
/*
 * peer.c - who holds the write end of the pipe a parked thread read from.
 *
 * A pipe has no SO_PEERCRED, so look in /proc/PID/fd for another fd on the
 * same pipe (statx through the link: anonymous pipes and FIFOs alike) that
 * is open for writing (/proc/PID/fdinfo).  This process first (a worker
 * thread writing to its main thread, the self-pipe pattern), then its
 * parent, then everyone we may look at.  Only at park time, never on a hot
 * path; async-signal-safe (raw system calls, stack buffers).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "sigsafe.h"
#include "libhold.h"

#define MAX_PROCS 4096 /* give up past this many processes */

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int is_num(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* "/proc/PID/<what>/<fd>" */
static const char *proc_path(struct buf *b, int pid, const char *what, const char *fd)
{
	buf_str(b, "/proc/");
	buf_u64(b, (uint64_t)pid);
	buf_str(b, what);
	buf_str(b, fd);
	return buf_cstr(b);
}

/* Is /proc/PID/fdinfo/FD open for writing? */
static int writes(int pid, const char *fd)
{
	char path[64], text[256];
	struct buf b;
	long n;
	unsigned flags = 0;

	buf_init(&b, path, sizeof(path));
	n = safe_read_file(proc_path(&b, pid, "/fdinfo/", fd), text, sizeof(text) - 1);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	for (long i = 0; i + 6 < n; i++) {
		if (text[i] == 'f' && safe_startswith(text + i, "flags:")) {
			for (i += 6; text[i] == '\t' || text[i] == ' '; i++)
				;
			while (text[i] >= '0' && text[i] <= '7')
				flags = flags * 8 + (unsigned)(text[i++] - '0');
			return (flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR;
		}
	}
	return 0;
}

static int holds_writer(int pid, uint64_t dev, uint64_t ino)
{
	char dir[64], ents[2048];
	struct buf b;
	long dfd, n;
	int hit = 0;

	buf_init(&b, dir, sizeof(dir));
	dfd = safe_sys(SYS_openat, AT_FDCWD, proc_path(&b, pid, "/fd", ""),
		       O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	while (!hit && (n = safe_sys(SYS_getdents64, dfd, ents, sizeof(ents))) > 0) {
		for (long off = 0; off < n && !hit;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(ents + off);
			struct statx sx;

			off += d->d_reclen;
			if (!is_num(d->d_name) || safe_sys6(SYS_statx, dfd, (long)d->d_name, 0,
							    STATX_INO, (long)&sx, 0) < 0)
				continue;
			hit = sx.stx_ino == ino &&
			      makedev(sx.stx_dev_major, sx.stx_dev_minor) == dev &&
			      writes(pid, d->d_name);
		}
	}
	safe_sys(SYS_close, dfd, 0, 0);
	return hit;
}

int hold_pipe_writer(uint64_t dev, uint64_t ino)
{
	int self = safe_getpid(), parent = (int)safe_sys(SYS_getppid, 0, 0, 0), found = 0;
	char ents[4096];
	long dfd, n;
	unsigned seen = 0;

	if (holds_writer(self, dev, ino))
		return self;
	if (parent > 1 && holds_writer(parent, dev, ino))
		return parent;
	dfd = safe_sys(SYS_openat, AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	while (!found && seen < MAX_PROCS &&
	       (n = safe_sys(SYS_getdents64, dfd, ents, sizeof(ents))) > 0) {
		for (long off = 0; off < n && !found; seen++) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(ents + off);
			int pid = 0;

			off += d->d_reclen;
			if (!is_num(d->d_name))
				continue;
			for (const char *p = d->d_name; *p; p++)
				pid = pid * 10 + (*p - '0');
			if (pid != self && pid != parent && holds_writer(pid, dev, ino))
				found = pid;
		}
	}
	safe_sys(SYS_close, dfd, 0, 0);
	return found;
}
