/* SPDX-License-Identifier: MIT */
/*
 * proto.c - encode and decode hold protocol messages; see proto.h.
 */
#include "proto.h"

#include <string.h>

/* What each type must carry; anything else is optional. */
#define F(x) ((uint64_t)1 << (x))
static const uint64_t required[HOLD_MSG_TYPE_END_] = {
	[HOLD_MSG_HELLO] = F(HOLD_F_VERSION),
	[HOLD_MSG_FORK] = F(HOLD_F_CHILD),
	[HOLD_MSG_EXEC] = F(HOLD_F_PATH),
	[HOLD_MSG_PARK] = F(HOLD_F_TID) | F(HOLD_F_EVENT) | F(HOLD_F_RULE) | F(HOLD_F_MODE),
	[HOLD_MSG_RELEASED] = F(HOLD_F_TID) | F(HOLD_F_BY),
	[HOLD_MSG_ERROR] = F(HOLD_F_TEXT),
	[HOLD_MSG_PARKED] = F(HOLD_F_PID) | F(HOLD_F_TID),
	[HOLD_MSG_NODE] = F(HOLD_F_PID),
	[HOLD_MSG_DONE] = F(HOLD_F_COUNT),
	[HOLD_MSG_EXIT] = F(HOLD_F_PID),
	[HOLD_MSG_HANDOFF] = F(HOLD_F_PID) | F(HOLD_F_TID) | F(HOLD_F_ADDR),
	[HOLD_MSG_FIRED] = F(HOLD_F_COUNT),
};

