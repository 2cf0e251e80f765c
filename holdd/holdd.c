/* SPDX-License-Identifier: MIT */
/*
 * holdd.c - the hold daemon: start-up.
 *
 * Listens where libhold and the CLI look (paths.h) or on the sockets
 * systemd hands over (LISTEN_FDS); replays the journal; finds stopped
 * parks by their records; drops privileges and confines itself; then runs
 * the loop in server.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "args.h"
#include "config.h"
#include "holdd.h"
#include "paths.h"

static const struct args_opt options[] = {
	{'f', "foreground", NULL, 0, "log to stderr instead of syslog"},
	{'s', "socket", "PATH", 0,
	 "listen here (default: $HOLD_SOCKET, else RUNTIME_DIR/holdd.sock);\n"
	 "fork/exec reports arrive on PATH.events"},
	{'d', "state-dir", "DIR", 0,
	 "the journal's directory (default: $HOLD_STATE_DIR,\n"
	 "$XDG_STATE_HOME/hold, /var/lib/hold for root)"},
	{'g', "group", "NAME", 0, "socket mode 0660 with this group, instead of 0600"},
	{0, "any-user", NULL, 0,
	 "socket mode 0666 and its directory searchable (0711): processes\n"
	 "of every user may report and ask, each seeing only its own parks\n"
	 "and its trees' (for trees that drop privileges; hold run as root)"},
	{0, "keep-exited", "N", 0, "keep at most N exited processes in the trees (default 10000)"},
	{0, "keep-age", "SECS", 0, "forget exited processes after SECS (default 3600; 0: never)"},
	{0, "exit-with", "PID", 0,
	 "stop once PID, and every program a later hold run\n"
	 "joined to this holdd, has exited and nothing is parked"},
	{0, "ready-fd", "FD", 0, "write one byte to FD once listening"},
	{0, "log-file", "PATH", 0, "log to PATH (implies --foreground)"},
	{0, "no-kernel-follow", NULL, 0,
	 "do not load the kernel follower (BPF): hold watch is refused, and\n"
	 "hold run and follow use libhold and ptrace as without it"},
	{'V', "version", NULL, 0, "print holdd's version and exit"},
	{0, "read-journal", "FD", 0,
	 "answer the connection on FD (hold tree when no holdd runs) from\n"
	 "the journal, read only, with no socket of its own; exit when it closes"},
	{0, NULL, NULL, 0, NULL},
};
static const struct args_spec spec = {options, 0, 0, 0};

static void help(FILE *f)
{
	fputs("usage: holdd [--foreground] [--socket PATH] [--state-dir DIR] [--group NAME]\n"
	      "             [--any-user] [--keep-exited N] [--keep-age SECS] [--exit-with PID] "
	      "[--ready-fd FD]\n"
	      "             [--log-file PATH] [--no-kernel-follow]\n"
	      "\n"
	      "Records the process trees libhold reports, knows what is parked, releases it.\n"
	      "\n",
	      f);
	args_print_options(f, &spec);
}

struct opts {
	int foreground, ready_fd, exit_with, any_user, read_journal, no_kernel;
	const char *sock, *state_dir, *group, *log_file;
	struct tree_limits lim;
};

static char sock_path[108], events_path[108];
static int we_bound;               /* unlink the sockets at exit: not systemd's */
static ino_t sock_ino, events_ino; /* what we bound, to unlink only that */
static int listen_fd = -1, events_fd = -1;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hlog(LOG_ERR, "%s", msg);
	if (!log_is_stderr()) /* whoever started holdd sees why, too */
		fprintf(stderr, "holdd: %s\n", msg);
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	static struct args a;
	char err[256];
	uint64_t n;
	int r = args_parse(&spec, argc, argv, &a, err, sizeof(err));

	if (r == ARGS_HELP) {
		help(stdout);
		exit(0);
	}
	if (r == ARGS_OK && args_has(&a, "version")) {
		printf("holdd %s\n", PACKAGE_VERSION);
		exit(0);
	}
	*o = (struct opts){
		.ready_fd = -1, .read_journal = -1, .lim = {3600ull * 1000000000ull, 10000}};
	if (r == ARGS_OK && (r = args_uint(&a, "keep-exited", SIZE_MAX, &n, err, sizeof(err))) == 0)
		o->lim.keep_exited = (size_t)n;
	if (r != ARGS_BAD &&
	    (r = args_uint(&a, "keep-age", UINT64_MAX / 1000000000ull, &n, err, sizeof(err))) == 0)
		o->lim.keep_ns = n * 1000000000ull;
	if (r != ARGS_BAD && (r = args_uint(&a, "exit-with", INT32_MAX, &n, err, sizeof(err))) == 0)
		o->exit_with = (int)n;
	if (r != ARGS_BAD && (r = args_uint(&a, "ready-fd", INT32_MAX, &n, err, sizeof(err))) == 0)
		o->ready_fd = (int)n;
	if (r != ARGS_BAD &&
	    (r = args_uint(&a, "read-journal", INT32_MAX, &n, err, sizeof(err))) == 0)
		o->read_journal = (int)n;
	if (r == ARGS_BAD) {
		fprintf(stderr, "holdd: %s (holdd --help lists the options)\n", err);
		exit(2);
	}
	o->foreground = args_has(&a, "foreground");
	o->sock = args_get(&a, "socket");
	o->state_dir = args_get(&a, "state-dir");
	o->group = args_get(&a, "group");
	o->any_user = args_has(&a, "any-user");
	o->no_kernel = args_has(&a, "no-kernel-follow");
	if ((o->log_file = args_get(&a, "log-file")))
		o->foreground = 1;
}

