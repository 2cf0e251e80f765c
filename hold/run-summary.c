/* SPDX-License-Identifier: MIT */
/*
 * run-summary.c - when hold run's tree ends, name each rule that never
 * fired, with the names it could have meant:
 *
 *   hold run: rule 'exec:*\/chidl' matched nothing; execs seen: child, sh
 *
 * The tree, not the program: a program that daemonizes exits at once while
 * its tree runs on.  Then the watcher says once what still runs and which
 * rules have not fired yet, and keeps its holdd up until the tree is done.
 *
 * hold run becomes the program (exec), so it cannot wait for it itself: a
 * watcher, double-forked away before the exec (the program gets no child
 * of ours to reap), waits on the program's pidfd.  The tree counts every
 * firing of every rule in RUNTIME_DIR/count-SESSION-HASH (libhold maps it
 * at the first firing: an image where nothing fires never opens it); the
 * names seen come from holdd's tree of the program.  The watcher is an
 * OWNER of holdd, so a private holdd stays up until it has asked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "paths.h"
#include "proc.h"
#include "rules.h"

#define SEEN_MAX 256

static int session_ours; /* run_session made it: the tree's count file is ours to remove */
#define NEAREST 4

struct seen {
	char name[SEEN_MAX][64];
	int n;
};

static void seen_add(struct seen *s, const char *path, size_t len)
{
	const char *base = memrchr(path, '/', len);
	char name[64];

	if (base) {
		len -= (size_t)(base + 1 - path);
		path = base + 1;
	}
	if (!len || s->n == SEEN_MAX)
		return;
	snprintf(name, sizeof(name), "%.*s", (int)len, path);
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return;
	snprintf(s->name[s->n++], sizeof(s->name[0]), "%s", name);
}

/* What pid's recorded tree exec'd, the names of the processes that forked
 * in it, and (live, may be NULL) "name (pid)" of each process of it still
 * alive.  -1 if no holdd answers. */
static int tree_names(int pid, struct seen *execs, struct seen *forkers, struct seen *live)
{
	static struct {
		int pid, parent;
		char name[64];
	} node[1024];
	struct client cl;
	struct hold_msg m;
	char buf[64];
	struct hold_enc e;
	int n = 0;

	if (client_open(&cl) < 0)
		return -1;
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_TREE);
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)pid);
	client_send(&cl, buf, hold_enc_finish(&e));
	while (client_next(&cl, &m, 5000) == 1 && m.type == HOLD_MSG_NODE && n < 1024) {
		struct hold_str path = hold_msg_str(&m, HOLD_F_PATH);

		if (m.num[HOLD_F_FLAGS] & HOLD_FL_EXECED)
			seen_add(execs, path.p, path.len);
		node[n].pid = (int)m.num[HOLD_F_PID];
		node[n].parent = (int)m.num[HOLD_F_PARENT];
		snprintf(node[n++].name, sizeof(node[0].name), "%.*s", (int)path.len, path.p);
		/* the program itself has exited: its node may not say so yet */
		if (live && !(m.num[HOLD_F_FLAGS] & HOLD_FL_EXITED) &&
		    m.num[HOLD_F_PID] != (uint64_t)pid) {
			const char *base = memrchr(path.p, '/', path.len);
			size_t blen = base ? path.len - (size_t)(base + 1 - path.p) : path.len;
			char one[64];

			snprintf(one, sizeof(one), "%.*s (%d)", (int)(blen > 40 ? 40 : blen),
				 base ? base + 1 : path.p, (int)m.num[HOLD_F_PID]);
			seen_add(live, one, strlen(one));
		}
	}
	client_close(&cl);
	for (int i = 0; i < n; i++) /* a parent of another: it forked */
		for (int k = 0; k < n; k++)
			if (node[k].parent == node[i].pid) {
				seen_add(forkers, node[i].name, strlen(node[i].name));
				break;
			}
	return 0;
}

/* A glob's last path component, its wildcards dropped: what to compare. */
static void stem(const char *glob, char *out, size_t cap)
{
	const char *base = strrchr(glob, '/');
	size_t n = 0;

	for (const char *p = base ? base + 1 : glob; *p && n + 1 < cap; p++)
		if (!strchr("*?[]", *p))
			out[n++] = *p;
	out[n] = '\0';
}