static void put_le(char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put(struct hold_enc *e, const void *p, size_t n)
{
	if (e->full || n > e->cap - e->len) {
		e->full = 1;
		return;
	}
	memcpy(e->p + e->len, p, n);
	e->len += n;
}

void hold_enc_start(struct hold_enc *e, char *buf, size_t cap, enum hold_msg_type type)
{
	char hdr[HOLD_MSG_HDR];

	e->p = buf;
	e->len = 0;
	e->cap = cap < HOLD_MSG_MAX ? cap : HOLD_MSG_MAX;
	e->full = 0;
	put_le(hdr, 0, 4); /* length: filled in by finish */
	put_le(hdr + 4, HOLD_PROTO_VERSION, 2);
	put_le(hdr + 6, type, 2);
	put(e, hdr, sizeof(hdr));
}

void hold_enc_mem(struct hold_enc *e, enum hold_field tag, const void *p, size_t n)
{
	char fh[4];

	if (n > 0xffff) {
		e->full = 1;
		return;
	}
	put_le(fh, tag, 2);
	put_le(fh + 2, n, 2);
	put(e, fh, sizeof(fh));
	put(e, p, n);
}

void hold_enc_num(struct hold_enc *e, enum hold_field tag, uint64_t v)
{
	char b[8];

	put_le(b, v, 8);
	hold_enc_mem(e, tag, b, sizeof(b));
}

void hold_enc_str(struct hold_enc *e, enum hold_field tag, const char *s)
{
	hold_enc_mem(e, tag, s, strlen(s));
}

size_t hold_enc_finish(struct hold_enc *e)
{
	if (e->full || e->len < HOLD_MSG_HDR)
		return 0;
	put_le(e->p, e->len, 4);
	return e->len;
}

long hold_msg_frame(const void *buf, size_t n)
{
	const unsigned char *b = buf;
	uint64_t len;

	if (n < HOLD_MSG_HDR)
		return 0;
	len = get_le(b, 4);
	if (len < HOLD_MSG_HDR)
		return -HOLD_PROTO_SHORT;
	if (len > HOLD_MSG_MAX)
		return -HOLD_PROTO_TOO_LARGE;
	if (get_le(b + 4, 2) != HOLD_PROTO_VERSION)
		return -HOLD_PROTO_VERSION_MISMATCH;
	return n < len ? 0 : (long)len;
}

static int field(struct hold_msg *m, unsigned tag, const unsigned char *v, size_t n)
{
	if (tag < HOLD_F_NUM_END_ && tag > 0) {
		if (n != 8)
			return HOLD_PROTO_BAD_FIELD;
		if (hold_msg_has(m, tag))
			return HOLD_PROTO_DUPLICATE;
		m->num[tag] = get_le(v, 8);
	} else if (tag == HOLD_F_ARG) {
		if (m->nargs < HOLD_MSG_ARGS)
			m->arg[m->nargs++] = (struct hold_str){(const char *)v, (uint16_t)n};
		else
			m->args_cut++;
	} else if (tag >= HOLD_F_PATH && tag < HOLD_F_STR_END_) {
		if (hold_msg_has(m, tag))
			return HOLD_PROTO_DUPLICATE;
		m->str[tag - HOLD_F_PATH] = (struct hold_str){(const char *)v, (uint16_t)n};
	} else {
		return HOLD_PROTO_OK; /* unknown: skip, for forward compatibility */
	}
	m->have |= F(tag);
	return HOLD_PROTO_OK;
}

int hold_msg_decode(struct hold_msg *m, const void *buf, size_t n)
{
	const unsigned char *b = buf;
	long len = hold_msg_frame(buf, n);
	size_t at = HOLD_MSG_HDR;

	memset(m, 0, sizeof(*m));
	if (len <= 0)
		return len == 0 ? HOLD_PROTO_SHORT : (int)-len;
	if ((size_t)len != n)
		return HOLD_PROTO_TOO_LARGE;
	m->type = (uint16_t)get_le(b + 6, 2);
	if (m->type == 0 || m->type >= HOLD_MSG_TYPE_END_)
		return HOLD_PROTO_BAD_TYPE;
	while (at < n) {
		size_t flen;
		int err;

		if (n - at < 4)
			return HOLD_PROTO_BAD_FIELD;
		flen = (size_t)get_le(b + at + 2, 2);
		if (flen > n - at - 4)
			return HOLD_PROTO_BAD_FIELD;
		err = field(m, (unsigned)get_le(b + at, 2), b + at + 4, flen);
		if (err)
			return err;
		at += 4 + flen;
	}
	if ((m->have & required[m->type]) != required[m->type])
		return HOLD_PROTO_MISSING;
	return HOLD_PROTO_OK;
}

const char *hold_proto_strerror(int err)
{
	static const char *const text[HOLD_PROTO_ERR_END_] = {
		[HOLD_PROTO_OK] = "no error",
		[HOLD_PROTO_SHORT] = "message shorter than its header or its stated length",
		[HOLD_PROTO_TOO_LARGE] = "message longer than 8192 bytes or than what was sent",
		[HOLD_PROTO_VERSION_MISMATCH] = ("protocol version mismatch (libhold, holdd and "
						 "hold must be from one build)"),
		[HOLD_PROTO_BAD_TYPE] = "unknown message type",
		[HOLD_PROTO_BAD_FIELD] = "field runs past the message, or a number is not 8 bytes",
		[HOLD_PROTO_DUPLICATE] = "field given twice",
		[HOLD_PROTO_MISSING] = "a field this message type requires is missing",
	};

	return err >= 0 && err < HOLD_PROTO_ERR_END_ ? text[err] : "unknown error";
}

size_t hold_msg_copy(const struct hold_msg *m, enum hold_field f, char *dst, size_t cap)
{
	struct hold_str v = hold_msg_str(m, f);
	size_t n = v.len < cap ? v.len : cap - 1;

	if (!cap)
		return 0;
	memcpy(dst, v.p, n);
	dst[n] = '\0';
	return n;
}

const char *hold_msg_type_name(unsigned type)
{
	/* arrays, not pointers: no relocation in every image that maps libhold */
	static const char names[HOLD_MSG_TYPE_END_][9] = {
		[HOLD_MSG_HELLO] = "HELLO",       [HOLD_MSG_FORK] = "FORK",
		[HOLD_MSG_EXEC] = "EXEC",         [HOLD_MSG_PARK] = "PARK",
		[HOLD_MSG_RELEASED] = "RELEASED", [HOLD_MSG_RELEASE] = "RELEASE",
		[HOLD_MSG_ERROR] = "ERROR",       [HOLD_MSG_LIST] = "LIST",
		[HOLD_MSG_PARKED] = "PARKED",     [HOLD_MSG_TREE] = "TREE",
		[HOLD_MSG_NODE] = "NODE",         [HOLD_MSG_WAIT] = "WAIT",
		[HOLD_MSG_STATS] = "STATS",       [HOLD_MSG_DONE] = "DONE",
		[HOLD_MSG_EXIT] = "EXIT",         [HOLD_MSG_HANDOFF] = "HANDOFF",
		[HOLD_MSG_OWNER] = "OWNER",       [HOLD_MSG_LOG] = "LOG",
		[HOLD_MSG_WATCH] = "WATCH",       [HOLD_MSG_FIRED] = "FIRED",
	};

	return type < HOLD_MSG_TYPE_END_ && names[type][0] ? names[type] : "?";
}

const char *hold_by_name(unsigned by)
{
	static const char names[HOLD_BY_END_][13] = {
		[HOLD_BY_GDB] = "hold = 0",
		[HOLD_BY_TIMEOUT] = "timeout",
		[HOLD_BY_SIGCONT] = "SIGCONT",
		[HOLD_BY_DAEMON] = "hold release",
	};

	return by < HOLD_BY_END_ ? names[by] : "?";
}

size_t hold_msg_encode(const struct hold_msg *m, char *buf, size_t cap)
{
	struct hold_enc e;

	hold_enc_start(&e, buf, cap, (enum hold_msg_type)m->type);
	for (unsigned t = 1; t < HOLD_F_NUM_END_; t++)
		if (hold_msg_has(m, t))
			hold_enc_num(&e, (enum hold_field)t, m->num[t]);
	for (unsigned t = HOLD_F_PATH; t < HOLD_F_STR_END_; t++)
		if (t != HOLD_F_ARG && hold_msg_has(m, t))
			hold_enc_mem(&e, (enum hold_field)t, m->str[t - HOLD_F_PATH].p,
				     m->str[t - HOLD_F_PATH].len);
	for (unsigned i = 0; i < m->nargs; i++)
		hold_enc_mem(&e, HOLD_F_ARG, m->arg[i].p, m->arg[i].len);
	return hold_enc_finish(&e);
}
