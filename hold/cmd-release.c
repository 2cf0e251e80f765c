/* SPDX-License-Identifier: MIT */
/*
 * cmd-release.c - hold release: let parked threads run on.
 */
#include <signal.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Without holdd, only stopped processes can be released (by SIGCONT);
 * a spinning thread needs its connection or gdb. */
static int release_from_records(int pid, int tid, int all)
{
	struct park *r;
	int from_records, n = cli_parks(&r, &from_records), done = 0, spinning = 0;

	if (n < 0) /* said why */
		return EXIT_USAGE;
	for (int i = 0; i < n; i++) {
		if (!all && (r[i].pid != pid || (tid && r[i].tid != tid)))
			continue;
		if (r[i].mode == HOLD_MODE_STOP && kill(r[i].pid, SIGCONT) == 0)
			done++;
		else
			spinning++;
	}
	free(r);
	if (spinning) {
		fprintf(stderr,
			"hold release: %d spinning thread(s) can be released only through "
			"holdd (they reconnect to a new one within a second) or with gdb (hold "
			"attach)\n",
			spinning);
		return client_no_daemon();
	}
	if (!done && !all && kill(pid, 0) < 0 && errno == ESRCH)
		return cli_fail(EXIT_NONE, "no such process: %d", pid);
	if (!done && !all)
		return cli_fail(EXIT_NONE, "pid %d is not parked (hold ls lists what is)", pid);
	printf("released %d\n", done);
	return done ? EXIT_DONE : EXIT_NONE; /* --all, and nothing was parked: as with holdd */
}

/* Root: pid is no park of root's holdd; is it one a user's own holdd
 * holds?  The exit status, or -1: it is not. */
static int release_other(int pid, int tid)
{
	struct other_park *o;
	int n = other_parks(&o), code = -1;
	const struct other_park *p = other_park_find(o, n, pid, tid);

	if (p) {
		code = other_park_release(p) == 0 ? EXIT_DONE : EXIT_USAGE;
		if (code == EXIT_DONE)
			printf("released 1\n");
	}
	free(o);
	return code;
}

static int cmd_release(const struct cmd_entry *self, struct args *args)
{
	int all = args_has(args, "all"), pid = 0, tid = 0, r, other;
	struct client cl;
	struct hold_msg m;
	char buf[128];
	struct hold_enc e;

	if (all == (args->argc > 0))
		return cli_usage(self, "name one PID[/TID], or --all");
	if (!all && parse_target(args->argv[0], &pid, &tid) < 0)
		return cli_usage(self, "'%s' is not PID or PID/TID", args->argv[0]);
	if (client_open(&cl) < 0) {
		if (!all && (other = release_other(pid, tid)) >= 0)
			return other;
		return release_from_records(pid, tid, all);
	}
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_RELEASE);
	if (all)
		hold_enc_num(&e, HOLD_F_FLAGS, HOLD_FL_ALL);
	else
		hold_enc_num(&e, HOLD_F_PID, (uint64_t)pid);
	if (tid)
		hold_enc_num(&e, HOLD_F_TID, (uint64_t)tid);
	client_send(&cl, buf, hold_enc_finish(&e));
	r = client_next(&cl, &m, 10000);
	client_close(&cl);
	if (r == 1 && m.type == HOLD_MSG_ERROR && !all && kill(pid, 0) < 0 && errno == ESRCH)
		return cli_fail(EXIT_NONE, "no such process: %d", pid);
	if (r == 1 && m.type == HOLD_MSG_ERROR && !all && (other = release_other(pid, tid)) >= 0)
		return other;
	if (r == 1 && m.type == HOLD_MSG_ERROR)
		return cli_fail(EXIT_NONE, "%s", cli_text(&m));
	if (r != 1 || m.type != HOLD_MSG_DONE)
		return cli_fail(EXIT_USAGE, "holdd did not answer");
	printf("released %llu\n", (unsigned long long)m.num[HOLD_F_COUNT]);
	return all && m.num[HOLD_F_COUNT] == 0 ? EXIT_NONE : EXIT_DONE;
}

const struct cmd_entry cmd_release_entry = {
	.name = "release",
	.exits = "0  released (how many, printed)\n"
		 "1  not parked, no such process, or --all with nothing parked\n"
		 "2  a bad option; a spinning park and no holdd to release it through\n",
	.usage = "PID[/TID] | --all",
	.help = "Release parked threads: all of PID's, one thread of it, or all of yours\n"
		"(everyone's, for root).  holdd wakes a spinning thread through its\n"
		"connection at once; a stopped process gets SIGCONT.  Prints how many.\n"
		"Exit status 1 when nothing matched.\n",
	.args = {(const struct args_opt[]){
			 {'a', "all", NULL, 0, "every park you may release (root: everyone's)"},
			 {0, NULL, NULL, 0, NULL}},
		 0, 1, 0},
	.exec = cmd_release,
};
