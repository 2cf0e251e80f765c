/* SPDX-License-Identifier: MIT */
/*
 * buf.c - an append-only text buffer; see buf.h.
 */
#include "buf.h"

#include <string.h>

__attribute__((hot)) void buf_init(struct buf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->full = 0;
	if (cap)
		mem[0] = '\0';
}

__attribute__((hot)) void buf_mem(struct buf *b, const char *s, size_t n)
{
	size_t room = b->cap > b->len ? b->cap - b->len : 0;

	if (n > room) {
		n = room;
		b->full = 1;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

__attribute__((hot)) void buf_str(struct buf *b, const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	buf_mem(b, s, n);
}

__attribute__((hot)) void buf_chr(struct buf *b, char c)
{
	buf_mem(b, &c, 1);
}

__attribute__((hot)) void buf_u64(struct buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_mem(b, tmp + i, sizeof(tmp) - i);
}

__attribute__((hot)) void buf_i64(struct buf *b, int64_t v)
{
	if (v < 0) {
		buf_chr(b, '-');
		buf_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		buf_u64(b, (uint64_t)v);
	}
}

__attribute__((hot)) void buf_secs(struct buf *b, uint64_t ns, int digits)
{
	uint64_t frac = ns % 1000000000u;

	buf_u64(b, ns / 1000000000u);
	if (digits <= 0)
		return;
	buf_chr(b, '.');
	for (int i = 0; i < digits && i < 9; i++) {
		frac *= 10;
		buf_chr(b, (char)('0' + frac / 1000000000u));
		frac %= 1000000000u;
	}
}

__attribute__((hot)) const char *buf_cstr(struct buf *b)
{
	if (b->cap == 0)
		return "";
	if (b->len >= b->cap) {
		b->len = b->cap - 1;
		b->full = 1;
	}
	b->p[b->len] = '\0';
	return b->p;
}
