/* SPDX-License-Identifier: MIT */
/*
 * cmd-env.c - hold env: the environment that puts a service under hold.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* --off: the lines that take this shell out from under hold again --
 * libhold out of LD_PRELOAD (the rest kept), hold's variables unset. */
static int env_off(void)
{
	const char *pre = getenv("LD_PRELOAD"), *lib = cli_libhold_path();
	char rest[8192];
	size_t n = 0;

	rest[0] = '\0';
	for (const char *p = pre ? pre : ""; *p;) {
		size_t len = strcspn(p, ": ");
		int libhold = (len == strlen(lib) && !strncmp(p, lib, len)) ||
			      memmem(p, len, "/libhold.so", 11) != NULL;

		if (len && !libhold)
			n += (size_t)snprintf(rest + n, n < sizeof(rest) ? sizeof(rest) - n : 0,
					      "%s%.*s", n ? ":" : "", (int)len, p);
		p += len + (p[len] != '\0');
	}
	if (rest[0]) {
		printf("export LD_PRELOAD=");
		cli_shell_quote(stdout, rest);
		putchar('\n');
	} else {
		printf("unset LD_PRELOAD\n");
	}
	/* HOLD_OFF: libhold, still in this shell, must not put itself back
	 * into what the shell execs (it does for a program that scrubs) */
	printf("unset HOLD_RULES HOLD_SESSION\nexport HOLD_OFF=1\n"); /* HOLD_SOCKET was the
									 caller's */
	return EXIT_DONE;
}

static int cmd_env(const struct cmd_entry *self, struct args *args)
{
	char rules[4096], kv[5][4300];
	const char *sock = getenv("HOLD_SOCKET"), *session;
	int systemd = args_has(args, "systemd"), n = 0;

	if (args_has(args, "off"))
		return env_off();
	if (cli_collect_rules(self, args, rules, sizeof(rules)))
		return EXIT_USAGE;
	if (!rules[0])
		return cli_usage(self, "give at least one rule, e.g. -r 'exec:*/qemu-system-*'");
	if (!cli_rules_ok(rules))
		return EXIT_USAGE;
	snprintf(kv[n++], sizeof(kv[0]), "LD_PRELOAD=%s", cli_libhold_path());
	snprintf(kv[n++], sizeof(kv[0]), "HOLD_RULES=%s", rules);
	/* a session of its own: count= is shared by every command, and every
	 * process of the service, that runs with these lines (a new one each
	 * time, not one inherited from an earlier hold env) */
	unsetenv("HOLD_SESSION");
	if ((session = run_session()))
		snprintf(kv[n++], sizeof(kv[0]), "HOLD_SESSION=%s", session);
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
	if (!systemd) /* after a hold env --off: on again */
		printf("unset HOLD_OFF\n");
	/* read by a shell's eval "$(...)" from a terminal: that shell, and every
	 * command it runs from now on, is under hold */
	if (!systemd && !isatty(1) && isatty(2))
		fprintf(stderr,
			"hold env: eval'd in this shell, these lines put the shell itself under "
			"hold: every command it runs from now on is followed, and parked where a "
			"rule matches (count= is shared by all of them).  To stop: eval \"$(hold "
			"env --off)\".  For one command only: hold run -r RULE -- CMD\n");
	return EXIT_DONE;
}

const struct cmd_entry cmd_env_entry = {
	.name = "env",
	.exits = "0  the lines printed\n"
		 "2  a bad or missing rule, a bad option\n",
	.usage = "-r RULE... [--systemd] | --off",
	.help = "Print the lines that put a program under hold, as shell-quoted export\n"
		"lines for eval: LD_PRELOAD with libhold's absolute path, HOLD_RULES, and\n"
		"HOLD_SOCKET when it is set, and a new HOLD_SESSION: count= is shared by\n"
		"every command run with them.  The rules are checked first.  Eval'd in a\n"
		"shell from a terminal, it says that the shell itself is now under hold;\n"
		"eval \"$(hold env --off)\" undoes it.\n"
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
			 {0, "off", NULL, 0,
			  "print the lines that take this shell out from under hold:\n"
			  "libhold out of LD_PRELOAD, HOLD_RULES and HOLD_SESSION unset"},
			 {0, NULL, NULL, 0, NULL}},
		 0, 0, 0},
	.exec = cmd_env,
};
