/* SPDX-License-Identifier: MIT */
/*
 * cmd-follow.c - hold follow: park the descendants of a process that is
 * already running, by ptrace (tracer.c), as strace -f follows a tree.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "tracer.h"

/* From the kernel, where holdd's follower is on: nothing stops the tree,
 * and another tracer (a debugger, strace) may still attach.  -1: it is
 * off, said in one line; follow by ptrace. */
static int follow_kernel(const char *text, int pid)
{
	struct client cl;
	char why[1024];
	int r;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return cli_fail(EXIT_USAGE, "pid %d is not running", pid);
	if (cli_holdd_up(0) != 0 || client_open(&cl) < 0)
		return client_no_daemon();
	if ((r = kernel_watch(&cl, text, pid, 0, NULL, why, sizeof(why))) != 0) {
		client_close(&cl);
		if (r < 0)
			return cli_fail(EXIT_USAGE, "%s", why);
		fprintf(stderr, "hold follow: %s; following by ptrace\n", why);
		return -1;
	}
	fprintf(stderr,
		"hold follow: following pid %d and what it starts from the kernel (Ctrl-C to "
		"stop)\n",
		pid);
	if (kernel_hold(&cl))
		fprintf(stderr, "hold follow: stopped; the kernel rules are gone, the parked stay "
				"parked\n");
	else
		fprintf(stderr, "hold follow: pid %d and what it started have exited\n", pid);
	return EXIT_DONE;
}

static int cmd_follow(const struct cmd_entry *self, struct args *args)
{
	char text[4096];
	int pid, tid, err;

	if (parse_target(args->argv[0], &pid, &tid) < 0 || tid)
		return cli_usage(self, "'%s' is not a PID", args->argv[0]);
	if (cli_collect_rules(self, args, text, sizeof(text)))
		return EXIT_USAGE;
	if (!text[0])
		return cli_usage(self, "give at least one rule, e.g. -r 'exec:*/qemu-system-*'");
	if (!cli_rules_ok(text) || (err = tracer_rules(self, text)))
		return EXIT_USAGE;
	if (!args_has(args, "ptrace") && (err = follow_kernel(text, pid)) >= 0)
		return err;
	return tracer_follow(pid);
}

const struct cmd_entry cmd_follow_entry = {
	.name = "follow",
	.exits = "0  stopped by Ctrl-C or SIGTERM, or the tree has ended\n"
		 "2  a bad rule or option; PID not running; tracing refused\n",
	.usage = "PID -r RULE... [--ptrace]",
	.help = "Follow a running process and everything it starts from now on (no\n"
		"restart, no LD_PRELOAD): a new process that a fork rule takes, or a new\n"
		"image that an exec rule takes (before its first instruction), is parked\n"
		"stopped, with no tracer -- hold ls, wait, attach and release treat it as\n"
		"any park -- and everything else runs on at once.  From the kernel where\n"
		"holdd's kernel follower is on (root's holdd), at no cost to the tree;\n"
		"else by ptrace, which stops the tree at each of its events.  On Ctrl-C\n"
		"or SIGTERM, or when the tree has exited, hold follow stops (by ptrace:\n"
		"when PID exits, letting go of what it traces); the parked stay parked.\n",
	.args = {(const struct args_opt[]){
			 {'r', "rule", "RULE", ARGS_MANY,
			  "a fork or exec rule (repeatable), e.g.\n"
			  "'exec:*/qemu-system-*' or 'fork,comm=worker*'"},
			 {0, "ptrace", NULL, 0, "follow by ptrace even where the kernel could"},
			 {0, NULL, NULL, 0, NULL}},
		 1, 1, 0},
	.exec = cmd_follow,
};
