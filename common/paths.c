/*
 * paths.c - the runtime dir, socket and state dir; see paths.h.
 */
#define _GNU_SOURCE
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *env_abs(const char *name)
{
	const char *v = getenv(name);

	return v && v[0] == '/' ? v : NULL;
}

const char *hold_runtime_dir(void)
{
	static char buf[4096];
	const char *v = env_abs("HOLD_RUNTIME_DIR");

	if (v)
		return v;
	if ((v = env_abs("XDG_RUNTIME_DIR")))
		snprintf(buf, sizeof(buf), "%s/hold", v);
	else if (geteuid() == 0)
		snprintf(buf, sizeof(buf), "/run/hold");
	else
		snprintf(buf, sizeof(buf), "/tmp/hold-%u", (unsigned)geteuid());
	return buf;
}

const char *hold_socket_path(void)
{
	static char buf[4096];
	const char *v = getenv("HOLD_SOCKET");

	if (v && *v)
		return v;
	snprintf(buf, sizeof(buf), "%s/holdd.sock", hold_runtime_dir());
	return buf;
}

const char *hold_state_dir(void)
{
	static char buf[4096];
	const char *v = env_abs("HOLD_STATE_DIR");

	if (v)
		return v;
	if ((v = env_abs("XDG_STATE_HOME")))
		snprintf(buf, sizeof(buf), "%s/hold", v);
	else if (geteuid() == 0)
		snprintf(buf, sizeof(buf), "/var/lib/hold");
	else if ((v = env_abs("HOME")))
		snprintf(buf, sizeof(buf), "%s/.local/state/hold", v);
	else
		snprintf(buf, sizeof(buf), "/tmp/hold-%u/state", (unsigned)geteuid());
	return buf;
}

int hold_mkdirs(const char *dir, unsigned mode)
{
	char p[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, dir, n + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755); /* parents as mkdir -p makes them; the last gets mode */
		*s = '/';
	}
	if (mkdir(p, mode) == 0 || errno == EEXIST)
		return 0;
	return -1;
}