/* ", a, b": the seen names nearest to glob, NEAREST at most. */
static void nearest(const struct seen *s, const char *glob, char *out, size_t cap)
{
	char want[64];
	int dist[SEEN_MAX]; /* -1 once taken */
	size_t n = 0;

	stem(glob, want, sizeof(want));
	for (int i = 0; i < s->n; i++)
		dist[i] = text_distance(want, s->name[i]);
	out[0] = '\0';
	for (int k = 0; k < NEAREST && k < s->n; k++) {
		int best = -1;

		for (int i = 0; i < s->n; i++)
			if (dist[i] >= 0 &&
			    (best < 0 || dist[i] < dist[best] ||
			     (dist[i] == dist[best] && strcmp(s->name[i], s->name[best]) < 0)))
				best = i;
		if (best < 0)
			break;
		dist[best] = -1;
		n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", k ? ", " : "",
				      s->name[best]);
	}
}

static int kernel_run;     /* the kernel follower parks in the tree, not libhold */
static uint64_t run_start; /* the program's field 22: which tree it is to holdd */

/* How often each rule fired: libhold counts in the tree's count file (all 0
 * if none: nothing fired), the kernel follower in holdd.  -1 if holdd no
 * longer knows. */
static int fired(const struct hold_ruleset *rs, const char *session, int pid, uint32_t *out)
{
	char path[4200];
	int fd;

	memset(out, 0, sizeof(uint32_t) * HOLD_RULES_MAX);
	if (kernel_run) {
		struct client cl;
		struct hold_msg m;
		struct hold_enc e;
		unsigned n = 0;

		if (client_open(&cl) < 0)
			return -1;
		hold_enc_start(&e, path, sizeof(path), HOLD_MSG_WATCH);
		hold_enc_num(&e, HOLD_F_PID, (uint64_t)pid);
		hold_enc_num(&e, HOLD_F_START, run_start);
		client_send(&cl, path, hold_enc_finish(&e));
		while (client_next(&cl, &m, 5000) == 1 && m.type == HOLD_MSG_FIRED)
			if (n < rs->n)
				out[n++] = (uint32_t)m.num[HOLD_F_COUNT];
		client_close(&cl);
		return m.type == HOLD_MSG_DONE && n == rs->n ? 0 : -1;
	}
	snprintf(path, sizeof(path), "%s/count-%s-%u", hold_runtime_dir(), session,
		 hold_rules_hash(rs));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	if (pread(fd, out, sizeof(uint32_t) * rs->n, 0) < 0)
		memset(out, 0, sizeof(uint32_t) * HOLD_RULES_MAX);
	close(fd);
	return 0;
}

/* The program (pid) has exited.  While processes of its tree live on (a
 * daemon that forked away), say once what still runs and which rules
 * have not fired yet, and wait; when the tree is done, name each rule that
 * never fired, with the names it could have meant, and remove the tree's
 * count file.  A rule that fired, early or late, is never called unmatched. */
static void report(const char *rules, const char *session, int pid)
{
	static struct hold_ruleset rs;
	uint32_t count[HOLD_RULES_MAX];
	struct seen *execs = calloc(1, sizeof(*execs)), *forkers = calloc(1, sizeof(*forkers)),
		    *live = calloc(1, sizeof(*live));
	char path[4200], names[1024];
	int said = 0;

	if (!execs || !forkers || !live)
		return;
	hold_rules_parse(&rs, rules, "--rule", NULL, NULL);
	for (int look = 0;; look++) {
		live->n = execs->n = forkers->n = 0;
		if (tree_names(pid, execs, forkers, live) < 0 || !live->n)
			break;
		if (!look) { /* exits at the program's own: holdd may be a moment behind */
			usleep(200000);
			continue;
		}
		if (!said++) {
			names[0] = '\0';
			for (int i = 0, n = 0; i < live->n && i < 8; i++)
				n += snprintf(names + n, sizeof(names) - (size_t)n, "%s%s",
					      i ? ", " : "", live->name[i]);
			int known = fired(&rs, session, pid, count) == 0;

			fprintf(stderr, "hold run: pid %d exited; its tree still runs: %s%s\n", pid,
				text_vis(names), live->n > 8 ? ", ..." : "");
			for (unsigned i = 0; known && i < rs.n; i++)
				if (!count[i])
					fprintf(stderr, "hold run: rule '%s' has not fired yet\n",
						text_vis(rs.rule[i].text));
		}
		/* a daemon's tree may live for days: ask holdd (which walks
		 * the whole tree to answer) every second at first, then every
		 * five */
		sleep(look < 30 ? 1 : 5);
	}
	if (fired(&rs, session, pid, count) < 0) {
		/* a rule that fired must never be called unmatched */
		fprintf(stderr,
			"hold run: holdd no longer knows which rules fired in pid %d's tree\n",
			pid);
		rs.n = 0;
	}
	for (unsigned i = 0; i < rs.n; i++) {
		const struct hold_rule *r = &rs.rule[i];
		char near[512] = "";

		if (count[i])
			continue;
		if (r->event == HOLD_EV_EXEC && execs->n)
			nearest(execs, r->pattern[0] ? r->pattern : r->comm, near, sizeof(near));
		else if (r->event == HOLD_EV_FORK && forkers->n)
			nearest(forkers, r->comm, near, sizeof(near));
		fprintf(stderr, "hold run: rule '%s' matched nothing%s%s\n", text_vis(r->text),
			near[0] ? (r->event == HOLD_EV_EXEC ? "; execs seen: "
							    : "; processes that forked: ")
				: "",
			text_vis(near));
	}
	/* the tree is done: its count file goes with it, unless the session
	 * is the caller's (HOLD_SESSION), which other runs share */
	if (session_ours && !kernel_run) {
		snprintf(path, sizeof(path), "%s/count-%s-%u", hold_runtime_dir(), session,
			 hold_rules_hash(&rs));
		unlink(path);
	}
	free(execs);
	free(forkers);
	free(live);
}

