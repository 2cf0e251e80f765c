/*
 * cli.c - what the hold CLI's verbs share besides talking to holdd
 * (client.c): errors and help, finding libhold and holdd, checking rules,
 * output.
 */
#define _GNU_SOURCE
#include "cli.h"

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

static const char *first_existing(const char *env, const char *const *cands, size_t n)
{
	static char buf[2][PATH_MAX];
	static int turn;
	const char *v = getenv(env);
	char *out = buf[turn++ & 1];

	if (v && *v)
		return v;
	for (size_t i = 0; i < n; i++) {
		if (access(cands[i], R_OK) == 0 && realpath(cands[i], out))
			return out;
	}
	return cands[n - 1];
}

const char *cli_libhold_path(void)
{
	char build[PATH_MAX + 64], here[PATH_MAX + 64];
	const char *cands[3] = {build, here, HOLD_LIBDIR "/libhold.so"};

	/* from the build tree: hold/hold beside libhold/.libs/libhold.so */
	snprintf(build, sizeof(build), "%s/../libhold/.libs/libhold.so", exe_dir());
	snprintf(here, sizeof(here), "%s/../lib/libhold.so", exe_dir());
	return first_existing("HOLD_LIB", cands, 3);
}

const char *cli_gdb_script_path(void)
{
	char here[PATH_MAX + 64];
	const char *cands[3] = {here, HOLD_PKGDATADIR "/hold-gdb.py",
				HOLD_ABS_SRCDIR "/hold/hold-gdb.py"};

	/* installed: PREFIX/bin/hold and PREFIX/share/hold; else the source tree */
	snprintf(here, sizeof(here), "%s/../share/hold/hold-gdb.py", exe_dir());
	return first_existing("HOLD_GDB_SCRIPT", cands, 3);
}

const char *cli_holdd_path(void)
{
	char build[PATH_MAX + 64], here[PATH_MAX + 64];
	const char *cands[3] = {build, here, HOLD_BINDIR "/holdd"};

	/* from the build tree: hold/hold beside holdd/holdd; installed: one bindir */
	snprintf(build, sizeof(build), "%s/../holdd/holdd", exe_dir());
	snprintf(here, sizeof(here), "%s/holdd", exe_dir());
	return first_existing("HOLDD", cands, 3);
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

/* The length of the valid UTF-8 character at s (at most avail bytes), 0
 * if none (overlong forms, surrogates and values past U+10FFFF too). */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	if (n == 0 || n > avail || s[0] >= 0xf8)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* The same for text a terminal shows: C1 controls (U+0080..U+009F) count
 * as none, for terminals act on them. */
static size_t utf8_char(const unsigned char *s)
{
	size_t n = utf8_len(s, 4); /* s is NUL-terminated: a NUL ends a sequence */

	return n == 2 && s[0] == 0xc2 && s[1] < 0xa0 ? 0 : n;
}

const char *cli_vis(const char *s)
{
	static char out[4][4 * 4096 + 1];
	static int turn;
	char *start = out[turn++ & 3], *o = start, *end = start + sizeof(out[0]) - 5;
	const unsigned char *p = (const unsigned char *)s;

	while (*p && o < end) {
		size_t n = *p >= 0x80 ? utf8_char(p) : (*p >= 0x20 && *p != 0x7f && *p != '\\');

		if (n) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else {
			o += snprintf(o, 5, *p == '\\' ? "\\\\" : "\\x%02x", *p);
			p++;
		}
	}
	*o = '\0';
	return start;
}

/* Valid UTF-8 passes as it is; each byte that is not part of a valid
 * character becomes \udcXX (XX the byte), a lone low surrogate -- the
 * escape Python's "surrogateescape" makes and undoes -- so no byte is lost
 * and the output is valid JSON text, all of it UTF-8. */
void json_str(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	fputc('"', f);
	while (p < end) {
		size_t k = *p >= 0x80 ? utf8_len(p, (size_t)(end - p)) : 1;

		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else if (k == 0)
			fprintf(f, "\\udc%02x", *p);
		else
			fwrite(p, 1, k, f);
		p += k ? k : 1;
	}
	fputc('"', f);
}

void json_argv(FILE *f, const char *args, size_t len)
{
	const char *p = args, *end = args + len;

	while (end > args && end[-1] == '\0')
		end--;
	fputc('[', f);
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);

		if (p != args)
			fputs(", ", f);
		json_str(f, p, n);
		p += n + 1;
	}
	if (len && end == args)
		json_str(f, "", 0);
	fputc(']', f);
}

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
	long p = strtol(s, &end, 10), t = 0;

	if (end == s || p <= 0)
		return -1;
	if (*end == '/') {
		const char *ts = end + 1;

		t = strtol(ts, &end, 10);
		if (end == ts || t <= 0)
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
