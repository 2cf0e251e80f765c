/* SPDX-License-Identifier: MIT */
/*
 * attach-python.c - find gdb's CPython extension for a parked Python.
 *
 * gdb learns py-bt, py-list and py-locals from CPython's libpython.py,
 * installed as OBJFILE-gdb.py.  gdb auto-loads it only from its auto-load
 * directories under the objfile's own path (Debian's python3.X-dbg ships
 * /usr/share/gdb/auto-load/usr/bin/python3.X-gdb.py), so a venv's copied
 * interpreter, a pyenv build or a program embedding libpython gets nothing.
 * We find the file and have gdb source it explicitly, always: a second load
 * of one gdb already auto-loaded only registers its printers twice, and one
 * code path is easier to trust than two.
 *
 * A file beside the interpreter (where `make install` puts it) is used only
 * if root or we own it and no one else can write it: sourcing runs its code
 * inside our gdb, which is why gdb's own safe-path refuses it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach-python.h"
#include "cli.h"

#define AUTOLOAD_DIRS "/usr/share/gdb/auto-load:/usr/lib/debug"

/* "3.11" from "python3.11", "python3.11d" or "libpython3.11.so.1.0". */
static int version_of(const char *name, const char *prefix, char *out, size_t cap)
{
	const char *p = name + strlen(prefix);
	size_t n = 0;

	if (strncmp(name, prefix, strlen(prefix)) != 0 || !isdigit((unsigned char)p[0]) ||
	    p[1] != '.')
		return 0;
	n = 2 + strspn(p + 2, "0123456789");
	if (n == 2 || n >= cap)
		return 0;
	snprintf(out, cap, "%.*s", (int)n, p);
	return 1;
}

/* The libpython this process has mapped, if any. */
static void mapped_libpython(int pid, struct py_target *py)
{
	char path[64], line[PATH_MAX + 128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/');

		if (!file)
			continue;
		file[strcspn(file, "\n")] = '\0';
		if (strncmp(basename(file), "libpython", 9) == 0) {
			snprintf(py->lib, sizeof(py->lib), "%s", file);
			break;
		}
	}
	fclose(f);
}

/* A venv's interpreter may be called plain "python": its pyvenv.cfg says
 * which version it is ("version = 3.11.2"). */
static void venv_version(const char *exe, char *out, size_t cap)
{
	char cfg[PATH_MAX], line[256];
	FILE *f;

	snprintf(cfg, sizeof(cfg), "%s", exe);
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(cfg, '/');

		if (slash)
			*slash = '\0';
	}
	if (strlen(cfg) + sizeof("/pyvenv.cfg") > sizeof(cfg))
		return;
	strcat(cfg, "/pyvenv.cfg");
	if (!(f = fopen(cfg, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = line + strspn(line, " \t");

		if (strncmp(v, "version", 7) != 0)
			continue;
		v += 7 + (strncmp(v + 7, "_info", 5) == 0 ? 5 : 0);
		v += strspn(v, " \t=");
		if (version_of(v, "", out, cap))
			break;
	}
	fclose(f);
}

static int readable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

/* Safe to source: root's or ours, and writable by no one else. */
static int trusted(const char *path)
{
	struct stat st;

	return readable(path) && stat(path, &st) == 0 &&
	       (st.st_uid == 0 || st.st_uid == geteuid()) && !(st.st_mode & 022);
}

/* DIR/REL-gdb.py for some auto-load directory DIR; 1 when found. */
static int in_autoload(const char *rel, char *out, size_t cap)
{
	const char *dirs = getenv("HOLD_GDB_AUTOLOAD");

	if (!dirs)
		dirs = AUTOLOAD_DIRS;
	for (const char *d = dirs; *d;) {
		size_t n = strcspn(d, ":");

		if (n &&
		    (size_t)snprintf(out, cap, "%.*s%s%s-gdb.py", (int)n, d,
				     rel[0] == '/' ? "" : "/", rel) < cap &&
		    readable(out))
			return 1;
		d += n + (d[n] == ':');
	}
	out[0] = '\0';
	return 0;
}

enum py_found py_target_find(int pid, const char *exe, struct py_target *py)
{
	const char *env = getenv("HOLD_PYTHON_GDB"), *objs[2];
	char rel[PATH_MAX];

	memset(py, 0, sizeof(*py));
	mapped_libpython(pid, py);
	if (strncmp(basename(exe), "python", 6) != 0 && !py->lib[0])
		return PY_NOT_PYTHON;
	if (!(py->lib[0] &&
	      version_of(basename(py->lib), "libpython", py->version, sizeof(py->version))) &&
	    !version_of(basename(exe), "python", py->version, sizeof(py->version)))
		venv_version(exe, py->version, sizeof(py->version));

	if (env && *env) {
		snprintf(py->ext, sizeof(py->ext), "%s", env);
		return readable(env) ? PY_READY : PY_NO_EXT;
	}
	objs[0] = exe;
	objs[1] = py->lib[0] ? py->lib : NULL;
	for (int i = 0; i < 2; i++)
		if (objs[i] && in_autoload(objs[i], py->ext, sizeof(py->ext)))
			return PY_READY;
	for (int i = 0; i < 2; i++) {
		if (objs[i] &&
		    (size_t)snprintf(py->ext, sizeof(py->ext), "%s-gdb.py", objs[i]) <
			    sizeof(py->ext) &&
		    trusted(py->ext))
			return PY_READY;
	}
	/* the distribution's extension for the same version */
	snprintf(rel, sizeof(rel), "/usr/bin/python%s", py->version);
	if (py->version[0] && in_autoload(rel, py->ext, sizeof(py->ext)))
		return PY_READY;
	py->ext[0] = '\0';
	return PY_NO_EXT;
}

int py_no_ext_error(int pid, const char *exe, const struct py_target *py)
{
	const char *env = getenv("HOLD_PYTHON_GDB");

	if (env && *env)
		return cli_fail(EXIT_USAGE,
				"HOLD_PYTHON_GDB=%s is not a readable file: point it at the "
				"python-gdb.py (libpython.py) of CPython %s",
				env, py->version[0] ? py->version : "as pid runs");
	if (!py->version[0])
		return cli_fail(EXIT_USAGE,
				"pid %d runs CPython (%s) but its version cannot be told, so "
				"gdb's CPython extension cannot be found: set HOLD_PYTHON_GDB "
				"to that version's python-gdb.py",
				pid, exe);
	return cli_fail(EXIT_USAGE,
			"pid %d runs CPython %s (%s) but gdb's CPython extension for it "
			"is not installed: apt-get install python%s-dbg (it brings "
			"python%s-gdb.py and the debug symbols py-bt reads), or set "
			"HOLD_PYTHON_GDB to that version's python-gdb.py",
			pid, py->version, exe, py->version, py->version);
}
