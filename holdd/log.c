/* SPDX-License-Identifier: MIT */
/*
 * log.c - holdd's log: stderr with --foreground, else syslog.  Lines on
 * stderr (or --log-file) start with the local time to the millisecond;
 * syslog and the journal stamp their own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "holdd.h"
#include "text.h"

static int to_stderr, quiet;

void log_quiet(void)
{
	quiet = 1;
}

void log_init(int use_stderr)
{
	to_stderr = use_stderr;
	tzset();        /* /etc/localtime read now, before the sandbox */
	if (!to_stderr) /* LOG_NDELAY: connect now, before the sandbox */
		openlog("holdd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int log_is_stderr(void)
{
	return to_stderr;
}

/* The line, every byte of it shown safely (text_vis): what other users
 * sent -- a process name, a path, a rule -- cannot forge a line of its own
 * (a newline), reach the admin's terminal (ESC, OSC, C1) or turn the text
 * around (U+202E and the other format controls). */
static void vhlog(int prio, const char *more, const char *fmt, va_list ap)
{
	char text[2048];

	vsnprintf(text, sizeof(text), fmt, ap);
	if (to_stderr) { /* one write per line: lines from a log never interleave */
		char line[4 * 4096 + 128];
		struct timespec ts;
		struct tm tm;
		int n;

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		n = (int)strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
		n += snprintf(line + n, sizeof(line) - (size_t)n, ".%03ld holdd: %s%s\n",
			      ts.tv_nsec / 1000000, text_vis(text), more);
		if (n > (int)sizeof(line) - 1)
			n = (int)sizeof(line) - 1;
		fwrite(line, 1, (size_t)n, stderr);
	} else {
		syslog(prio, "%s%s", text_vis(text), more);
	}
}

void hlog(int prio, const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vhlog(prio, "", fmt, ap);
	va_end(ap);
}

/* A kind of client trouble: a bucket of LIMIT_BURST lines, refilled at one
 * a second, and what was held back, said with the next line. */
#define LIMIT_KINDS 16
#define LIMIT_BURST 10
static struct {
	const char *what;
	time_t last;
	unsigned tokens;
	unsigned long long held;
} kinds[LIMIT_KINDS];

void hlog_limited(const char *what, int prio, const char *fmt, ...)
{
	time_t now = time(NULL);
	unsigned i = 0;
	char more[96] = "";
	va_list ap;

	if (quiet)
		return;
	while (i < LIMIT_KINDS - 1 && kinds[i].what && kinds[i].what != what)
		i++;
	if (kinds[i].what != what) { /* a new kind (past the table: shares the last) */
		kinds[i].what = what;
		kinds[i].tokens = LIMIT_BURST;
		kinds[i].last = now;
	}
	if (now > kinds[i].last) {
		uint64_t t = kinds[i].tokens + (uint64_t)(now - kinds[i].last);

		kinds[i].tokens = t > LIMIT_BURST ? LIMIT_BURST : (unsigned)t;
		kinds[i].last = now;
	}
	if (!kinds[i].tokens) {
		kinds[i].held++;
		return;
	}
	kinds[i].tokens--;
	if (kinds[i].held)
		snprintf(more, sizeof(more), " (and %llu more like it, not logged)", kinds[i].held);
	kinds[i].held = 0;
	va_start(ap, fmt);
	vhlog(prio, more, fmt, ap);
	va_end(ap);
}
