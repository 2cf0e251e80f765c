/* SPDX-License-Identifier: MIT */
/*
 * park.c - a park and a hand-off edge: their tables, and the message and
 * record forms walked from them; see park.h.
 *
 * Record values escape '\\' and newline ("\\\\", "\\n"), so no value -- a
 * process name, a path -- can forge a line of its own.
 */
#include "park.h"

#include <string.h>

#define MSG   SF_MSG
#define REC   SF_RECORD
#define JSON  SF_JSON
#define BRIEF SF_BRIEF

#define FIELD(type, key, json, tag, kind, where, f)                                    \
	{                                                                              \
		key, json, tag, kind, where, offsetof(type, f), sizeof(((type *)0)->f) \
	}

/* A park.  The record's and the message's order; argv last, so that a
 * long one cuts only itself. */
#define P(key, json, tag, kind, where, f) FIELD(struct park, key, json, tag, kind, where, f)
static const struct shape_field park_fields[] = {
	P("pid", "pid", HOLD_F_PID, SK_INT, MSG | REC | JSON | BRIEF, pid),
	P("tid", "tid", HOLD_F_TID, SK_INT, MSG | REC | JSON | BRIEF, tid),
	P("ppid", "ppid", HOLD_F_PPID, SK_INT, MSG | REC | JSON, ppid),
	P("nspid", "nspid", HOLD_F_NSPID, SK_INT, MSG | SF_NONZERO | SF_ANSWER | REC | JSON, nspid),
	P("uid", "uid", HOLD_F_UID, SK_U32, MSG | SF_ANSWER | REC | JSON | BRIEF, uid),
	P("", "", HOLD_F_PIDNS, SK_U64, MSG | SF_NONZERO, pidns),
	P("flags", "", HOLD_F_FLAGS, SK_FLAGS, MSG | SF_NONZERO | REC, flags),
	P("start", "", HOLD_F_START, SK_U64, MSG | REC, start),
	P("since", "since_ns", HOLD_F_SINCE_NS, SK_NS, MSG | REC | JSON | BRIEF, since_ns),
	P("timeout", "timeout_ns", HOLD_F_TIMEOUT_NS, SK_NS, MSG | REC | JSON, timeout_ns),
	P("event", "event", HOLD_F_EVENT, SK_STR, MSG | REC | JSON | BRIEF, event),
	P("mode", "mode", HOLD_F_MODE, SK_MODE, MSG | REC | JSON, mode),
	P("rule", "rule", HOLD_F_RULE, SK_STR, MSG | REC | JSON | BRIEF, rule),
	P("comm", "comm", HOLD_F_COMM, SK_STR, MSG | REC | JSON | BRIEF, comm),
	P("exe", "exe", HOLD_F_PATH, SK_STR, MSG | REC | JSON, exe),
	P("cgroup", "cgroup", HOLD_F_CGROUP, SK_STR, MSG | SF_ANSWER | REC | JSON, cgroup),
	P("", "", 0, SK_HANDOFF, MSG | SF_NONZERO | REC | JSON, ho),
	P("argv", "argv", HOLD_F_ARG, SK_ARGV, MSG | REC | JSON, argv),
};
#undef P

/* A hand-off, within a park or an edge. */
#define H(key, json, tag, kind, f) \
	FIELD(struct hold_handoff, key, json, tag, kind, MSG | REC | JSON, f)
static const struct shape_field handoff_fields[] = {
	H("addr", "addr", HOLD_F_ADDR, SK_STR, addr),
	H("fd", "fd", HOLD_F_FD, SK_INT, fd),
	H("newfd", "newfd", HOLD_F_NEWFD, SK_INT, newfd),
	H("peer", "peer", HOLD_F_PEER, SK_INT, peer),
	H("peercomm", "peer_comm", HOLD_F_PEERCOMM, SK_STR, peer_comm),
	H("bytes", "bytes", HOLD_F_BYTES, SK_U64, bytes),
};
#undef H

/* A hand-off edge (HANDOFF); it has no record. */
#define E(json, tag, kind, f) FIELD(struct handoff_edge, "", json, tag, kind, MSG | JSON, f)
static const struct shape_field edge_fields[] = {
	E("pid", HOLD_F_PID, SK_INT, pid),
	E("tid", HOLD_F_TID, SK_INT, tid),
	E("uid", HOLD_F_UID, SK_U32, uid),
	E("owner", HOLD_F_OWNER, SK_U32, owner),
	E("since_ns", HOLD_F_SINCE_NS, SK_NS, since_ns),
	E("event", HOLD_F_EVENT, SK_STR, event),
	E("comm", HOLD_F_COMM, SK_STR, comm),
	E("", 0, SK_HANDOFF, ho),
};
#undef E