/* systemd socket activation: fds 3.. of LISTEN_FDS, told apart by type. */
static int activated(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int n = fds ? atoi(fds) : 0;

	if (!pid || atoi(pid) != getpid() || n <= 0)
		return 0;
	for (int fd = 3; fd < 3 + n; fd++) {
		int type = 0;
		socklen_t len = sizeof(type);

		getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		if (type == SOCK_STREAM)
			listen_fd = fd;
		else if (type == SOCK_DGRAM)
			events_fd = fd;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 1;
}

static void sun_set(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, path, strlen(path) + 1);
}

/* Is a holdd already answering at path? */
static int answering(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	sun_set(&a, path);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static const char *kind(mode_t m)
{
	return S_ISSOCK(m)  ? "socket"
	       : S_ISLNK(m) ? "symbolic link"
	       : S_ISDIR(m) ? "directory"
			    : "file";
}

/* A stale socket of ours (answering() said nobody is there) goes; anything
 * else at the path -- a file, a link, another user's socket -- stays, and
 * holdd does not start. */
static void unlink_stale(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
		die("%s is a %s of uid %u, not a socket holdd left: not removing it (remove it "
		    "yourself, or choose another --socket)",
		    path, kind(st.st_mode), (unsigned)st.st_uid);
	unlink(path);
}

/* The socket's directory: holdd's own or root's, writable by nobody else --
 * or sticky (as /tmp), where nobody else can remove or replace the socket. */
static void check_socket_dir(const char *dir)
{
	struct stat st;
	const char *why;

	if (lstat(dir, &st) < 0)
		die("cannot examine %s: %s", dir, strerror(errno));
	why = hold_dir_unsafe(st.st_mode, st.st_uid, geteuid());
	if (why &&
	    !(S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) &&
	      !hold_dir_unsafe(st.st_mode & ~(mode_t)(S_IWGRP | S_IWOTH), st.st_uid, geteuid())))
		die("%s, the socket's directory, %s (owner uid %u, mode %04o): not listening "
		    "there (choose a directory of your own, mode 0700, with --socket or "
		    "HOLD_SOCKET)",
		    dir, why, (unsigned)st.st_uid, (unsigned)st.st_mode & 07777);
}

static ino_t ino_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_ino : 0;
}

/* At exit: the path goes only if it is still our socket.  A holdd that
 * started as this one stopped (hold run's next private holdd) may have
 * bound it anew; unlinking that would leave it unreachable, its parks
 * listed by no one. */
static void unlink_ours(const char *path, ino_t ino)
{
	if (ino && ino_of(path) == ino)
		unlink(path);
}

static int bind_one(const char *path, int type, mode_t mode, gid_t gid)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	mode_t old;

	sun_set(&a, path);
	unlink_stale(path);
	old = umask(0177); /* never world-connectable, not even for a moment */
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("cannot listen on %s: %s", path, strerror(errno));
	umask(old);
	if (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0)
		die("cannot give %s to its group: %s", path, strerror(errno));
	if (mode != 0600 && chmod(path, mode) < 0)
		die("cannot make %s mode %04o: %s", path, (unsigned)mode, strerror(errno));
	/* a long backlog: reports that find the datagram queue full (it holds
	 * net.unix.max_dgram_qlen, 10) come as connections of their own */
	if (type == SOCK_STREAM && listen(fd, 4096) < 0)
		die("cannot listen on %s: %s", path, strerror(errno));
	return fd;
}

