/* SPDX-License-Identifier: MIT */
/*
 * cmd-log.c - hold log: what holdd saw, one event a line with its time --
 * forks, execs, exits, parks, releases and hand-offs -- from its journal
 * (what already happened), then, with -f, each event as it happens.  What
 * strace -o and tracexec's log give their users, for a whole tree.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "log-trace.h"

static const char *event_name(unsigned type)
{
	switch (type) {
	case HOLD_MSG_FORK:
		return "fork";
	case HOLD_MSG_EXEC:
		return "exec";
	case HOLD_MSG_EXIT:
		return "exit";
	case HOLD_MSG_PARKED:
		return "park";
	case HOLD_MSG_RELEASED:
		return "release";
	case HOLD_MSG_HANDOFF:
		return "handoff";
	default:
		return NULL;
	}
}

static void put_time(uint64_t ns)
{
	time_t s = (time_t)(ns / 1000000000u);
	struct tm tm;
	char t[32];

	localtime_r(&s, &tm);
	strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%s.%03u", t, (unsigned)(ns / 1000000u % 1000u));
}

static void put_str(const struct hold_msg *m, enum hold_field f)
{
	char s[HOLD_MSG_MAX];

	hold_msg_copy(m, f, s, sizeof(s));
	fputs(text_vis(s), stdout);
}

static void print_text(const struct hold_msg *m)
{
	int pid = (int)m->num[HOLD_F_PID], tid = (int)m->num[HOLD_F_TID];

	put_time(m->num[HOLD_F_SINCE_NS]);
	printf("  %-8s ", event_name(m->type));
	switch (m->type) {
	case HOLD_MSG_FORK:
		printf("%d -> %llu", pid, (unsigned long long)m->num[HOLD_F_CHILD]);
		break;
	case HOLD_MSG_EXEC: {
		char argv[4096];

		printf("%d ", pid);
		put_str(m, HOLD_F_PATH);
		cli_argv_line(m, 1, argv, sizeof(argv), 0);
		if (argv[0])
			printf(" %s", text_vis(argv));
		if (m->num[HOLD_F_FLAGS] & HOLD_FL_FAILED) {
			const char *name = strerrorname_np((int)m->num[HOLD_F_ERRNO]);

			printf("  [failed: %s]", name ? name : "?");
		}
		break;
	}
	case HOLD_MSG_EXIT:
		printf("%d", pid);
		break;
	case HOLD_MSG_PARKED:
		printf("%d/%d at ", pid, tid);
		put_str(m, HOLD_F_EVENT);
		fputs(" by rule '", stdout);
		put_str(m, HOLD_F_RULE);
		fputs("' (", stdout);
		put_str(m, HOLD_F_COMM);
		putchar(')');
		break;
	case HOLD_MSG_RELEASED:
		printf("%d/%d (%s)", pid, tid, hold_by_name((unsigned)m->num[HOLD_F_BY]));
		break;
	case HOLD_MSG_HANDOFF:
		printf("%llu -> %d/%d ", (unsigned long long)m->num[HOLD_F_PEER], pid, tid);
		put_str(m, HOLD_F_EVENT);
		putchar(' ');
		put_str(m, HOLD_F_ADDR);
		break;
	}
	putchar('\n');
}

/* One event: its type and time, then its facts in the vocabulary of hold
 * ls and hold tree: a park's and a hand-off's fields by their tables
 * (park.h), the rest by the names those use. */
static void print_json(const struct hold_msg *m)
{
	printf("{\"version\": %d, \"type\": \"%s\", \"time_ns\": %llu, ", HOLD_JSON_VERSION,
	       event_name(m->type), (unsigned long long)m->num[HOLD_F_SINCE_NS]);
	switch (m->type) {
	case HOLD_MSG_PARKED: {
		static struct park p;

		park_from_msg(&p, m);
		json_shape(stdout, &park_shape, &p, SF_BRIEF);
		break;
	}
	case HOLD_MSG_HANDOFF: {
		struct handoff_edge h;

		edge_from_msg(&h, m);
		json_shape(stdout, &edge_shape, &h, 0);
		break;
	}
	default: {
		struct hold_str path = hold_msg_str(m, HOLD_F_PATH);

		printf("\"pid\": %llu", (unsigned long long)m->num[HOLD_F_PID]);
		if (hold_msg_has(m, HOLD_F_TID))
			printf(", \"tid\": %llu", (unsigned long long)m->num[HOLD_F_TID]);
		if (hold_msg_has(m, HOLD_F_UID))
			printf(", \"uid\": %llu", (unsigned long long)m->num[HOLD_F_UID]);
		if (m->type == HOLD_MSG_FORK)
			printf(", \"child\": %llu", (unsigned long long)m->num[HOLD_F_CHILD]);
		if (m->type == HOLD_MSG_RELEASED)
			printf(", \"by\": \"%s\"", hold_by_name((unsigned)m->num[HOLD_F_BY]));
		if (m->type != HOLD_MSG_EXEC)
			break;
		if (hold_msg_has(m, HOLD_F_PPID))
			printf(", \"ppid\": %llu", (unsigned long long)m->num[HOLD_F_PPID]);
		if (m->num[HOLD_F_FLAGS] & HOLD_FL_FAILED) {
			const char *name = strerrorname_np((int)m->num[HOLD_F_ERRNO]);

			printf(", \"failed\": \"%s\"", name ? name : "?");
		}
		printf(", \"path\": ");
		json_str(stdout, path.p, path.len);
		printf(", \"argv\": [");
		for (unsigned i = 0; i < m->nargs; i++) {
			printf("%s", i ? ", " : "");
			json_str(stdout, m->arg[i].p, m->arg[i].len);
		}
		putchar(']');
	}
	}
	printf("}\n");
}

