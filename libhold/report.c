/*
 * report.c - tell the world about a park: one stderr line, and a record in
 * the runtime directory that the CLI lists (removed on release).
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

#include "sigsafe.h"
#include "libhold.h"

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

static void emit(struct safe_buf *b)
{
	if (b->full) { /* keep the line a line */
		b->len = b->cap - 4;
		safe_str(b, "...");
	}
	safe_chr(b, '\n');
	if (stderr_is_ours())
		safe_write_all(2, b->p, b->len);
}

void hold_say(const char *a, const char *b, const char *c)
{
	char mem[1024];
	struct safe_buf line;

	safe_init(&line, mem, sizeof(mem) - 1);
	safe_str(&line, "hold: ");
	safe_str(&line, a);
	safe_str(&line, b ? b : "");
	safe_str(&line, c ? c : "");
	emit(&line);
}

void hold_report_rule_error(void *ctx, const char *where, unsigned line,
			    const struct hold_rule_error *err)
{
	char mem[1024];
	struct safe_buf b;

	(void)ctx;
	safe_init(&b, mem, sizeof(mem) - 1);
	safe_str(&b, "hold: ignoring rule '");
	safe_mem(&b, err->rule, err->len);
	safe_str(&b, "' (");
	safe_str(&b, where);
	if (line) {
		safe_str(&b, " line ");
		safe_u64(&b, line);
	}
	safe_str(&b, ", column ");
	safe_u64(&b, err->col);
	safe_str(&b, "): ");
	safe_str(&b, err->problem);
	emit(&b);
}

int hold_comm(char out[16])
{
	out[15] = '\0';
	return safe_sys6(SYS_prctl, PR_GET_NAME, (long)out, 0, 0, 0, 0) < 0 ? -1 : 0;
}