#define N(a) (unsigned)(sizeof(a) / sizeof(a[0]))
const struct shape park_shape = {park_fields, N(park_fields), offsetof(struct park, argvlen)};
const struct shape handoff_shape = {handoff_fields, N(handoff_fields), 0};
const struct shape edge_shape = {edge_fields, N(edge_fields), 0};

int shape_handoff_present(const struct shape_field *f, const void *v)
{
	return !(f->where & SF_NONZERO) || ((const struct hold_handoff *)v)->fd >= 0;
}

void park_init(struct park *p)
{
	memset(p, 0, sizeof(*p));
	p->ho.fd = p->ho.newfd = -1;
}

/* --- messages ------------------------------------------------------------- */

static void put_fields(struct hold_enc *e, const struct shape *s, const void *base, unsigned want,
		       unsigned skip)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct shape_field *f = &s->f[i];
		const char *v = (const char *)base + f->off;
		uint64_t x = 0;

		if (!(f->where & want) || (f->where & skip))
			continue;
		switch (f->kind) {
		case SK_INT:
			x = (uint64_t)(int64_t) * (const int *)v;
			break;
		case SK_U32:
		case SK_FLAGS:
			x = *(const uint32_t *)v;
			break;
		case SK_U64:
		case SK_NS:
			x = *(const uint64_t *)v;
			break;
		case SK_MODE:
			x = (uint64_t) * (const enum hold_mode *)v;
			break;
		case SK_STR:
			hold_enc_str(e, f->tag, v); /* NUL-terminated in its array */
			continue;
		case SK_HANDOFF:
			if (shape_handoff_present(f, v))
				put_fields(e, &handoff_shape, v, want, skip);
			continue;
		case SK_ARGV: { /* as many elements as fit: a long one cuts the rest */
			size_t len = *(const size_t *)((const char *)base + s->argv_len);

			for (size_t k = 0; k < len;) {
				size_t n = strnlen(v + k, len - k);

				if (e->full || e->len + 4 + n > e->cap)
					break;
				hold_enc_mem(e, f->tag, v + k, n);
				k += n + 1;
			}
			continue;
		}
		}
		if (!(f->where & SF_NONZERO) || x)
			hold_enc_num(e, f->tag, x);
	}
}

void shape_from_msg(const struct shape *s, void *base, const struct hold_msg *m)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct shape_field *f = &s->f[i];
		char *v = (char *)base + f->off;
		uint64_t x = f->tag < HOLD_F_NUMS ? m->num[f->tag] : 0;

		if (!(f->where & SF_MSG))
			continue;
		if (f->kind == SK_HANDOFF) {
			if (!(f->where & SF_NONZERO) || hold_msg_has(m, HOLD_F_FD))
				shape_from_msg(&handoff_shape, v, m);
			continue;
		}
		if (f->kind != SK_ARGV && !hold_msg_has(m, f->tag))
			continue;
		switch (f->kind) {
		case SK_INT:
			*(int *)v = (int)x;
			break;
		case SK_U32:
			*(uint32_t *)v = (uint32_t)x;
			break;
		case SK_FLAGS: /* only what a park may say of itself */
			*(uint32_t *)v = (uint32_t)x &
					 (HOLD_FL_UNRECORDED | HOLD_FL_TRACED | HOLD_FL_KERNEL);
			break;
		case SK_U64:
		case SK_NS:
			*(uint64_t *)v = x;
			break;
		case SK_MODE:
			*(enum hold_mode *)v =
				x == HOLD_MODE_STOP ? HOLD_MODE_STOP : HOLD_MODE_SPIN;
			break;
		case SK_STR:
			hold_msg_copy(m, f->tag, v, f->size);
			break;
		case SK_ARGV: {
			size_t *len = (size_t *)((char *)base + s->argv_len);

			for (unsigned k = 0; k < m->nargs; k++) {
				size_t n = m->arg[k].len;

				if (memchr(m->arg[k].p, '\0', n)) /* not one element of an argv */
					n = strnlen(m->arg[k].p, n);
				if (*len + n + 1 > f->size)
					break;
				memcpy(v + *len, m->arg[k].p, n);
				*len += n;
				v[(*len)++] = '\0';
			}
			break;
		}
		}
	}
}