static void listen_sockets(const struct opts *o)
{
	const char *sock = o->sock ? o->sock : hold_socket_path();
	char dir[108];
	gid_t gid = (gid_t)-1;
	mode_t mode = 0600;

	if (strlen(sock) + strlen(HOLD_EVENTS_SUFFIX) >= sizeof(sock_path))
		die("socket path %s is too long (the limit is 100 bytes); set HOLD_SOCKET", sock);
	snprintf(sock_path, sizeof(sock_path), "%s", sock);
	snprintf(events_path, sizeof(events_path), "%s%s", sock, HOLD_EVENTS_SUFFIX);
	if (activated() && listen_fd >= 0 && events_fd >= 0)
		return;
	if (o->group) {
		struct group *g = getgrnam(o->group);

		if (!g)
			die("no group '%s' (create it: groupadd %s)", o->group, o->group);
		gid = g->gr_gid;
		mode = 0660;
	}
	if (o->any_user)
		mode = 0666;
	snprintf(dir, sizeof(dir), "%s", sock);
	if (strrchr(dir, '/') && strrchr(dir, '/') != dir) {
		*strrchr(dir, '/') = '\0';
		if (hold_mkdirs(dir, gid != (gid_t)-1 ? 0755 : o->any_user ? 0711 : 0700) < 0)
			die("cannot create %s: %s", dir, strerror(errno));
		check_socket_dir(dir);
		/* others must reach the socket through its directory */
		if (o->any_user && hold_dir_let_through(dir) < 0)
			die("%s, the socket's directory, is not searchable by other users, and "
			    "holdd cannot change that (chmod go+x %s)",
			    dir, dir);
	}
	if (answering(sock_path))
		die("a holdd is already answering at %s; stop it, or choose another --socket",
		    sock_path);
	listen_fd = bind_one(sock_path, SOCK_STREAM, mode, gid);
	events_fd = bind_one(events_path, SOCK_DGRAM, mode, gid);
	we_bound = 1;
	sock_ino = ino_of(sock_path);
	events_ino = ino_of(events_path);
}

/* One pidfd per live process: take all the fds we may. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* holdd --read-journal FD: what the journal says, to one client, read
 * only -- no socket, no ring, no record, nothing written. */
static int read_journal(const struct opts *o)
{
	char err[256];

	log_init(1);
	log_quiet(); /* the client says what went wrong */
	conn_init();
	if (loop_init() < 0 || server_init(-1, -1, 0) < 0 ||
	    store_open(o->state_dir ? o->state_dir : hold_state_dir(), &o->lim, 1) < 0)
		return 2;
	store_revive(); /* marks what has exited since */
	if (sandbox_enter(err, sizeof(err)) < 0 || server_serve(o->read_journal) < 0)
		return 2;
	server_run();
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	char err[256];

	parse(argc, argv, &o);
	if (o.read_journal >= 0)
		return read_journal(&o);
	if (o.log_file) {
		/* never through a symbolic link, never into someone else's file */
		int fd = open(o.log_file,
			      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
			      0600);
		struct stat st;

		if (fd < 0 || fstat(fd, &st) < 0)
			die("cannot log to %s: %s", o.log_file, strerror(errno));
		if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
			die("cannot log to %s: it is a %s of uid %u, not a file of holdd's own",
			    o.log_file, kind(st.st_mode), (unsigned)st.st_uid);
		if (dup2(fd, 2) < 0)
			die("cannot log to %s: %s", o.log_file, strerror(errno));
		close(fd);
	}
	log_init(o.foreground);
	listen_sockets(&o);
	raise_fd_limit();
	conn_init();
	if (loop_init() < 0 || server_init(listen_fd, events_fd, o.exit_with) < 0)
		die("cannot set up the event loop: %s", strerror(errno));
	/* without it, reports come as datagrams, as from other users */
	if (server_ring(sock_path) < 0)
		hlog(LOG_WARNING, "cannot make the report ring %s%s: %s; reports come as datagrams",
		     sock_path, HOLD_RING_SUFFIX, strerror(errno));
	if (store_open(o.state_dir ? o.state_dir : hold_state_dir(), &o.lim, 0) < 0)
		exit(2);
	store_revive();
	if (o.exit_with > 0) /* hold run's program: the tree is its user's */
		store_own(geteuid(), o.exit_with);
	parks_recover(hold_runtime_dir());
	store_flush();
	/* with the capabilities the load needs, which the sandbox then drops */
	watch_init(!o.no_kernel);
	/* started by hand: say where it is (isatty, an ioctl: before the sandbox) */
	if (!log_is_stderr() && isatty(2))
		fprintf(stderr,
			"holdd: listening on %s (pid %d); it logs to syslog (holdd --foreground: "
			"here)\n",
			sock_path, getpid());
	if (sandbox_enter(err, sizeof(err)) < 0)
		die("%s (holdd does not run unconfined)", err);
	hlog(LOG_INFO, "listening on %s (pid %d)", sock_path, getpid());

	if (o.ready_fd >= 0) {
		if (write(o.ready_fd, "", 1) < 0) {
		}
		close(o.ready_fd);
	}
	server_run();
	drain_close();
	parks_flush();
	if (we_bound) {
		unlink_ours(sock_path, sock_ino);
		unlink_ours(events_path, events_ino);
	}
	return 0;
}
