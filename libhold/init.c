/* SPDX-License-Identifier: MIT */
/*
 * init.c - libhold's constructor: read the settings (settings.c) and the
 * rules; then, in a new image, report the exec to holdd and let decide.c
 * park it before main and before the program's own constructors.
 *
 * It runs in every image of a followed tree, so it does nothing it need not:
 * no daemon contact beyond one datagram, no allocation, file reads only when
 * a rules file is named.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sys/random.h>

#include "libhold.h"
#include "sigsafe.h"

/* A regular file only: opening a FIFO would wait for a writer, and hold
 * the program before main for ever. */
static long read_rules_file(const char *path, char *text, size_t cap, const char **why)
{
	long fd = safe_sys(SYS_openat, AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), n = 0, r;
	struct statx sx;

	*why = "; no rules from it (check the path and its permissions)";
	if (fd < 0)
		return -1;
	if (safe_sys6(SYS_statx, fd, (long)"", AT_EMPTY_PATH, STATX_TYPE, (long)&sx, 0) < 0 ||
	    !S_ISREG(sx.stx_mode)) {
		safe_sys(SYS_close, fd, 0, 0);
		*why = " is not a regular file (a pipe or a device?); no rules from it";
		return -1;
	}
	while ((size_t)n < cap && (r = safe_sys(SYS_read, fd, text + n, cap - (size_t)n)) > 0)
		n += r;
	safe_sys(SYS_close, fd, 0, 0);
	return n;
}

static void load_rules_file(const char *path)
{
	static char text[16384];
	const char *why;
	long n = read_rules_file(path, text, sizeof(text) - 1, &why);

	if (n < 0) {
		hold_say("cannot read HOLD_RULES_FILE ", path, why);
		return;
	}
	if ((size_t)n == sizeof(text) - 1)
		hold_say("HOLD_RULES_FILE ", path, " is over 16 KiB; only its start is read");
	text[n] = '\0';
	hold_rules_parse(&hold_g.rules, text, path, hold_report_rule_error, NULL);
}

static HOT int any_fork_arg(void)
{
	for (unsigned i = 0; i < hold_g.rules.n; i++)
		if (hold_g.rules.rule[i].event == HOLD_EV_FORK && hold_g.rules.rule[i].arg[0])
			return 1;
	return 0;
}

/* count= is shared by the tree through a file named by the session: the
 * first image of the tree names it, every later one inherits the name. */
static void open_counts(void)
{
	const char *s = hold_setting("HOLD_SESSION");

	if (!s) {
		unsigned char r[16];
		char sess[48];
		struct buf b;

		buf_init(&b, sess, sizeof(sess));
		if (safe_sys(SYS_getrandom, (long)r, sizeof(r), GRND_NONBLOCK) == (long)sizeof(r)) {
			for (size_t i = 0; i < sizeof(r); i++) {
				buf_chr(&b, "0123456789abcdef"[r[i] >> 4]);
				buf_chr(&b, "0123456789abcdef"[r[i] & 15]);
			}
		} else { /* no entropy yet (early boot): unique, if guessable */
			buf_u64(&b, (uint64_t)getpid());
			buf_chr(&b, '-');
			buf_u64(&b, safe_now_ns(CLOCK_REALTIME));
		}
		s = hold_setting_add("HOLD_SESSION", buf_cstr(&b));
	}
	if (s)
		hold_counts_open(s);
}

__attribute__((constructor)) static HOT void hold_init(int argc, char **argv, char **envp)
{
	const char *s;

	(void)argc;
	hold_settings_load(envp, hold_say);
	/* The rule table's first page is written before it is read: one page
	 * fault, where a read first costs a second one to make it writable. */
	__atomic_store_n(&hold_g.rules.n, 0, __ATOMIC_RELAXED);
	/* a HOLD_RULES too long to pass on still holds for this image */
	if ((s = hold_rules_text()))
		hold_rules_parse(&hold_g.rules, s, "HOLD_RULES", hold_report_rule_error, NULL);
	if ((s = hold_setting("HOLD_RULES_FILE")) && *s)
		load_rules_file(s);
	if (hold_decide_any_count())
		open_counts();
	if (any_fork_arg())
		hold_decide_keep_argv(argv);
	hold_g.ready = 1;
	if (hold_g.rules.event_mask & HOLD_HANDOFF_EVENTS) {
		/* Interposed calls now run rules: bind them all while this is
		 * still a plain single-threaded start-up. */
		hold_bind_all();
		hold_fdc_on = 1;
	}
	hold_client_exec(argv);
	if (hold_g.rules.event_mask & (1u << HOLD_EV_EXEC))
		hold_decide_exec(argv);
}
