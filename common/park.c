/*
 * park.c - a park as a message and as a record; see park.h.
 *
 * The record's keys are the table below, once: the writer walks it to
 * format a record and the reader looks lines up in it, so the two cannot
 * drift apart.  Text values escape '\' and newline ("\\", "\n"), so no
 * value -- a process name, a path -- can forge a line of its own.
 */
#include "park.h"

#include <string.h>

enum kind { K_INT, K_U32, K_U64, K_SECS, K_MODE, K_STR, K_ARGV };

struct key {
	char name[9]; /* an array: no relocation in every image that maps libhold */
	enum kind kind;
	size_t off, size; /* size: a string's array */
	int handoff;      /* recv/accept parks only */
};

#define AT(f) offsetof(struct hold_park, f)
#define NUM(n, k, f)              \
	{                         \
		n, k, AT(f), 0, 0 \
	}
#define STR(n, f)                                                      \
	{                                                              \
		n, K_STR, AT(f), sizeof(((struct hold_park *)0)->f), 0 \
	}
#define HNUM(n, k, f)             \
	{                         \
		n, k, AT(f), 0, 1 \
	}
#define HSTR(n, f)                                                     \
	{                                                              \
		n, K_STR, AT(f), sizeof(((struct hold_park *)0)->f), 1 \
	}

static const struct key keys[] = {
	NUM("pid", K_INT, pid),
	NUM("tid", K_INT, tid),
	NUM("ppid", K_INT, ppid),
	NUM("uid", K_U32, uid),
	NUM("start", K_U64, start),
	NUM("since", K_SECS, since_ns),
	NUM("timeout", K_SECS, timeout_ns),
	STR("event", event),
	NUM("mode", K_MODE, mode),
	STR("rule", rule),
	STR("comm", comm),
	STR("exe", exe),
	HSTR("addr", addr),
	HNUM("fd", K_INT, fd),
	HNUM("newfd", K_INT, newfd),
	HNUM("peer", K_INT, peer),
	HSTR("peercomm", peercomm),
	HNUM("bytes", K_U64, bytes),
	NUM("argv", K_ARGV, argv),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void hold_park_init(struct hold_park *p)
{
	memset(p, 0, sizeof(*p));
	p->fd = p->newfd = -1;
}

/* --- the message ------------------------------------------------------- */

size_t hold_park_to_msg(char *buf, size_t cap, enum hold_msg_type type, const struct hold_park *p)
{
	struct hold_enc e;

	hold_enc_start(&e, buf, cap, type);
	/* PARK's pid is the process's own view; holdd takes the kernel's */
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)p->pid);
	if (type == HOLD_MSG_PARKED)
		hold_enc_num(&e, HOLD_F_UID, p->uid);
	if (p->pidns)
		hold_enc_num(&e, HOLD_F_PIDNS, p->pidns);
	if (p->flags)
		hold_enc_num(&e, HOLD_F_FLAGS, p->flags);
	hold_enc_num(&e, HOLD_F_TID, (uint64_t)p->tid);
	hold_enc_num(&e, HOLD_F_PPID, (uint64_t)p->ppid);
	hold_enc_num(&e, HOLD_F_MODE, (uint64_t)p->mode);
	hold_enc_num(&e, HOLD_F_START, p->start);
	hold_enc_num(&e, HOLD_F_SINCE_NS, p->since_ns);
	hold_enc_num(&e, HOLD_F_TIMEOUT_NS, p->timeout_ns);
	hold_enc_str(&e, HOLD_F_EVENT, p->event);
	hold_enc_str(&e, HOLD_F_RULE, p->rule);
	hold_enc_str(&e, HOLD_F_COMM, p->comm);
	hold_enc_str(&e, HOLD_F_PATH, p->exe);
	if (p->fd >= 0) {
		hold_enc_num(&e, HOLD_F_FD, (uint64_t)p->fd);
		if (p->newfd >= 0)
			hold_enc_num(&e, HOLD_F_NEWFD, (uint64_t)p->newfd);
		hold_enc_num(&e, HOLD_F_PEER, (uint64_t)p->peer);
		hold_enc_num(&e, HOLD_F_BYTES, p->bytes);
		hold_enc_str(&e, HOLD_F_ADDR, p->addr);
		hold_enc_str(&e, HOLD_F_PEERCOMM, p->peercomm);
	}
	/* argv last, as many elements as fit: a long one cuts the rest, not
	 * the message */
	for (size_t i = 0; i < p->argvlen;) {
		size_t n = strnlen(p->argv + i, p->argvlen - i);

		if (e.full || e.len + 4 + n > e.cap)
			break;
		hold_enc_mem(&e, HOLD_F_ARG, p->argv + i, n);
		i += n + 1;
	}
	return hold_enc_finish(&e);
}

