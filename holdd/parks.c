/*
 * parks.c - what is parked right now, and releasing it.
 *
 * A spinning thread is released by a RELEASE on its own connection; a
 * stopped process (mode=stop) by SIGCONT through a pidfd, so a recycled
 * pid is never signalled.  A park ends when its thread says RELEASED (and
 * by whom) or its connection closes.  Stopped processes cannot reconnect
 * after a holdd restart, so holdd finds them in the spool instead.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <unistd.h>

#include "holdd.h"
#include "rules.h"
#include "record.h"

static const char *by_name(uint64_t by)
{
	static const char *const names[HOLD_BY_END_] = {
		[HOLD_BY_GDB] = "its hold flag (gdb)",
		[HOLD_BY_TIMEOUT] = "its timeout",
		[HOLD_BY_SIGCONT] = "SIGCONT",
		[HOLD_BY_DAEMON] = "hold release",
	};

	return by < HOLD_BY_END_ ? names[by] : "?";
}

static char *dup_str(const struct hold_msg *m, enum hold_field f)
{
	const struct hold_str *s = &m->str[f - HOLD_F_PATH];

	return strndup(hold_msg_has(m, f) ? s->p : "", hold_msg_has(m, f) ? s->len : 0);
}

static int pidfd_of(int pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void park_free(struct park *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		D.parks = p->next;
	if (p->next)
		p->next->prev = p->prev;
	D.nparks--;
	if (p->pidfd >= 0)
		close(p->pidfd);
	free(p->event);
	free(p->rule);
	free(p->comm);
	free(p->exe);
	free(p->argv);
	free(p->addr);
	free(p->peercomm);
	free(p->spool);
	free(p);
}

static void park_link(struct park *p)
{
	p->next = D.parks;
	if (D.parks)
		D.parks->prev = p;
	D.parks = p;
	D.nparks++;
}

static size_t enc_parked(char *buf, size_t cap, const struct park *p)
{
	struct hold_enc e;

	hold_enc_start(&e, buf, cap, HOLD_MSG_PARKED);
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)p->pid);
	hold_enc_num(&e, HOLD_F_TID, (uint64_t)p->tid);
	hold_enc_num(&e, HOLD_F_PPID, (uint64_t)p->ppid);
	hold_enc_num(&e, HOLD_F_UID, p->uid);
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
		hold_enc_num(&e, HOLD_F_PEER, (uint64_t)p->peer);
		hold_enc_num(&e, HOLD_F_BYTES, p->bytes);
		hold_enc_str(&e, HOLD_F_ADDR, p->addr);
		hold_enc_str(&e, HOLD_F_PEERCOMM, p->peercomm);
	}
	for (size_t i = 0; i < p->argvlen; i += strlen(p->argv + i) + 1)
		if (e.len + strlen(p->argv + i) + 64 < cap)
			hold_enc_str(&e, HOLD_F_ARG, p->argv + i);
	return hold_enc_finish(&e);
}

static int base_match(const char *glob, const char *path)
{
	const char *slash = strrchr(path, '/');

	return hold_glob(glob, path) || (slash && hold_glob(glob, slash + 1));
}

/* Answer every `hold wait` this park satisfies. */
static void notify_waiters(const struct park *p)
{
	char buf[HOLD_MSG_MAX];
	size_t n = 0;

	for (struct conn *c = D.conns; c; c = c->next) {
		if (c->state != C_WAITING || !may_see(c, p->uid) || p->since_ns < c->wait_from)
			continue;
		if (c->glob && !base_match(c->glob, p->exe) && !hold_glob(c->glob, p->comm))
			continue;
		if (!n)
			n = enc_parked(buf, sizeof(buf), p);
		conn_send(c, buf, n);
		c->state = C_READY;
	}
}

