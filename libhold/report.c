/*
 * report.c - tell the world about a park: one stderr line, and a record in
 * the runtime directory that the CLI lists (removed on release).
 *
 * Called from the park path, so async-signal-safe (asf.h).  libhold writes
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

#include "asf.h"
#include "libhold.h"

static int stderr_is_ours(void)
{
	struct statx sx;

	if (!hold_g.err_known)
		return 0;
	if (asf_sys6(SYS_statx, 2, (long)"", AT_EMPTY_PATH, STATX_INO, (long)&sx, 0) < 0)
		return 0;
	return sx.stx_ino == hold_g.err_ino &&
	       makedev(sx.stx_dev_major, sx.stx_dev_minor) == hold_g.err_dev;
}

static void emit(struct asf_buf *b)
{
	if (b->full) { /* keep the line a line */
		b->len = b->cap - 4;
		asf_str(b, "...");
	}
	asf_chr(b, '\n');
	if (stderr_is_ours())
		asf_write_all(2, b->p, b->len);
}

void hold_say(const char *a, const char *b, const char *c)
{
	char mem[1024];
	struct asf_buf line;

	asf_init(&line, mem, sizeof(mem) - 1);
	asf_str(&line, "hold: ");
	asf_str(&line, a);
	asf_str(&line, b ? b : "");
	asf_str(&line, c ? c : "");
	emit(&line);
}

void hold_report_rule_error(void *ctx, const char *where, unsigned line,
			    const struct hold_rule_error *err)
{
	char mem[1024];
	struct asf_buf b;

	(void)ctx;
	asf_init(&b, mem, sizeof(mem) - 1);
	asf_str(&b, "hold: ignoring rule '");
	asf_mem(&b, err->rule, err->len);
	asf_str(&b, "' (");
	asf_str(&b, where);
	if (line) {
		asf_str(&b, " line ");
		asf_u64(&b, line);
	}
	asf_str(&b, ", column ");
	asf_u64(&b, err->col);
	asf_str(&b, "): ");
	asf_str(&b, err->problem);
	emit(&b);
}

int hold_comm(char out[16])
{
	out[15] = '\0';
	return asf_sys6(SYS_prctl, PR_GET_NAME, (long)out, 0, 0, 0, 0) < 0 ? -1 : 0;
}

/* <runtime>/park-PID-TID, optionally with a prefix for the temporary name. */
static void record_path(struct asf_buf *b, const char *prefix, int pid, int tid)
{
	asf_str(b, hold_g.runtime_dir);
	asf_str(b, prefix);
	asf_str(b, "park-");
	asf_u64(b, (uint64_t)pid);
	asf_chr(b, '-');
	asf_u64(b, (uint64_t)tid);
	asf_cstr(b);
}

/* mkdir -p, mode 0700, for the runtime directory. */
static void make_dirs(const char *dir)
{
	char path[PATH_MAX];
	size_t n = asf_strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return;
	for (size_t i = 1; i <= n; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		for (size_t j = 0; j < i; j++)
			path[j] = dir[j];
		path[i] = '\0';
		asf_sys(SYS_mkdirat, AT_FDCWD, path, 0700);
	}
}

/* Field 22 of /proc/self/stat: with the pid it names this process for good,
 * so a reader can tell a stale record from a live park after pid reuse. */
static uint64_t read_starttime(void)
{
	char st[1024];
	long n = asf_read_file("/proc/self/stat", st, sizeof(st) - 1);
	long i = n;
	int field = 2;
	uint64_t v = 0;

	while (i > 0 && st[i - 1] != ')')
		i--;
	for (; i < n && field < 22; i++)
		if (st[i] == ' ')
			field++;
	while (i < n && st[i] >= '0' && st[i] <= '9')
		v = v * 10 + (uint64_t)(st[i++] - '0');
	return v;
}

static void gather(struct hold_parked *p)
{
	long n;

	p->ppid = (int)asf_sys(SYS_getppid, 0, 0, 0);
	p->start = read_starttime();
	p->since_ns = asf_now_ns(CLOCK_REALTIME);
	if (hold_comm(p->comm) < 0)
		p->comm[0] = '\0';
	n = asf_sys6(SYS_readlinkat, AT_FDCWD, (long)"/proc/self/exe", (long)p->exe,
		     sizeof(p->exe) - 1, 0, 0);
	p->exe[n > 0 ? n : 0] = '\0';
	n = asf_read_file("/proc/self/cmdline", p->cmd, sizeof(p->cmd));
	while (n > 0 && p->cmd[n - 1] == '\0')
		n--;
	p->cmdlen = n > 0 ? n : 0;
}

static void put_kv(struct asf_buf *b, const char *k, const char *v)
{
	asf_str(b, k);
	asf_chr(b, '=');
	asf_str(b, v);
	asf_chr(b, '\n');
}

