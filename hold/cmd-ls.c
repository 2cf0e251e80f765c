/* SPDX-License-Identifier: MIT */
/*
 * cmd-ls.c - hold ls: what is parked.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "attach-python.h"
#include "cli.h"
#include "park-dir.h"
#include "proc.h"
#include "paths.h"

/* The thread's name now, else as reported. */
static void thread_name(const struct park *r, char *out, size_t cap)
{
	if (proc_comm(r->pid, r->tid, out, cap) < 0)
		snprintf(out, cap, "%s", r->comm);
}

/* argv as one line, its elements joined by spaces (a static buffer). */
static const char *argv_line(const struct park *r)
{
	static char line[HOLD_PARK_ARGV];
	struct buf b;

	buf_init(&b, line, sizeof(line));
	park_argv_line(r, &b);
	return buf_cstr(&b);
}

/* What it was parked on: the hand-off, or the image; shown safely and
 * cut to the table's last column (--json has it all). */
static void what(const struct park *r, char *out, size_t cap)
{
	char raw[8192];
	size_t n;

	if (r->ho.addr[0] && r->ho.peer > 0)
		snprintf(raw, sizeof(raw), "%s from %d %s", r->ho.addr, r->ho.peer,
			 r->ho.peer_comm);
	else if (r->ho.addr[0])
		snprintf(raw, sizeof(raw), "%s", r->ho.addr);
	else if (r->nspid > 0)
		snprintf(raw, sizeof(raw), "[pid %d in its namespace] %s %s", r->nspid, r->exe,
			 argv_line(r));
	else
		snprintf(raw, sizeof(raw), "%s %s", r->exe, argv_line(r));
	snprintf(out, cap, "%s", text_vis(raw));
	if ((n = strlen(out)) > 100) {
		n = 97;
		while (n > 0 && ((unsigned char)out[n] & 0xc0) == 0x80) /* not mid-character */
			n--;
		memcpy(out + n, "...", 4);
	}
}

/* Is pid a CPython process (hold attach --py-bt and --pdb work on it)? */
static int is_python(const struct park *r)
{
	struct py_target py;
	char exe[PATH_MAX];

	if (r->tid <= 0 || strcmp(r->event, "preexec") == 0 ||
	    proc_exe(r->pid, exe, sizeof(exe)) < 0)
		return 0;
	return py_target_find(r->pid, exe, &py) != PY_NOT_PYTHON;
}

static void print_json(const struct park *r, int n)
{
	printf("[");
	for (int i = 0; i < n; i++) {
		struct park q = r[i];

		thread_name(&r[i], q.comm, sizeof(q.comm));
		printf("%s\n  {\"version\": %d, ", i ? "," : "", HOLD_JSON_VERSION);
		json_shape(stdout, &park_shape, &q, 0);
		printf(", \"python\": %s}", is_python(&r[i]) ? "true" : "false");
	}
	printf("%s]\n", n ? "\n" : "");
}

static void print_table(const struct park *r, int n)
{
	printf("%-7s %-7s %-15s %-6s %-4s %-6s %-24s %s\n", "PID", "TID", "THREAD", "EVENT", "MODE",
	       "HELD", "RULE", "ON");
	for (int i = 0; i < n; i++) {
		char held[32], name[64], on[256];

		fmt_held(held, sizeof(held), r[i].since_ns);
		thread_name(&r[i], name, sizeof(name));
		what(&r[i], on, sizeof(on));
		printf("%-7d %-7d %-15s %-6s %-4s %-6s %-24s %s%s\n", r[i].pid, r[i].tid,
		       text_vis(name), text_vis(r[i].event), hold_mode_name(r[i].mode), held,
		       text_vis(r[i].rule), on, is_python(&r[i]) ? "  [python]" : "");
	}
}

/* Root's holdd hears its own trees (and, with --any-user, the users'
 * that reach it); a user's own holdd keeps that user's parks.  Root's hold
 * ls lists those too (other-users.c), and says where they come from. */
static void other_users_said(const struct other_park *o, int n)
{
	char said[1024] = "";
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		int k = 1;

		if (i && !strcmp(o[i].dir, o[i - 1].dir))
			continue;
		while (i + k < n && !strcmp(o[i + k].dir, o[i].dir))
			k++;
		len += (size_t)snprintf(said + len, len < sizeof(said) ? sizeof(said) - len : 0,
					"%s%d in %s (uid %u)", len ? ", " : "", k, o[i].dir,
					o[i].uid);
	}
	fprintf(stderr,
		"hold ls: listed also, from other users' own holdds: %s; hold attach and "
		"release act on them\n",
		said);
}

static int cmd_ls(const struct cmd_entry *self, struct args *args)
{
	struct park *rows;
	int json = args_has(args, "json"), from_records, n;

	(void)self;
	struct other_park *o;
	int no;

	if ((n = cli_parks(&rows, &from_records)) < 0)
		return EXIT_USAGE;
	if ((no = other_parks(&o)) > 0) {
		struct park *all = realloc(rows, sizeof(*rows) * (size_t)(n + no));

		if (all) {
			rows = all;
			for (int i = 0; i < no; i++)
				rows[n++] = o[i].park;
		}
	}
	if (from_records)
		fprintf(stderr, "hold ls: no holdd answers at %s; listing the park records in %s\n",
			hold_socket_path(), hold_runtime_dir());
	if (json)
		print_json(rows, n);
	else if (n)
		print_table(rows, n);
	else
		fprintf(stderr, "hold ls: nothing is parked\n");
	free(rows);
	if (no > 0)
		other_users_said(o, no);
	free(o);
	return n ? EXIT_DONE : EXIT_NONE;
}

const struct cmd_entry cmd_ls_entry = {
	.name = "ls",
	.exits = "0  parks listed\n"
		 "1  nothing is parked\n"
		 "2  a bad option; a runtime directory that is not safe to read\n",
	.usage = "[--json]",
	.help = "List parked threads: pid, tid, the thread's name, event, mode, how long\n"
		"held, rule, and what it is parked on: the image (exe and argv) for fork and\n"
		"exec, the address and the sender for recv and accept (JSON adds ppid, fd and\n"
		"bytes).  Asks holdd; when none answers, reads the park records libhold\n"
		"writes in the runtime directory.  Exit status 1 when nothing is parked.\n",
	.args = {(const struct args_opt[]){{'j', "json", NULL, 0, "one JSON array of objects"},
					   {0, NULL, NULL, 0, NULL}},
		 0, 0, 0},
	.exec = cmd_ls,
};
