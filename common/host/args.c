/* SPDX-License-Identifier: MIT */
/*
 * args.c - parse command lines from option tables; see args.h.
 */
#include "args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

static const struct args_opt help_opt = {'h', "help", NULL, 0, "this help"};

static const struct args_opt *by_long(const struct args_spec *s, const char *name, size_t n)
{
	for (const struct args_opt *o = s->opts; o && o->lng; o++)
		if (strlen(o->lng) == n && strncmp(o->lng, name, n) == 0)
			return o;
	return n == 4 && strncmp(name, "help", 4) == 0 ? &help_opt : NULL;
}

static const struct args_opt *by_short(const struct args_spec *s, char c)
{
	for (const struct args_opt *o = s->opts; o && o->lng; o++)
		if (o->shrt && o->shrt == c)
			return o;
	return c == 'h' ? &help_opt : NULL;
}

static int add(struct args *a, const struct args_opt *o, const char *value, char *err,
	       size_t errlen)
{
	if (a->n == ARGS_MAX) {
		snprintf(err, errlen, "too many options (at most %d)", ARGS_MAX);
		return ARGS_BAD;
	}
	if (o->flags & ARGS_ALIAS) /* stored as the option it spells */
		o = by_long(a->spec, o->help, strlen(o->help));
	a->seen[a->n].opt = o;
	a->seen[a->n].value = value;
	a->n++;
	return o == &help_opt ? ARGS_HELP : ARGS_OK;
}

/* The value of option o at argv[*i], given inline (`attached`) or next. */
static int take(struct args *a, const struct args_opt *o, const char *attached, int argc,
		char **argv, int *i, char *err, size_t errlen)
{
	if (!o->value) {
		if (attached) {
			snprintf(err, errlen, "--%s takes no value", o->lng);
			return ARGS_BAD;
		}
		return add(a, o, NULL, err, errlen);
	}
	if (attached)
		return add(a, o, attached, err, errlen);
	if (*i + 1 >= argc) {
		snprintf(err, errlen, "--%s needs a value (%s)", o->lng, o->value);
		return ARGS_BAD;
	}
	return add(a, o, argv[++*i], err, errlen);
}

static int one(struct args *a, int argc, char **argv, int *i, char *err, size_t errlen)
{
	const char *s = argv[*i];
	const struct args_opt *o;
	int r = ARGS_OK;

	if (s[1] == '-') { /* --name[=value] */
		const char *eq = strchr(s + 2, '=');
		size_t n = eq ? (size_t)(eq - s - 2) : strlen(s + 2);

		if (!(o = by_long(a->spec, s + 2, n))) {
			snprintf(err, errlen, "unknown option '%.*s'", (int)(n + 2), s);
			return ARGS_BAD;
		}
		return take(a, o, eq ? eq + 1 : NULL, argc, argv, i, err, errlen);
	}
	if ((o = by_long(a->spec, s + 1, strlen(s + 1))) && (o->flags & ARGS_DASH1))
		return take(a, o, NULL, argc, argv, i, err, errlen);
	for (const char *c = s + 1; *c && r == ARGS_OK; c++) { /* -x, -xVALUE, -jh */
		if (!(o = by_short(a->spec, *c))) {
			snprintf(err, errlen, "unknown option '-%c'", *c);
			return ARGS_BAD;
		}
		if (o->value)
			return take(a, o, c[1] ? c + 1 : NULL, argc, argv, i, err, errlen);
		r = add(a, o, NULL, err, errlen);
	}
	return r;
}

