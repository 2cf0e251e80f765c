/*
 * cmd-attach.c - hold attach: gdb on a parked thread, ready to go.
 *
 * Execs gdb with the executable named explicitly (/proc/PID/exe: a venv's
 * python or a deleted binary would otherwise be guessed wrong), the parked
 * thread selected by its LWP, its hold_park frame selected, breakpoints set;
 * then releases it (`set var hold = 0`, or SIGCONT for a stopped process)
 * and continues.  Before that it checks what would make the attach fail,
 * so the error names the cause: no gdb, Yama, another tracer, another user.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "attach-python.h"
#include "cli.h"

#define MAX_GDB_ARGS 256

static const char *find_gdb(void)
{
	static char buf[PATH_MAX];
	const char *env = getenv("GDB"), *path = getenv("PATH");

	if (env && *env)
		return access(env, X_OK) == 0 ? env : NULL;
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/gdb", (int)n, p);
		if (n && access(buf, X_OK) == 0)
			return buf;
		p += n + (p[n] == ':');
	}
	return NULL;
}

static long status_field(int pid, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

static int have_cap_ptrace(void)
{
	cap_t c = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (c) {
		cap_get_flag(c, CAP_SYS_PTRACE, CAP_EFFECTIVE, &v);
		cap_free(c);
	}
	return v == CAP_SET;
}

/* What would refuse the attach, as an error; 0 if nothing we can see. */
static int attach_refused(int pid)
{
	long tracer = status_field(pid, "TracerPid:"), uid = status_field(pid, "Uid:");
	long scope = -1;
	/* HOLD_TEST_YAMA: the tests' stand-in for the sysctl, which a test
	 * cannot set back once it is 3 */
	const char *yama = getenv("HOLD_TEST_YAMA");
	FILE *f = fopen(yama ? yama : "/proc/sys/kernel/yama/ptrace_scope", "re");

	if (f) {
		if (fscanf(f, "%ld", &scope) != 1)
			scope = -1;
		fclose(f);
	}
	if (tracer > 0) {
		char path[64], comm[64] = "?";

		snprintf(path, sizeof(path), "/proc/%ld/comm", tracer);
		if ((f = fopen(path, "re"))) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		return cli_fail(
			EXIT_USAGE,
			"pid %d is already traced by pid %ld (%s); a process has one tracer: "
			"detach that one first",
			pid, tracer, comm);
	}
	if (scope == 3)
		return cli_fail(EXIT_USAGE,
				"Yama forbids every attach (kernel.yama.ptrace_scope = 3, "
				"fixed until reboot); nothing can attach to pid %d",
				pid);
	if (scope == 2 && !have_cap_ptrace())
		return cli_fail(EXIT_USAGE,
				"Yama allows only CAP_SYS_PTRACE to attach "
				"(kernel.yama.ptrace_scope = 2): run hold attach as root (sudo)");
	if (uid >= 0 && uid != (long)geteuid() && !have_cap_ptrace())
		return cli_fail(EXIT_USAGE,
				"pid %d belongs to uid %ld and you are uid %d: attach as "
				"that user, or as root",
				pid, uid, (int)geteuid());
	/* scope 1 needs nothing: a parked process allows any tracer while parked */
	return 0;
}

/* The park to attach to: PID's only one, or the thread named. */
static int find_park(int pid, int *tid, int *stop)
{
	struct hold_park *r;
	int from_spool, n = cli_parks(&r, &from_spool), found = 0, first = 0;
	char list[256] = "";

	if (n < 0)
		return EXIT_USAGE;
	for (int i = 0; i < n; i++) {
		if (r[i].pid != pid || (*tid && r[i].tid != *tid))
			continue;
		if (!found++) {
			first = r[i].tid;
			*stop = r[i].mode == HOLD_MODE_STOP;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d/%d",
			 found > 1 ? ", " : "", pid, r[i].tid);
	}
	free(r);
	if (!found)
		return *tid ? cli_fail(EXIT_NONE, "%d/%d is not parked (hold ls lists what is)",
				       pid, *tid)
			    : cli_fail(EXIT_NONE, "pid %d is not parked (hold ls lists what is)",
				       pid);
	if (found > 1 && !*tid)
		return cli_fail(EXIT_USAGE, "pid %d has %d parked threads (%s); say which", pid,
				found, list);
	*tid = first;
	return 0;
}

struct gdb_cmd {
	char *argv[MAX_GDB_ARGS];
	int n;
};

static void arg(struct gdb_cmd *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct gdb_cmd *g, const char *fmt, ...)
{
	va_list ap;

	if (g->n >= MAX_GDB_ARGS - 1)
		return;
	va_start(ap, fmt);
	if (vasprintf(&g->argv[g->n], fmt, ap) >= 0)
		g->n++;
	va_end(ap);
}

