/* SPDX-License-Identifier: MIT */
/*
 * text.h - text another process or user wrote (a name, a path, an argv, an
 * address), made safe to show.
 */
#ifndef HOLD_TEXT_H
#define HOLD_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "park.h"

/* s as a terminal may show it: control bytes, C1 controls, invalid UTF-8
 * and '\' escaped as \xHH and \\ (one of four static buffers, in turn). */
const char *text_vis(const char *s);

/* JSON output (hold(1), JSON OUTPUT): every object carries "version":
 * HOLD_JSON_VERSION, raised when a field changes meaning or goes away. */
#define HOLD_JSON_VERSION 1
/* s[0..n) as a JSON string: bytes that are not UTF-8 as \udcXX. */
void json_str(FILE *f, const char *s, size_t n);
/* A NUL-separated argv (as /proc/PID/cmdline) as a JSON list of strings. */
void json_argv(FILE *f, const char *args, size_t len);
/* The JSON fields of the struct at base, by its table (park.h), those
 * that also carry the flags `also` (0, or SF_BRIEF for the journal's park
 * event): "key": value pairs joined by ", ", without braces, so that a
 * caller may add its own.  Every JSON object of hold speaks this one
 * vocabulary. */
void json_shape(FILE *f, const struct shape *s, const void *base, unsigned also);

/* Edit distance (Levenshtein) of the first 64 bytes of a and b: for "did
 * you mean" (a mistyped verb, a rule that names what the tree never ran). */
int text_distance(const char *a, const char *b);

#endif
