/* SPDX-License-Identifier: MIT */
/*
 * decide.c - given the facts of an event, does a rule say park?
 *
 * count=N is shared by the whole followed tree, not per process: the counts
 * live in a small MAP_SHARED file in the runtime directory named by the
 * session (HOLD_SESSION, passed to every new image), so a fork child shares
 * the mapping and an exec'd image maps the same file.  The session is 128
 * random bits: in root's runtime directory (searchable, not listable) the
 * file is open to the tree's processes that switched user, and to nobody
 * who does not know its name.  For fork the decision
 * is taken in the parent before fork, so the child only parks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf.h"
#include "libhold.h"
#include "sigsafe.h"

#define COUNTS_BYTES 4096

static int counts_tried; /* hold_counts_open ran in this image (or its parent) */

HOT int hold_decide_any_count(void)
{
	for (unsigned i = 0; i < hold_g.rules.n; i++)
		if (hold_g.rules.rule[i].count)
			return 1;
	return 0;
}

void hold_counts_open(const char *session)
{
	char name[128];
	struct buf b;
	unsigned mode = 0;
	long dir, fd, m = -1;
	/* a failure matters only to count=; hold run's tally goes without */
	int say = hold_decide_any_count();

	counts_tried = 1;
	buf_init(&b, name, sizeof(name));
	buf_str(&b, "count-");
	buf_str(&b, session);
	buf_chr(&b, '-');
	buf_u64(&b, hold_rules_hash(&hold_g.rules));
	buf_cstr(&b);
	for (const char *c = session; *c; c++)
		if (*c == '/') /* a name in the runtime directory, never a path */
			b.full = 1;
	if (b.full || (dir = hold_runtime_dirfd_mode(&mode)) < 0) {
		if (say)
			hold_say("cannot share count= with the rest of the tree (HOLD_SESSION ",
				 session, "); counting in this process only");
		return;
	}
	fd = safe_sys6(SYS_openat, dir, (long)name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600,
		       0, 0);
	safe_sys(SYS_close, dir, 0, 0);
	/* Root's tree may switch to other users, who must count too: in a
	 * directory nobody else can list, the unguessable session name is
	 * the only way in, so the file may be theirs to write. */
	if (fd >= 0 && safe_sys(SYS_geteuid, 0, 0, 0) == 0 && !(mode & 0004))
		safe_sys(SYS_fchmod, fd, 0666, 0);
	/* Zero-filled on creation, so racing creators agree without a lock. */
	if (fd >= 0 && safe_sys(SYS_ftruncate, fd, COUNTS_BYTES, 0) == 0)
		m = safe_sys6(SYS_mmap, 0, COUNTS_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fd >= 0)
		safe_sys(SYS_close, fd, 0, 0);
	if (m < 0 && m > -4096) {
		if (say)
			hold_say("cannot share count= with the rest of the tree via ", name,
				 " in the runtime directory; counting in this process only");
		return;
	}
	hold_g.used = (uint32_t *)m;
}

/* Where the fire counts live: shared with the tree, else this process.
 * Under a session (hold run names one) the file is mapped at the first
 * firing, if count= did not map it at start: an image where no rule
 * fires never opens it, and hold run reads it when the program ends to
 * name the rules that never fired. */
static uint32_t *counts(void)
{
	static uint32_t local[HOLD_RULES_MAX];
	const char *s;

	if (!hold_g.used && !counts_tried && (s = hold_setting("HOLD_SESSION")))
		hold_counts_open(s);
	return hold_g.used ? hold_g.used : local;
}

/* Take one firing of rule i, counted; 0 when its count is spent. */
static HOT int take(int i)
{
	return hold_rule_take(&hold_g.rules.rule[i], &counts()[i]);
}

void hold_decide_refund(int i)
{
	uint32_t *used = counts();

	if (i >= 0)
		__atomic_fetch_sub(&used[i], 1, __ATOMIC_RELAXED);
}

/* fork rules with arg= match the argv this image started with, copied
 * here by the constructor: setproctitle() rewrites the strings in place,
 * and a rule should not stop matching when a daemon renames itself. */
#define START_ARGV_MAX 64
static char start_argv_mem[4096];
static char *start_argv[START_ARGV_MAX + 1];

void hold_decide_keep_argv(char **argv)
{
	size_t used = 0;
	unsigned n = 0;

	for (; argv && argv[n] && n < START_ARGV_MAX; n++) {
		size_t len = strlen(argv[n]) + 1;

		if (len > sizeof(start_argv_mem) - used)
			break;
		memcpy(start_argv_mem + used, argv[n], len);
		start_argv[n] = start_argv_mem + used;
		used += len;
	}
	start_argv[n] = NULL;
}

