/*
 * cmd-wait.c - hold wait: block until something parks, print its pid.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"

static int cmd_wait(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longs[] = {{"timeout", required_argument, 0, 't'},
					      {"existing", no_argument, 0, 'e'},
					      {"help", no_argument, 0, 'h'},
					      {0, 0, 0, 0}};
	double secs = 0;
	int existing = 0, c, r;
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
	if (client_open(&cl) < 0)
		return client_no_daemon();
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_WAIT);
	if (optind < argc)
		hold_enc_str(&e, HOLD_F_TEXT, argv[optind]);
	if (existing)
		hold_enc_num(&e, HOLD_F_FLAGS, HOLD_FL_ALL);
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
		"\n"
		"  --timeout SECS  give up after SECS (exit status 1)\n"
		"  --existing      a park that is already there will do too\n",
	.exec = cmd_wait,
};
