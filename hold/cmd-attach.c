/* SPDX-License-Identifier: MIT */
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
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach-pdb.h"
#include "attach-python.h"
#include "cli.h"
#include "paths.h"
#include "proc.h"

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
	long tracer = proc_status(pid, "TracerPid:"), uid = proc_real_uid(pid);
	int scope = proc_yama_scope();

	if (tracer > 0) {
		char comm[64] = "?";

		if (proc_comm((int)tracer, (int)tracer, comm, sizeof(comm)) < 0)
			snprintf(comm, sizeof(comm), "?");
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

/* The park to attach to: PID's only one, or the thread named; stop: it is
 * stopped (mode=stop); preexec: parked before an exec (hold-gdb.py). */
static int find_park(int pid, int *tid, int *stop, int *preexec, char *event)
{
	struct park *r;
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
			*preexec = strcmp(r[i].event, "preexec") == 0;
			snprintf(event, 8, "%s", r[i].event);
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d/%d",
			 found > 1 ? ", " : "", pid, r[i].tid);
	}
	free(r);
	if (!found) { /* root: a park a user's own holdd holds (gdb needs no holdd) */
		struct other_park *o;
		int no = other_parks(&o);

		for (int i = 0; i < no; i++) {
			const struct park *p = &o[i].park;

			if (p->pid != pid || (*tid && p->tid != *tid))
				continue;
			if (!found++) {
				first = p->tid;
				*stop = p->mode == HOLD_MODE_STOP;
				*preexec = strcmp(p->event, "preexec") == 0;
				snprintf(event, 8, "%s", p->event);
			}
		}
		free(o);
	}
	if (!found && kill(pid, 0) < 0 && errno == ESRCH)
		return cli_fail(EXIT_NONE, "no such process: %d", pid);
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

/* --host: the park as the host's hold ls --json lists it. */
static int remote_park(int pid, int *tid, int *stop, int *preexec)
{
	char *argv[] = {"ls", "--json"}, *cmd = remote_command(2, argv), line[8192], key[64];
	FILE *f = popen(cmd, "r");
	int found = 0;

	free(cmd);
	if (!f)
		return cli_fail(EXIT_USAGE, "cannot run %s: %s", remote_ssh(), strerror(errno));
	snprintf(key, sizeof(key), "\"pid\": %d, \"tid\": ", pid); /* after "version" */
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, key);

		if (!p || found)
			continue;
		if (*tid && atoi(p + strlen(key)) != *tid)
			continue;
		*tid = atoi(p + strlen(key));
		*stop = strstr(p, "\"mode\": \"stop\"") != NULL;
		*preexec = strstr(p, "\"event\": \"preexec\"") != NULL;
		found = 1;
	}
	if (pclose(f) != 0 && !found)
		return cli_fail(EXIT_USAGE,
				"hold ls on %s failed (is hold installed there, and "
				"$HOLD_REMOTE right?)",
				remote_host);
	if (!found)
		return cli_fail(EXIT_NONE,
				"pid %d is not parked on %s (hold --host %s ls lists "
				"what is)",
				pid, remote_host, remote_host);
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

/* One gdb command of the session (-ex CMD). */
static void ex(struct gdb_cmd *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ex(struct gdb_cmd *g, const char *fmt, ...)
{
	va_list ap;
	char *cmd;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) >= 0) {
		arg(g, "-ex");
		arg(g, "%s", cmd);
		free(cmd);
	}
	va_end(ap);
}

/* What the user asked of the session. */
struct attach_req {
	int pid, tid, stop, batch, release, pybt, pending, preexec, pdb;
	char event[8];    /* the park's: fork, exec, recv, ... */
	char pdb_dir[64]; /* --pdb: where pdb's socket is */
	const char *brk[64], *ex[64], *src[64], *iex[64];
	int nbrk, nex, nsrc, niex, nx;
	char **gdb_args; /* after "--": gdb's own options, unchanged */
	int ngdb_args;
};

