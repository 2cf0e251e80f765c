/*
 * cmd-env.c - hold env: the environment that puts a service under hold.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* systemd's Environment= takes "KEY=value" with C-style escapes and %%. */
static void systemd_quoted(const char *kv)
{
	putchar('"');
	for (; *kv; kv++) {
		if (*kv == '"' || *kv == '\\')
			putchar('\\');
		if (*kv == '%')
			putchar('%');
		putchar(*kv);
	}
	putchar('"');
}

static int cmd_env(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longs[] = {{"rule", required_argument, 0, 'r'},
					      {"systemd", no_argument, 0, 's'},
					      {"help", no_argument, 0, 'h'},
					      {0, 0, 0, 0}};
	char rules[4096] = "", kv[3][4300];
	const char *sock = getenv("HOLD_SOCKET");
	int systemd = 0, c, n = 0;

	while ((c = getopt_long(argc, argv, "+r:sh", longs, NULL)) != -1) {
		if (c == 'r') {
			if (cli_collect_rules(self, rules, sizeof(rules), optarg))
				return EXIT_USAGE;
		} else if (c == 's') {
			systemd = 1;
		} else if (c == 'h') {
			return cli_help(self), EXIT_DONE;
		} else {
			return cli_usage(self, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(self, "unexpected argument '%s'", argv[optind]);
	if (!rules[0])
		return cli_usage(self, "give at least one rule, e.g. -r 'exec:*/qemu-system-*'");
	if (!cli_rules_ok(rules))
		return EXIT_USAGE;
	snprintf(kv[n++], sizeof(kv[0]), "LD_PRELOAD=%s", cli_libhold_path());
	snprintf(kv[n++], sizeof(kv[0]), "HOLD_RULES=%s", rules);
	if (sock && *sock)
		snprintf(kv[n++], sizeof(kv[0]), "HOLD_SOCKET=%s", sock);
	if (systemd)
		printf("[Service]\n");
	for (int i = 0; i < n; i++) {
		if (systemd) {
			printf("Environment=");
			systemd_quoted(kv[i]);
			putchar('\n');
		} else {
			printf("%s\n", kv[i]);
		}
	}
	return EXIT_DONE;
}

const struct cmd_entry cmd_env_entry = {
	.name = "env",
	.usage = "-r RULE... [--systemd]",
	.help = "Print the KEY=value lines that put a program under hold: LD_PRELOAD with\n"
		"libhold's absolute path, HOLD_RULES, and HOLD_SOCKET when it is set.  The\n"
		"rules are checked first.  For a service:\n"
		"  hold env --systemd -r 'exec:*/qemu-system-*' \\\n"
		"    > /etc/systemd/system/libvirtd.service.d/hold.conf\n"
		"\n"
		"  -r, --rule RULE  a rule (repeatable), as in HOLD_RULES\n"
		"  --systemd        print a drop-in: [Service] and Environment= lines\n",
	.exec = cmd_env,
};