int args_parse(const struct args_spec *spec, int argc, char **argv, struct args *a, char *err,
	       size_t errlen)
{
	int ops = 0, r, help = 0;

	a->spec = spec;
	a->n = 0;
	a->dashdash = -1;
	a->argv = argv + 1; /* operands are gathered to the front of this */
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "--") == 0) {
			a->dashdash = ops;
			while (++i < argc)
				argv[1 + ops++] = argv[i];
			break;
		}
		if (s[0] != '-' || s[1] == '\0') { /* an operand ("-" is one too) */
			argv[1 + ops++] = argv[i];
			if (spec->stop) {
				while (++i < argc)
					argv[1 + ops++] = argv[i];
				break;
			}
			continue;
		}
		if ((r = one(a, argc, argv, &i, err, errlen)) == ARGS_BAD)
			return ARGS_BAD;
		help |= r == ARGS_HELP;
	}
	a->argc = ops;
	if (help)
		return ARGS_HELP;
	if (ops < spec->min || (spec->max >= 0 && ops > spec->max)) {
		if (spec->max == 0)
			snprintf(err, errlen, "unexpected argument '%s'", a->argv[0]);
		else if (ops > spec->max && spec->max >= 0)
			snprintf(err, errlen, "unexpected argument '%s'", a->argv[spec->max]);
		else
			snprintf(err, errlen, "missing argument");
		return ARGS_BAD;
	}
	return ARGS_OK;
}

int args_has(const struct args *a, const char *lng)
{
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->seen[i].opt->lng, lng) == 0)
			return 1;
	return 0;
}

const char *args_get(const struct args *a, const char *lng)
{
	const char *v = NULL;

	for (int i = 0; i < a->n; i++)
		if (strcmp(a->seen[i].opt->lng, lng) == 0)
			v = a->seen[i].value;
	return v;
}

int args_all(const struct args *a, const char *lng, const char **out, int max)
{
	int n = 0;

	for (int i = 0; i < a->n && n < max; i++)
		if (strcmp(a->seen[i].opt->lng, lng) == 0)
			out[n++] = a->seen[i].value;
	return n;
}

int args_uint(const struct args *a, const char *lng, uint64_t max, uint64_t *out, char *err,
	      size_t errlen)
{
	const char *v = args_get(a, lng);
	char *end;
	unsigned long long x;

	if (!v)
		return 1;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (end == v || *end || v[0] == '-' || errno || x > max) {
		snprintf(err, errlen, "--%s takes a whole number from 0 to %llu, not '%s'", lng,
			 (unsigned long long)max, v);
		return ARGS_BAD;
	}
	*out = x;
	return 0;
}

int args_secs(const struct args *a, const char *lng, double *out, char *err, size_t errlen)
{
	const char *v = args_get(a, lng);
	uint64_t ns;
	size_t bad;

	if (!v)
		return 1;
	/* one reading of seconds for rules and options (rules.h) */
	switch (hold_parse_secs(v, strlen(v), &ns, &bad)) {
	case 0:
		*out = (double)ns / 1e9;
		return 0;
	case HOLD_SECS_TOO_LARGE:
		snprintf(err, errlen, "--%s takes at most %u seconds (a year), not '%s'", lng,
			 HOLD_SECS_MAX, v);
		return ARGS_BAD;
	default:
		snprintf(err, errlen, "--%s takes seconds, e.g. 30 or 0.5, not '%s'", lng, v);
		return ARGS_BAD;
	}
}

void args_print_options(FILE *f, const struct args_spec *spec)
{
	for (const struct args_opt *o = spec->opts; o && o->lng; o++) {
		char left[64];
		const char *h = o->help;
		int n;

		if (o->flags & ARGS_ALIAS)
			continue;
		n = o->shrt ? snprintf(left, sizeof(left), "-%c, ", o->shrt) : 0;
		snprintf(left + n, sizeof(left) - (size_t)n, "%s%s%s%s",
			 o->flags & ARGS_DASH1 ? "-" : "--", o->lng, o->value ? " " : "",
			 o->value ? o->value : "");
		/* the help may hold newlines: continue them under the first */
		fprintf(f, "  %-22s", left);
		if (strlen(left) > 22)
			fprintf(f, "\n  %-22s", "");
		for (const char *nl; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(f, "%.*s\n  %-22s", (int)(nl - h), h, "");
		fprintf(f, "%s\n", h);
	}
}