/* <runtime>/park-PID-TID, optionally with a prefix for the temporary name. */
static void record_path(struct safe_buf *b, const char *prefix, int pid, int tid)
{
	safe_str(b, hold_g.runtime_dir);
	safe_str(b, prefix);
	safe_str(b, "park-");
	safe_u64(b, (uint64_t)pid);
	safe_chr(b, '-');
	safe_u64(b, (uint64_t)tid);
	safe_cstr(b);
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

/* Field 22 of /proc/self/stat: with the pid it names this process for good,
 * so a reader can tell a stale record from a live park after pid reuse. */
static uint64_t read_starttime(void)
{
	char st[1024];
	long n = safe_read_file("/proc/self/stat", st, sizeof(st) - 1);
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

	p->ppid = (int)safe_sys(SYS_getppid, 0, 0, 0);
	p->start = read_starttime();
	p->since_ns = safe_now_ns(CLOCK_REALTIME);
	if (hold_comm(p->comm) < 0)
		p->comm[0] = '\0';
	n = safe_sys6(SYS_readlinkat, AT_FDCWD, (long)"/proc/self/exe", (long)p->exe,
		     sizeof(p->exe) - 1, 0, 0);
	p->exe[n > 0 ? n : 0] = '\0';
	n = safe_read_file("/proc/self/cmdline", p->cmd, sizeof(p->cmd));
	while (n > 0 && p->cmd[n - 1] == '\0')
		n--;
	p->cmdlen = n > 0 ? n : 0;
}

static void put_kv(struct safe_buf *b, const char *k, const char *v)
{
	safe_str(b, k);
	safe_chr(b, '=');
	safe_str(b, v);
	safe_chr(b, '\n');
}

static void write_record(const struct hold_parked *p)
{
	char body[4096], tmp[PATH_MAX], path[PATH_MAX];
	struct safe_buf b, tp, pp;
	long fd;

	safe_init(&b, body, sizeof(body));
	safe_str(&b, "pid=");
	safe_u64(&b, (uint64_t)p->pid);
	safe_str(&b, "\ntid=");
	safe_u64(&b, (uint64_t)p->tid);
	safe_str(&b, "\nppid=");
	safe_u64(&b, (uint64_t)p->ppid);
	safe_str(&b, "\nstart=");
	safe_u64(&b, p->start);
	safe_str(&b, "\nsince=");
	safe_secs(&b, p->since_ns, 3);
	safe_str(&b, "\ntimeout=");
	safe_secs(&b, p->pi->timeout_ns, 3);
	safe_chr(&b, '\n');
	put_kv(&b, "event", p->pi->event);
	put_kv(&b, "mode", hold_mode_name(p->pi->mode));
	put_kv(&b, "rule", p->pi->rule);
	put_kv(&b, "comm", p->comm);
	put_kv(&b, "exe", p->exe);
	if (p->pi->ho) {
		put_kv(&b, "addr", p->pi->ho->addr);
		safe_str(&b, "fd=");
		safe_u64(&b, (uint64_t)p->pi->ho->fd);
		safe_str(&b, "\npeer=");
		safe_u64(&b, (uint64_t)p->pi->ho->peer);
		safe_chr(&b, '\n');
	}
	safe_str(&b, "argv=");
	for (long i = 0; i < p->cmdlen; i++)
		safe_chr(&b, p->cmd[i] == '\0' || p->cmd[i] == '\n' ? ' ' : p->cmd[i]);
	safe_chr(&b, '\n');

	if (!hold_g.runtime_dir) /* hold_here() before our constructor ran */
		return;
	safe_init(&tp, tmp, sizeof(tmp));
	record_path(&tp, "/.", p->pid, p->tid);
	safe_init(&pp, path, sizeof(path));
	record_path(&pp, "/", p->pid, p->tid);
	fd = safe_sys6(SYS_openat, AT_FDCWD, (long)tmp,
		      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600, 0, 0);
	if (fd == -ENOENT) { /* the first park here: make the directory */
		make_dirs(hold_g.runtime_dir);
		fd = safe_sys6(SYS_openat, AT_FDCWD, (long)tmp,
			      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600, 0, 0);
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
static void put_who(struct safe_buf *b, int pid, int tid)
{
	safe_str(b, "hold: pid ");
	safe_u64(b, (uint64_t)pid);
	if (tid != pid) {
		safe_str(b, " thread ");
		safe_u64(b, (uint64_t)tid);
	}
}

/* " of 42 bytes on fd 7 (unix:/run/x.sock, from pid 4090 minivirsh)" */
static void put_handoff(struct safe_buf *b, const struct hold_handoff *ho)
{
	if (ho->newfd < 0) {
		safe_str(b, " of ");
		safe_u64(b, (uint64_t)ho->bytes);
		safe_str(b, ho->bytes == 1 ? " byte" : " bytes");
	} else {
		safe_str(b, " of fd ");
		safe_u64(b, (uint64_t)ho->newfd);
	}
	safe_str(b, " on fd ");
	safe_u64(b, (uint64_t)ho->fd);
	safe_str(b, " (");
	safe_str(b, ho->addr);
	if (ho->peer > 0) {
		safe_str(b, ", from pid ");
		safe_u64(b, (uint64_t)ho->peer);
		if (ho->peer_comm[0]) {
			safe_chr(b, ' ');
			safe_str(b, ho->peer_comm);
		}
	}
	safe_chr(b, ')');
}

void hold_report_parked(struct hold_parked *p)
{
	const struct hold_park_info *pi = p->pi;
	char mem[1024];
	struct safe_buf b;

	gather(p);
	write_record(p);

	safe_init(&b, mem, sizeof(mem) - 1);
	put_who(&b, p->pid, p->tid);
	safe_str(&b, " (");
	safe_str(&b, p->comm);
	safe_str(&b, ") parked at ");
	safe_str(&b, pi->event);
	if (pi->ho)
		put_handoff(&b, pi->ho);
	safe_str(&b, " by rule '");
	safe_str(&b, pi->rule);
	safe_str(&b, "'");
	if (pi->timeout_ns) {
		safe_str(&b, " for ");
		safe_secs(&b, pi->timeout_ns, 3);
		safe_str(&b, "s");
	}
	if (pi->mode == HOLD_MODE_STOP) {
		safe_str(&b, " (stopped); attach: hold attach ");
		safe_u64(&b, (uint64_t)p->pid);
		safe_str(&b, "; release: hold release ");
		safe_u64(&b, (uint64_t)p->pid);
		safe_str(&b, " or kill -CONT ");
		safe_u64(&b, (uint64_t)p->pid);
	} else {
		safe_str(&b, "; attach: hold attach ");
		safe_u64(&b, (uint64_t)p->pid);
		if (p->tid != p->pid) {
			safe_chr(&b, '/');
			safe_u64(&b, (uint64_t)p->tid);
		}
	}
	emit(&b);
	hold_client_announce(p);
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
	struct safe_buf b, pp;

	hold_client_released(p, by);
	if (hold_g.runtime_dir) {
		safe_init(&pp, path, sizeof(path));
		record_path(&pp, "/", p->pid, p->tid);
		safe_sys(SYS_unlink, path, 0, 0);
	}

	safe_init(&b, mem, sizeof(mem) - 1);
	put_who(&b, p->pid, p->tid);
	safe_str(&b, " released (");
	safe_str(&b, why[by]);
	safe_str(&b, ")");
	emit(&b);
}
