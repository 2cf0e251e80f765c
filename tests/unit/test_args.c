/* SPDX-License-Identifier: MIT */
/* Unit tests for the option parser (common/args.c) that reads every hold
 * verb's and holdd's command line from its table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "args.h"

static const struct args_opt opts[] = {
	{'b', "break", "LOCATION", ARGS_MANY, "a breakpoint"},
	{0, "batch", NULL, 0, "batch"},
	{0, "ex", "CMD", ARGS_MANY | ARGS_DASH1, "a gdb command"},
	{0, "eval-command", "CMD", ARGS_MANY | ARGS_DASH1 | ARGS_ALIAS, "ex"},
	{0, "nx", NULL, ARGS_DASH1, "no gdbinit"},
	{'j', "json", NULL, 0, "json"},
	{'t', "timeout", "SECS", 0, "seconds"},
	{0, "py-bt", NULL, 0, "python"},
	{0, NULL, NULL, 0, NULL},
};
static const struct args_spec one = {opts, 1, 1, 0};
static const struct args_spec any = {opts, 0, -1, 0};
static const struct args_spec run = {opts, 1, -1, 1};

static struct args a;
static char err[256];

/* Parse a NULL-terminated list (the command first), as main's argv. */
static int parse(const struct args_spec *s, const char *const *words)
{
	static char *argv[64];
	int argc = 0;

	for (; *words; words++)
		argv[argc++] = (char *)*words;
	argv[argc] = NULL;
	err[0] = '\0';
	return args_parse(s, argc, argv, &a, err, sizeof(err));
}

#define P(spec, ...) parse(spec, (const char *const[]){"cmd", __VA_ARGS__, NULL})

static void test_long_short_and_values(void **st)
{
	const char *v[8];

	assert_int_equal(P(&one, "--break", "main", "-bfoo.c:3", "--break=x", "4090", "--batch"),
			 ARGS_OK);
	assert_int_equal(args_all(&a, "break", v, 8), 3);
	assert_string_equal(v[0], "main");
	assert_string_equal(v[1], "foo.c:3");
	assert_string_equal(v[2], "x");
	assert_true(args_has(&a, "batch"));
	assert_false(args_has(&a, "json"));
	assert_int_equal(a.argc, 1);
	assert_string_equal(a.argv[0], "4090");
}

static void test_cluster_and_one_dash_long(void **st)
{
	const char *v[8];

	assert_int_equal(P(&any, "-jt", "2.5", "-ex", "bt", "-ex", "info threads"), ARGS_OK);
	assert_true(args_has(&a, "json"));
	assert_string_equal(args_get(&a, "timeout"), "2.5");
	assert_int_equal(args_all(&a, "ex", v, 8), 2);
	assert_string_equal(v[1], "info threads");
}

/* gdb's spellings: an alias is stored as the option it spells; a one-dash
 * long name wins over a cluster of short ones (-nx is not -n -x); --help
 * lists no alias. */
static void test_aliases(void **st)
{
	const char *v[8];
	char *out = NULL;
	size_t n = 0;
	FILE *f;

	assert_int_equal(P(&any, "--eval-command", "bt", "-ex", "p 1", "--eval-command=p 2", "-nx"),
			 ARGS_OK);
	assert_int_equal(args_all(&a, "ex", v, 8), 3);
	assert_string_equal(v[0], "bt");
	assert_string_equal(v[2], "p 2");
	assert_false(args_has(&a, "eval-command"));
	assert_true(args_has(&a, "nx"));
	assert_non_null(f = open_memstream(&out, &n));
	args_print_options(f, &any);
	fclose(f);
	assert_null(strstr(out, "eval-command"));
	assert_non_null(strstr(out, "-ex CMD"));
	free(out);
}

/* No abbreviations: -p is not --py-bt, --py is nothing. */
static void test_no_abbreviation(void **st)
{
	assert_int_equal(P(&one, "-p", "4090"), ARGS_BAD);
	assert_string_equal(err, "unknown option '-p'");
	assert_int_equal(P(&one, "--py", "4090"), ARGS_BAD);
	assert_string_equal(err, "unknown option '--py'");
	assert_int_equal(P(&one, "--py-bt", "4090"), ARGS_OK);
}

