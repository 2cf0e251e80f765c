/* SPDX-License-Identifier: MIT */
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

static int mk(const char *path, unsigned mode)
{
	return mkdir(path, mode) == 0 ? 0 : -errno;
}

int hold_mkdirs(const char *dir, unsigned mode)
{
	int r = hold_mkdirs_with(dir, mode, mk);

	if (r < 0)
		errno = -r;
	return r < 0 ? -1 : 0;
}

int hold_dir_ready(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	const char *why;

	if (hold_mkdirs(dir, 0700) < 0 || lstat(dir, &st) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((why = hold_dir_unsafe(st.st_mode, st.st_uid, (unsigned)geteuid()))) {
		snprintf(err, errlen,
			 "%s %s (owner uid %u, mode %04o): not using it; remove it, or set "
			 "HOLD_RUNTIME_DIR (or XDG_RUNTIME_DIR) to a directory of your own, mode "
			 "0700",
			 dir, why, (unsigned)st.st_uid, (unsigned)st.st_mode & 07777);
		return -1;
	}
	return 0;
}

int hold_dir_let_through(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return -1;
	if ((st.st_mode & 0011) == 0011)
		return 0;
	if (st.st_uid != geteuid())
		return -1;
	return chmod(dir, (st.st_mode & 07777) | 0011);
}
