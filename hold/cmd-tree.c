/* SPDX-License-Identifier: MIT */
/*
 * cmd-tree.c - hold tree: the recorded process trees, fork and exec edges,
 * parked, exited and re-parented processes marked.
 */
#define _GNU_SOURCE /* basename() that leaves its argument alone */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "proc.h"

struct row {
	int pid, parent, depth, last; /* last: no later sibling */
	uint32_t uid, flags;
	uint64_t since_ns, exit_ns;
	char exe[512], argv[512];
	char failed[320]; /* its last exec that failed: "ENOENT /no/such"; "": none */
	char *args;       /* the whole argv, NUL-separated (malloc'd) */
	size_t argslen;
};

/* A hand-off edge (park.h), and whether it is drawn at its sender. */
struct hand {
	struct handoff_edge e;
	int placed;
};

static struct hand *hands;
static int nhands;

/* Was row r alive when hand-off h happened?  (pids are reused) */
static int alive_at(const struct row *r, const struct hand *h)
{
	return r->since_ns <= h->e.since_ns &&
	       (!(r->flags & HOLD_FL_EXITED) || r->exit_ns >= h->e.since_ns);
}

static void flags_text(char *out, size_t n, uint32_t f)
{
	snprintf(out, n, "%s%s%s", f & HOLD_FL_PARKED ? "  [parked]" : "",
		 f & HOLD_FL_EXITED ? "  [exited]" : "",
		 f & HOLD_FL_REPARENTED ? "  [re-parented]" : "");
}

/* "  ──unix:/x──▶ 4095/4099 rpc-worker" for what row r sent, and
 * "  ◀──unix:/x── 4090 minivirsh" for what it got from outside the listing. */
static void print_hands(const struct row *r, const char *indent)
{
	int first = 1;

	for (int i = 0; i < nhands; i++) {
		struct hand *h = &hands[i];
		int out = h->e.ho.peer == r->pid && alive_at(r, h);
		int in = !out && !h->placed && h->e.pid == r->pid && alive_at(r, h);

		if (!out && !in)
			continue;
		if (!first)
			printf("\n%s", indent);
		first = 0;
		if (out)
			printf("  ──%s──▶ %d/%d %s", text_vis(h->e.ho.addr), h->e.pid, h->e.tid,
			       text_vis(h->e.comm));
		else if (h->e.ho.peer > 0)
			printf("  ◀──%s── %d %s", text_vis(h->e.ho.addr), h->e.ho.peer,
			       text_vis(h->e.ho.peer_comm));
		else
			printf("  ◀──%s── (sender not known)", text_vis(h->e.ho.addr));
	}
}

static void print_rows(struct row *r, int n)
{
	/* ancestors' "has a later sibling", by depth */
	char more[256] = {0};

	char indent[256 * 10];

	for (int i = 0; i < n; i++) {
		char fl[64];
		int d = r[i].depth < 255 ? r[i].depth : 255;

		for (int k = 1; k < d; k++)
			fputs(more[k] ? "│      " : "       ", stdout);
		if (d > 0)
			fputs(r[i].last ? "└─fork─ " : "├─fork─ ", stdout);
		more[d] = !r[i].last;
		flags_text(fl, sizeof(fl), r[i].flags);
		indent[0] = '\0';
		for (int k = 1; k <= d; k++)
			strcat(indent, more[k] ? "│      " : "       ");
		if (r[i].flags & HOLD_FL_EXECED) {
			printf("%d ─exec─▶ %s%s%s", r[i].pid, text_vis(r[i].exe),
			       r[i].argv[0] ? " " : "", text_vis(r[i].argv));
		} else {
			char comm[64] = "";

			/* a process followed from where it stood (hold follow, watch
			 * --pid): no exec seen, but the kernel knows its name */
			if (!r[i].exe[0] && !(r[i].flags & HOLD_FL_EXITED))
				proc_comm(r[i].pid, r[i].pid, comm, sizeof(comm));
			printf("%d (%s)", r[i].pid,
			       r[i].exe[0] ? text_vis(basename(r[i].exe))
			       : comm[0]   ? text_vis(comm)
					   : "?");
		}
		printf("%s", fl);
		if (r[i].failed[0])
			printf("  [exec failed: %s]", text_vis(r[i].failed));
		print_hands(&r[i], indent);
		printf("\n");
	}
}

static void print_json(struct row *r, int n)
{
	printf("[");
	for (int i = 0; i < n; i++) {
		printf("%s\n  {\"version\": %d, \"pid\": %d, \"parent\": %d, \"depth\": %d, "
		       "\"uid\": %u, "
		       "\"execed\": %s, \"parked\": %s, \"exited\": %s, \"reparented\": %s, "
		       "\"since_ns\": %llu, \"exit_ns\": %llu, \"path\": ",
		       i ? "," : "", HOLD_JSON_VERSION, r[i].pid, r[i].parent, r[i].depth, r[i].uid,
		       r[i].flags & HOLD_FL_EXECED ? "true" : "false",
		       r[i].flags & HOLD_FL_PARKED ? "true" : "false",
		       r[i].flags & HOLD_FL_EXITED ? "true" : "false",
		       r[i].flags & HOLD_FL_REPARENTED ? "true" : "false",
		       (unsigned long long)r[i].since_ns, (unsigned long long)r[i].exit_ns);
		json_str(stdout, r[i].exe, strlen(r[i].exe));
		printf(", \"exec_failed\": ");
		if (r[i].failed[0])
			json_str(stdout, r[i].failed, strlen(r[i].failed));
		else
			printf("null");
		printf(", \"argv\": ");
		json_argv(stdout, r[i].args, r[i].argslen);
		printf(", \"handoffs\": [");
		for (int k = 0, any = 0; k < nhands; k++) {
			const struct hand *h = &hands[k];

			if (!((h->e.ho.peer == r[i].pid || h->e.pid == r[i].pid) &&
			      alive_at(&r[i], h)))
				continue;
			printf("%s{", any++ ? ", " : "");
			json_shape(stdout, &edge_shape, &h->e, 0);
			printf("}");
		}
		printf("]}");
	}
	printf("%s]\n", n ? "\n" : "");
}

