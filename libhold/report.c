/* SPDX-License-Identifier: MIT */
/*
 * report.c - tell the user about a park: one stderr line, and the park
 * record (park.h) in the runtime directory, which hold lists when no holdd
 * answers and holdd reads after a restart (removed on release).
 *
 * Called from the park path, so async-signal-safe (sigsafe.h).  libhold writes
 * to no fd it has not just checked: stderr only while fd 2 is still the file
 * it was when this image started (same device and inode), so a program that
 * closed fd 2 and reused it for a socket never gets our bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include "libhold.h"
#include "paths.h"
#include "sigsafe.h"

static int stderr_is_ours(void)
{
	struct statx sx;

	if (!hold_g.err_known)
		return 0;
	if (safe_sys6(SYS_statx, 2, (long)"", AT_EMPTY_PATH, STATX_INO, (long)&sx, 0) < 0)
		return 0;
	return sx.stx_ino == hold_g.err_ino &&
	       makedev(sx.stx_dev_major, sx.stx_dev_minor) == hold_g.err_dev;
}

static void emit(struct buf *b)
{
	if (b->full) { /* keep the line a line */
		b->len = b->cap - 4;
		buf_str(b, "...");
	}
	buf_chr(b, '\n');
	if (stderr_is_ours())
		safe_write_all(2, b->p, b->len);
}

void hold_say(const char *a, const char *b, const char *c)
{
	char mem[1024];
	struct buf line;

	buf_init(&line, mem, sizeof(mem) - 1);
	buf_str(&line, "hold: ");
	buf_str(&line, a);
	buf_str(&line, b ? b : "");
	buf_str(&line, c ? c : "");
	emit(&line);
}

void hold_report_rule_error(void *ctx, const char *where, unsigned line,
			    const struct hold_rule_error *err)
{
	char mem[1024];
	struct buf b;

	(void)ctx;
	buf_init(&b, mem, sizeof(mem) - 1);
	buf_str(&b, "hold: ignoring rule '");
	buf_mem(&b, err->rule, err->len);
	buf_str(&b, "' (");
	buf_str(&b, where);
	if (line) {
		buf_str(&b, " line ");
		buf_u64(&b, line);
	}
	buf_str(&b, ", column ");
	buf_u64(&b, err->col);
	buf_str(&b, "): ");
	buf_str(&b, err->problem);
	emit(&b);
}

static int mk_raw(const char *path, unsigned mode)
{
	return (int)safe_sys(SYS_mkdirat, AT_FDCWD, path, mode);
}

/* O_PATH: root's runtime directory may be only searchable (0711) by the
 * processes of its tree that switched to other users. */
#define DIR_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

long hold_runtime_dirfd_mode(unsigned *mode)
{
	static int said;
	const char *dir = hold_g.runtime_dir, *why = NULL;
	struct statx sx;
	long fd;

	if (!dir) /* hold_here() before our constructor ran */
		return -1;
	fd = safe_sys(SYS_openat, AT_FDCWD, dir, DIR_FLAGS);
	if (fd == -ENOENT) { /* the first park here: make it */
		hold_mkdirs_with(dir, 0700, mk_raw);
		fd = safe_sys(SYS_openat, AT_FDCWD, dir, DIR_FLAGS);
	}
	if (fd == -ELOOP || fd == -ENOTDIR)
		why = "is a symbolic link or not a directory";
	else if (fd == -EACCES)
		why = "is out of this process's reach (it switched user, and a directory on the "
		      "way is not searchable by that user)";
	else if (fd < 0)
		why = "cannot be made or opened";
	else if (safe_sys6(SYS_statx, fd, (long)"", AT_EMPTY_PATH, STATX_MODE | STATX_UID,
			   (long)&sx, 0) < 0)
		why = "cannot be examined";
	else
		why = hold_dir_unsafe(sx.stx_mode, sx.stx_uid,
				      (unsigned)safe_sys(SYS_geteuid, 0, 0, 0));
	if (!why) {
		if (mode)
			*mode = sx.stx_mode;
		return fd;
	}
	if (fd >= 0)
		safe_sys(SYS_close, fd, 0, 0);
	if (!said++) {
		char mem[256];
		struct buf b;

		buf_init(&b, mem, sizeof(mem));
		buf_str(&b, " ");
		buf_str(&b, why);
		buf_str(&b, ": no park records or counts there (set HOLD_RUNTIME_DIR to a "
			    "directory of your own, mode 0700)");
		hold_say("the runtime directory ", dir, buf_cstr(&b));
	}
	return -1;
}