void hold_park_from_msg(struct hold_park *p, const struct hold_msg *m)
{
	hold_park_init(p);
	p->pid = (int)m->num[HOLD_F_PID];
	p->uid = (uint32_t)m->num[HOLD_F_UID];
	p->tid = (int)m->num[HOLD_F_TID];
	p->ppid = (int)m->num[HOLD_F_PPID];
	p->pidns = m->num[HOLD_F_PIDNS];
	p->flags = (uint32_t)m->num[HOLD_F_FLAGS] & (HOLD_FL_UNRECORDED | HOLD_FL_TRACED);
	p->mode = m->num[HOLD_F_MODE] == HOLD_MODE_STOP ? HOLD_MODE_STOP : HOLD_MODE_SPIN;
	p->start = m->num[HOLD_F_START];
	p->since_ns = m->num[HOLD_F_SINCE_NS];
	p->timeout_ns = m->num[HOLD_F_TIMEOUT_NS];
	hold_msg_copy(m, HOLD_F_EVENT, p->event, sizeof(p->event));
	hold_msg_copy(m, HOLD_F_RULE, p->rule, sizeof(p->rule));
	hold_msg_copy(m, HOLD_F_COMM, p->comm, sizeof(p->comm));
	hold_msg_copy(m, HOLD_F_PATH, p->exe, sizeof(p->exe));
	if (hold_msg_has(m, HOLD_F_FD)) {
		p->fd = (int)m->num[HOLD_F_FD];
		p->newfd = hold_msg_has(m, HOLD_F_NEWFD) ? (int)m->num[HOLD_F_NEWFD] : -1;
		p->peer = (int)m->num[HOLD_F_PEER];
		p->bytes = m->num[HOLD_F_BYTES];
		hold_msg_copy(m, HOLD_F_ADDR, p->addr, sizeof(p->addr));
		hold_msg_copy(m, HOLD_F_PEERCOMM, p->peercomm, sizeof(p->peercomm));
	}
	for (unsigned i = 0; i < m->nargs; i++) {
		size_t n = m->arg[i].len;

		if (memchr(m->arg[i].p, '\0', n)) /* cannot be one element of an argv */
			n = strnlen(m->arg[i].p, n);
		if (p->argvlen + n + 1 > sizeof(p->argv))
			break;
		memcpy(p->argv + p->argvlen, m->arg[i].p, n);
		p->argvlen += n;
		p->argv[p->argvlen++] = '\0';
	}
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

void hold_park_argv_line(const struct hold_park *p, struct buf *b)
{
	size_t n = p->argvlen;

	while (n > 0 && p->argv[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		buf_chr(b, p->argv[i] == '\0' || p->argv[i] == '\n' ? ' ' : p->argv[i]);
}

void hold_park_to_record(struct buf *b, const struct hold_park *p)
{
	for (size_t k = 0; k < NKEYS; k++) {
		const struct key *key = &keys[k];
		const char *f = (const char *)p + key->off;

		if (key->handoff && p->fd < 0)
			continue;
		buf_str(b, key->name);
		buf_chr(b, '=');
		switch (key->kind) {
		case K_INT:
			buf_i64(b, *(const int *)f);
			break;
		case K_U32:
			buf_u64(b, *(const uint32_t *)f);
			break;
		case K_U64:
			buf_u64(b, *(const uint64_t *)f);
			break;
		case K_SECS:
			buf_secs(b, *(const uint64_t *)f, 3);
			break;
		case K_MODE:
			buf_str(b, hold_mode_name(*(const enum hold_mode *)f));
			break;
		case K_STR:
			put_escaped(b, f, strnlen(f, key->size));
			break;
		case K_ARGV: { /* whole: its elements NUL-separated, as \0 */
			size_t n = p->argvlen;

			while (n > 0 && p->argv[n - 1] == '\0')
				n--;
			put_escaped(b, p->argv, n);
			break;
		}
		}
		buf_chr(b, '\n');
	}
}

void hold_park_record_name(struct buf *b, int pid, int tid)
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

static void set(struct hold_park *p, const struct key *key, const char *v, const char *end)
{
	char *f = (char *)p + key->off;
	uint64_t scale;
	const char *neg = v < end && *v == '-' ? v++ : NULL;

	switch (key->kind) {
	case K_INT: {
		uint64_t x = digits(&v, end, &scale);

		*(int *)f = x > INT32_MAX ? -1 : neg ? -(int)x : (int)x;
		break;
	}
	case K_U32: {
		uint64_t x = digits(&v, end, &scale);

		*(uint32_t *)f = x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
		break;
	}
	case K_U64:
		*(uint64_t *)f = digits(&v, end, &scale);
		break;
	case K_SECS:
		*(uint64_t *)f = secs_ns(v, end);
		break;
	case K_MODE:
		*(enum hold_mode *)f =
			end - v == 4 && memcmp(v, "stop", 4) == 0 ? HOLD_MODE_STOP : HOLD_MODE_SPIN;
		break;
	case K_STR:
		unescape(f, key->size, v, end);
		break;
	case K_ARGV: /* its elements NUL-separated (\0 in the record) */
		p->argvlen = unescape(p->argv, sizeof(p->argv), v, end) + 1;
		break;
	}
}

int hold_park_from_record(struct hold_park *p, const char *text, size_t n)
{
	const char *end = text + n;

	hold_park_init(p);
	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *eol = nl ? nl : end, *eq = memchr(line, '=', (size_t)(eol - line));

		for (size_t k = 0; eq && k < NKEYS; k++) {
			size_t klen = strlen(keys[k].name);

			if ((size_t)(eq - line) == klen && memcmp(line, keys[k].name, klen) == 0) {
				set(p, &keys[k], eq + 1, eol);
				break;
			}
		}
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
