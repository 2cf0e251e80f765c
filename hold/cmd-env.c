/* SPDX-License-Identifier: MIT */
/*
 * cmd-env.c - hold env: the environment that puts a service under hold.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "paths.h"

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

static int cmd_env(const struct cmd_entry *self, struct args *args)
{
	char rules[4096], kv[4][4300];
	const char *sock = getenv("HOLD_SOCKET");
	int systemd = args_has(args, "systemd"), n = 0;

	if (cli_collect_rules(self, args, rules, sizeof(rules)))
		return EXIT_USAGE;
	if (!rules[0])
		return cli_usage(self, "give at least one rule, e.g. -r 'exec:*/qemu-system-*'");
	if (!cli_rules_ok(rules))
		return EXIT_USAGE;
	snprintf(kv[n++], sizeof(kv[0]), "LD_PRELOAD=%s", cli_libhold_path());
	snprintf(kv[n++], sizeof(kv[0]), "HOLD_RULES=%s", rules);
	if (systemd) {
		/* A service runs as whatever user its unit says, with its own
		 * XDG_RUNTIME_DIR or none: name the system holdd's socket
		 * (holdd.socket), and give the service a runtime directory of
		 * its own under /run/hold for its park records and count=
		 * files -- its user's, searchable (0711) but not listable, so
		 * a root service's processes that switch user share them. */
		snprintf(kv[n++], sizeof(kv[0]), "HOLD_SOCKET=%s",
			 sock && *sock ? sock : HOLD_SYSTEM_RUNTIME_DIR "/holdd.sock");
		printf("[Service]\n"
		       "RuntimeDirectory=hold/%%N\n"
		       "RuntimeDirectoryMode=0711\n"
		       "Environment=\"HOLD_RUNTIME_DIR=%s/%%N\"\n",
		       HOLD_SYSTEM_RUNTIME_DIR);
	} else if (sock && *sock) {
		snprintf(kv[n++], sizeof(kv[0]), "HOLD_SOCKET=%s", sock);
	}
	for (int i = 0; i < n; i++) {
		if (systemd) {
			printf("Environment=");
			systemd_quoted(kv[i]);
			putchar('\n');
		} else { /* export KEY='value': eval takes it, whatever the rules hold */
			char *eq = strchr(kv[i], '=');

			printf("export %.*s=", (int)(eq - kv[i]), kv[i]);
			cli_shell_quote(stdout, eq + 1);
			putchar('\n');
		}
	}
	return EXIT_DONE;
}

const struct cmd_entry cmd_env_entry = {
	.name = "env",
	.usage = "-r RULE... [--systemd]",
	.help = "Print the lines that put a program under hold, as shell-quoted export\n"
		"lines for eval: LD_PRELOAD with libhold's absolute path, HOLD_RULES, and\n"
		"HOLD_SOCKET when it is set.  The rules are checked first.\n"
		"  eval \"$(hold env -r 'exec:*/qemu-system-*' -r 'fork,comm=w*')\"\n"
		"For a service, a drop-in that also names the\n"
		"system holdd's socket (holdd.socket: /run/hold/holdd.sock), and gives the\n"
		"service its own runtime directory, /run/hold/UNIT, whatever user it runs as:\n"
		"  hold env --systemd -r 'exec:*/qemu-system-*' \\\n"
		"    > /etc/systemd/system/libvirtd.service.d/hold.conf\n",
	.args = {(const struct args_opt[]){
			 {'r', "rule", "RULE", ARGS_MANY, "a rule (repeatable), as in HOLD_RULES"},
			 {'s', "systemd", NULL, 0,
			  "print a drop-in: [Service] and Environment= lines"},
			 {0, NULL, NULL, 0, NULL}},
		 0, 0, 0},
	.exec = cmd_env,
};