void parks_add(struct conn *c, const struct hold_msg *m)
{
	struct park *p = calloc(1, sizeof(*p));

	if (!p) {
		c->closing = 1;
		return;
	}
	p->conn = c;
	p->pid = c->pid; /* the kernel's word, not the message's */
	p->uid = c->uid;
	p->tid = (int)m->num[HOLD_F_TID];
	p->ppid = (int)m->num[HOLD_F_PPID];
	p->mode = (int)m->num[HOLD_F_MODE];
	p->start = m->num[HOLD_F_START];
	p->since_ns = hold_msg_has(m, HOLD_F_SINCE_NS) ? m->num[HOLD_F_SINCE_NS] : now_ns();
	p->timeout_ns = m->num[HOLD_F_TIMEOUT_NS];
	p->pidfd = p->mode == HOLD_MODE_STOP ? pidfd_of(p->pid) : -1;
	p->event = dup_str(m, HOLD_F_EVENT);
	p->rule = dup_str(m, HOLD_F_RULE);
	p->comm = dup_str(m, HOLD_F_COMM);
	p->exe = dup_str(m, HOLD_F_PATH);
	p->addr = dup_str(m, HOLD_F_ADDR);
	p->peercomm = dup_str(m, HOLD_F_PEERCOMM);
	p->fd = hold_msg_has(m, HOLD_F_FD) ? (int)m->num[HOLD_F_FD] : -1;
	p->peer = (int)m->num[HOLD_F_PEER];
	p->bytes = m->num[HOLD_F_BYTES];
	p->argv = malloc(HOLD_MSG_MAX);
	for (unsigned i = 0; p->argv && i < m->nargs; i++) {
		memcpy(p->argv + p->argvlen, m->arg[i].p, m->arg[i].len);
		p->argvlen += m->arg[i].len;
		p->argv[p->argvlen++] = '\0';
	}
	/* a stopped process found in the spool, now reconnected */
	for (struct park *o = D.parks; o; o = o->next) {
		if (!o->conn && o->pid == p->pid && o->tid == p->tid) {
			park_free(o);
			break;
		}
	}
	park_link(p);
	c->state = C_PARKED;
	c->park = p;
	hlog(LOG_INFO, "pid %d thread %d (%s) parked at %s%s%s by rule '%s'", p->pid, p->tid,
	     p->comm, p->event, p->fd >= 0 ? " on " : "", p->fd >= 0 ? p->addr : "", p->rule);
	if (p->fd >= 0 && hold_msg_has(m, HOLD_F_ADDR))
		store_handoff(p);
	notify_waiters(p);
}

void parks_released(struct conn *c, const struct hold_msg *m)
{
	struct park *p = c->park;

	hlog(LOG_INFO, "pid %d thread %d released by %s", p->pid, p->tid,
	     by_name(m->num[HOLD_F_BY]));
	park_free(p);
	c->park = NULL;
	c->state = C_READY;
	c->closing = 1;
}

void parks_conn_gone(struct conn *c)
{
	if (!c->park)
		return;
	/* The process died, or its fd was closed under it (it reconnects). */
	hlog(LOG_INFO, "pid %d thread %d: connection closed while parked", c->park->pid,
	     c->park->tid);
	park_free(c->park);
	c->park = NULL;
}

void parks_list(struct conn *c)
{
	char buf[HOLD_MSG_MAX];
	uint64_t n = 0;

	for (struct park *p = D.parks; p; p = p->next) {
		if (!may_see(c, p->uid))
			continue;
		conn_send(c, buf, enc_parked(buf, sizeof(buf), p));
		n++;
	}
	conn_done(c, n);
}

static int release_one(struct park *p)
{
	char buf[64];
	struct hold_enc e;

	if (p->mode == HOLD_MODE_STOP) {
		if (p->pidfd < 0)
			return -1;
		return (int)syscall(SYS_pidfd_send_signal, p->pidfd, SIGCONT, NULL, 0);
	}
	if (!p->conn)
		return -1;
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_RELEASE);
	hold_enc_num(&e, HOLD_F_TID, (uint64_t)p->tid);
	conn_send(p->conn, buf, hold_enc_finish(&e));
	return 0;
}