static void test_problems_are_named(void **st)
{
	assert_int_equal(P(&one, "4090", "--timeout"), ARGS_BAD);
	assert_string_equal(err, "--timeout needs a value (SECS)");
	assert_int_equal(P(&one, "--json=yes", "4090"), ARGS_BAD);
	assert_string_equal(err, "--json takes no value");
	assert_int_equal(P(&one, "4090", "4091"), ARGS_BAD);
	assert_string_equal(err, "unexpected argument '4091'");
	assert_int_equal(P(&one, "--json"), ARGS_BAD);
	assert_string_equal(err, "missing argument");
}

static void test_help_wins(void **st)
{
	assert_int_equal(P(&one, "--help"), ARGS_HELP);
	assert_int_equal(P(&one, "-h"), ARGS_HELP);
	assert_int_equal(P(&one, "-jh"), ARGS_HELP);
}

/* Options may follow operands; "--" ends them; a stopping command keeps
 * everything after its first operand for the program it runs. */
static void test_operands(void **st)
{
	assert_int_equal(P(&any, "4090", "--json", "-", "--", "--batch"), ARGS_OK);
	assert_true(args_has(&a, "json"));
	assert_false(args_has(&a, "batch"));
	assert_int_equal(a.argc, 3);
	assert_string_equal(a.argv[0], "4090");
	assert_string_equal(a.argv[1], "-");
	assert_string_equal(a.argv[2], "--batch");

	assert_int_equal(P(&run, "-b", "x", "make", "-j4", "--json"), ARGS_OK);
	assert_false(args_has(&a, "json"));
	assert_int_equal(a.argc, 3);
	assert_string_equal(a.argv[0], "make");
	assert_string_equal(a.argv[1], "-j4");
	assert_string_equal(a.argv[2], "--json");
}

static void test_numbers(void **st)
{
	uint64_t n = 7;
	double d = 0;

	assert_int_equal(P(&any, "--timeout", "12"), ARGS_OK);
	assert_int_equal(args_uint(&a, "timeout", 100, &n, err, sizeof(err)), 0);
	assert_true(n == 12);
	assert_int_equal(args_uint(&a, "json", 100, &n, err, sizeof(err)), 1); /* absent */
	assert_true(n == 12);
	assert_int_equal(args_uint(&a, "timeout", 10, &n, err, sizeof(err)), ARGS_BAD);
	assert_string_equal(err, "--timeout takes a whole number from 0 to 10, not '12'");
	for (const char *const *bad = (const char *const[]){"abc", "-1", "1x", "", NULL}; *bad;
	     bad++) {
		assert_int_equal(P(&any, "--timeout", *bad), ARGS_OK);
		assert_int_equal(args_uint(&a, "timeout", 100, &n, err, sizeof(err)), ARGS_BAD);
	}
	assert_int_equal(P(&any, "-t", "0.25"), ARGS_OK);
	assert_int_equal(args_secs(&a, "timeout", &d, err, sizeof(err)), 0);
	assert_true(d == 0.25);
	/* read as a rule's timeout= is (rules.h): no exponent, no hex, a year at most */
	for (const char *const *bad = (const char *const[]){"-1", "nan", "inf", "1s", "1e5", "0x10",
							    "31536001", NULL};
	     *bad; bad++) {
		assert_int_equal(P(&any, "-t", *bad), ARGS_OK);
		assert_int_equal(args_secs(&a, "timeout", &d, err, sizeof(err)), ARGS_BAD);
	}
	assert_string_equal(err,
			    "--timeout takes at most 31536000 seconds (a year), not '31536001'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_short_and_values),
		cmocka_unit_test(test_cluster_and_one_dash_long),
		cmocka_unit_test(test_no_abbreviation),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_problems_are_named),
		cmocka_unit_test(test_help_wins),
		cmocka_unit_test(test_operands),
		cmocka_unit_test(test_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
