/* SPDX-License-Identifier: MIT */
/*
 * cmd-run.c - hold run: run a program under hold.
 *
 * hold run becomes the program (exec), so the program's exit status,
 * signals and terminal are its own.  holdd-up.c finds or starts the holdd
 * it reports to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include "cli.h"
#include "tracer.h"
#include "elf.h"
#include "paths.h"
#include "rules.h"

/* LD_PRELOAD gets libhold first; the program's own preloads stay. */
static void put_env(const char *rules)
{
	const char *lib = cli_libhold_path(), *old = getenv("LD_PRELOAD");
	char pre[8192];

	if (old && *old && !strstr(old, lib))
		snprintf(pre, sizeof(pre), "%s:%s", lib, old);
	else
		snprintf(pre, sizeof(pre), "%s", old && strstr(old, lib) ? old : lib);
	setenv("LD_PRELOAD", pre, 1);
	if (rules[0])
		setenv("HOLD_RULES", rules, 1);
	setenv("HOLD_SOCKET", hold_socket_path(), 1);
	/* the whole tree shares count= files and records, whatever user or
	 * XDG_RUNTIME_DIR its processes switch to */
	setenv("HOLD_RUNTIME_DIR", hold_runtime_dir(), 1);
}

static long fd_pread(long fd, void *buf, unsigned long n, unsigned long off)
{
	return (long)pread((int)fd, buf, n, (off_t)off);
}

/* Is the program argv[0] (searched in PATH) a static ELF, with no ld.so
 * to load libhold?  (A script or a name not found: no.) */
static int is_static(const char *name)
{
	char path[PATH_MAX];
	const char *p = getenv("PATH");
	int fd = -1, kind;

	if (strchr(name, '/'))
		fd = open(name, O_RDONLY | O_CLOEXEC);
	for (p = p ? p : "/usr/bin:/bin"; fd < 0 && !strchr(name, '/') && *p;) {
		size_t len = strcspn(p, ":");

		snprintf(path, sizeof(path), "%.*s/%s", (int)len, p, name);
		if (access(path, X_OK) == 0)
			fd = open(path, O_RDONLY | O_CLOEXEC);
		p += len + (p[len] == ':');
	}
	if (fd < 0)
		return 0;
	kind = hold_elf_dynamic(fd, fd_pread) == 0;
	close(fd);
	return kind;
}

/* Can the kernel follower take every rule?  Fork and exec rules, whose
 * parks it makes as stop parks; not recv/accept (one thread, in libhold),
 * nor a spin park asked for by name. */
static int kernel_can_take(const struct hold_ruleset *rs)
{
	if (!rs->n || (rs->event_mask & HOLD_HANDOFF_EVENTS))
		return 0;
	for (unsigned i = 0; i < rs->n; i++)
		if (rs->rule[i].mode_given && rs->rule[i].mode == HOLD_MODE_SPIN)
			return 0;
	return 1;
}

/* ... and should it, when not asked?  A fork rule's arg= means the argv
 * the forking image started with, which libhold keeps; the kernel sees the
 * argv memory as it is at the fork, which a program that renames itself
 * (setproctitle: PostgreSQL, nginx, Python services) has written over. */
static int kernel_by_default(const struct hold_ruleset *rs)
{
	for (unsigned i = 0; i < rs->n; i++)
		if (rs->rule[i].event == HOLD_EV_FORK && rs->rule[i].arg[0])
			return 0;
	return kernel_can_take(rs);
}

/* The kernel follower parks in this tree -- this process and what it
 * starts, whatever it execs (static, set-uid), however it daemonizes --
 * for as long as any of it lives; nothing is loaded into it.  must: asked
 * for (--kernel), so a refusal is an error; else (root's hold run by
 * default) 1 when libhold should park instead, said in one line. */
static int run_kernel(const struct cmd_entry *self, const char *rules,
		      const struct hold_ruleset *rs, char **argv, int must)
{
	struct client cl;
	char why[1024];
	int r;

	if (must && !rs->n)
		return cli_usage(self,
				 "--kernel needs a fork or exec rule, e.g. -r 'exec:*/qemu*'");
	if (must && !kernel_can_take(rs))
		return cli_usage(self,
				 "--kernel parks at fork and exec, as stop parks; recv and accept "
				 "rules park one thread, and mode=spin spins, in libhold (drop "
				 "--kernel)");
	if (cli_holdd_up(0) != 0 || client_open(&cl) < 0)
		return client_no_daemon();
	run_summary_start(rules, run_session()); /* before: it is no process of the tree */
	r = kernel_watch(&cl, rules, getpid(), HOLD_FL_TREE, NULL, why, sizeof(why));
	client_close(&cl);
	if (r != 0 && must)
		return cli_fail(EXIT_USAGE, "%s", why);
	if (r != 0) {
		fprintf(stderr, "hold run: %s; libhold parks instead\n", why);
		return 1;
	}
	run_summary_go(1);
	execvp(argv[0], argv);
	cli_fail(127, "cannot run %s: %s", argv[0], strerror(errno));
	return 127;
}

