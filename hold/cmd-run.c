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

/* --kernel: holdd's kernel follower parks in this tree -- this process and
 * what it starts, whatever it execs (static, set-uid), however it
 * daemonizes -- for as long as any of it lives; nothing is loaded into it. */
static int run_kernel(const struct cmd_entry *self, const char *rules, char **argv)
{
	static struct hold_ruleset rs;
	struct client cl;
	char why[1024];

	hold_rules_parse(&rs, rules, "--rule", NULL, NULL);
	if (!rs.n)
		return cli_usage(self,
				 "--kernel needs a fork or exec rule, e.g. -r 'exec:*/qemu*'");
	if (rs.event_mask & HOLD_HANDOFF_EVENTS)
		return cli_usage(self,
				 "--kernel parks at fork and exec; recv and accept rules park one "
				 "thread and need libhold (drop --kernel)");
	if (cli_holdd_up(0) != 0 || client_open(&cl) < 0)
		return client_no_daemon();
	if (kernel_watch(&cl, rules, getpid(), HOLD_FL_TREE, NULL, why, sizeof(why)) != 0)
		return cli_fail(EXIT_USAGE, "%s", why);
	client_close(&cl);
	execvp(argv[0], argv);
	cli_fail(127, "cannot run %s: %s", argv[0], strerror(errno));
	return 127;
}

static int cmd_run(const struct cmd_entry *self, struct args *args)
{
	char rules[4096];
	if (cli_collect_rules(self, args, rules, sizeof(rules)))
		return EXIT_USAGE;
	if (rules[0] && !cli_rules_ok(rules))
		return EXIT_USAGE;
	args->argv[args->argc] = NULL;
	if (args_has(args, "kernel"))
		return run_kernel(self, rules, args->argv);
	if (access(cli_libhold_path(), R_OK) != 0)
		return cli_fail(EXIT_USAGE, "libhold is not at %s (set HOLD_LIB to its path)",
				cli_libhold_path());
	if (cli_holdd_up(1) != 0)
		return EXIT_USAGE;
	args->argv[args->argc] = NULL;
	if (is_static(args->argv[0])) { /* no ld.so: the ptrace engine follows it */
		fprintf(stderr,
			"hold run: %s is statically linked, so libhold cannot enter it: following "
			"it by ptrace instead (as hold follow)\n",
			args->argv[0]);
		return tracer_run(self, rules, args->argv);
	}
	put_env(rules);
	run_summary_start(rules, run_session());
	args->argv[args->argc] = NULL;
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
	.usage = "[-r RULE]... [--kernel] [--] CMD [ARGS]",
	.help = "Run CMD under hold: libhold preloaded, the rules in HOLD_RULES, reports to\n"
		"holdd.  When no holdd answers, starts a private one (its log is\n"
		"RUNTIME_DIR/holdd.log) that lives as long as CMD's tree, any other CMD run\n"
		"by hold run while it was up, or anything parked.  When the tree has ended,\n"
		"each rule that never fired is named.\n"
		"hold run becomes CMD: the exit status is CMD's (127 if it cannot run).\n"
		"With --kernel, holdd's kernel follower parks in CMD's tree instead (stop\n"
		"parks, fork and exec rules): nothing is loaded into it, static and set-uid\n"
		"images park too, and the rules hold as long as any process of the tree\n"
		"lives, daemons that fork away included.\n",
	.args = {(const struct args_opt[]){{'r', "rule", "RULE", ARGS_MANY,
					    "e.g. 'exec:*/qemu-system-*' or 'fork,comm=worker*'\n"
					    "(repeatable; the rule language: man libhold)"},
					   {0, "kernel", NULL, 0,
					    "park from the kernel (root's holdd), not by libhold"},
					   {0, NULL, NULL, 0, NULL}},
		 1, -1, 1},
	.exec = cmd_run,
};
