/* SPDX-License-Identifier: MIT */
/*
 * paths.c - the policy of where things are; see paths.h.
 */
#include "paths.h"

int hold_in_userns(const char *map, size_t n)
{
	static const char id[] = "0 0 4294967295";
	size_t i = 0, j = 0;

	if (n == 0)
		return 0; /* unreadable: say no, and trust less */
	/* the identity map, however its columns are padded */
	for (; i < n && j < sizeof(id) - 1; i++) {
		if (map[i] == ' ' && (j == 0 || id[j - 1] == ' '))
			continue;
		if (map[i] != id[j++])
			return 1;
	}
	while (i < n && (map[i] == ' ' || map[i] == '\n'))
		i++;
	return j != sizeof(id) - 1 || i != n;
}

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>

static int absolute(const char *v)
{
	return v && v[0] == '/';
}

__attribute__((hot)) void hold_runtime_dir_of(struct buf *b, const char *hold_runtime_dir,
					      const char *xdg_runtime_dir, unsigned euid)
{
	if (absolute(hold_runtime_dir)) {
		buf_str(b, hold_runtime_dir);
	} else if (absolute(xdg_runtime_dir)) {
		buf_str(b, xdg_runtime_dir);
		buf_str(b, "/hold");
	} else if (euid == 0) {
		buf_str(b, HOLD_SYSTEM_RUNTIME_DIR);
	} else {
		buf_str(b, "/tmp/hold-");
		buf_u64(b, euid);
	}
	buf_cstr(b);
}

__attribute__((hot)) void hold_socket_of(struct buf *b, const char *hold_socket,
					 const char *runtime_dir)
{
	if (hold_socket && hold_socket[0]) {
		buf_str(b, hold_socket);
	} else {
		buf_str(b, runtime_dir);
		buf_str(b, "/holdd.sock");
	}
	buf_cstr(b);
}

const char *hold_dir_unsafe(unsigned mode, unsigned owner, unsigned euid)
{
	if (S_ISLNK(mode))
		return "is a symbolic link";
	if (!S_ISDIR(mode))
		return "is not a directory";
	if (owner != euid && owner != 0)
		return "belongs to another user";
	if (mode & (S_IWGRP | S_IWOTH))
		return "is writable by others";
	return 0;
}

int hold_mkdirs_with(const char *dir, unsigned mode, int (*mk)(const char *path, unsigned mode))
{
	char p[PATH_MAX];
	size_t n = 0;
	int r;

	while (dir[n])
		n++;
	if (n == 0 || n >= sizeof(p))
		return -ENAMETOOLONG;
	for (size_t i = 0; i <= n; i++)
		p[i] = dir[i];
	for (size_t i = 1; i < n; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		mk(p, 0755); /* an existing one is fine; a missing one fails below */
		p[i] = '/';
	}
	r = mk(p, mode);
	return r == -EEXIST ? 0 : r;
}