HOT int hold_decide_fork(void)
{
	char comm[16], *cp = NULL;

	if (__builtin_expect(!(hold_g.rules.event_mask & (1u << HOLD_EV_FORK)), 1))
		return -1;
	if (hold_rules_need_comm(&hold_g.rules, HOLD_EV_FORK) && safe_comm(comm) == 0)
		cp = comm;
	for (unsigned i = 0; i < hold_g.rules.n; i++)
		if (hold_rule_match_fork(&hold_g.rules.rule[i], cp, start_argv) && take((int)i))
			return (int)i;
	return -1;
}

HOT void hold_decide_exec(char **argv)
{
	char exe[PATH_MAX], comm[16];
	struct hold_exec_facts f = {
		.path = (const char *)getauxval(AT_EXECFN),
		.argv = argv,
	};
	int looked = 0;

	if (!hold_g.rules.of_event[HOLD_EV_EXEC])
		return; /* no exec rule: no /proc read */
	if (hold_rules_need_comm(&hold_g.rules, HOLD_EV_EXEC) && safe_comm(comm) == 0)
		f.comm = comm;
	for (unsigned i = 0; i < hold_g.rules.n; i++) {
		const struct hold_rule *r = &hold_g.rules.rule[i];
		int m = hold_rule_match_exec(r, &f);

		/* The path the image was exec'd by (AT_EXECFN) first; the
		 * executable it resolved to (a symlink's target, a script's
		 * interpreter) only when a rule's pattern needs it. */
		if (!m && !looked && (hold_g.rules.of_event[HOLD_EV_EXEC] >> i & 1) &&
		    r->pattern[0]) {
			long n = safe_sys6(SYS_readlinkat, AT_FDCWD, (long)"/proc/self/exe",
					   (long)exe, sizeof(exe) - 1, 0, 0);

			looked = 1;
			if (n > 0) {
				exe[n] = '\0';
				f.exe = exe;
				m = hold_rule_match_exec(r, &f);
			}
		}
		if (m && take((int)i)) {
			hold_park_rule((int)i, "exec");
			return;
		}
	}
}

/* --- recv and accept: the hand-offs -------------------------------------- */

static int spent(int i)
{
	return hold_rule_spent(&hold_g.rules.rule[i], &counts()[i]);
}

/* The address as the park reports it: the name or port the rule saw. */
static void describe(const struct hold_rule *r, const struct hold_fd_info *fi, char *out,
		     size_t cap)
{
	struct buf b;

	buf_init(&b, out, cap);
	switch (fi->f.kind) {
	case HOLD_ADDR_UNIX: {
		const char *name = fi->lname[0] ? fi->lname : fi->pname;

		if (r->pattern[0] && !hold_glob(r->pattern, fi->lname))
			name = fi->pname;
		buf_str(&b, "unix:");
		buf_str(&b, name[0] ? name : "(unnamed)");
		break;
	}
	case HOLD_ADDR_TCP:
	case HOLD_ADDR_UDP:
		buf_str(&b, fi->f.kind == HOLD_ADDR_TCP ? "tcp:" : "udp:");
		buf_u64(&b, r->port ? r->port : fi->f.lport);
		break;
	default:
		buf_str(&b, "pipe:[");
		buf_u64(&b, fi->ino);
		buf_chr(&b, ']');
	}
	buf_cstr(&b);
}

static void find_peer(struct hold_handoff *ho, const struct hold_fd_info *fi)
{
	char path[64];
	struct buf b;
	struct ucred cr = {0};
	socklen_t len = sizeof(cr);
	long n;

	if (fi->f.kind == HOLD_ADDR_UNIX &&
	    safe_sys6(SYS_getsockopt, ho->newfd >= 0 ? ho->newfd : ho->fd, SOL_SOCKET, SO_PEERCRED,
		      (long)&cr, (long)&len, 0) == 0)
		ho->peer = cr.pid;
	else if (fi->f.kind == HOLD_ADDR_PIPE)
		ho->peer = hold_pipe_writer(fi->dev, fi->ino);
	if (ho->peer <= 0)
		return;
	buf_init(&b, path, sizeof(path));
	buf_str(&b, "/proc/");
	buf_u64(&b, (uint64_t)ho->peer);
	buf_str(&b, "/comm");
	n = safe_read_file(buf_cstr(&b), ho->peer_comm, sizeof(ho->peer_comm) - 1);
	while (n > 0 && ho->peer_comm[n - 1] == '\n')
		n--;
	ho->peer_comm[n > 0 ? n : 0] = '\0';
}

/* peer=GLOB: the sender's name or executable (found once, if at all). */
static int peer_is(const char *glob, struct hold_handoff *ho, const struct hold_fd_info *fi,
		   int *looked)
{
	char path[64], exe[PATH_MAX];
	struct buf b;
	long n;

	if (!*looked) {
		find_peer(ho, fi);
		*looked = 1;
	}
	if (ho->peer <= 0)
		return 0;
	if (hold_glob(glob, ho->peer_comm))
		return 1;
	buf_init(&b, path, sizeof(path));
	buf_str(&b, "/proc/");
	buf_u64(&b, (uint64_t)ho->peer);
	buf_str(&b, "/exe");
	n = safe_sys6(SYS_readlinkat, AT_FDCWD, (long)buf_cstr(&b), (long)exe, sizeof(exe) - 1, 0,
		      0);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	return hold_glob_path(glob, exe);
}

