/* SPDX-License-Identifier: MIT */
/* Unit tests for exec environment repair (libhold/envfix.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "envfix.h"

static const char *const settings[] = {"HOLD_RULES=exec:*/q", "HOLD_RUNTIME_DIR=/run/x"};
static const struct hold_envfix fx = {
	.lib = "/usr/lib/libhold.so",
	.preload = "LD_PRELOAD=/usr/lib/libhold.so",
	.settings = settings,
	.nsettings = 2,
};
static char *out[HOLD_ENV_MAX];
static char pre[HOLD_PRELOAD_MAX];

static int count(char *const *e)
{
	int n = 0;

	while (e[n])
		n++;
	return n;
}

static int has(char *const *e, const char *entry)
{
	int n = 0;

	for (; *e; e++)
		n += strcmp(*e, entry) == 0;
	return n;
}

static void test_scrubbed(void **st)
{
	char *envp[] = {"PATH=/bin", NULL};

	assert_int_equal(hold_envfix(&fx, envp, out, HOLD_ENV_MAX, pre, sizeof(pre)),
			 HOLD_ENV_FIXED);
	assert_int_equal(count(out), 4);
	assert_string_equal(out[0], "PATH=/bin");
	assert_int_equal(has(out, "LD_PRELOAD=/usr/lib/libhold.so"), 1);
	assert_int_equal(has(out, "HOLD_RULES=exec:*/q"), 1);
	assert_int_equal(has(out, "HOLD_RUNTIME_DIR=/run/x"), 1);
}

/* hold env --off: HOLD_OFF=1 leaves the environment as the user made it */
static void test_turned_off(void **st)
{
	char *envp[] = {"PATH=/bin", "HOLD_OFF=1", NULL};
	char *other[] = {"PATH=/bin", "HOLD_OFF=10", NULL};

	(void)st;
	assert_int_equal(hold_envfix(&fx, envp, out, HOLD_ENV_MAX, pre, sizeof(pre)),
			 HOLD_ENV_UNCHANGED);
	assert_int_equal(hold_envfix(&fx, other, out, HOLD_ENV_MAX, pre, sizeof(pre)),
			 HOLD_ENV_FIXED);
}

static void test_empty_and_null(void **st)
{
	char *envp[] = {NULL};

	assert_int_equal(hold_envfix(&fx, envp, out, HOLD_ENV_MAX, pre, sizeof(pre)),
			 HOLD_ENV_FIXED);
	assert_int_equal(count(out), 3);
	assert_int_equal(hold_envfix(&fx, NULL, out, HOLD_ENV_MAX, pre, sizeof(pre)),
			 HOLD_ENV_FIXED);
	assert_int_equal(count(out), 3);
}

static void test_complete_is_unchanged(void **st)
{
	char *envp[] = {"A=1", "LD_PRELOAD=/x.so /usr/lib/libhold.so", "HOLD_RULES=other",
			"HOLD_RUNTIME_DIR=/run/x", NULL};

	/* the caller's own HOLD_RULES wins: no duplicate, no override */
	assert_int_equal(hold_envfix(&fx, envp, out, HOLD_ENV_MAX, pre, sizeof(pre)),
			 HOLD_ENV_UNCHANGED);
}

static void test_merge_preload(void **st)
{
	char *envp[] = {"LD_PRELOAD=/opt/asan.so", "HOLD_RULES=a", "HOLD_RUNTIME_DIR=b", NULL};

	assert_int_equal(hold_envfix(&fx, envp, out, HOLD_ENV_MAX, pre, sizeof(pre)),
			 HOLD_ENV_FIXED);
	assert_int_equal(count(out), 3);
	assert_string_equal(out[0], "LD_PRELOAD=/opt/asan.so:/usr/lib/libhold.so");
	assert_ptr_equal(out[0], pre);
}

static void test_empty_preload_value(void **st)
{
	char *envp[] = {"LD_PRELOAD=", NULL};

	assert_int_equal(hold_envfix(&fx, envp, out, HOLD_ENV_MAX, pre, sizeof(pre)),
			 HOLD_ENV_FIXED);
	assert_string_equal(out[0], "LD_PRELOAD=/usr/lib/libhold.so");
	assert_int_equal(count(out), 3);
}

static void test_preload_tokens(void **st)
{
	assert_true(hold_preload_has("/usr/lib/libhold.so", fx.lib));
	assert_true(hold_preload_has("a.so:/usr/lib/libhold.so b.so", fx.lib));
	assert_true(hold_preload_has("  /usr/lib/libhold.so  ", fx.lib));
	assert_false(hold_preload_has("/usr/lib/libhold.so.1", fx.lib));
	assert_false(hold_preload_has("/usr/lib/libhold.s", fx.lib));
	assert_false(hold_preload_has("", fx.lib));
}

static void test_too_big(void **st)
{
	static char *envp[HOLD_ENV_MAX + 1];
	char small[16];
	char *one[] = {"LD_PRELOAD=/a/very/long/path/indeed.so", NULL};

	for (int i = 0; i < HOLD_ENV_MAX; i++)
		envp[i] = "X=1";
	assert_int_equal(hold_envfix(&fx, envp, out, HOLD_ENV_MAX, pre, sizeof(pre)),
			 HOLD_ENV_TOO_BIG);
	/* a merged LD_PRELOAD that does not fit its buffer */
	assert_int_equal(hold_envfix(&fx, one, out, HOLD_ENV_MAX, small, sizeof(small)),
			 HOLD_ENV_TOO_BIG);
}

static void test_only_first_preload_counts(void **st)
{
	char *envp[] = {"LD_PRELOAD=/usr/lib/libhold.so", "LD_PRELOAD=/other.so", "HOLD_RULES=1",
			"HOLD_RUNTIME_DIR=2", NULL};

	assert_int_equal(hold_envfix(&fx, envp, out, HOLD_ENV_MAX, pre, sizeof(pre)),
			 HOLD_ENV_UNCHANGED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrubbed),
		cmocka_unit_test(test_empty_and_null),
		cmocka_unit_test(test_turned_off),
		cmocka_unit_test(test_complete_is_unchanged),
		cmocka_unit_test(test_merge_preload),
		cmocka_unit_test(test_empty_preload_value),
		cmocka_unit_test(test_preload_tokens),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_only_first_preload_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
