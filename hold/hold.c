/*
 * hold.c - the hold CLI's entry point and its table of verbs: each verb's
 * options are parsed here, from its descriptor, before it runs.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cmd_entry *const verbs[] = {
	&cmd_run_entry,  &cmd_env_entry,    &cmd_ls_entry,      &cmd_tree_entry,
	&cmd_wait_entry, &cmd_attach_entry, &cmd_release_entry, &cmd_follow_entry,
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static void overview(FILE *f)
{
	fputs("usage: hold VERB [ARGS]   (hold VERB --help for each)\n\n", f);
	for (size_t i = 0; i < NVERBS; i++)
		fprintf(f, "  hold %-8s %s\n", verbs[i]->name, verbs[i]->usage);
	fputs("\nExit status: 0 done, 1 nothing found or timed out, 2 usage or environment "
	      "error.\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		overview(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		overview(stdout);
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
	fprintf(stderr, "hold: no verb '%s'\n", argv[1]);
	overview(stderr);
	return EXIT_USAGE;
}
