/* SPDX-License-Identifier: MIT */
/*
 * log-trace.c - hold log --trace FILE: what holdd saw, as a file in the
 * Trace Event Format (the JSON object form), which Perfetto
 * (ui.perfetto.dev) and chrome://tracing open: a track for each process,
 * named by what it exec'd last; its life as one slice; each fork and exec
 * an instant on it; each park a slice on the parked thread, from the park
 * to its release (or the end of the trace, if it is still parked).
 * Times are microseconds since the first event.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log-trace.h"

struct proc {
	int pid;
	uint64_t start, end; /* end 0: alive at the end of the trace */
	char name[64];
};

struct slice {
	int pid, tid;
	uint64_t start, end;
	char rule[HOLD_RULE_TEXT], event[8];
};

struct trace {
	struct proc *p;
	size_t np, capp;
	struct slice *s;
	size_t ns, caps;
	uint64_t t0, last;
	char *inst; /* the instants, already JSON */
	size_t instlen;
	FILE *ifile;
};

struct trace *trace_new(void)
{
	struct trace *t = calloc(1, sizeof(*t));

	if (t && !(t->ifile = open_memstream(&t->inst, &t->instlen))) {
		free(t);
		t = NULL;
	}
	return t;
}

static double us(const struct trace *t, uint64_t ns)
{
	return ns > t->t0 ? (double)(ns - t->t0) / 1000.0 : 0.0;
}

static struct proc *proc(struct trace *t, int pid, uint64_t now)
{
	for (size_t i = t->np; i-- > 0;)
		if (t->p[i].pid == pid && !t->p[i].end)
			return &t->p[i];
	if (t->np == t->capp) {
		struct proc *n = realloc(t->p, sizeof(*n) * (t->capp = t->capp * 2 + 64));

		if (!n)
			return NULL;
		t->p = n;
	}
	t->p[t->np] = (struct proc){pid, now, 0, ""};
	snprintf(t->p[t->np].name, sizeof(t->p->name), "pid %d", pid);
	return &t->p[t->np++];
}

static void instant(struct trace *t, int pid, uint64_t now, const char *name, const char *what,
		    size_t n)
{
	fprintf(t->ifile,
		",\n{\"ph\": \"i\", \"s\": \"t\", \"cat\": \"%s\", \"pid\": %d, \"tid\": %d, "
		"\"ts\": %.3f, \"name\": ",
		name, pid, pid, us(t, now));
	json_str(t->ifile, what, n);
	fputc('}', t->ifile);
}

void trace_event(struct trace *t, const struct hold_msg *m)
{
	uint64_t now = m->num[HOLD_F_SINCE_NS];
	int pid = (int)m->num[HOLD_F_PID], tid = (int)m->num[HOLD_F_TID];
	struct hold_str s;
	struct proc *p;
	char what[512];

	if (!t->t0 || now < t->t0)
		t->t0 = now;
	if (now > t->last)
		t->last = now;
	switch (m->type) {
	case HOLD_MSG_FORK: {
		int child = (int)m->num[HOLD_F_CHILD];
		struct proc *c;

		proc(t, pid, now);
		if ((c = proc(t, child, now)) && (p = proc(t, pid, now)))
			snprintf(c->name, sizeof(c->name), "%s", p->name);
		snprintf(what, sizeof(what), "fork %d", child);
		instant(t, pid, now, "fork", what, strlen(what));
		break;
	}
	case HOLD_MSG_EXEC:
		s = hold_msg_str(m, HOLD_F_PATH);
		if (m->num[HOLD_F_FLAGS] & HOLD_FL_FAILED) { /* the image is unchanged */
			const char *e = strerrorname_np((int)m->num[HOLD_F_ERRNO]);

			proc(t, pid, now);
			snprintf(what, sizeof(what), "exec failed (%s) %.*s", e ? e : "?",
				 (int)(s.len > 400 ? 400 : s.len), s.p);
			instant(t, pid, now, "exec", what, strlen(what));
			break;
		}
		if ((p = proc(t, pid, now))) {
			const char *base = memrchr(s.p, '/', s.len);

			snprintf(p->name, sizeof(p->name), "%.*s",
				 (int)(base ? s.len - (size_t)(base + 1 - s.p) : s.len),
				 base ? base + 1 : s.p);
		}
		snprintf(what, sizeof(what), "exec %.*s", (int)(s.len > 400 ? 400 : s.len), s.p);
		instant(t, pid, now, "exec", what, strlen(what));
		break;
	case HOLD_MSG_EXIT:
		if ((p = proc(t, pid, now)))
			p->end = now > p->start ? now : p->start + 1;
		break;
	case HOLD_MSG_PARKED:
		if (t->ns == t->caps) {
			struct slice *n = realloc(t->s, sizeof(*n) * (t->caps = t->caps * 2 + 16));

			if (!n)
				return;
			t->s = n;
		}
		proc(t, pid, now);
		t->s[t->ns] = (struct slice){pid, tid, now, 0, "", ""};
		hold_msg_copy(m, HOLD_F_RULE, t->s[t->ns].rule, sizeof(t->s->rule));
		hold_msg_copy(m, HOLD_F_EVENT, t->s[t->ns].event, sizeof(t->s->event));
		t->ns++;
		break;
	case HOLD_MSG_RELEASED:
		for (size_t i = t->ns; i-- > 0;)
			if (t->s[i].pid == pid && t->s[i].tid == tid && !t->s[i].end) {
				t->s[i].end = now;
				break;
			}
		break;
	case HOLD_MSG_HANDOFF:
		s = hold_msg_str(m, HOLD_F_ADDR);
		snprintf(what, sizeof(what), "handoff from %llu over %.*s",
			 (unsigned long long)m->num[HOLD_F_PEER], (int)(s.len > 300 ? 300 : s.len),
			 s.p);
		proc(t, pid, now);
		instant(t, pid, now, "handoff", what, strlen(what));
		break;
	}
}

