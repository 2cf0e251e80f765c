/* SPDX-License-Identifier: MIT */
/*
 * cmd-wait.c - hold wait: block until something parks, print its pid.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "paths.h"

/* Connect, waiting for a holdd to come up: `hold run prog & hold wait`
 * must not lose the race against hold run starting its private holdd (nor
 * against the park itself: WAIT asks for parks since this command began).
 * Says so on stderr once the wait is longer than a second; 0 or exit code. */
int open_waiting(struct client *cl, double secs)
{
	const struct timespec poll = {0, 50 * 1000 * 1000};
	int said = 0;

	for (double waited = 0; client_open(cl) < 0; waited += 0.05) {
		/* EPIPE, ECONNRESET: one that was stopping went away between
		 * the connect and the HELLO (hold run's private holdd, as the
		 * next hold run starts its own): wait for the next, too */
		if (errno != ENOENT && errno != ECONNREFUSED && errno != EPIPE &&
		    errno != ECONNRESET)
			return client_no_daemon();
		if (secs > 0 && waited >= secs)
			return cli_fail(EXIT_NONE, "no holdd answered at %s within %gs",
					hold_socket_path(), secs);
		if (waited >= 1 && !said++)
			fprintf(stderr,
				"hold %s: no holdd answers at %s yet; waiting for one "
				"(hold run starts one, or run holdd)\n",
				cli_verb, hold_socket_path());
		nanosleep(&poll, NULL);
	}
	return 0;
}

int wait_park(const char *glob, int new_only, double secs, int *pid, int *tid)
{
	uint64_t started = hold_now_ns(); /* a park after this will do */
	int r, err;
	struct client cl;
	struct hold_msg m;
	char buf[600];
	struct hold_enc e;
	size_t n;
	int tries = 0;

	if (isatty(2)) /* a person is waiting: say for what */
		fprintf(stderr, "hold %s: waiting for %s%s%s%s (Ctrl-C to stop)\n", cli_verb,
			new_only ? "a new park" : "a park not handed out before",
			glob ? " matching '" : "", glob ? glob : "", glob ? "'" : "");
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_WAIT);
	if (glob)
		hold_enc_str(&e, HOLD_F_TEXT, glob);
	if (new_only)
		hold_enc_num(&e, HOLD_F_SINCE_NS, started);
	else
		hold_enc_num(&e, HOLD_F_FLAGS, HOLD_FL_UNSEEN);
	n = hold_enc_finish(&e);
	/* A holdd that goes away while we wait (a private one stopping as
	 * another starts) is as if none had come up yet: wait for the next. */
	for (;;) {
		double rest = secs - (double)(hold_now_ns() - started) / 1e9;
		/* poll takes an int of milliseconds (24 days): past that, ask again */
		int left = secs <= 0 ? -1 : rest * 1000 > INT_MAX ? INT_MAX : (int)(rest * 1000);

		if (secs > 0 && left <= 0) {
			r = 0;
			break;
		}
		/* the first time the whole --timeout, as the user gave it */
		if ((err = open_waiting(&cl, secs > 0 && tries++ ? left / 1000.0 : secs)))
			return err;
		r = client_send(&cl, buf, n) < 0 ? -1 : client_next(&cl, &m, left);
		client_close(&cl);
		if (r == 0 && left == INT_MAX)
			continue;
		if (r >= 0)
			break;
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL); /* not a spin */
	}
	if (r == 0)
		return cli_fail(EXIT_NONE, "nothing%s%s parked within %gs",
				glob ? " matching " : "", glob ? glob : "", secs);
	if (m.type == HOLD_MSG_ERROR)
		return cli_fail(EXIT_USAGE, "%s", cli_text(&m));
	if (m.type != HOLD_MSG_PARKED)
		return cli_fail(EXIT_USAGE, "holdd answered %s, not a park",
				hold_msg_type_name(m.type));
	*pid = (int)m.num[HOLD_F_PID];
	*tid = (int)m.num[HOLD_F_TID];
	return EXIT_DONE;
}

static int cmd_wait(const struct cmd_entry *self, struct args *args)
{
	double secs = 0;
	int pid, tid, err;
	char why[256];

	if (args_secs(args, "timeout", &secs, why, sizeof(why)) == ARGS_BAD)
		return cli_usage(self, "%s", why);
	if ((err = wait_park(args->argc ? args->argv[0] : NULL, args_has(args, "new"), secs, &pid,
			     &tid)))
		return err;
	if (tid != pid)
		printf("%d/%d\n", pid, tid);
	else
		printf("%d\n", pid);
	return EXIT_DONE;
}

const struct cmd_entry cmd_wait_entry = {
	.name = "wait",
	.exits = "0  a park, its PID printed\n"
		 "1  --timeout ran out\n"
		 "2  a bad option; a holdd that refused\n",
	.usage = "[--timeout SECS] [--new] [GLOB]",
	.help = "Print the oldest parked thread whose exe path, exe name or comm matches\n"
		"GLOB (any, without one) that no earlier hold wait of yours was handed,\n"
		"waiting for one if there is none: PID, or PID/TID for a thread other than\n"
		"the main one.  Each park is handed out once, whether it parked before or\n"
		"after hold wait began, so pid=$(hold wait) after hold run ... & cannot\n"
		"lose it, and a loop of hold wait walks the parks one by one.  With no\n"
		"holdd up yet it waits for one.  For scripts:\n"
		"  pid=$(hold wait 'qemu-*') && hold attach $pid\n",
	.args = {(const struct args_opt[]){
			 {'t', "timeout", "SECS", 0, "give up after SECS (exit status 1)"},
			 {'n', "new", NULL, 0,
			  "only a park that parks after hold wait began\n"
			  "(handed out or not)"},
			 {0, NULL, NULL, 0, NULL}},
		 0, 1, 0},
	.exec = cmd_wait,
};