size_t shape_to_msg(char *buf, size_t cap, enum hold_msg_type type, const struct shape *s,
		    const void *base, unsigned want, unsigned skip)
{
	struct hold_enc e;

	hold_enc_start(&e, buf, cap, type);
	put_fields(&e, s, base, want, skip);
	return hold_enc_finish(&e);
}

size_t park_to_msg(char *buf, size_t cap, enum hold_msg_type type, const struct park *p)
{
	/* PARK's pid and uid are the process's own view: holdd takes the kernel's */
	return shape_to_msg(buf, cap, type, &park_shape, p, SF_MSG,
			    type == HOLD_MSG_PARK ? SF_ANSWER : 0);
}

size_t park_to_brief_msg(char *buf, size_t cap, const struct park *p)
{
	return shape_to_msg(buf, cap, HOLD_MSG_PARKED, &park_shape, p, SF_BRIEF, 0);
}

void park_from_msg(struct park *p, const struct hold_msg *m)
{
	park_init(p);
	shape_from_msg(&park_shape, p, m);
}

size_t edge_to_msg(char *buf, size_t cap, const struct handoff_edge *h)
{
	return shape_to_msg(buf, cap, HOLD_MSG_HANDOFF, &edge_shape, h, SF_MSG, 0);
}

void edge_from_msg(struct handoff_edge *h, const struct hold_msg *m)
{
	memset(h, 0, sizeof(*h));
	h->ho.fd = h->ho.newfd = -1;
	shape_from_msg(&edge_shape, h, m);
	if (!hold_msg_has(m, HOLD_F_OWNER))
		h->owner = h->uid;
}

void edge_from_park(struct handoff_edge *h, const struct park *p, uint32_t owner)
{
	memset(h, 0, sizeof(*h));
	h->pid = p->pid;
	h->tid = p->tid;
	h->uid = p->uid;
	h->owner = owner;
	h->since_ns = p->since_ns;
	memcpy(h->event, p->event, sizeof(h->event));
	memcpy(h->comm, p->comm, sizeof(h->comm));
	h->ho = p->ho;
}

/* --- the record ----------------------------------------------------------- */

/* A value on one line: '\\', newline and NUL (argv's separator) escaped. */
static void put_escaped(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			buf_str(b, "\\\\");
		else if (s[i] == '\n')
			buf_str(b, "\\n");
		else if (s[i] == '\0')
			buf_str(b, "\\0");
		else
			buf_chr(b, s[i]);
	}
}

void park_argv_line(const struct park *p, struct buf *b)
{
	size_t n = p->argvlen;

	while (n > 0 && p->argv[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		buf_chr(b, p->argv[i] == '\0' || p->argv[i] == '\n' ? ' ' : p->argv[i]);
}

static void record_fields(struct buf *b, const struct shape *s, const void *base)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct shape_field *f = &s->f[i];
		const char *v = (const char *)base + f->off;

		if (!(f->where & SF_RECORD))
			continue;
		if (f->kind == SK_HANDOFF) {
			if (shape_handoff_present(f, v))
				record_fields(b, &handoff_shape, v);
			continue;
		}
		buf_str(b, f->key);
		buf_chr(b, '=');
		switch (f->kind) {
		case SK_INT:
			buf_i64(b, *(const int *)v);
			break;
		case SK_U32:
		case SK_FLAGS:
			buf_u64(b, *(const uint32_t *)v);
			break;
		case SK_U64:
			buf_u64(b, *(const uint64_t *)v);
			break;
		case SK_NS:
			buf_secs(b, *(const uint64_t *)v, 3);
			break;
		case SK_MODE:
			buf_str(b, hold_mode_name(*(const enum hold_mode *)v));
			break;
		case SK_STR:
			put_escaped(b, v, strnlen(v, f->size));
			break;
		case SK_ARGV: { /* whole: its elements NUL-separated, as \0 */
			size_t n = *(const size_t *)((const char *)base + s->argv_len);

			while (n > 0 && v[n - 1] == '\0')
				n--;
			put_escaped(b, v, n);
			break;
		}
		}
		buf_chr(b, '\n');
	}
}

void park_to_record(struct buf *b, const struct park *p)
{
	record_fields(b, &park_shape, p);
}

