/* SPDX-License-Identifier: MIT */
/*
 * cli.c - what the hold CLI's verbs share besides talking to holdd
 * (client.c): errors and help, finding libhold and holdd, checking rules,
 * output.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "rules.h"

const char *cli_verb = "";

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hold %s: ", cli_verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int cli_usage(const struct cmd_entry *e, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hold %s: ", e->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: hold %s %s\n", e->name, e->usage);
	return EXIT_USAGE;
}

void cli_help(const struct cmd_entry *e)
{
	printf("usage: hold %s %s\n\n%s", e->name, e->usage, e->help);
	if (e->args.opts && e->args.opts->lng) {
		printf("\n");
		args_print_options(stdout, &e->args);
	}
	printf("\nExit status:\n");
	for (const char *l = e->exits, *nl; l && *l; l = nl + 1) {
		nl = strchr(l, '\n');
		printf("  %.*s\n", (int)(nl - l), l);
	}
}

/* --- finding our pieces ---------------------------------------------------- */

static const char *exe_dir(void)
{
	static char dir[PATH_MAX];
	ssize_t n;

	if (!dir[0]) {
		n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
		dir[n > 0 ? n : 0] = '\0';
		if (strrchr(dir, '/'))
			*strrchr(dir, '/') = '\0';
	}
	return dir;
}

/* One of hold's pieces: $env if set; else the first that exists of
 * build_rel and installed_rel (each relative to hold's own directory: a
 * build tree, or PREFIX/bin), resolved; else fixed (PREFIX's, as
 * configured).  No source path is compiled in: an installed hold never
 * reads a stale tree's files.  One of two static buffers, in turn. */
static const char *find_piece(const char *env, const char *build_rel, const char *installed_rel,
			      const char *fixed)
{
	static char buf[2][PATH_MAX];
	static int turn;
	const char *v = getenv(env), *rel[2] = {build_rel, installed_rel};
	char *out = buf[turn++ & 1], cand[PATH_MAX + 64];

	if (v && *v)
		return v;
	for (size_t i = 0; i < 2; i++) {
		snprintf(cand, sizeof(cand), "%s/%s", exe_dir(), rel[i]);
		if (access(cand, R_OK) == 0 && realpath(cand, out))
			return out;
	}
	return fixed;
}

const char *cli_libhold_path(void)
{
	return find_piece("HOLD_LIB", "../libhold/.libs/libhold.so", "../lib/libhold.so",
			  HOLD_LIBDIR "/libhold.so");
}

/* gdb's side of hold attach: a build outside the source tree copies it
 * beside hold/hold (Makefile.am). */
const char *cli_gdb_script_path(void)
{
	return find_piece("HOLD_GDB_SCRIPT", "hold-gdb.py", "../share/hold/hold-gdb.py",
			  HOLD_PKGDATADIR "/hold-gdb.py");
}

const char *cli_holdd_path(void)
{
	return find_piece("HOLDD", "../holdd/holdd", "holdd", HOLD_BINDIR "/holdd");
}

static void rule_error(void *ctx, const char *where, unsigned line,
		       const struct hold_rule_error *err)
{
	int *bad = ctx;

	(*bad)++;
	fprintf(stderr, "hold %s: bad rule '%.*s' (%s, column %zu): %s\n", cli_verb, (int)err->len,
		err->rule, where, err->col, err->problem);
	(void)line;
}

int cli_collect_rules(const struct cmd_entry *self, const struct args *a, char *rules, size_t cap)
{
	const char *r[ARGS_MAX];
	int nr = args_all(a, "rule", r, ARGS_MAX);
	size_t n = 0;

	rules[0] = '\0';
	for (int i = 0; i < nr; i++) {
		if (!r[i][strspn(r[i], " \t\n;")])
			return cli_usage(self,
					 "an empty rule (-r '%s'): give one, e.g. -r 'exec:*/NAME'",
					 r[i]);
		if (n + strlen(r[i]) + 2 > cap)
			return cli_usage(self, "too many rules (%zu bytes at most)", cap);
		n += (size_t)snprintf(rules + n, cap - n, "%s%s", n ? ";" : "", r[i]);
	}
	return 0;
}

int cli_rules_ok(const char *rules)
{
	static struct hold_ruleset rs;
	int bad = 0;

	memset(&rs, 0, sizeof(rs));
	hold_rules_parse(&rs, rules, "--rule", rule_error, &bad);
	return bad == 0;
}

/* --- output ---------------------------------------------------------------- */

void fmt_held(char *buf, size_t n, uint64_t since_ns)
{
	uint64_t now = hold_now_ns(), s = now > since_ns ? (now - since_ns) / 1000000000ull : 0;

	if (s < 60)
		snprintf(buf, n, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, n, "%llum%02llus", (unsigned long long)s / 60,
			 (unsigned long long)s % 60);
	else
		snprintf(buf, n, "%lluh%02llum", (unsigned long long)s / 3600,
			 (unsigned long long)s / 60 % 60);
}

int parse_target(const char *s, int *pid, int *tid)
{
	char *end;
	long p, t = 0;

	errno = 0;
	p = strtol(s, &end, 10);
	/* a pid is an int: 99999999999 is refused, not cut to another pid */
	if (end == s || p <= 0 || p > INT_MAX || errno)
		return -1;
	if (*end == '/') {
		const char *ts = end + 1;

		t = strtol(ts, &end, 10);
		if (end == ts || t <= 0 || t > INT_MAX || errno)
			return -1;
	}
	if (*end)
		return -1;
	*pid = (int)p;
	*tid = (int)t;
	return 0;
}

const char *cli_text(const struct hold_msg *m)
{
	static char text[1024];

	hold_msg_copy(m, HOLD_F_TEXT, text, sizeof(text));
	return text;
}

void cli_argv_line(const struct hold_msg *m, unsigned first, char *out, size_t cap, size_t width)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned i = first; i < m->nargs && n + 1 < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%.*s", i > first ? " " : "",
				      (int)m->arg[i].len, m->arg[i].p);
	if (n >= cap)
		n = cap - 1;
	if (width && n > width && width > 3) {
		memcpy(out + width - 3, "...", 4);
	}
}

void cli_shell_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}
