/*
 * cmd-wait.c - hold wait: block until something parks, print its pid.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "paths.h"

/* Connect, waiting for a holdd to come up: `hold run prog & hold wait`
 * must not lose the race against hold run starting its private holdd (nor
 * against the park itself: WAIT asks for parks since this command began).
 * Says so on stderr once the wait is longer than a second; 0 or exit code. */
static int open_waiting(struct client *cl, double secs)
{
	const struct timespec poll = {0, 50 * 1000 * 1000};
	int said = 0;

	for (double waited = 0; client_open(cl) < 0; waited += 0.05) {
		if (errno != ENOENT && errno != ECONNREFUSED)
			return client_no_daemon();
		if (secs > 0 && waited >= secs)
			return cli_fail(EXIT_NONE, "no holdd answered at %s within %gs",
					hold_socket_path(), secs);
		if (waited >= 1 && !said++)
			fprintf(stderr,
				"hold wait: no holdd answers at %s yet; waiting for one "
				"(hold run starts one, or run holdd)\n",
				hold_socket_path());
		nanosleep(&poll, NULL);
	}
	return 0;
}

static int cmd_wait(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longs[] = {{"timeout", required_argument, 0, 't'},
					      {"existing", no_argument, 0, 'e'},
					      {"help", no_argument, 0, 'h'},
					      {0, 0, 0, 0}};
	uint64_t started = cli_now_ns(); /* a park after this will do */
	double secs = 0;
	int existing = 0, c, r, err;
	struct client cl;
	struct hold_msg m;
	char buf[600], *end;
	struct hold_enc e;

	while ((c = getopt_long(argc, argv, "t:eh", longs, NULL)) != -1) {
		if (c == 't') {
			secs = strtod(optarg, &end);
			if (end == optarg || *end || secs < 0)
				return cli_usage(self, "--timeout takes seconds, not '%s'", optarg);
		} else if (c == 'e') {
			existing = 1;
		} else if (c == 'h') {
			return cli_help(self), EXIT_DONE;
		} else {
			return cli_usage(self, "unknown option");
		}
	}
	if (argc - optind > 1)
		return cli_usage(self, "give at most one GLOB");
	if ((err = open_waiting(&cl, secs)))
		return err;
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_WAIT);
	if (optind < argc)
		hold_enc_str(&e, HOLD_F_TEXT, argv[optind]);
	if (existing)
		hold_enc_num(&e, HOLD_F_FLAGS, HOLD_FL_ALL);
	else
		hold_enc_num(&e, HOLD_F_SINCE_NS, started);
	if (client_send(&cl, buf, hold_enc_finish(&e)) < 0)
		return cli_fail(EXIT_USAGE, "holdd closed the connection");
	r = client_next(&cl, &m, secs > 0 ? (int)(secs * 1000) : -1);
	client_close(&cl);
	if (r == 0)
		return cli_fail(EXIT_NONE, "nothing%s%s parked within %gs",
				optind < argc ? " matching " : "",
				optind < argc ? argv[optind] : "", secs);
	if (r < 0 || m.type != HOLD_MSG_PARKED)
		return cli_fail(EXIT_USAGE, "holdd closed the connection");
	if (m.num[HOLD_F_TID] != m.num[HOLD_F_PID])
		printf("%llu/%llu\n", (unsigned long long)m.num[HOLD_F_PID],
		       (unsigned long long)m.num[HOLD_F_TID]);
	else
		printf("%llu\n", (unsigned long long)m.num[HOLD_F_PID]);
	return EXIT_DONE;
}

const struct cmd_entry cmd_wait_entry = {
	.name = "wait",
	.usage = "[--timeout SECS] [--existing] [GLOB]",
	.help = "Block until a thread parks whose exe path, exe name or comm matches GLOB\n"
		"(any, without one), then print PID, or PID/TID for a thread other than the\n"
		"main one.  For scripts: pid=$(hold wait 'qemu-*') && hold attach $pid.\n"
		"A park since hold wait started will do, and with no holdd up yet it waits\n"
		"for one: pid=$(hold wait) after hold run ... & cannot miss the park.\n"
		"\n"
		"  --timeout SECS  give up after SECS (exit status 1)\n"
		"  --existing      a park from before hold wait started will do too\n",
	.exec = cmd_wait,
};
