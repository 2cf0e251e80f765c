/* SPDX-License-Identifier: MIT */
/*
 * test_glob_bpf.c - the glob matcher the kernel follower runs and the one
 * common/ runs are one source (common/glob-step.h); this runs a table of
 * cases through both -- the kernel's by BPF_PROG_TEST_RUN of
 * bpf/follow.bpf.c's glob_test program -- and through fnmatch(3), and
 * fails on any disagreement.  Root, with a kernel that loads the program;
 * else skipped (77), saying why.
 */
#include <errno.h>
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "follow.h"
#include "follow.skel.h"
#include "rules.h"

static struct follow *skel;

static int kernel_glob(const char *pat, const char *s)
{
	static struct kf_glob_test t;
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &t, .ctx_size_in = sizeof(t));

	memset(&t, 0, sizeof(t));
	snprintf(t.pat, sizeof(t.pat), "%s", pat);
	snprintf(t.str, sizeof(t.str), "%s", s);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.glob_test), &o), 0);
	assert_int_equal(o.retval, 0);
	return t.result;
}

static void test_kernel_agrees(void **st)
{
	static const char *const pats[] = {
		"*",
		"*/cc1",
		"*qemu*",
		"q?emu",
		"[a-z]*.c",
		"*.[ch]",
		"[!x]*",
		"a*b?c*",
		"*/usr/*/bin",
		"\\?x",
		"**",
		"a[b",
		"[]]",
		"[a-]",
		"[^a]",
		"*a*b*c",
		"",
		"qemu-system-*",
		"*/qemu-system-*",
		"guest=vm1*",
		"[!a-c]z",
		"\\*",
		"?",
		"*[",
		"[a-c]z",
	};
	static const char *const strs[] = {
		"",
		"/usr/lib/gcc/cc1",
		"qemu-system",
		"qqemu",
		"foo.c",
		"x.h",
		"xyz",
		"aXbYcZ",
		"/usr/local/bin",
		"?x",
		"a[b",
		"cc1",
		"ab?c",
		"]",
		"-",
		"b",
		"xxaybbzc",
		"xxaybbz",
		"qemu-system-x86_64",
		"/usr/bin/qemu-system-x86_64",
		"guest=vm1,debug-threads=on",
		"dz",
		"az",
		"*",
		"/",
		"x[",
		"bz",
	};
	unsigned n = 0;

	(void)st;
	for (size_t i = 0; i < sizeof(pats) / sizeof(*pats); i++)
		for (size_t j = 0; j < sizeof(strs) / sizeof(*strs); j++) {
			int want = fnmatch(pats[i], strs[j], 0) == 0;

			if (hold_glob(pats[i], strs[j]) != want ||
			    kernel_glob(pats[i], strs[j]) != want)
				fail_msg("'%s' on '%s': fnmatch %d, common/ %d, kernel %d", pats[i],
					 strs[j], want, hold_glob(pats[i], strs[j]),
					 kernel_glob(pats[i], strs[j]));
			n++;
		}
	print_message("%u cases: the kernel's matcher, common/'s and fnmatch agree\n", n);
}

/* A 200-byte pattern that backtracks on a long string still decides
 * within the kernel's step bound (no match, not "undecided"). */
static void test_kernel_long(void **st)
{
	char pat[201], s[1000];

	(void)st;
	memset(pat, 0, sizeof(pat));
	for (int i = 0; i < 200; i += 2)
		memcpy(pat + i, "*a", 2);
	memset(s, 'a', 99);
	s[99] = 0;
	assert_int_equal(hold_glob(pat, s), kernel_glob(pat, s));
	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = 0;
	assert_int_equal(kernel_glob(pat, s), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_agrees),
		cmocka_unit_test(test_kernel_long),
	};
	int err;

	if (geteuid() != 0) {
		printf("SKIP: the kernel's glob runs in a BPF program, which only root loads\n");
		return 77;
	}
	if (!(skel = follow__open()))
		return printf("SKIP: cannot open the BPF program: %s\n", strerror(errno)), 77;
	/* only the test's program: the tracepoints stay untouched */
	bpf_program__set_autoload(skel->progs.on_fork, false);
	bpf_program__set_autoload(skel->progs.on_exec, false);
	bpf_program__set_autoload(skel->progs.on_exit, false);
	if ((err = follow__load(skel)) != 0) {
		printf("SKIP: the kernel refused the BPF program: %s\n", strerror(-err));
		return 77;
	}
	err = cmocka_run_group_tests(tests, NULL, NULL);
	follow__destroy(skel);
	return err;
}
