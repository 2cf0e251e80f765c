/* SPDX-License-Identifier: MIT */
/*
 * attach-python.h - what gdb needs to show a CPython target's Python stack.
 */
#ifndef HOLD_ATTACH_PYTHON_H
#define HOLD_ATTACH_PYTHON_H

#include <limits.h>

struct py_target {
	char version[16];   /* "3.11", or "" when it cannot be told */
	char lib[PATH_MAX]; /* the libpython mapped, or "" (a static interpreter) */
	char ext[PATH_MAX]; /* the extension for gdb to source */
};

enum py_found {
	PY_NOT_PYTHON, /* neither a python executable nor libpython mapped */
	PY_READY,      /* CPython, and py-bt will be defined in gdb */
	PY_NO_EXT,     /* CPython, but no extension for its version was found */
};

/* Is pid (running exe) CPython, and where is gdb's extension for it? */
enum py_found py_target_find(int pid, const char *exe, struct py_target *py);

/* The error for PY_NO_EXT, naming the package; returns EXIT_USAGE. */
int py_no_ext_error(int pid, const char *exe, const struct py_target *py);

#endif
