/*
 * cmd-ls.c - hold ls: what is parked.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "paths.h"
#include "spool.h"

static void print_json(const struct spool_rec *r, int n)
{
	printf("[");
	for (int i = 0; i < n; i++) {
		printf("%s\n  {\"pid\": %d, \"tid\": %d, \"ppid\": %d, \"event\": ", i ? "," : "",
		       r[i].pid, r[i].tid, r[i].ppid);
		json_str(stdout, r[i].event, strlen(r[i].event));
		printf(", \"rule\": ");
		json_str(stdout, r[i].rule, strlen(r[i].rule));
		printf(", \"mode\": ");
		json_str(stdout, r[i].mode, strlen(r[i].mode));
		printf(", \"since_ns\": %llu, \"timeout_ns\": %llu, \"comm\": ",
		       (unsigned long long)r[i].since_ns, (unsigned long long)r[i].timeout_ns);
		json_str(stdout, r[i].comm, strlen(r[i].comm));
		printf(", \"exe\": ");
		json_str(stdout, r[i].exe, strlen(r[i].exe));
		printf(", \"argv\": ");
		json_str(stdout, r[i].argv, strlen(r[i].argv));
		printf("}");
	}
	printf("%s]\n", n ? "\n" : "");
}

static void print_table(const struct spool_rec *r, int n)
{
	printf("%-7s %-7s %-7s %-5s %-20s %-4s %-6s %-24s %s\n", "PID", "TID", "PPID", "EVENT",
	       "RULE", "MODE", "HELD", "EXE", "ARGV");
	for (int i = 0; i < n; i++) {
		char held[32], argv[64];

		fmt_held(held, sizeof(held), r[i].since_ns);
		snprintf(argv, sizeof(argv), "%s", r[i].argv);
		if (strlen(r[i].argv) >= sizeof(argv))
			memcpy(argv + sizeof(argv) - 4, "...", 4);
		printf("%-7d %-7d %-7d %-5s %-20s %-4s %-6s %-24s %s\n", r[i].pid, r[i].tid,
		       r[i].ppid, r[i].event, r[i].rule, r[i].mode, held, r[i].exe, argv);
	}
}

static int cmd_ls(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longs[] = {
		{"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	struct spool_rec *rows;
	int json = 0, from_spool, n, c;

	while ((c = getopt_long(argc, argv, "jh", longs, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'h')
			return cli_help(self), EXIT_DONE;
		else
			return cli_usage(self, "unknown option");
	}
	if (optind < argc)
		return cli_usage(self, "unexpected argument '%s'", argv[optind]);
	if ((n = cli_parks(&rows, &from_spool)) < 0)
		return EXIT_USAGE;
	if (from_spool)
		fprintf(stderr, "hold ls: no holdd answers at %s; listing the park records in %s\n",
			hold_socket_path(), hold_runtime_dir());
	if (json)
		print_json(rows, n);
	else if (n)
		print_table(rows, n);
	else
		fprintf(stderr, "hold ls: nothing is parked\n");
	free(rows);
	return n ? EXIT_DONE : EXIT_NONE;
}

const struct cmd_entry cmd_ls_entry = {
	.name = "ls",
	.usage = "[--json]",
	.help = "List parked threads: pid, tid, parent, event, rule, mode, how long held, exe\n"
		"and argv.  Asks holdd; when none answers, reads the park records libhold\n"
		"writes in the runtime directory.  Exit status 1 when nothing is parked.\n"
		"\n"
		"  --json   one JSON array of objects\n",
	.exec = cmd_ls,
};