/* The message's argv, NUL-separated (malloc'd; NULL if none). */
static char *args_of(const struct hold_msg *m, size_t *len)
{
	size_t n = 0;
	char *a;

	for (unsigned i = 0; i < m->nargs; i++)
		n += m->arg[i].len + 1;
	*len = 0;
	if (!n || !(a = malloc(n)))
		return NULL;
	for (unsigned i = 0; i < m->nargs; i++) {
		memcpy(a + *len, m->arg[i].p, m->arg[i].len);
		*len += m->arg[i].len;
		a[(*len)++] = '\0';
	}
	return a;
}

static void add_hand(const struct hold_msg *m)
{
	struct hand *h = realloc(hands, sizeof(*hands) * (size_t)(nhands + 1));

	if (!h)
		return;
	hands = h;
	h = &hands[nhands++];
	edge_from_msg(&h->e, m);
	h->placed = 0;
}

/* A hand-off whose sender is listed is drawn at the sender; mark those. */
static void place_hands(const struct row *rows, int n)
{
	for (int i = 0; i < nhands; i++)
		for (int k = 0; k < n && !hands[i].placed; k++)
			hands[i].placed =
				rows[k].pid == hands[i].e.ho.peer && alive_at(&rows[k], &hands[i]);
}

static int cmd_tree(const struct cmd_entry *self, struct args *args)
{
	int json = args_has(args, "json"), pid = 0, tid, n = 0, cap = 0, r;
	struct row *rows = NULL;
	struct client cl;
	struct hold_msg m;
	char buf[64];
	struct hold_enc e;

	if (args->argc && parse_target(args->argv[0], &pid, &tid) < 0)
		return cli_usage(self, "name at most one PID");
	if ((r = client_open_or_journal(&cl, "the trees as holdd's journal in %s last recorded "
					     "them")) < 0)
		return -r;
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_TREE);
	if (pid)
		hold_enc_num(&e, HOLD_F_PID, (uint64_t)pid);
	client_send(&cl, buf, hold_enc_finish(&e));
	while ((r = client_next(&cl, &m, 10000)) == 1 &&
	       (m.type == HOLD_MSG_NODE || m.type == HOLD_MSG_HANDOFF)) {
		struct row *x;

		if (m.type == HOLD_MSG_HANDOFF) {
			add_hand(&m);
			continue;
		}
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
		hold_msg_copy(&m, HOLD_F_PATH, x->exe, sizeof(x->exe));
		hold_msg_copy(&m, HOLD_F_TEXT, x->failed, sizeof(x->failed));
		/* argv[0] repeats the exe: show the arguments after it */
		cli_argv_line(&m, 1, x->argv, sizeof(x->argv), 100);
		x->args = args_of(&m, &x->argslen);
	}
	client_close(&cl);
	if (r == 1 && m.type == HOLD_MSG_ERROR)
		return free(rows), cli_fail(EXIT_NONE, "%s", cli_text(&m));
	if (r != 1 || m.type != HOLD_MSG_DONE)
		return free(rows), cli_fail(EXIT_USAGE, "holdd did not answer");
	if (m.num[HOLD_F_LOST])
		fprintf(stderr,
			"hold tree: %llu fork/exec reports were lost, holdd's report ring full "
			"(holdd stopped, or far behind): processes or execs may be missing\n",
			(unsigned long long)m.num[HOLD_F_LOST]);
	for (int i = 0; i < n; i++) { /* last child: no sibling before depth drops */
		rows[i].last = 1;
		for (int j = i + 1; j < n && rows[j].depth >= rows[i].depth; j++)
			if (rows[j].depth == rows[i].depth) {
				rows[i].last = 0;
				break;
			}
	}
	place_hands(rows, n);
	if (json)
		print_json(rows, n);
	else if (n)
		print_rows(rows, n);
	else
		fprintf(stderr, "hold tree: no process recorded yet\n");
	for (int i = 0; i < n; i++)
		free(rows[i].args);
	free(rows);
	free(hands);
	return n ? EXIT_DONE : EXIT_NONE;
}

const struct cmd_entry cmd_tree_entry = {
	.name = "tree",
	.exits = "0  a tree printed\n"
		 "1  nothing recorded (for PID: nothing of it)\n"
		 "2  a bad option; no holdd and no journal to read\n",
	.usage = "[PID] [--json]",
	.help = "Show the process trees holdd recorded, or the one under PID: fork edges,\n"
		"exec edges (─exec─▶ the new image), and which processes are parked, exited\n"
		"or re-parented (their parent exited first, as in double-fork daemons; they\n"
		"stay under the process that forked them).  Hand-offs that a recv or accept\n"
		"rule parked are drawn at the sender (──ADDR──▶ PID/TID receiver), or at the\n"
		"receiver (◀──ADDR── PID sender) when the sender is not in the listing.\n",
	.args = {(const struct args_opt[]){{'j', "json", NULL, 0,
					    "one JSON array of nodes, parents first, with depth"},
					   {0, NULL, NULL, 0, NULL}},
		 0, 1, 0},
	.exec = cmd_tree,
};
