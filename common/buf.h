/* SPDX-License-Identifier: MIT */
/*
 * buf.h - an append-only text buffer over caller-owned storage.
 *
 * Async-signal-safe (no allocation, no stdio, no locks), so libhold's fork
 * child and park loop format with it, and the park record format in
 * park.c is written with it in every program alike.  Overflow truncates
 * and sets `full`; nothing is ever written past `cap`.
 */
#ifndef HOLD_BUF_H
#define HOLD_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	char *p;
	size_t len, cap;
	int full;
};

void buf_init(struct buf *b, char *mem, size_t cap);
void buf_str(struct buf *b, const char *s);
void buf_mem(struct buf *b, const char *s, size_t n);
void buf_chr(struct buf *b, char c);
void buf_u64(struct buf *b, uint64_t v);
void buf_i64(struct buf *b, int64_t v);
/* Seconds with `digits` decimals, from nanoseconds. */
void buf_secs(struct buf *b, uint64_t ns, int digits);
/* NUL-terminates (truncating one byte if needed) and returns the string. */
const char *buf_cstr(struct buf *b);

#endif