/* The session, in the order that keeps the park safe: select the parked
 * thread, set every breakpoint and run every -x file, check them all
 * (hold-go: a failure leaves it parked and quits 1), release, continue,
 * then the -ex commands.  hold-gdb.py defines the hold-* steps. */
static void session(struct gdb_cmd *g, const struct attach_req *r, const char *script,
		    const struct py_target *py, int py_ready, const char *exe)
{
	int stop_at = r->nbrk || r->nsrc;

	arg(g, "gdb");
	arg(g, "-q");
	if (r->nx)
		arg(g, "-nx");
	if (r->batch)
		arg(g, "-batch");
	for (int i = 0; i < r->niex; i++) { /* before gdb attaches */
		arg(g, "-iex");
		arg(g, "%s", r->iex[i]);
	}
	for (int i = 0; i < r->ngdb_args; i++)
		arg(g, "%s", r->gdb_args[i]);
	if (remote_host) { /* gdb here, gdbserver there, through the user's ssh */
		char *t = NULL;
		size_t tn = 0;
		FILE *f = open_memstream(&t, &tn);

		fprintf(f, "target extended-remote | %s -T ", remote_ssh());
		cli_shell_quote(f, remote_host);
		fputs(" -- gdbserver --multi -", f);
		fclose(f);
		ex(g, "%s", t);
		free(t);
		ex(g, "attach %d", r->pid);
	} else {
		arg(g, "-p");
		arg(g, "%d", r->pid);
	}
	ex(g, "source %s", script);
	ex(g, "hold-setup %d%s%s", r->tid, r->pending ? " pending" : "",
	   r->preexec ? " preexec" : "");
	if (py_ready)
		ex(g, "source %s", py->ext);
	if (r->pybt) {
		ex(g, "hold-py-check");
		ex(g, "py-bt");
		ex(g, "hold-py-locals");
	}
	if (r->pdb) { /* hold-pdb releases it once pdb is in place */
		ex(g, "hold-pdb %d %s %s %s/" HOLD_PDB_SOCK_NAME, r->tid, r->stop ? "stop" : "spin",
		   r->event, r->pdb_dir);
		arg(g, "%s", exe);
		g->argv[g->n] = NULL;
		return;
	}
	for (int i = 0; i < r->nbrk; i++)
		ex(g, "hold-break %s", r->brk[i]);
	for (int i = 0; i < r->nsrc; i++)
		ex(g, "hold-source %s", r->src[i]);
	/* --batch with nothing to stop at: show the parked thread, release it
	 * and detach (a `continue` would wait for the program to end). */
	if (r->batch && !stop_at && !r->nex && !r->pybt) {
		ex(g, "thread");
		ex(g, "bt");
	}
	if (r->release)
		ex(g, "hold-go %d %s%s", r->tid, r->stop ? "stop" : "spin",
		   !r->batch || stop_at ? " continue" : "");
	for (int i = 0; i < r->nex; i++)
		ex(g, "%s", r->ex[i]);
	if (r->batch && r->release && stop_at && !r->nex)
		ex(g, "bt");
	if (!remote_host)
		arg(g, "%s", exe);
	g->argv[g->n] = NULL;
}

/* --terminal TEMPLATE: gdb in another terminal (a tmux window, an xterm).
 * The command is `env HOLD_...=... gdb ...`, so gdb's hold commands reach
 * this holdd from wherever the terminal starts it.  In the template {pid}
 * is the pid, and {} the whole command as one shell word (tmux new-window
 * {}: tmux runs one string); without {} the words are appended (xterm -e). */
