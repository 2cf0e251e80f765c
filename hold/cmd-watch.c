/* SPDX-License-Identifier: MIT */
/*
 * cmd-watch.c - hold watch: park by fork and exec rules from the kernel,
 * on a running system, with nothing in any process: no restart, no
 * preload, no tracer.  The rules live in holdd's kernel follower as long
 * as this command runs.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int cmd_watch(const struct cmd_entry *self, struct args *args)
{
	const char *pids = args_get(args, "pid"), *cgs = args_get(args, "cgroup");
	struct kernel_cgroup cg = {0, 0};
	char text[4096], why[1024];
	struct client cl;
	int pid = 0, tid;
	unsigned n = 1;

	if (cli_collect_rules(self, args, text, sizeof(text)))
		return EXIT_USAGE;
	if (args_has(args, "status")) {
		if (client_open(&cl) < 0)
			return client_no_daemon();
		if (kernel_watch(&cl, NULL, 0, 0, NULL, why, sizeof(why)) != 0) {
			printf("%s\n", why);
			return EXIT_NONE;
		}
		printf("kernel following is on\n");
		return EXIT_DONE;
	}
	if (!text[0])
		return cli_usage(self, "give at least one rule, e.g. -r 'exec:*/qemu-system-*'");
	if (!cli_rules_ok(text))
		return EXIT_USAGE;
	if (pids && (parse_target(pids, &pid, &tid) < 0 || tid))
		return cli_usage(self, "'%s' is not a PID", pids);
	if (cgs && kernel_cgroup(cgs, &cg, why, sizeof(why)) < 0)
		return cli_fail(EXIT_USAGE, "--cgroup: %s", why);
	for (const char *p = text; (p = strchr(p, ';')); p++)
		n++;
	/* root may start a private holdd for it; a user needs root's */
	if (client_open(&cl) < 0) {
		if (geteuid() != 0)
			return client_no_daemon();
		if (cli_holdd_up(0) != 0 || client_open(&cl) < 0)
			return client_no_daemon();
	}
	if (kernel_watch(&cl, text, pid, 0, &cg, why, sizeof(why)) != 0)
		return cli_fail(EXIT_USAGE, "%s", why);
	if (pid)
		fprintf(stderr, "hold watch: parking pid %d and its descendants", pid);
	else
		fprintf(stderr, "hold watch: parking %s",
			geteuid() == 0 ? "any process" : "any process of yours");
	if (cgs)
		fprintf(stderr, " in cgroup %s", cgs);
	fprintf(stderr,
		" by %u rule%s from the kernel; parks show in hold ls and hold wait.  Ctrl-C "
		"stops watching (what is parked stays parked).\n",
		n, n == 1 ? "" : "s");
	if (kernel_hold(&cl))
		return EXIT_DONE;
	if (pid) {
		fprintf(stderr, "hold watch: pid %d and its descendants have exited\n", pid);
		return EXIT_DONE;
	}
	return cli_fail(EXIT_USAGE, "holdd went away, and its kernel rules with it");
}

const struct cmd_entry cmd_watch_entry = {
	.name = "watch",
	.exits = "0  stopped by Ctrl-C or SIGTERM; --pid: the tree has ended; --status: on\n"
		 "1  --status: kernel following is off\n"
		 "2  a bad rule or option; kernel following off or refused; holdd gone\n",
	.usage = "-r RULE... [--pid PID] [--cgroup CGROUP] | --status",
	.help = "Park by fork and exec rules from the kernel (holdd's BPF follower), with\n"
		"nothing injected: any process on the system -- a daemon started long ago,\n"
		"a service, a container's process, a static or set-uid program -- as it\n"
		"execs (stopped before ld.so and its first instruction) or forks (the child\n"
		"before its first instruction).  Parks are stops: hold ls, wait, attach\n"
		"and release treat them as any park.  The rules hold until hold watch\n"
		"stops (Ctrl-C); what is parked stays parked.  Root's rules take any\n"
		"process; a user's only processes wholly theirs.  Needs a holdd run by\n"
		"root (as root with none running, hold watch starts one).\n",
	.args = {(const struct args_opt[]){{'r', "rule", "RULE", ARGS_MANY,
					    "a fork or exec rule (repeatable), e.g.\n"
					    "'exec:*/qemu-system-*,arg=guest=vm1*'"},
					   {'p', "pid", "PID", 0,
					    "only PID and its descendants from now on; stop\n"
					    "when they have all exited"},
					   {'c', "cgroup", "CGROUP", 0,
					    "only processes in this cgroup or below it: its\n"
					    "path, as /proc/PID/cgroup says it, or a system\n"
					    "unit's name (nginx.service)"},
					   {0, "status", NULL, 0,
					    "say whether holdd's kernel follower is on, and if\n"
					    "not, why (exit 0: on, 1: off)"},
					   {0, NULL, NULL, 0, NULL}},
		 0, 0, 0},
	.exec = cmd_watch,
};