static int cmd_attach(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longs[] = {{"break", required_argument, 0, 'b'},
					      {"batch", no_argument, 0, 'B'},
					      {"ex", required_argument, 0, 'x'},
					      {"no-release", no_argument, 0, 'n'},
					      {"py-bt", no_argument, 0, 'p'},
					      {"help", no_argument, 0, 'h'},
					      {0, 0, 0, 0}};
	const char *brk[64], *ex[64], *gdb;
	int nbrk = 0, nex = 0, batch = 0, release = 1, pybt = 0, pid, tid, stop = 0, c, err;
	char exe[PATH_MAX], link[64];
	struct gdb_cmd g = {.n = 0};
	struct py_target py;
	enum py_found pyf;
	ssize_t len;

	while ((c = getopt_long_only(argc, argv, "b:h", longs, NULL)) != -1) {
		if (c == 'b' && nbrk < 64)
			brk[nbrk++] = optarg;
		else if (c == 'x' && nex < 64)
			ex[nex++] = optarg;
		else if (c == 'B')
			batch = 1;
		else if (c == 'n')
			release = 0;
		else if (c == 'p')
			pybt = 1;
		else if (c == 'h')
			return cli_help(self), EXIT_DONE;
		else
			return cli_usage(self, "unknown option");
	}
	if (argc - optind != 1 || parse_target(argv[optind], &pid, &tid) < 0)
		return cli_usage(self, "name one parked PID or PID/TID");
	if (pybt && (nbrk || nex))
		return cli_usage(self, "--py-bt prints the Python stack and detaches; it takes no "
				       "-b or -ex (use -ex py-bt for that)");
	if (!(gdb = find_gdb()))
		return cli_fail(EXIT_USAGE,
				"gdb is not installed (or not in PATH%s): apt-get install "
				"gdb",
				getenv("GDB") ? ", or $GDB is wrong" : "");
	if ((err = attach_refused(pid)) || (err = find_park(pid, &tid, &stop)))
		return err;
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	if ((len = readlink(link, exe, sizeof(exe) - 1)) < 0)
		return cli_fail(EXIT_USAGE, "cannot read %s: %s", link, strerror(errno));
	exe[len] = '\0';
	pyf = py_target_find(pid, exe, &py);
	if (pybt && pyf == PY_NOT_PYTHON)
		return cli_fail(EXIT_USAGE,
				"pid %d is not a CPython process (it runs %s, and no libpython "
				"is mapped): --py-bt needs a Python; leave it out for the C stack",
				pid, exe);
	if (pybt && pyf == PY_NO_EXT)
		return py_no_ext_error(pid, exe, &py);
	if (pyf == PY_NO_EXT)
		fprintf(stderr,
			"hold attach: warning: pid %d runs CPython %s but gdb's CPython "
			"extension was not found (apt-get install python%s-dbg): no py-bt\n",
			pid, py.version[0] ? py.version : "?", py.version[0] ? py.version : "3.X");
	if (pybt) { /* look, then leave it parked */
		batch = 1;
		release = 0;
	}

	arg(&g, "gdb");
	arg(&g, "-q");
	if (batch)
		arg(&g, "-batch");
	arg(&g, "-p");
	arg(&g, "%d", pid);
	arg(&g, "-ex");
	arg(&g, "python [t.switch() for t in gdb.selected_inferior().threads() if t.ptid[1] == %d]",
	    tid);
	arg(&g, "-ex");
	arg(&g, "frame function hold_park");
	if (pyf == PY_READY) {
		arg(&g, "-ex");
		arg(&g, "source %s", py.ext);
	}
	if (pybt) {
		arg(&g, "-ex");
		arg(&g, "py-bt");
	}
	for (int i = 0; i < nbrk; i++) {
		arg(&g, "-ex");
		arg(&g, "break %s", brk[i]);
	}
	/* --batch with nothing to stop at: show the parked thread, release it
	 * and detach (a `continue` would wait for the program to end). */
	if (batch && !nbrk && !nex && !pybt) {
		arg(&g, "-ex");
		arg(&g, "thread");
		arg(&g, "-ex");
		arg(&g, "bt");
	}
	if (release) {
		arg(&g, "-ex");
		if (stop) /* end the group stop; gdb passes the SIGCONT on quietly */
			arg(&g, "shell kill -CONT %d", pid);
		else
			arg(&g, "set var hold = 0");
		if (!batch || nbrk) {
			arg(&g, "-ex");
			arg(&g, "continue");
		}
	}
	for (int i = 0; i < nex; i++) {
		arg(&g, "-ex");
		arg(&g, "%s", ex[i]);
	}
	if (batch && release && nbrk && !nex) {
		arg(&g, "-ex");
		arg(&g, "bt");
	}
	arg(&g, "%s", exe);
	g.argv[g.n] = NULL;
	fflush(stdout);
	execv(gdb, g.argv);
	return cli_fail(EXIT_USAGE, "cannot run %s: %s", gdb, strerror(errno));
}

const struct cmd_entry cmd_attach_entry = {
	.name = "attach",
	.usage = "PID[/TID] [-b LOCATION]... [--batch] [-ex CMD]... [--no-release] [--py-bt]",
	.help = "Run gdb on a parked process: the executable from /proc/PID/exe, the parked\n"
		"thread selected (by LWP) and its hold_park frame; set the breakpoints; then\n"
		"release it (set var hold = 0; SIGCONT in stop mode) and continue, so gdb\n"
		"stops at your breakpoint.\n"
		"\n"
		"  -b, --break LOCATION  a breakpoint (repeatable), e.g. main or file.c:42\n"
		"  --batch               run gdb -batch: after the breakpoint, print the\n"
		"                        backtrace (or run the -ex commands) and detach;\n"
		"                        with no -b, print the parked thread's backtrace,\n"
		"                        release it and detach\n"
		"  -ex CMD               a gdb command to run after that (repeatable)\n"
		"  --no-release          leave it parked in the hold_park frame\n"
		"  --py-bt               print the Python stack of the parked thread and\n"
		"                        detach, leaving it parked\n"
		"\n"
		"For a CPython target (a python executable, or libpython mapped) gdb sources\n"
		"CPython's gdb extension, so py-bt, py-list, py-locals, py-up and py-down\n"
		"work: Debian's python3.X-dbg (from /usr/share/gdb/auto-load), the\n"
		"OBJFILE-gdb.py installed beside the interpreter or libpython (if root's or\n"
		"yours and writable by no one else), or HOLD_PYTHON_GDB=FILE.\n"
		"\n"
		"Fails with the reason when gdb is missing, another tracer is attached, Yama\n"
		"forbids it, or the process is another user's.\n",
	.exec = cmd_attach,
};
