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

void hlog(int prio, const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	if (to_stderr) { /* one write per line: lines from a log never interleave */
		char line[2048];
		struct timespec ts;
		struct tm tm;
		int n;

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		n = (int)strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
		n += snprintf(line + n, sizeof(line) - (size_t)n,
			      ".%03ld holdd: ", ts.tv_nsec / 1000000);

		n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
		if (n > (int)sizeof(line) - 2)
			n = (int)sizeof(line) - 2;
		line[n++] = '\n';
		fwrite(line, 1, (size_t)n, stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}
