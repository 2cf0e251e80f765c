/*
 * cmd-tree.c - hold tree: the recorded process trees, fork and exec edges,
 * parked, exited and re-parented processes marked.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct row {
	int pid, parent, depth, last; /* last: no later sibling */
	uint32_t uid, flags;
	uint64_t since_ns, exit_ns;
	char exe[512], argv[512];
};

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void flags_text(char *out, size_t n, uint32_t f)
{
	snprintf(out, n, "%s%s%s", f & HOLD_FL_PARKED ? "  [parked]" : "",
		 f & HOLD_FL_EXITED ? "  [exited]" : "",
		 f & HOLD_FL_REPARENTED ? "  [re-parented]" : "");
}

static void print_rows(struct row *r, int n)
{
	/* ancestors' "has a later sibling", by depth */
	char more[256] = {0};

	for (int i = 0; i < n; i++) {
		char fl[64];
		int d = r[i].depth < 255 ? r[i].depth : 255;

		for (int k = 1; k < d; k++)
			fputs(more[k] ? "│      " : "       ", stdout);
		if (d > 0)
			fputs(r[i].last ? "└─fork─ " : "├─fork─ ", stdout);
		more[d] = !r[i].last;
		flags_text(fl, sizeof(fl), r[i].flags);
		if (r[i].flags & HOLD_FL_EXECED)
			printf("%d ─exec─▶ %s%s%s", r[i].pid, r[i].exe, r[i].argv[0] ? " " : "",
			       r[i].argv);
		else
			printf("%d (%s)", r[i].pid, r[i].exe[0] ? base(r[i].exe) : "?");
		printf("%s\n", fl);
	}
}

static void print_json(struct row *r, int n)
{
	printf("[");
	for (int i = 0; i < n; i++) {
		printf("%s\n  {\"pid\": %d, \"parent\": %d, \"depth\": %d, \"uid\": %u, "
		       "\"execed\": %s, \"parked\": %s, \"exited\": %s, \"reparented\": %s, "
		       "\"since_ns\": %llu, \"exit_ns\": %llu, \"exe\": ",
		       i ? "," : "", r[i].pid, r[i].parent, r[i].depth, r[i].uid,
		       r[i].flags & HOLD_FL_EXECED ? "true" : "false",
		       r[i].flags & HOLD_FL_PARKED ? "true" : "false",
		       r[i].flags & HOLD_FL_EXITED ? "true" : "false",
		       r[i].flags & HOLD_FL_REPARENTED ? "true" : "false",
		       (unsigned long long)r[i].since_ns, (unsigned long long)r[i].exit_ns);
		json_str(stdout, r[i].exe, strlen(r[i].exe));
		printf(", \"argv\": ");
		json_str(stdout, r[i].argv, strlen(r[i].argv));
		printf("}");
	}
	printf("%s]\n", n ? "\n" : "");
}

static int cmd_tree(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option longs[] = {
		{"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int json = 0, pid = 0, tid, c, n = 0, cap = 0, r;
	struct row *rows = NULL;
	struct client cl;
	struct hold_msg m;
	char buf[64];
	struct hold_enc e;

	while ((c = getopt_long(argc, argv, "jh", longs, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'h')
			return cli_help(self), EXIT_DONE;
		else
			return cli_usage(self, "unknown option");
	}
	if (argc - optind > 1 || (optind < argc && parse_target(argv[optind], &pid, &tid) < 0))
		return cli_usage(self, "name at most one PID");
	if (client_open(&cl) < 0)
		return client_no_daemon();
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_TREE);
	if (pid)
		hold_enc_num(&e, HOLD_F_PID, (uint64_t)pid);
	client_send(&cl, buf, hold_enc_finish(&e));
	while ((r = client_next(&cl, &m, 10000)) == 1 && m.type == HOLD_MSG_NODE) {
		struct row *x;

		if (n == cap) {
			x = realloc(rows, sizeof(*rows) * (size_t)(cap = cap * 2 + 64));
			if (!x) /* the process exits: nothing to free */
				return cli_fail(EXIT_USAGE, "out of memory");
			rows = x;
		}
		x = &rows[n++];
		x->pid = (int)m.num[HOLD_F_PID];
		x->parent = (int)m.num[HOLD_F_PARENT];
		x->depth = (int)m.num[HOLD_F_COUNT];
		x->uid = (uint32_t)m.num[HOLD_F_UID];
		x->flags = (uint32_t)m.num[HOLD_F_FLAGS];
		x->since_ns = m.num[HOLD_F_SINCE_NS];
		x->exit_ns = m.num[HOLD_F_EXIT_NS];
		snprintf(x->exe, sizeof(x->exe), "%s", mstr(&m, HOLD_F_PATH));
		/* argv[0] repeats the exe: show the arguments after it */
		margv(&m, 1, x->argv, sizeof(x->argv), 100);
	}
	client_close(&cl);
	if (r == 1 && m.type == HOLD_MSG_ERROR)
		return free(rows), cli_fail(EXIT_NONE, "%s", mstr(&m, HOLD_F_TEXT));
	if (r != 1 || m.type != HOLD_MSG_DONE)
		return free(rows), cli_fail(EXIT_USAGE, "holdd did not answer");
	for (int i = 0; i < n; i++) { /* last child: no sibling before depth drops */
		rows[i].last = 1;
		for (int j = i + 1; j < n && rows[j].depth >= rows[i].depth; j++)
			if (rows[j].depth == rows[i].depth) {
				rows[i].last = 0;
				break;
			}
	}
	if (json)
		print_json(rows, n);
	else if (n)
		print_rows(rows, n);
	else
		fprintf(stderr, "hold tree: no process recorded yet\n");
	free(rows);
	return n ? EXIT_DONE : EXIT_NONE;
}

const struct cmd_entry cmd_tree_entry = {
	.name = "tree",
	.usage = "[PID] [--json]",
	.help = "Show the process trees holdd recorded, or the one under PID: fork edges,\n"
		"exec edges (─exec─▶ the new image), and which processes are parked, exited\n"
		"or re-parented (their parent exited first, as in double-fork daemons; they\n"
		"stay under the process that forked them).\n"
		"\n"
		"  --json   one JSON array of nodes, parents first, with depth\n",
	.exec = cmd_tree,
};