static int in_terminal(const char *tmpl, const struct gdb_cmd *g, const char *gdb, int pid)
{
	static const char *pass[] = {"HOLD_CLI", "HOLD_SOCKET", "HOLD_RUNTIME_DIR", "GDB", NULL};
	char *cmd = NULL, *line = NULL;
	size_t clen = 0, llen = 0;
	FILE *c = open_memstream(&cmd, &clen), *l;
	int whole = strstr(tmpl, "{}") != NULL, status = 0;
	pid_t kid;

	fputs("env", c);
	for (int i = 0; pass[i]; i++)
		if (getenv(pass[i])) {
			fprintf(c, " %s=", pass[i]);
			cli_shell_quote(c, getenv(pass[i]));
		}
	fputc(' ', c);
	cli_shell_quote(c, gdb);
	for (int i = 1; i < g->n; i++) {
		fputc(' ', c);
		cli_shell_quote(c, g->argv[i]);
	}
	fclose(c);
	l = open_memstream(&line, &llen);
	for (const char *t = tmpl; *t; t++) {
		if (strncmp(t, "{pid}", 5) == 0) {
			fprintf(l, "%d", pid);
			t += 4;
		} else if (strncmp(t, "{}", 2) == 0) {
			cli_shell_quote(l, cmd);
			t += 1;
		} else {
			fputc(*t, l);
		}
	}
	if (!whole)
		fprintf(l, " %s", cmd);
	fclose(l);
	fflush(stdout);
	/* waited for, so that a terminal that did not start is said in words:
	 * nothing released it (gdb, in it, releases it after the breakpoints) */
	if ((kid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	if (kid < 0)
		return cli_fail(EXIT_USAGE, "cannot run the terminal: %s; pid %d stays parked",
				strerror(errno), pid);
	while (waitpid(kid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return EXIT_DONE;
	return cli_fail(EXIT_USAGE,
			"the terminal command failed (%s %d): %s; pid %d stays parked (hold attach "
			"%d runs gdb here)",
			WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), tmpl, pid, pid);
}

/* --new-terminal: $HOLD_TERMINAL, else a new window of the tmux we are in. */
static const char *default_terminal(void)
{
	const char *t = getenv("HOLD_TERMINAL");

	if (t && *t)
		return t;
	if (getenv("TMUX"))
		return "tmux new-window {}";
	return NULL;
}

static int cmd_attach(const struct cmd_entry *self, struct args *args)
{
	struct attach_req r = {.release = !args_has(args, "no-release")};
	const char *gdb, *script, *target = args_get(args, "pid");
	const char *term = args_get(args, "terminal"), *wait_glob = args_get(args, "wait");
	int new_term = args_has(args, "new-terminal");
	int nops = args->dashdash >= 0 ? args->dashdash : args->argc, err;
	char exe[PATH_MAX], link[96], self_exe[PATH_MAX];
	struct gdb_cmd g = {.n = 0};
	struct py_target py;
	enum py_found pyf;
	ssize_t len;

	r.nbrk = args_all(args, "break", r.brk, 64);
	r.nex = args_all(args, "ex", r.ex, 64);
	r.nsrc = args_all(args, "command", r.src, 64);
	r.niex = args_all(args, "iex", r.iex, 64);
	r.nx = args_has(args, "nx");
	r.batch = args_has(args, "batch");
	r.pybt = args_has(args, "py-bt");
	r.pending = args_has(args, "pending");
	r.pdb = args_has(args, "pdb");
	r.gdb_args = args->argv + nops;
	r.ngdb_args = args->argc - nops;
	if ((target && nops) || (wait_glob && (target || nops)))
		return cli_usage(self, "name the process once: -p PID, PID or --wait GLOB");
	if (!target && !wait_glob && nops != 1)
		return cli_usage(self,
				 nops ? "name one parked PID or PID/TID"
				      : "name a parked PID or PID/TID (or -p PID, or --wait GLOB)");
	if (wait_glob) { /* lldb's attach -w -n: the next park of that name */
		if ((err = wait_park(wait_glob, 0, 0, &r.pid, &r.tid)))
			return err;
		fprintf(stderr, "hold attach: %d/%d parked; attaching\n", r.pid, r.tid);
	} else if (parse_target(target ? target : args->argv[0], &r.pid, &r.tid) < 0) {
		return cli_usage(self, "'%s' is not PID or PID/TID",
				 target ? target : args->argv[0]);
	}
	if (r.pybt && (r.nbrk || r.nex || r.nsrc))
		return cli_usage(self, "--py-bt prints the Python stack and detaches; it takes no "
				       "-b, -x or -ex (use -ex py-bt for that)");
	if (!(gdb = find_gdb()))
		return cli_fail(EXIT_USAGE,
				"gdb is not installed (or not in PATH%s): apt-get install "
				"gdb",
				getenv("GDB") ? ", or $GDB is wrong" : "");
	if (!(script = cli_gdb_script_path()) || access(script, R_OK) != 0)
		return cli_fail(EXIT_USAGE,
				"hold's gdb script hold-gdb.py is not installed beside hold (set "
				"HOLD_GDB_SCRIPT to its path)");
	for (int i = 0; i < r.nsrc; i++)
		if (access(r.src[i], R_OK) != 0)
			return cli_fail(EXIT_USAGE, "-x %s: %s", r.src[i], strerror(errno));
	if (remote_host) {
		if (r.pybt)
			return cli_usage(self,
					 "--py-bt works on this machine only, not with --host");
		if ((err = remote_park(r.pid, &r.tid, &r.stop, &r.preexec)))
			return err;
		setenv("HOLD_HOST", remote_host, 1); /* hold-gdb.py: ls, release, next there */
		session(&g, &r, script, &py, 0, "");
		fflush(stdout);
		execv(gdb, g.argv);
		return cli_fail(EXIT_USAGE, "cannot run %s: %s", gdb, strerror(errno));
	}
	if ((err = attach_refused(r.pid)) ||
	    (err = find_park(r.pid, &r.tid, &r.stop, &r.preexec, r.event)))
		return err;
	if (proc_exe(r.pid, exe, sizeof(exe)) < 0)
		return cli_fail(EXIT_USAGE, "cannot read /proc/%d/exe: %s", r.pid, strerror(errno));
	pyf = py_target_find(r.pid, exe, &py);
	if (r.pybt && pyf == PY_NOT_PYTHON)
		return cli_fail(EXIT_USAGE,
				"pid %d is not a CPython process (it runs %s, and no libpython "
				"is mapped): --py-bt needs a Python; leave it out for the C stack",
				r.pid, exe);
	if (r.pybt && pyf == PY_NO_EXT)
		return py_no_ext_error(r.pid, exe, &py);
	if (pyf == PY_NO_EXT)
		fprintf(stderr,
			"hold attach: warning: pid %d runs CPython %s but gdb's CPython "
			"extension was not found (apt-get install python%s-dbg): no py-bt\n",
			r.pid, py.version[0] ? py.version : "?",
			py.version[0] ? py.version : "3.X");
	if (r.pybt) { /* look, then leave it parked */
		r.batch = 1;
		r.release = 0;
	}
	setenv("HOLD_GDB", gdb, 1); /* hold-gdb.py checks a preexec park's -b with it */
	/* gdb's hold commands (hold ls, hold next) and its release of a stop
	 * park (pdb's too) run this very hold */
	if ((len = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1)) > 0) {
		self_exe[len] = '\0';
		setenv("HOLD_CLI", self_exe, 1);
	}
	if (r.pdb) {
		struct stat st;

		if (r.nbrk || r.nex || r.nsrc || r.pybt || remote_host)
			return cli_usage(self,
					 "--pdb takes no -b, -x, -ex or --py-bt, and works on "
					 "this machine only (set breakpoints in pdb)");
		if (pyf != PY_READY && pyf != PY_NO_EXT)
			return cli_fail(EXIT_USAGE,
					"pid %d is not a CPython process (it runs %s): --pdb needs "
					"Python; hold attach without --pdb gives gdb",
					r.pid, exe);
		/* in a thread that received, where pdb can start depends on its
		 * Python stack, which only the extension reads */
		if (pyf == PY_NO_EXT && strcmp(r.event, "fork"))
			return py_no_ext_error(r.pid, exe, &py);
		if (strcmp(r.event, "fork") && strcmp(r.event, "recv") && strcmp(r.event, "accept"))
			return cli_fail(EXIT_USAGE,
					"pid %d is parked at %s, where no Python code runs yet: "
					"--pdb needs a fork, recv or accept park",
					r.pid, r.event);
		snprintf(r.pdb_dir, sizeof(r.pdb_dir), "%s", HOLD_PDB_DIR_TEMPLATE);
		snprintf(link, sizeof(link), "/proc/%d", r.pid); /* its owner: the process's euid */
		if (!mkdtemp(r.pdb_dir) || stat(link, &st) < 0)
			return cli_fail(EXIT_USAGE, "cannot make a directory for pdb: %s",
					strerror(errno));
		r.batch = 1;
		session(&g, &r, script, &py, pyf == PY_READY, exe);
		err = attach_pdb(gdb, g.argv, r.pid, st.st_uid, r.pdb_dir);
		snprintf(link, sizeof(link), "%s/" HOLD_PDB_SOCK_NAME, r.pdb_dir);
		unlink(link);
		rmdir(r.pdb_dir);
		return err;
	}
	session(&g, &r, script, &py, pyf == PY_READY, exe);
	if (new_term && !term && !(term = default_terminal()))
		return cli_fail(
			EXIT_USAGE,
			"--new-terminal: no terminal to open (not inside tmux, and "
			"HOLD_TERMINAL is not set, e.g. to 'xterm -e'); pid %d stays parked",
			r.pid);
	if (term)
		return in_terminal(term, &g, gdb, r.pid);
	fflush(stdout);
	execv(gdb, g.argv);
	return cli_fail(EXIT_USAGE, "cannot run %s: %s", gdb, strerror(errno));
}

const struct cmd_entry cmd_attach_entry = {
	.name = "attach",
	.exits =
		"0  done: stopped at the breakpoint and ran on, or --batch, --py-bt, --no-release\n"
		"   finished\n"
		"1  not parked, no such process, or a breakpoint gdb cannot set (it stays parked)\n"
		"2  a bad option; gdb missing; the trace refused (Yama, another tracer, another\n"
		"   user's); a terminal that failed (it stays parked)\n",
	.usage = "[-p] PID[/TID] | --wait GLOB [-b LOCATION]... [-x FILE]...\n"
		 "       [-batch] [-ex CMD]... [-iex CMD]... [-nx] [--pending] [--no-release]\n"
		 "       [--py-bt] [--pdb] [--terminal TEMPLATE] [-- GDB-OPTION...]",
	.help = "Run gdb on a parked process: the executable from /proc/PID/exe, the parked\n"
		"thread selected (by LWP) and its hold_park frame; set the breakpoints and\n"
		"run the -x files; then, if every breakpoint was set, release it (set var\n"
		"hold = 0; in stop mode SIGCONT, which gdb passes on without stopping) and\n"
		"continue, so gdb stops at your breakpoint.  If a breakpoint cannot be set\n"
		"(a typo, or a stripped binary: it says where the symbols are), the process\n"
		"stays parked and hold attach exits 1.  If gdb dies before the release, the\n"
		"process stays parked too.\n"
		"\n"
		"In gdb, hold ls, hold release [PID[/TID]] and hold next [GLOB] (attach the\n"
		"next park as a new inferior, with the breakpoints set so far) work.\n"
		"\n"
		"For a CPython target (a python executable, or libpython mapped) gdb sources\n"
		"CPython's gdb extension, so py-bt, py-list, py-locals, py-up and py-down\n"
		"work: Debian's python3.X-dbg (from /usr/share/gdb/auto-load), the\n"
		"OBJFILE-gdb.py installed beside the interpreter or libpython (if root's or\n"
		"yours and writable by no one else), or HOLD_PYTHON_GDB=FILE.\n"
		"\n"
		"Fails with the reason when gdb is missing, another tracer is attached, Yama\n"
		"forbids it, or the process is another user's.\n"
		"\n"
		"gdb's own spellings work: -batch, -ex and --eval-command, -iex and\n"
		"--init-eval-command, -x and -command, -nx, -q, -quiet and -silent.\n",
	.args = {(const struct args_opt[]){
			 {'p', "pid", "PID", 0, "the parked process (as gdb -p), or PID/TID"},
			 {'w', "wait", "GLOB", 0,
			  "wait for the next park whose exe or name matches\n"
			  "(as hold wait GLOB), then attach to it"},
			 {'b', "break", "LOCATION", ARGS_MANY,
			  "a breakpoint (repeatable), e.g. main or file.c:42"},
			 {'x', "command", "FILE", ARGS_MANY | ARGS_DASH1,
			  "gdb commands to run before the release, as gdb -x\n"
			  "(repeatable; its breakpoints are checked too)"},
			 {0, "batch", NULL, ARGS_DASH1,
			  "run gdb -batch: after the breakpoint, print the\n"
			  "backtrace (or run the -ex commands) and detach;\n"
			  "with no -b, print the parked thread's backtrace,\n"
			  "release it and detach"},
			 {0, "ex", "CMD", ARGS_MANY | ARGS_DASH1,
			  "a gdb command to run after that (repeatable)"},
			 {0, "eval-command", "CMD", ARGS_MANY | ARGS_DASH1 | ARGS_ALIAS, "ex"},
			 {0, "iex", "CMD", ARGS_MANY | ARGS_DASH1,
			  "a gdb command to run before gdb attaches, as gdb -iex\n"
			  "(repeatable)"},
			 {0, "init-eval-command", "CMD", ARGS_MANY | ARGS_DASH1 | ARGS_ALIAS,
			  "iex"},
			 {0, "nx", NULL, ARGS_DASH1, "as gdb -nx: read no .gdbinit file"},
			 {0, "quiet", NULL, ARGS_DASH1,
			  "as gdb -q (which hold attach runs it with anyway)"},
			 {0, "q", NULL, ARGS_DASH1 | ARGS_ALIAS, "quiet"},
			 {0, "silent", NULL, ARGS_DASH1 | ARGS_ALIAS, "quiet"},
			 {0, "pending", NULL, 0,
			  "let a breakpoint gdb cannot resolve yet stay pending\n"
			  "(a library not loaded yet) and release anyway"},
			 {0, "no-release", NULL, 0, "leave it parked in the hold_park frame"},
			 {0, "py-bt", NULL, 0,
			  "print the Python stack of the parked thread and\n"
			  "detach, leaving it parked"},
			 {0, "pdb", NULL, 0,
			  "pdb here, in the parked CPython thread: stopped at\n"
			  "the next line of the function that forked or\n"
			  "received; `c` (no breakpoints) or `q` lets it run on"},
			 {0, "new-terminal", NULL, 0,
			  "run gdb in a new terminal: $HOLD_TERMINAL (a\n"
			  "--terminal TEMPLATE), else inside tmux a new window"},
			 {0, "terminal", "TEMPLATE", 0,
			  "run gdb in another terminal: TEMPLATE is a shell\n"
			  "command, {} the gdb command as one word, {pid} the\n"
			  "pid; without {} the gdb words are appended\n"
			  "(e.g. 'tmux new-window {}', 'xterm -e')"},
			 {0, NULL, NULL, 0, NULL}},
		 0, -1, 0},
	.exec = cmd_attach,
};