/* Stay an OWNER of holdd: a private one waits for this process too. */
static void own_holdd(void)
{
	struct client cl;
	struct hold_msg m;
	char buf[32];
	struct hold_enc e;

	if (client_open(&cl) < 0)
		return;
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_OWNER);
	hold_enc_num(&e, HOLD_F_FLAGS, HOLD_FL_NOTREE); /* it is no program of the tree */
	client_send(&cl, buf, hold_enc_finish(&e));
	client_next(&cl, &m, 5000);
	client_close(&cl);
}

/* The watcher: pidfd (fd 3) is the program's. */
static void __attribute__((noreturn)) watch(const char *rules, const char *session, int pid)
{
	struct pollfd p = {.fd = 3, .events = POLLIN};

	while (poll(&p, 1, -1) < 0)
		;
	report(rules, session, pid);
	_exit(0);
}

const char *run_session(void)
{
	static char s[33];
	unsigned char r[16];
	const char *have = getenv("HOLD_SESSION");

	session_ours = 0;
	if (have && *have && !strchr(have, '/'))
		return have;
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return NULL;
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(s + 2 * i, 3, "%02x", r[i]);
	setenv("HOLD_SESSION", s, 1);
	session_ours = 1;
	return s;
}

static int go_fd = -1; /* the watcher reads which engine parks from it */

void run_summary_start(const char *rules, const char *session)
{
	pid_t self = getpid(), c;
	int pfd, ready[2], go[2], null;
	char ch;

	if (!rules[0] || !session)
		return;
	run_start = proc_starttime(self);
	/* opened here, before the program can exit and its pid be reused */
	if ((pfd = (int)syscall(SYS_pidfd_open, self, 0)) < 0)
		return;
	if (pipe2(ready, O_CLOEXEC) < 0) {
		close(pfd);
		return;
	}
	if (pipe2(go, O_CLOEXEC) < 0) {
		close(pfd);
		close(ready[0]);
		close(ready[1]);
		return;
	}
	fflush(NULL);
	if ((c = fork()) == 0) {
		if (fork() == 0) {
			/* the terminal's keys, its stdin and stdout, and every
			 * other fd are the program's */
			signal(SIGINT, SIG_IGN);
			signal(SIGQUIT, SIG_IGN);
			signal(SIGTSTP, SIG_IGN);
			signal(SIGTTOU, SIG_IGN);
			if ((null = open("/dev/null", O_RDWR)) >= 0) {
				dup2(null, 0);
				dup2(null, 1);
			}
			dup2(pfd, 3);
			dup2(ready[1], 4);
			dup2(go[0], 5);
			syscall(SYS_close_range, 6, ~0u, 0);
			own_holdd(); /* before the program runs: it may end at once */
			close(4);
			/* no word: hold run failed before the program ran */
			if (read(5, &ch, 1) != 1)
				_exit(0);
			kernel_run = ch == 'k';
			close(5);
			watch(rules, session, self);
		}
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	go_fd = go[1];
	close(pfd);
	if (c > 0) {
		waitpid(c, NULL, 0); /* reaped now: the program has no child of ours */
		while (read(ready[0], &ch, 1) < 0 && errno == EINTR)
			; /* end of file: the watcher is holdd's owner now */
	}
	close(ready[0]);
}

void run_summary_go(int kernel)
{
	if (kernel == 1 && session_ours) /* no libhold in the tree to share it */
		unsetenv("HOLD_SESSION");
	if (go_fd < 0)
		return;
	if (kernel >= 0) /* a watcher that is gone gives no summary */
		(void)!write(go_fd, kernel ? "k" : "p", 1);
	close(go_fd);
	go_fd = -1;
}