static void ask(struct client *cl, int follow)
{
	char buf[64];
	struct hold_enc e;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_LOG);
	if (follow)
		hold_enc_num(&e, HOLD_F_FLAGS, HOLD_FL_FOLLOW);
	client_send(cl, buf, hold_enc_finish(&e));
}

static int cmd_log(const struct cmd_entry *self, struct args *args)
{
	int follow = args_has(args, "follow"), json = args_has(args, "json"), r;
	const char *trace_to = args_get(args, "trace");
	struct trace *tr = NULL;
	uint64_t shown = 0, last = 0, at_last = 0, skip = 0;
	struct client cl;
	struct hold_msg m;

	setvbuf(stdout, NULL, _IOLBF, 0); /* a line as it happens, into a pipe too */
	if (trace_to && (follow || json))
		return cli_usage(self,
				 "--trace writes what holdd saw so far; it takes no -f or --json");
	if (trace_to && !(tr = trace_new()))
		return cli_fail(EXIT_USAGE, "out of memory");
	if ((r = client_open_or_journal(&cl, follow ? "the events of holdd's journal in %s; "
						      "nothing to follow"
						    : "the events of holdd's journal in %s")) < 0)
		return -r;
	if (r == 1)
		follow = 0;
	ask(&cl, follow);
	for (;;) {
		while ((r = client_next(&cl, &m, follow ? -1 : 10000)) == 1) {
			if (m.type == HOLD_MSG_ERROR) {
				client_close(&cl);
				return cli_fail(EXIT_USAGE, "%s", cli_text(&m));
			}
			if (m.type == HOLD_MSG_DONE) { /* the journal's events are out */
				if (!follow)
					break;
				continue;
			}
			/* after a restart the journal comes again: what was shown
			 * is not shown twice (by time, and at the last time shown,
			 * by how many were) */
			if (!event_name(m.type) || m.num[HOLD_F_SINCE_NS] < last)
				continue;
			if (m.num[HOLD_F_SINCE_NS] == last && skip) {
				skip--;
				continue;
			}
			if (m.num[HOLD_F_SINCE_NS] > last) {
				last = m.num[HOLD_F_SINCE_NS];
				at_last = 0;
			}
			at_last++;
			if (tr)
				trace_event(tr, &m);
			else if (json)
				print_json(&m);
			else
				print_text(&m);
			shown++;
		}
		client_close(&cl);
		if (!follow)
			break;
		/* as hold wait does: the next holdd (a private one ends, the
		 * next hold run starts its own; a system one restarts) */
		fprintf(stderr, "hold log: holdd has stopped; following the next one (Ctrl-C to "
				"stop)\n");
		if ((r = open_waiting(&cl, 0)))
			return r;
		skip = at_last;
		ask(&cl, 1);
	}
	if (r != 1) {
		trace_free(tr);
		return cli_fail(EXIT_USAGE, "holdd did not answer");
	}
	if (tr) {
		FILE *f = strcmp(trace_to, "-") ? fopen(trace_to, "we") : stdout;
		int bad = !f || trace_write(tr, f) < 0 || (f != stdout && fclose(f) != 0);

		trace_free(tr);
		if (bad)
			return cli_fail(EXIT_USAGE, "cannot write %s: %m", trace_to);
		if (f != stdout)
			fprintf(stderr,
				"hold log: %llu events written to %s (open it in "
				"https://ui.perfetto.dev or chrome://tracing)\n",
				(unsigned long long)shown, trace_to);
	}
	return shown ? EXIT_DONE : EXIT_NONE;
}

const struct cmd_entry cmd_log_entry = {
	.name = "log",
	.exits = "0  events printed (or written: --trace)\n"
		 "1  nothing recorded\n"
		 "2  a bad option; no holdd and no journal to read; a --trace file not written\n",
	.usage = "[-f] [--json] | --trace FILE",
	.help = "Print what holdd saw, one event a line with its time: forks, execs, exits,\n"
		"parks, releases and hand-offs -- yours (everyone's, for root).  First what\n"
		"its journal holds (a journal holdd has compacted keeps the trees, not every\n"
		"event); with -f, then each event as it happens, until Ctrl-C: when holdd\n"
		"stops, the next one's (none shown twice).  With no holdd running, the\n"
		"journal's events.\n",
	.args = {(const struct args_opt[]){
			 {'f', "follow", NULL, 0, "go on printing events as they happen"},
			 {0, "trace", "FILE", 0,
			  "write the events to FILE (- : stdout) in the Trace Event\n"
			  "Format, for Perfetto and chrome://tracing: a track a\n"
			  "process, its life and each park a slice"},
			 {'j', "json", NULL, 0, "one JSON object a line"},
			 {0, NULL, NULL, 0, NULL}},
		 0, 0, 0},
	.exec = cmd_log,
};
