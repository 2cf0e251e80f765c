/* SPDX-License-Identifier: MIT */
/*
 * hold.c - the hold CLI's entry point and its table of verbs: each verb's
 * options are parsed here, from its descriptor, before it runs.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "text.h"

static const struct cmd_entry *const verbs[] = {
	&cmd_run_entry,    &cmd_env_entry,     &cmd_ls_entry,     &cmd_tree_entry, &cmd_wait_entry,
	&cmd_attach_entry, &cmd_release_entry, &cmd_follow_entry, &cmd_log_entry,  &cmd_watch_entry,
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static void overview(FILE *f)
{
	fputs("usage: hold [--host HOST] VERB [ARGS]   (hold help VERB, or hold VERB --help,\n"
	      "       for each; hold --version)\n\n",
	      f);
	for (size_t i = 0; i < NVERBS; i++)
		fprintf(f, "  hold %-8s %s\n", verbs[i]->name, verbs[i]->usage);
	fputs("\n--host HOST runs the verb on HOST over ssh ($HOLD_SSH, default ssh; the\n"
	      "remote hold is $HOLD_REMOTE, default hold); attach runs gdb here, against\n"
	      "gdbserver --multi on HOST through that ssh.\n"
	      "\nExit status: 0 done, 1 nothing found or timed out, 2 usage or environment "
	      "error.\n",
	      f);
}

static const struct cmd_entry *find_verb(const char *name)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (!strcmp(name, verbs[i]->name))
			return verbs[i];
	return NULL;
}

/* An unknown verb: the nearest one, if it is near (a typo), else the list. */
static int no_verb(const char *name)
{
	const struct cmd_entry *best = NULL;
	int bd = 3, begun = 0;
	char which[128] = "";

	for (size_t i = 0; name[0] && i < NVERBS; i++) /* the verb it begins */
		if (!strncmp(name, verbs[i]->name, strlen(name))) {
			best = verbs[i];
			snprintf(which + strlen(which), sizeof(which) - strlen(which),
				 "%s'hold %s'", begun++ ? " or " : "", verbs[i]->name);
		}
	if (begun > 1) {
		fprintf(stderr, "hold: no verb '%s'; did you mean %s?\n", name, which);
		return EXIT_USAGE;
	}
	for (size_t i = 0; !best && i < NVERBS; i++) { /* else two edits at most: a typo */
		int d = text_distance(name, verbs[i]->name);

		if (d < bd) {
			bd = d;
			best = verbs[i];
		}
	}
	if (best) {
		fprintf(stderr, "hold: no verb '%s'; did you mean 'hold %s'?\n", name, best->name);
		return EXIT_USAGE;
	}
	fprintf(stderr, "hold: no verb '%s'\n", name);
	overview(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strncmp(argv[1], "--host", 6) && (argv[1][6] == '=' || !argv[1][6])) {
		int skip = argv[1][6] == '=' ? 1 : 2;

		remote_host = argv[1][6] == '=' ? argv[1] + 7 : argc > 2 ? argv[2] : "";
		if (!*remote_host) {
			fprintf(stderr, "hold: --host needs a host (as ssh names it)\n");
			return EXIT_USAGE;
		}
		argv += skip; /* argv[0] stays in front of the verb */
		argc -= skip;
		argv[0] = "hold";
		if (argc > 1 && strcmp(argv[1], "attach") != 0)
			return remote_run(argc - 1, argv + 1);
	}
	if (argc < 2) {
		overview(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("hold %s\n", PACKAGE_VERSION);
		return EXIT_DONE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (!strcmp(argv[1], "help") && argc < 3)) {
		overview(stdout);
		return EXIT_DONE;
	}
	if (!strcmp(argv[1], "help")) { /* hold help VERB: as hold VERB --help */
		const struct cmd_entry *v = find_verb(argv[2]);

		if (!v)
			return no_verb(argv[2]);
		cli_help(v);
		return EXIT_DONE;
	}
	for (size_t i = 0; i < NVERBS; i++) {
		const struct cmd_entry *v = verbs[i];
		static struct args a;
		char err[256];

		if (strcmp(argv[1], v->name) != 0)
			continue;
		cli_verb = v->name;
		switch (args_parse(&v->args, argc - 1, argv + 1, &a, err, sizeof(err))) {
		case ARGS_HELP:
			cli_help(v);
			return EXIT_DONE;
		case ARGS_BAD:
			return cli_usage(v, "%s", err);
		}
		return v->exec(v, &a);
	}
	return no_verb(argv[1]);
}