static void write_record(const struct hold_parked *p)
{
	char body[4096], tmp[PATH_MAX], path[PATH_MAX];
	struct asf_buf b, tp, pp;
	long fd;

	asf_init(&b, body, sizeof(body));
	asf_str(&b, "pid=");
	asf_u64(&b, (uint64_t)p->pid);
	asf_str(&b, "\ntid=");
	asf_u64(&b, (uint64_t)p->tid);
	asf_str(&b, "\nppid=");
	asf_u64(&b, (uint64_t)p->ppid);
	asf_str(&b, "\nstart=");
	asf_u64(&b, p->start);
	asf_str(&b, "\nsince=");
	asf_secs(&b, p->since_ns, 3);
	asf_str(&b, "\ntimeout=");
	asf_secs(&b, p->pi->timeout_ns, 3);
	asf_chr(&b, '\n');
	put_kv(&b, "event", p->pi->event);
	put_kv(&b, "mode", hold_mode_name(p->pi->mode));
	put_kv(&b, "rule", p->pi->rule);
	put_kv(&b, "comm", p->comm);
	put_kv(&b, "exe", p->exe);
	if (p->pi->ho) {
		put_kv(&b, "addr", p->pi->ho->addr);
		asf_str(&b, "fd=");
		asf_u64(&b, (uint64_t)p->pi->ho->fd);
		asf_str(&b, "\npeer=");
		asf_u64(&b, (uint64_t)p->pi->ho->peer);
		asf_chr(&b, '\n');
	}
	asf_str(&b, "argv=");
	for (long i = 0; i < p->cmdlen; i++)
		asf_chr(&b, p->cmd[i] == '\0' || p->cmd[i] == '\n' ? ' ' : p->cmd[i]);
	asf_chr(&b, '\n');

	if (!hold_g.runtime_dir) /* hold_here() before our constructor ran */
		return;
	asf_init(&tp, tmp, sizeof(tmp));
	record_path(&tp, "/.", p->pid, p->tid);
	asf_init(&pp, path, sizeof(path));
	record_path(&pp, "/", p->pid, p->tid);
	fd = asf_sys6(SYS_openat, AT_FDCWD, (long)tmp,
		      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600, 0, 0);
	if (fd == -ENOENT) { /* the first park here: make the directory */
		make_dirs(hold_g.runtime_dir);
		fd = asf_sys6(SYS_openat, AT_FDCWD, (long)tmp,
			      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600, 0, 0);
	}
	if (fd < 0) {
		hold_say("cannot write the park record in ", hold_g.runtime_dir,
			 "; hold ls will not list this park (set HOLD_RUNTIME_DIR to a writable "
			 "directory)");
		return;
	}
	asf_write_all((int)fd, b.p, b.len);
	asf_sys(SYS_close, fd, 0, 0);
	asf_sys(SYS_rename, tmp, path, 0);
}

/* "hold: pid N" or "hold: pid N thread T" */
static void put_who(struct asf_buf *b, int pid, int tid)
{
	asf_str(b, "hold: pid ");
	asf_u64(b, (uint64_t)pid);
	if (tid != pid) {
		asf_str(b, " thread ");
		asf_u64(b, (uint64_t)tid);
	}
}

/* " of 42 bytes on fd 7 (unix:/run/x.sock, from pid 4090 minivirsh)" */
static void put_handoff(struct asf_buf *b, const struct hold_handoff *ho)
{
	if (ho->newfd < 0) {
		asf_str(b, " of ");
		asf_u64(b, (uint64_t)ho->bytes);
		asf_str(b, ho->bytes == 1 ? " byte" : " bytes");
	} else {
		asf_str(b, " of fd ");
		asf_u64(b, (uint64_t)ho->newfd);
	}
	asf_str(b, " on fd ");
	asf_u64(b, (uint64_t)ho->fd);
	asf_str(b, " (");
	asf_str(b, ho->addr);
	if (ho->peer > 0) {
		asf_str(b, ", from pid ");
		asf_u64(b, (uint64_t)ho->peer);
		if (ho->peer_comm[0]) {
			asf_chr(b, ' ');
			asf_str(b, ho->peer_comm);
		}
	}
	asf_chr(b, ')');
}

void hold_report_parked(struct hold_parked *p)
{
	const struct hold_park_info *pi = p->pi;
	char mem[1024];
	struct asf_buf b;

	gather(p);
	write_record(p);

	asf_init(&b, mem, sizeof(mem) - 1);
	put_who(&b, p->pid, p->tid);
	asf_str(&b, " (");
	asf_str(&b, p->comm);
	asf_str(&b, ") parked at ");
	asf_str(&b, pi->event);
	if (pi->ho)
		put_handoff(&b, pi->ho);
	asf_str(&b, " by rule '");
	asf_str(&b, pi->rule);
	asf_str(&b, "'");
	if (pi->timeout_ns) {
		asf_str(&b, " for ");
		asf_secs(&b, pi->timeout_ns, 3);
		asf_str(&b, "s");
	}
	if (pi->mode == HOLD_MODE_STOP) {
		asf_str(&b, " (stopped); attach: hold attach ");
		asf_u64(&b, (uint64_t)p->pid);
		asf_str(&b, "; release: hold release ");
		asf_u64(&b, (uint64_t)p->pid);
		asf_str(&b, " or kill -CONT ");
		asf_u64(&b, (uint64_t)p->pid);
	} else {
		asf_str(&b, "; attach: hold attach ");
		asf_u64(&b, (uint64_t)p->pid);
		if (p->tid != p->pid) {
			asf_chr(&b, '/');
			asf_u64(&b, (uint64_t)p->tid);
		}
	}
	emit(&b);
	hold_daemon_announce(p);
}

void hold_report_released(struct hold_parked *p, enum hold_by by)
{
	static const char *const why[HOLD_BY_END_] = {
		[HOLD_BY_GDB] = "hold = 0",
		[HOLD_BY_TIMEOUT] = "timeout",
		[HOLD_BY_SIGCONT] = "SIGCONT",
		[HOLD_BY_DAEMON] = "hold release",
	};
	char mem[256], path[PATH_MAX];
	struct asf_buf b, pp;

	hold_daemon_released(p, by);
	if (hold_g.runtime_dir) {
		asf_init(&pp, path, sizeof(path));
		record_path(&pp, "/", p->pid, p->tid);
		asf_sys(SYS_unlink, path, 0, 0);
	}

	asf_init(&b, mem, sizeof(mem) - 1);
	put_who(&b, p->pid, p->tid);
	asf_str(&b, " released (");
	asf_str(&b, why[by]);
	asf_str(&b, ")");
	emit(&b);
}