int trace_write(struct trace *t, FILE *f)
{
	uint64_t end = t->last + 1;

	fflush(t->ifile);
	fputs("{\"displayTimeUnit\": \"ms\", \"otherData\": {\"producer\": \"hold log --trace\"},\n"
	      "\"traceEvents\": [\n",
	      f);
	/* the first entry, so that every later one starts with a comma */
	fputs("{\"ph\": \"M\", \"name\": \"process_name\", \"pid\": 0, \"tid\": 0, \"args\": "
	      "{\"name\": \"hold\"}}",
	      f);
	for (size_t i = 0; i < t->np; i++) {
		const struct proc *p = &t->p[i];
		uint64_t to = p->end ? p->end : end;

		fprintf(f,
			",\n{\"ph\": \"M\", \"name\": \"process_name\", \"pid\": %d, \"tid\": %d, "
			"\"args\": {\"name\": ",
			p->pid, p->pid);
		json_str(f, p->name, strlen(p->name));
		fprintf(f,
			"}},\n{\"ph\": \"X\", \"cat\": \"process\", \"pid\": %d, \"tid\": %d, "
			"\"ts\": %.3f, \"dur\": %.3f, \"name\": ",
			p->pid, p->pid, us(t, p->start), us(t, to) - us(t, p->start));
		json_str(f, p->name, strlen(p->name));
		fprintf(f, ", \"args\": {\"exited\": %s}}", p->end ? "true" : "false");
	}
	for (size_t i = 0; i < t->ns; i++) {
		const struct slice *s = &t->s[i];
		uint64_t to = s->end ? s->end : end;
		char name[HOLD_RULE_TEXT + 32];

		snprintf(name, sizeof(name), "parked at %s", s->event);
		fprintf(f,
			",\n{\"ph\": \"X\", \"cat\": \"park\", \"pid\": %d, \"tid\": %d, "
			"\"ts\": %.3f, \"dur\": %.3f, \"name\": ",
			s->pid, s->tid, us(t, s->start), us(t, to) - us(t, s->start));
		json_str(f, name, strlen(name));
		fputs(", \"args\": {\"rule\": ", f);
		json_str(f, s->rule, strlen(s->rule));
		fprintf(f, ", \"released\": %s}}", s->end ? "true" : "false");
	}
	fwrite(t->inst, 1, t->instlen, f);
	fputs("\n]}\n", f);
	return ferror(f) ? -1 : 0;
}

void trace_free(struct trace *t)
{
	if (!t)
		return;
	fclose(t->ifile);
	free(t->inst);
	free(t->p);
	free(t->s);
	free(t);
}
