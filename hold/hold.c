/*
 * hold.c - the hold CLI's entry point and its table of verbs.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cmd_entry *const verbs[] = {
	&cmd_run_entry,  &cmd_env_entry,    &cmd_ls_entry,      &cmd_tree_entry,
	&cmd_wait_entry, &cmd_attach_entry, &cmd_release_entry,
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
		if (strcmp(argv[1], verbs[i]->name) == 0) {
			cli_verb = verbs[i]->name;
			return verbs[i]->exec(verbs[i], argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "hold: no verb '%s'\n", argv[1]);
	overview(stderr);
	return EXIT_USAGE;
}
