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
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "libhold.h"
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

/* <runtime>/park-PID-TID, or with prefix "." for the temporary name. */
static void record_path(struct buf *b, const char *prefix, int pid, int tid)
{
	buf_str(b, hold_g.runtime_dir);
	buf_chr(b, '/');
	buf_str(b, prefix);
	hold_park_record_name(b, pid, tid);
	buf_cstr(b);
}

/* mkdir -p, mode 0700, for the runtime directory. */
static void make_dirs(const char *dir)
{
	char path[PATH_MAX];
	size_t n = safe_strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return;
	for (size_t i = 1; i <= n; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		for (size_t j = 0; j < i; j++)
			path[j] = dir[j];
		path[i] = '\0';
		safe_sys(SYS_mkdirat, AT_FDCWD, path, 0700);
	}
}

static long open_new(const char *path)
{
	return safe_sys6(SYS_openat, AT_FDCWD, (long)path,
			 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600, 0, 0);
}

/* Written whole under a temporary name, then renamed: a reader never sees
 * half a record. */
static void write_record(const struct hold_park *p)
{
	char body[8192], tmp[PATH_MAX], path[PATH_MAX];
	struct buf b, tp, pp;
	long fd;

	if (!hold_g.runtime_dir) /* hold_here() before our constructor ran */
		return;
	buf_init(&b, body, sizeof(body));
	hold_park_to_record(&b, p);
	buf_init(&tp, tmp, sizeof(tmp));
	record_path(&tp, ".", p->pid, p->tid);
	buf_init(&pp, path, sizeof(path));
	record_path(&pp, "", p->pid, p->tid);
	fd = open_new(tmp);
	if (fd == -ENOENT) { /* the first park here: make the directory */
		make_dirs(hold_g.runtime_dir);
		fd = open_new(tmp);
	}
	if (fd < 0) {
		hold_say("cannot write the park record in ", hold_g.runtime_dir,
			 "; hold ls will not list this park (set HOLD_RUNTIME_DIR to a writable "
			 "directory)");
		return;
	}
	safe_write_all((int)fd, b.p, b.len);
	safe_sys(SYS_close, fd, 0, 0);
	safe_sys(SYS_rename, tmp, path, 0);
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
static void put_handoff(struct buf *b, const struct hold_park *p)
{
	if (p->newfd < 0) {
		buf_str(b, " of ");
		buf_u64(b, p->bytes);
		buf_str(b, p->bytes == 1 ? " byte" : " bytes");
	} else {
		buf_str(b, " of fd ");
		buf_u64(b, (uint64_t)p->newfd);
	}
	buf_str(b, " on fd ");
	buf_u64(b, (uint64_t)p->fd);
	buf_str(b, " (");
	buf_str(b, p->addr);
	if (p->peer > 0) {
		buf_str(b, ", from pid ");
		buf_u64(b, (uint64_t)p->peer);
		if (p->peercomm[0]) {
			buf_chr(b, ' ');
			buf_str(b, p->peercomm);
		}
	}
	buf_chr(b, ')');
}

void hold_report_parked(const struct hold_park *p)
{
	char mem[1024];
	struct buf b;

	write_record(p);

	buf_init(&b, mem, sizeof(mem) - 1);
	put_who(&b, p->pid, p->tid);
	buf_str(&b, " (");
	buf_str(&b, p->comm);
	buf_str(&b, ") parked at ");
	buf_str(&b, p->event);
	if (p->fd >= 0)
		put_handoff(&b, p);
	buf_str(&b, " by rule '");
	buf_str(&b, p->rule);
	buf_str(&b, "'");
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

void hold_report_released(const struct hold_park *p, enum hold_by by)
{
	char mem[256], path[PATH_MAX];
	struct buf b, pp;

	if (hold_g.runtime_dir) {
		buf_init(&pp, path, sizeof(path));
		record_path(&pp, "", p->pid, p->tid);
		safe_sys(SYS_unlink, path, 0, 0);
	}
	buf_init(&b, mem, sizeof(mem) - 1);
	put_who(&b, p->pid, p->tid);
	buf_str(&b, " released (");
	buf_str(&b, hold_by_name(by));
	buf_str(&b, ")");
	emit(&b);
}
