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
	int from_records, n = cli_parks(&r, &from_records), found = 0, first = 0;
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

static int cmd_attach(const struct cmd_entry *self, struct args *args)
{
	const char *brk[64], *ex[64], *gdb;
	int nbrk = args_all(args, "break", brk, 64), nex = args_all(args, "ex", ex, 64);
	int batch = args_has(args, "batch"), release = !args_has(args, "no-release");
	int pybt = args_has(args, "py-bt"), pid, tid, stop = 0, err;
	char exe[PATH_MAX], link[64];
	struct gdb_cmd g = {.n = 0};
	struct py_target py;
	enum py_found pyf;
	ssize_t len;

	if (parse_target(args->argv[0], &pid, &tid) < 0)
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
		"For a CPython target (a python executable, or libpython mapped) gdb sources\n"
		"CPython's gdb extension, so py-bt, py-list, py-locals, py-up and py-down\n"
		"work: Debian's python3.X-dbg (from /usr/share/gdb/auto-load), the\n"
		"OBJFILE-gdb.py installed beside the interpreter or libpython (if root's or\n"
		"yours and writable by no one else), or HOLD_PYTHON_GDB=FILE.\n"
		"\n"
		"Fails with the reason when gdb is missing, another tracer is attached, Yama\n"
		"forbids it, or the process is another user's.\n",
	.args = {(const struct args_opt[]){
			 {'b', "break", "LOCATION", ARGS_MANY,
			  "a breakpoint (repeatable), e.g. main or file.c:42"},
			 {0, "batch", NULL, 0,
			  "run gdb -batch: after the breakpoint, print the\n"
			  "backtrace (or run the -ex commands) and detach;\n"
			  "with no -b, print the parked thread's backtrace,\n"
			  "release it and detach"},
			 {0, "ex", "CMD", ARGS_MANY | ARGS_DASH1,
			  "a gdb command to run after that (repeatable)"},
			 {0, "no-release", NULL, 0, "leave it parked in the hold_park frame"},
			 {0, "py-bt", NULL, 0,
			  "print the Python stack of the parked thread and\n"
			  "detach, leaving it parked"},
			 {0, NULL, NULL, 0, NULL}},
		 1, 1, 0},
	.exec = cmd_attach,
};