void parks_release(struct conn *c, const struct hold_msg *m)
{
	int all = (m->num[HOLD_F_FLAGS] & HOLD_FL_ALL) != 0;
	int pid = (int)m->num[HOLD_F_PID], tid = (int)m->num[HOLD_F_TID];
	uint64_t n = 0;

	if (!all && !hold_msg_has(m, HOLD_F_PID)) {
		conn_error(c, "say what to release: PID, PID/TID or --all");
		return;
	}
	for (struct park *p = D.parks; p; p = p->next) {
		if (!may_see(c, p->uid) || (!all && (p->pid != pid || (tid && p->tid != tid))))
			continue;
		if (release_one(p) == 0)
			n++;
	}
	if (n == 0 && !all) {
		if (tid)
			conn_error(c,
				   "%d/%d is not parked, or not yours (hold ls lists what you can "
				   "release)",
				   pid, tid);
		else
			conn_error(c,
				   "pid %d is not parked, or not yours (hold ls lists what you can "
				   "release)",
				   pid);
		return;
	}
	conn_done(c, n);
}

void parks_wait(struct conn *c, const struct hold_msg *m)
{
	const struct hold_str *g = &m->str[HOLD_F_TEXT - HOLD_F_PATH];

	c->glob = hold_msg_has(m, HOLD_F_TEXT) ? strndup(g->p, g->len) : NULL;
	/* FLAGS=ALL: a park already there will do too; SINCE_NS: one since
	 * the client started (it may have parked before we heard of it) */
	if (m->num[HOLD_F_FLAGS] & HOLD_FL_ALL)
		c->wait_from = 0;
	else if (hold_msg_has(m, HOLD_F_SINCE_NS))
		c->wait_from = m->num[HOLD_F_SINCE_NS];
	else
		c->wait_from = now_ns();
	c->state = C_WAITING;
	for (struct park *p = D.parks; p && c->state == C_WAITING; p = p->next)
		notify_waiters(p);
}

void parks_recover_spool(void)
{
	struct spool_rec *r;
	int n = spool_read(D.runtime_dir, &r);

	for (int i = 0; i < n; i++) {
		struct park *p;
		struct stat st;
		char path[4200];

		if (strcmp(r[i].mode, "stop") != 0 || !(p = calloc(1, sizeof(*p))))
			continue;
		snprintf(path, sizeof(path), "%s/park-%d-%d", D.runtime_dir, r[i].pid, r[i].tid);
		p->uid = stat(path, &st) == 0 ? st.st_uid : 0; /* libhold wrote it as that uid */
		p->pid = r[i].pid;
		p->tid = r[i].tid;
		p->ppid = r[i].ppid;
		p->mode = HOLD_MODE_STOP;
		p->start = r[i].start;
		p->since_ns = r[i].since_ns;
		p->timeout_ns = r[i].timeout_ns;
		p->pidfd = pidfd_of(p->pid);
		p->event = strdup(r[i].event);
		p->rule = strdup(r[i].rule);
		p->comm = strdup(r[i].comm);
		p->exe = strdup(r[i].exe);
		p->argv = strdup(r[i].argv); /* spaces, not NULs: one element */
		p->argvlen = strlen(r[i].argv) + 1;
		p->addr = strdup(r[i].addr);
		p->peercomm = strdup("");
		p->fd = r[i].addr[0] ? r[i].fd : -1;
		p->peer = r[i].peer;
		p->spool = strdup(path);
		park_link(p);
		hlog(LOG_INFO, "pid %d (%s) is stopped at %s (found in %s)", p->pid, p->comm,
		     p->event, D.runtime_dir);
	}
	free(r);
}

void parks_tick(void)
{
	struct park *next;

	/* a stopped process from the spool is gone once its record is */
	for (struct park *p = D.parks; p; p = next) {
		next = p->next;
		if (p->spool && access(p->spool, F_OK) != 0)
			park_free(p);
	}
	if (D.private_run && D.owners == 0 && D.nparks == 0) {
		hlog(LOG_INFO, "the run is over and nothing is parked: stopping");
		D.stop = 1;
	}
}
