/* SPDX-License-Identifier: MIT */
/*
 * cmd-follow.c - hold follow: park the descendants of a process that is
 * already running, by ptrace (tracer.c), as strace -f follows a tree.
 */
#include <stdlib.h>

#include "cli.h"
#include "tracer.h"

static int cmd_follow(const struct cmd_entry *self, struct args *args)
{
	char text[4096], *end;
	long pid = strtol(args->argv[0], &end, 10);
	int err;

	if (*end || pid <= 0)
		return cli_usage(self, "'%s' is not a PID", args->argv[0]);
	if (cli_collect_rules(self, args, text, sizeof(text)))
		return EXIT_USAGE;
	if (!text[0])
		return cli_usage(self, "give at least one rule, e.g. -r 'exec:*/qemu-system-*'");
	if (!cli_rules_ok(text) || (err = tracer_rules(self, text)))
		return EXIT_USAGE;
	return tracer_follow((int)pid);
}

const struct cmd_entry cmd_follow_entry = {
	.name = "follow",
	.usage = "PID -r RULE...",
	.help = "Follow a running process and everything it starts from now on, by ptrace\n"
		"(no restart, no LD_PRELOAD): a new process that a fork rule takes, or a new\n"
		"image that an exec rule takes (before its first instruction), is parked\n"
		"stopped, with no tracer -- hold ls, wait, attach and release treat it as\n"
		"any park -- and everything else runs on at once.  On Ctrl-C or SIGTERM, or\n"
		"when PID exits, hold follow lets go of every process it still traces,\n"
		"running; the parked stay parked.\n",
	.args = {(const struct args_opt[]){{'r', "rule", "RULE", ARGS_MANY,
					    "a fork or exec rule (repeatable), e.g.\n"
					    "'exec:*/qemu-system-*' or 'fork,comm=worker*'"},
					   {0, NULL, NULL, 0, NULL}},
		 1, 1, 0},
	.exec = cmd_follow,
};