long hold_runtime_dirfd(void)
{
	return hold_runtime_dirfd_mode(NULL);
}

/* Written whole under a temporary name, then renamed, through a checked
 * directory fd and never through a symbolic link: a reader never sees half
 * a record, and nobody else's file is ever written. */
int hold_report_record(const struct park *p)
{
	char body[8192], tmp[64], name[64];
	struct buf b, tb, nb;
	long dir = hold_runtime_dirfd(), fd;

	if (dir < 0)
		return -1;
	buf_init(&b, body, sizeof(body));
	park_to_record(&b, p);
	buf_init(&tb, tmp, sizeof(tmp));
	buf_chr(&tb, '.');
	park_record_name(&tb, p->pid, p->tid);
	buf_cstr(&tb);
	buf_init(&nb, name, sizeof(name));
	park_record_name(&nb, p->pid, p->tid);
	buf_cstr(&nb);
	safe_sys(SYS_unlinkat, dir, tmp, 0); /* a leftover of a killed park */
	fd = safe_sys6(SYS_openat, dir, (long)tmp,
		       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600, 0, 0);
	if (fd >= 0) {
		safe_write_all((int)fd, b.p, b.len);
		safe_sys(SYS_close, fd, 0, 0);
		if (safe_sys6(SYS_renameat, dir, (long)tmp, dir, (long)name, 0, 0) < 0)
			fd = -1;
	}
	safe_sys(SYS_close, dir, 0, 0);
	/* -EACCES: a process that switched user, in its tree owner's
	 * directory; holdd has its park, and the park line says so */
	if (fd < 0 && fd != -EACCES)
		hold_say("cannot write the park record in ", hold_g.runtime_dir,
			 " (no free file descriptor, or the directory is full or read-only)");
	return fd < 0 ? -1 : 0;
}

/* "hold: pid N" or "hold: pid N thread T" */
static void put_who(struct buf *b, int pid, int tid)
{
	buf_str(b, "hold: pid ");
	buf_u64(b, (uint64_t)pid);
	if (tid != pid) {
		buf_str(b, " thread ");
		buf_u64(b, (uint64_t)tid);
	}
}

/* " of 42 bytes on fd 7 (unix:/run/x.sock, from pid 4090 minivirsh)" */
static void put_handoff(struct buf *b, const struct park *p)
{
	if (p->ho.newfd < 0) {
		buf_str(b, " of ");
		buf_u64(b, p->ho.bytes);
		buf_str(b, p->ho.bytes == 1 ? " byte" : " bytes");
	} else {
		buf_str(b, " of fd ");
		buf_u64(b, (uint64_t)p->ho.newfd);
	}
	buf_str(b, " on fd ");
	buf_u64(b, (uint64_t)p->ho.fd);
	buf_str(b, " (");
	buf_str(b, p->ho.addr);
	if (p->ho.peer > 0) {
		buf_str(b, ", from pid ");
		buf_u64(b, (uint64_t)p->ho.peer);
		if (p->ho.peer_comm[0]) {
			buf_chr(b, ' ');
			buf_str(b, p->ho.peer_comm);
		}
	}
	buf_chr(b, ')');
}

/* "hold: pid N (comm) parked at recv of ... by rule 'R'" */
static void put_park(struct buf *b, const struct park *p, const char *what)
{
	put_who(b, p->pid, p->tid);
	buf_str(b, " (");
	buf_str(b, p->comm);
	buf_str(b, what);
	buf_str(b, p->event);
	if (p->ho.fd >= 0)
		put_handoff(b, p);
	buf_str(b, " by rule '");
	buf_str(b, p->rule);
	buf_str(b, "'");
}

