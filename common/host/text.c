/* SPDX-License-Identifier: MIT */
/*
 * text.c - text another process or user wrote, made safe to show: to a
 * terminal (text_vis) and as JSON (json_*, and the JSON form of park.h's
 * tables).  See text.h.
 */
#include "text.h"

#include <string.h>

/* The length of the valid UTF-8 character at s (at most avail bytes), 0
 * if none (overlong forms, surrogates and values past U+10FFFF too). */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	if (n == 0 || n > avail || s[0] >= 0xf8)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* The code point of the valid UTF-8 character s[0..n). */
static uint32_t code_point(const unsigned char *s, size_t n)
{
	uint32_t cp = n == 1 ? s[0] : s[0] & (0x7fu >> n);

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3fu);
	return cp;
}

/* Characters that change how the text around them is shown, or hide:
 * the bidirectional controls (U+202E shows a name backwards), zero-width
 * and other format characters, line and paragraph separators, tags. */
static int invisible(uint32_t cp)
{
	return cp == 0xad || cp == 0x61c || cp == 0x180e || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff ||
	       (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f);
}

/* The same for text a terminal shows: C1 controls (U+0080..U+009F), which
 * terminals act on, and the invisible characters count as none. */
static size_t utf8_char(const unsigned char *s)
{
	size_t n = utf8_len(s, 4); /* s is NUL-terminated: a NUL ends a sequence */

	if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return 0;
	return n > 1 && invisible(code_point(s, n)) ? 0 : n;
}

const char *text_vis(const char *s)
{
	static char out[4][4 * 4096 + 1];
	static int turn;
	char *start = out[turn++ & 3], *o = start, *end = start + sizeof(out[0]) - 5;
	const unsigned char *p = (const unsigned char *)s;

	while (*p && o < end) {
		size_t n = *p >= 0x80 ? utf8_char(p) : (*p >= 0x20 && *p != 0x7f && *p != '\\');

		if (n) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else {
			o += snprintf(o, 5, *p == '\\' ? "\\\\" : "\\x%02x", *p);
			p++;
		}
	}
	*o = '\0';
	return start;
}

/* Valid UTF-8 passes as it is, but for the invisible characters, written
 * \uXXXX (a surrogate pair past U+FFFF), so that a viewer of the JSON
 * sees them; each byte that is not part of a valid character becomes
 * \udcXX (XX the byte), a lone low surrogate -- the escape Python's
 * "surrogateescape" makes and undoes -- so no byte is lost and the output
 * is valid JSON text, all of it UTF-8. */
void json_str(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	uint32_t cp;

	fputc('"', f);
	while (p < end) {
		size_t k = *p >= 0x80 ? utf8_len(p, (size_t)(end - p)) : 1;

		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else if (k == 0)
			fprintf(f, "\\udc%02x", *p);
		else if (k > 1 && invisible(cp = code_point(p, k)) && cp > 0xffff)
			fprintf(f, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
				0xdc00 + ((cp - 0x10000) & 0x3ff));
		else if (k > 1 && invisible(cp))
			fprintf(f, "\\u%04x", cp);
		else
			fwrite(p, 1, k, f);
		p += k ? k : 1;
	}
	fputc('"', f);
}

void json_argv(FILE *f, const char *args, size_t len)
{
	const char *p = args, *end = args + len;

	while (end > args && end[-1] == '\0')
		end--;
	fputc('[', f);
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);

		if (p != args)
			fputs(", ", f);
		json_str(f, p, n);
		p += n + 1;
	}
	if (len && end == args)
		json_str(f, "", 0);
	fputc(']', f);
}

static void json_fields(FILE *f, const struct shape *s, const void *base, unsigned also, int *first)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct shape_field *fl = &s->f[i];
		const char *v = (const char *)base + fl->off;

		if (!(fl->where & SF_JSON) || (fl->where & also) != also)
			continue;
		if (fl->kind == SK_HANDOFF) {
			if (shape_handoff_present(fl, v))
				json_fields(f, &handoff_shape, v, 0, first);
			continue;
		}
		fprintf(f, "%s\"%s\": ", *first ? "" : ", ", fl->json);
		*first = 0;
		switch (fl->kind) {
		case SK_INT:
			fprintf(f, "%d", *(const int *)v);
			break;
		case SK_U32:
		case SK_FLAGS:
			fprintf(f, "%u", *(const uint32_t *)v);
			break;
		case SK_U64:
		case SK_NS:
			fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)v);
			break;
		case SK_MODE:
			fprintf(f, "\"%s\"", hold_mode_name(*(const enum hold_mode *)v));
			break;
		case SK_STR:
			json_str(f, v, strnlen(v, fl->size));
			break;
		case SK_ARGV:
			json_argv(f, v, *(const size_t *)((const char *)base + s->argv_len));
			break;
		}
	}
}

void json_shape(FILE *f, const struct shape *s, const void *base, unsigned also)
{
	int first = 1;

	json_fields(f, s, base, also, &first);
}

int text_distance(const char *a, const char *b)
{
	int row[65], la = (int)strnlen(a, 64), lb = (int)strnlen(b, 64);

	for (int j = 0; j <= lb; j++)
		row[j] = j;
	for (int i = 1; i <= la; i++) {
		int diag = row[0];

		row[0] = i;
		for (int j = 1; j <= lb; j++) {
			int up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}