void park_record_name(struct buf *b, int pid, int tid)
{
	buf_str(b, "park-");
	buf_u64(b, (uint64_t)pid);
	buf_chr(b, '-');
	buf_u64(b, (uint64_t)tid);
}

static uint64_t digits(const char **s, const char *end, uint64_t *scale)
{
	uint64_t v = 0;

	*scale = 1;
	for (; *s < end && **s >= '0' && **s <= '9'; (*s)++) {
		if (v > (UINT64_MAX - 9) / 10)
			continue; /* absurd: keep what fits */
		v = v * 10 + (uint64_t)(**s - '0');
		*scale *= 10;
	}
	return v;
}

/* "12.345" -> 12345000000 */
static uint64_t secs_ns(const char *s, const char *end)
{
	uint64_t scale, whole = digits(&s, end, &scale), frac = 0;

	if (s < end && *s == '.') {
		const char *f = ++s;

		if (end - f > 9)
			end = f + 9;
		frac = digits(&s, end, &scale);
		frac = frac * (1000000000u / scale);
	}
	return whole * 1000000000u + frac;
}

/* put_escaped undone into dst (NUL-terminated); its length. */
static size_t unescape(char *dst, size_t cap, const char *s, const char *end)
{
	size_t o = 0;

	for (; s < end && o + 1 < cap; s++) {
		if (*s == '\\' && s + 1 < end) {
			s++;
			dst[o++] = *s == 'n' ? '\n' : *s == '0' ? '\0' : *s;
		} else {
			dst[o++] = *s;
		}
	}
	dst[o] = '\0';
	return o;
}

static void set(const struct shape *s, void *base, const struct shape_field *f, const char *v,
		const char *end)
{
	char *to = (char *)base + f->off;
	uint64_t scale;
	const char *neg = v < end && *v == '-' ? v++ : NULL;

	switch (f->kind) {
	case SK_INT: {
		uint64_t x = digits(&v, end, &scale);

		*(int *)to = x > INT32_MAX ? -1 : neg ? -(int)x : (int)x;
		break;
	}
	case SK_U32:
	case SK_FLAGS: {
		uint64_t x = digits(&v, end, &scale);

		*(uint32_t *)to = x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
		break;
	}
	case SK_U64:
		*(uint64_t *)to = digits(&v, end, &scale);
		break;
	case SK_NS:
		*(uint64_t *)to = secs_ns(v, end);
		break;
	case SK_MODE:
		*(enum hold_mode *)to =
			end - v == 4 && memcmp(v, "stop", 4) == 0 ? HOLD_MODE_STOP : HOLD_MODE_SPIN;
		break;
	case SK_STR:
		unescape(to, f->size, v, end);
		break;
	case SK_ARGV: /* its elements NUL-separated (\0 in the record) */
		*(size_t *)((char *)base + s->argv_len) = unescape(to, f->size, v, end) + 1;
		break;
	case SK_HANDOFF:
		break;
	}
}

/* The line key=v..end: set the field of s (or of its hand-off) it names. */
static void record_line(const struct shape *s, void *base, const char *key, size_t klen,
			const char *v, const char *end)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct shape_field *f = &s->f[i];

		if (f->kind == SK_HANDOFF)
			record_line(&handoff_shape, (char *)base + f->off, key, klen, v, end);
		else if ((f->where & SF_RECORD) && strlen(f->key) == klen &&
			 memcmp(key, f->key, klen) == 0)
			set(s, base, f, v, end);
	}
}

int park_from_record(struct park *p, const char *text, size_t n)
{
	const char *end = text + n;

	park_init(p);
	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *eol = nl ? nl : end, *eq = memchr(line, '=', (size_t)(eol - line));

		if (eq)
			record_line(&park_shape, p, line, (size_t)(eq - line), eq + 1, eol);
		line = eol + 1;
	}
	return p->pid > 0 && p->tid > 0 ? 0 : -1;
}

uint64_t hold_stat_field(const char *st, size_t n, int want)
{
	size_t i = n;
	int field = 2; /* the name (field 2) ends at the last ')' */
	uint64_t v = 0;

	while (i > 0 && st[i - 1] != ')')
		i--;
	if (i == 0 || want <= 2)
		return 0;
	for (; i < n && field < want; i++)
		if (st[i] == ' ')
			field++;
	while (i < n && st[i] >= '0' && st[i] <= '9')
		v = v * 10 + (uint64_t)(st[i++] - '0');
	return v;
}
