/*
 * paths-env.c - paths.c's policy applied to this process's environment,
 * for holdd and hold; see paths.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

static const char *env_abs(const char *name)
{
	const char *v = getenv(name);

	return v && v[0] == '/' ? v : NULL;
}

const char *hold_runtime_dir(void)
{
	static char mem[4096];
	struct buf b;

	buf_init(&b, mem, sizeof(mem));
	hold_runtime_dir_of(&b, getenv("HOLD_RUNTIME_DIR"), getenv("XDG_RUNTIME_DIR"),
			    (unsigned)geteuid());
	return mem;
}

const char *hold_socket_path(void)
{
	static char mem[4096];
	struct buf b;

	buf_init(&b, mem, sizeof(mem));
	hold_socket_of(&b, getenv("HOLD_SOCKET"), hold_runtime_dir());
	return mem;
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