void hold_report_line(const struct park *p)
{
	char mem[1024];
	struct buf b;

	buf_init(&b, mem, sizeof(mem) - 1);
	put_park(&b, p, ") parked at ");
	if (p->timeout_ns) {
		buf_str(&b, " for ");
		buf_secs(&b, p->timeout_ns, 3);
		buf_str(&b, "s");
	}
	if (p->mode == HOLD_MODE_STOP) {
		buf_str(&b, " (stopped); attach: hold attach ");
		buf_u64(&b, (uint64_t)p->pid);
		buf_str(&b, "; release: hold release ");
		buf_u64(&b, (uint64_t)p->pid);
		buf_str(&b, " or kill -CONT ");
		buf_u64(&b, (uint64_t)p->pid);
	} else {
		buf_str(&b, "; attach: hold attach ");
		buf_u64(&b, (uint64_t)p->pid);
		if (p->tid != p->pid) {
			buf_chr(&b, '/');
			buf_u64(&b, (uint64_t)p->tid);
		}
	}
	emit(&b);
}

/* A daemon's stderr is often /dev/null: the system log hears it too.
 * One datagram to /dev/log (syslog's or journald's), "hold[PID]: ...". */
static void to_syslog(const char *text, size_t n)
{
	static const struct sockaddr_un log = {AF_UNIX, "/dev/log"};
	char mem[1100];
	struct buf b;
	long fd = safe_sys(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	buf_init(&b, mem, sizeof(mem));
	buf_str(&b, "<12>hold["); /* LOG_USER | LOG_WARNING */
	buf_u64(&b, (uint64_t)safe_getpid());
	buf_str(&b, "]: ");
	buf_mem(&b, text, n);
	safe_sys6(SYS_sendto, fd, (long)b.p, (long)b.len, MSG_DONTWAIT | MSG_NOSIGNAL, (long)&log,
		  sizeof(log));
	safe_sys(SYS_close, fd, 0, 0);
}

/* The socket is there but another user's: this process switched user, and
 * that holdd does not hear other users.  Says so into b. */
static void socket_of_another(struct buf *b)
{
	struct statx sx;
	long me = safe_sys(SYS_geteuid, 0, 0, 0);

	if (!hold_g.sock[0] ||
	    safe_sys6(SYS_statx, AT_FDCWD, (long)hold_g.sock, 0, STATX_UID, (long)&sx, 0) < 0 ||
	    sx.stx_uid == (uint32_t)me)
		return;
	buf_str(b, " for uid ");
	buf_u64(b, (uint64_t)me);
	buf_str(b, " (this process switched user; the holdd of uid ");
	buf_u64(b, sx.stx_uid);
	buf_str(b, " must run with --any-user to hear it, as hold run's does for root)");
}

void hold_report_unseen(const struct park *p)
{
	char mem[1024];
	struct buf b;
	static const char pre[] = "hold: ";

	buf_init(&b, mem, sizeof(mem) - 1);
	put_park(&b, p, ") not parked at ");
	buf_str(&b, ": no park record could be written and no holdd answers at ");
	buf_str(&b, hold_g.sock[0] ? hold_g.sock : "(no socket)");
	socket_of_another(&b);
	buf_str(&b, ", so nothing could list or release it; it runs on");
	to_syslog(b.p + sizeof(pre) - 1, b.len - (sizeof(pre) - 1));
	emit(&b);
}

void hold_report_released(const struct park *p, int recorded, enum hold_by by)
{
	char mem[256], name[64];
	struct buf b, nb;
	long dir;

	if (recorded && (dir = hold_runtime_dirfd()) >= 0) {
		buf_init(&nb, name, sizeof(name));
		park_record_name(&nb, p->pid, p->tid);
		safe_sys(SYS_unlinkat, dir, buf_cstr(&nb), 0);
		safe_sys(SYS_close, dir, 0, 0);
	}
	buf_init(&b, mem, sizeof(mem) - 1);
	put_who(&b, p->pid, p->tid);
	buf_str(&b, " released (");
	buf_str(&b, hold_by_name(by));
	buf_str(&b, ")");
	emit(&b);
}