static int cmd_run(const struct cmd_entry *self, struct args *args)
{
	static struct hold_ruleset rs;
	char rules[4096];
	int r, kernel_tried = 0;

	if (cli_collect_rules(self, args, rules, sizeof(rules)))
		return EXIT_USAGE;
	if (rules[0] && !cli_rules_ok(rules))
		return EXIT_USAGE;
	args->argv[args->argc] = NULL;
	if (args_has(args, "kernel") && args_has(args, "preload"))
		return cli_usage(self, "--kernel and --preload are two ways to park: give one");
	hold_rules_parse(&rs, rules, "--rule", NULL, NULL);
	if (args_has(args, "kernel"))
		return run_kernel(self, rules, &rs, args->argv, 1);
	/* root's fork and exec rules: from the kernel, where holdd can, so
	 * that no image of the tree pays for a preload */
	if (!args_has(args, "preload") && geteuid() == 0 && kernel_by_default(&rs)) {
		if ((r = run_kernel(self, rules, &rs, args->argv, 0)) != 1)
			return r;
		kernel_tried = 1;
	}
	if (access(cli_libhold_path(), R_OK) != 0)
		return cli_fail(EXIT_USAGE, "libhold is not at %s (set HOLD_LIB to its path)",
				cli_libhold_path());
	if (cli_holdd_up(1) != 0)
		return EXIT_USAGE;
	if (is_static(args->argv[0])) { /* no ld.so: the ptrace engine follows it */
		fprintf(stderr,
			"hold run: %s is statically linked, so libhold cannot enter it: following "
			"it by ptrace instead (as hold follow)\n",
			args->argv[0]);
		run_summary_go(-1);
		return tracer_run(self, rules, args->argv);
	}
	put_env(rules);
	if (!kernel_tried) /* else its watcher is up */
		run_summary_start(rules, run_session());
	run_summary_go(0);
	execvp(args->argv[0], args->argv);
	cli_fail(127, "cannot run %s: %s", args->argv[0], strerror(errno));
	return 127;
}

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.exits =
		"0-255  CMD's own exit status (hold run becomes CMD)\n"
		"127    CMD cannot be run\n"
		"2      a bad rule or option; libhold or a holdd cannot be had; --kernel refused\n",
	.usage = "[-r RULE]... [--kernel | --preload] [--] CMD [ARGS]",
	.help = "Run CMD under hold, parking by the rules.  As root, fork and exec rules\n"
		"park from holdd's kernel follower: nothing is loaded into CMD's tree, static\n"
		"and set-uid images park too, parks are stop parks, and the rules hold as\n"
		"long as any process of the tree lives, daemons that fork away included.\n"
		"Otherwise -- not root, recv/accept or mode=spin rules, a fork rule's arg=\n"
		"(the argv the image started with, which only libhold keeps), no rules,\n"
		"--preload, or kernel following off (said in one line) -- libhold is\n"
		"preloaded, the rules in HOLD_RULES.  When no holdd answers, starts a\n"
		"private one (its log is RUNTIME_DIR/holdd.log) that lives as long as CMD's\n"
		"tree, any other CMD run by hold run while it was up, or anything parked.\n"
		"When the tree has ended, each rule that never fired is named.\n"
		"hold run becomes CMD: the exit status is CMD's (127 if it cannot run).\n",
	.args = {(const struct args_opt[]){
			 {'r', "rule", "RULE", ARGS_MANY,
			  "e.g. 'exec:*/qemu-system-*' or 'fork,comm=worker*'\n"
			  "(repeatable; the rule language: man libhold)"},
			 {0, "kernel", NULL, 0,
			  "park from the kernel (root's holdd), or fail saying why"},
			 {0, "preload", NULL, 0, "park by libhold, even where the kernel could"},
			 {0, NULL, NULL, 0, NULL}},
		 1, -1, 1},
	.exec = cmd_run,
};