/* tcp:HOST:PORT on an accept: the address is the accepted connection's. */
static int host_is(const struct hold_rule *r, enum hold_event ev, int newfd,
		   const struct hold_fd_info *fi, struct hold_fd_info *conn, int *looked)
{
	if (!r->has_host)
		return 1;
	if (ev != HOLD_EV_ACCEPT)
		return hold_rule_match_host(r, &fi->f);
	if (!*looked) {
		hold_fd_facts(newfd, conn);
		*looked = 1;
	}
	return hold_rule_match_host(r, &conn->f);
}

static void handoff(enum hold_event ev, int fd, int newfd, long bytes, uint32_t m)
{
	struct hold_handoff ho = {
		.fd = fd, .newfd = newfd, .bytes = bytes > 0 ? (uint64_t)bytes : 0};
	struct hold_fd_info fi, conn;
	char comm[16], *cp = NULL;
	int peer_looked = 0, conn_looked = 0;

	for (unsigned i = 0; i < hold_g.rules.n; i++)
		if (((m >> i) & 1) && spent((int)i))
			m &= ~(1u << i);
	if (!m)
		return;
	/* The cached entry may be stale (an fd closed and reused inside libc):
	 * look again before parking anyone. */
	m &= hold_fd_rules_fresh(fd, &fi) & hold_g.rules.of_event[ev];
	if (!m)
		return;
	if (hold_rules_need_comm(&hold_g.rules, ev) && safe_comm(comm) == 0)
		cp = comm;
	for (unsigned i = 0; i < hold_g.rules.n; i++) {
		const struct hold_rule *r = &hold_g.rules.rule[i];

		if (!((m >> i) & 1) || (r->comm[0] && !(cp && hold_glob(r->comm, cp))) ||
		    !host_is(r, ev, newfd, &fi, &conn, &conn_looked) ||
		    (r->peer[0] && !peer_is(r->peer, &ho, &fi, &peer_looked)))
			continue;
		if (take((int)i)) {
			describe(r, &fi, ho.addr, sizeof(ho.addr));
			if (!peer_looked)
				find_peer(&ho, &fi);
			hold_park_handoff((int)i, &ho);
			return;
		}
	}
}

void hold_handoff_slow(enum hold_event ev, int fd, int newfd, long bytes, uint32_t m)
{
	int saved_errno = errno; /* the call succeeded; its caller may still look */

	handoff(ev, fd, newfd, bytes, m);
	errno = saved_errno;
}

/* --- exec of an image libhold cannot enter ---------------------------------
 * A static program has no ld.so to preload libhold; a set-uid or set-gid
 * one makes ld.so ignore LD_PRELOAD.  An exec rule that takes one parks the
 * caller just before the exec instead ("preexec"): hold attach then lets
 * gdb follow the exec (catch exec) and sets the breakpoints in the new
 * image.  A set-uid exec under a tracer that is not root loses its
 * privileges, so that park is made only for root. */

static long raw_pread(long fd, void *buf, unsigned long n, unsigned long off)
{
	return safe_sys6(SYS_pread64, fd, (long)buf, (long)n, (long)off, 0, 0);
}

/* 0: dynamic and not set-id (its own libhold decides); 1: static; 2: set-id. */
static int opaque_image(const char *path)
{
	struct statx sx;
	long fd;
	int kind;

	if (safe_sys6(SYS_statx, AT_FDCWD, (long)path, 0, STATX_MODE, (long)&sx, 0) < 0 ||
	    !S_ISREG(sx.stx_mode))
		return 0;
	if (sx.stx_mode & (S_ISUID | S_ISGID))
		return 2;
	if ((fd = safe_sys(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	kind = hold_elf_dynamic(fd, raw_pread) == 0; /* a script is not ours to judge */
	safe_sys(SYS_close, fd, 0, 0);
	return kind;
}

void hold_decide_preexec(const char *path, char *const argv[])
{
	struct hold_exec_facts f = {.path = path, .argv = argv};
	int kind = -1;

	if (!hold_g.ready || !(hold_g.rules.event_mask & (1u << HOLD_EV_EXEC)))
		return;
	for (unsigned i = 0; i < hold_g.rules.n; i++) {
		if (!hold_rule_match_exec(&hold_g.rules.rule[i], &f))
			continue;
		if (kind < 0 && (kind = opaque_image(path)) == 0)
			return;
		if (kind == 2 && safe_sys(SYS_geteuid, 0, 0, 0) != 0) {
			hold_say(
				"not parking before the exec of ", path,
				": it is set-uid or set-gid, and under a tracer that is not root "
				"the kernel runs it without its privileges (run the tree as root)");
			return;
		}
		if (take((int)i))
			hold_park_preexec((int)i, path, argv);
		return;
	}
}
