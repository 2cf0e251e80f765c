/* SPDX-License-Identifier: MIT */
/*
 * tree.c - holdd's process-tree store; see tree.h.
 *
 * Events arrive as datagrams from many processes, so not in causal order: a
 * child's exec report can overtake its parent's fork report, and a parent's
 * exit can be seen before the fork it reported just before dying.  The
 * rules below make every order end in the same tree.
 */
#define _GNU_SOURCE /* strerrorname_np */
#include "tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TN_FORKED (1u << 16) /* its parent's fork report has been seen */
/* A pid seen exiting this recently is still that process: holdd sees an
 * exit through its pidfd, possibly before that process's last datagram.
 * Linux wraps pids far more slowly than this. */
#define RECENT_NS (10ull * 1000000000ull)

static size_t hslot(const struct tree *t, int pid)
{
	return ((uint32_t)pid * 2654435761u) & (t->hsize - 1);
}

int tree_init(struct tree *t, const struct tree_limits *lim)
{
	memset(t, 0, sizeof(*t));
	t->lim = *lim;
	t->hsize = 1024;
	t->hash = calloc(t->hsize, sizeof(*t->hash));
	t->bytes = t->hsize * sizeof(*t->hash);
	return t->hash ? 0 : -1;
}

struct tnode *tree_find(const struct tree *t, int pid)
{
	struct tnode *n = t->hash[hslot(t, pid)];

	while (n && n->pid != pid)
		n = n->hnext;
	return n;
}

static void hash_grow(struct tree *t)
{
	size_t old = t->hsize;
	struct tnode **oh = t->hash, **nh = calloc(old * 2, sizeof(*nh));

	if (!nh)
		return; /* keep the longer chains; still correct */
	t->hash = nh;
	t->hsize = old * 2;
	for (size_t i = 0; i < old; i++) {
		for (struct tnode *n = oh[i], *next; n; n = next) {
			size_t s = hslot(t, n->pid);

			next = n->hnext;
			n->hnext = nh[s];
			nh[s] = n;
		}
	}
	free(oh);
	t->bytes += old * sizeof(*nh);
}

/* n becomes the incarnation of its pid that tree_find returns. */
static void hash_put(struct tree *t, struct tnode *n)
{
	struct tnode **p = &t->hash[hslot(t, n->pid)];

	for (; *p; p = &(*p)->hnext) {
		if ((*p)->pid == n->pid) {
			n->hnext = (*p)->hnext;
			(*p)->hnext = NULL;
			*p = n;
			return;
		}
	}
	n->hnext = NULL;
	*p = n;
}

static void hash_del(struct tree *t, struct tnode *n)
{
	for (struct tnode **p = &t->hash[hslot(t, n->pid)]; *p; p = &(*p)->hnext) {
		if (*p == n) {
			*p = n->hnext;
			return;
		}
	}
}

/* Children: next_sib runs forward; the first child's prev_sib is the last. */
static void child_add(struct tnode *parent, struct tnode *c)
{
	struct tnode *first = parent->child;

	c->parent = parent;
	c->next_sib = NULL;
	if (!first) {
		parent->child = c;
		c->prev_sib = c;
		return;
	}
	c->prev_sib = first->prev_sib;
	first->prev_sib->next_sib = c;
	first->prev_sib = c;
}

static void child_del(struct tnode *c)
{
	struct tnode *parent = c->parent, *first = parent->child;

	if (first == c) {
		parent->child = c->next_sib;
		if (c->next_sib)
			c->next_sib->prev_sib = c->prev_sib;
	} else {
		c->prev_sib->next_sib = c->next_sib;
		if (c->next_sib)
			c->next_sib->prev_sib = c->prev_sib;
		else
			first->prev_sib = c->prev_sib;
	}
	c->parent = c->next_sib = c->prev_sib = NULL;
}

static struct tstr *str_new(struct tree *t, const char *p, size_t n)
{
	struct tstr *s;

	if (n > 0xffff)
		n = 0xffff;
	s = malloc(sizeof(*s) + n + 1);
	if (!s)
		return NULL;
	s->ref = 1;
	s->len = (uint16_t)n;
	memcpy(s->s, p, n);
	s->s[n] = '\0';
	t->bytes += sizeof(*s) + n + 1;
	return s;
}

static struct tstr *str_ref(struct tstr *s)
{
	if (s)
		s->ref++;
	return s;
}

static void str_put(struct tree *t, struct tstr *s)
{
	if (s && --s->ref == 0) {
		t->bytes -= sizeof(*s) + s->len + 1;
		free(s);
	}
}

/* argv as one string, elements separated by NUL. */
static struct tstr *argv_new(struct tree *t, const struct hold_str *argv, unsigned argc)
{
	char buf[HOLD_MSG_MAX];
	size_t n = 0;

	for (unsigned i = 0; i < argc && n + argv[i].len + 1 <= sizeof(buf); i++) {
		memcpy(buf + n, argv[i].p, argv[i].len);
		n += argv[i].len;
		buf[n++] = '\0';
	}
	return str_new(t, buf, n ? n - 1 : 0);
}

static struct tnode *node_new(struct tree *t, uint32_t uid, int pid, struct tnode *parent,
			      uint64_t now)
{
	struct tnode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->pid = pid;
	n->uid = uid;
	n->since_ns = now;
	child_add(parent ? parent : &t->roots, n);
	hash_put(t, n);
	t->nodes++;
	t->bytes += sizeof(*n);
	if (t->nodes > t->hsize)
		hash_grow(t);
	return n;
}

/* The node for a process that a report from uid names: the newest
 * incarnation of pid, unless it has exited -- long ago, or as another
 * user's process (then the pid was reused, or a report was forged). */
static struct tnode *alive_or_recent(struct tree *t, uint32_t uid, int pid, uint64_t now)
{
	struct tnode *n = tree_find(t, pid);

	if (n && (n->flags & HOLD_FL_EXITED) &&
	    (now - n->exit_ns > RECENT_NS || (n->uid != uid && uid != 0)))
		return NULL;
	return n;
}

/* Would making c a child of p close a circle (c is p or above it)? */
static int above(const struct tnode *c, const struct tnode *p)
{
	for (; p; p = p->parent)
		if (p == c)
			return 1;
	return 0;
}

static void adopt(struct tree *t, struct tnode *parent, struct tnode *c)
{
	if (c->parent == parent)
		return;
	child_del(c);
	child_add(parent, c);
	if (c->ppid_seen && c->ppid_seen != parent->pid)
		c->flags |= HOLD_FL_REPARENTED;
	(void)t;
}

struct tnode *tree_fork(struct tree *t, uint32_t uid, int parent, int child, uint64_t now)
{
	struct tnode *p = alive_or_recent(t, uid, parent, now), *c;

	if (!p && !(p = node_new(t, uid, parent, NULL, now)))
		return NULL;
	c = alive_or_recent(t, uid, child, now);
	/* No report may tie a knot (the walk would never end) or move another
	 * user's process: only root's processes fork children that change uid. */
	if (c && (above(c, p) || (c->uid != uid && uid != 0)))
		return NULL;
	/* Its exec report came first (no fork seen yet), or this fork report
	 * came twice: the same process either way. */
	if (c && (!(c->flags & TN_FORKED) || c->parent == p)) {
		adopt(t, p, c);
		c->flags |= TN_FORKED;
		return c;
	}
	if (!(c = node_new(t, uid, child, p, now)))
		return NULL;
	c->flags |= TN_FORKED;
	c->exe = str_ref(p->exe);
	c->argv = str_ref(p->argv);
	if (p->flags & HOLD_FL_EXITED) /* seen dying before its report */
		c->flags |= HOLD_FL_REPARENTED;
	return c;
}

struct tnode *tree_exec(struct tree *t, uint32_t uid, int pid, int ppid,
			const struct hold_str *path, const struct hold_str *argv, unsigned argc,
			uint64_t now)
{
	struct tnode *n = alive_or_recent(t, uid, pid, now);

	if (!n && !(n = node_new(t, uid, pid, alive_or_recent(t, uid, ppid, now), now)))
		return NULL;
	str_put(t, n->exe);
	str_put(t, n->argv);
	n->exe = str_new(t, path->p, path->len);
	n->argv = argv_new(t, argv, argc);
	n->flags |= HOLD_FL_EXECED;
	n->uid = uid; /* the kernel's word, after any setuid() since the fork */
	n->ppid_seen = ppid;
	if (n->parent != &t->roots && ppid != n->parent->pid)
		n->flags |= HOLD_FL_REPARENTED;
	return n;
}

/* The history of owner, made if it is the first of its processes to exit;
 * NULL only when memory is out. */
static struct tree_hist *hist_of(struct tree *t, uint32_t owner)
{
	struct tree_hist *h;

	for (size_t i = 0; i < t->nhist; i++)
		if (t->hist[i].owner == owner)
			return &t->hist[i];
	if (!(h = realloc(t->hist, (t->nhist + 1) * sizeof(*h))))
		return NULL;
	t->hist = h;
	h = &t->hist[t->nhist++];
	*h = (struct tree_hist){.owner = owner};
	t->bytes += sizeof(*h);
	return h;
}

static void exited_append(struct tree *t, struct tnode *n)
{
	/* the owner's history (memory out: the first one's, which exists
	 * once any process has exited, or a new one could be made) */
	struct tree_hist *h = hist_of(t, tree_owner(n));
	struct tnode *at;

	if (!h && !(h = t->nhist ? &t->hist[0] : NULL)) {
		n->flags &= ~(uint32_t)HOLD_FL_EXITED; /* stays as if running */
		return;
	}
	n->hist = (uint32_t)(h - t->hist);
	/* Keep exit order; a restored snapshot may come out of it. */
	for (at = h->xtail; at && at->exit_ns > n->exit_ns;)
		at = at->xprev;
	n->xprev = at;
	n->xnext = at ? at->xnext : h->xhead;
	if (n->xnext)
		n->xnext->xprev = n;
	else
		h->xtail = n;
	if (at)
		at->xnext = n;
	else
		h->xhead = n;
	h->exited++;
	t->exited++;
}

struct tnode *tree_exec_failed(struct tree *t, uint32_t uid, int pid, int ppid,
			       const struct hold_str *path, int err, uint64_t now)
{
	struct tnode *n = alive_or_recent(t, uid, pid, now);
	const char *name = err > 0 ? strerrorname_np(err) : NULL;
	char text[320];
	int len;

	if (!n && !(n = node_new(t, uid, pid, alive_or_recent(t, uid, ppid, now), now)))
		return NULL;
	len = snprintf(text, sizeof(text), "%s %.*s", name ? name : "E?",
		       (int)(path->len > 256 ? 256 : path->len), path->p);
	str_put(t, n->failed);
	n->failed = str_new(t, text, (size_t)len);
	return n;
}

void tree_exit(struct tree *t, struct tnode *n, uint64_t now)
{
	if (n->flags & HOLD_FL_EXITED)
		return;
	n->flags |= HOLD_FL_EXITED;
	n->exit_ns = now;
	exited_append(t, n);
	for (struct tnode *c = n->child; c; c = c->next_sib)
		if (!(c->flags & HOLD_FL_EXITED))
			c->flags |= HOLD_FL_REPARENTED;
}

struct tnode *tree_own(struct tree *t, uint32_t uid, int pid, uint64_t now)
{
	struct tnode *n = alive_or_recent(t, uid, pid, now);

	if (n && (n->flags & HOLD_FL_EXITED))
		return NULL;
	if (!n && !(n = node_new(t, uid, pid, NULL, now)))
		return NULL;
	n->owner = uid + 1;
	return n;
}

uint32_t tree_owner(const struct tnode *n)
{
	for (const struct tnode *a = n; a && a->pid; a = a->parent)
		if (a->owner)
			return a->owner - 1;
	return n->uid;
}

struct tnode *tree_restore(struct tree *t, struct tnode *parent, const struct hold_msg *m)
{
	struct tnode *n = node_new(t, (uint32_t)m->num[HOLD_F_UID], (int)m->num[HOLD_F_PID], parent,
				   m->num[HOLD_F_SINCE_NS]);

	if (!n)
		return NULL;
	n->ppid_seen = (int)m->num[HOLD_F_PPID];
	n->flags = (uint32_t)m->num[HOLD_F_FLAGS] & ~(uint32_t)HOLD_FL_PARKED;
	if (hold_msg_has(m, HOLD_F_OWNER))
		n->owner = (uint32_t)m->num[HOLD_F_OWNER] + 1;
	if (hold_msg_has(m, HOLD_F_PATH)) {
		struct hold_str p = hold_msg_str(m, HOLD_F_PATH);

		n->exe = str_new(t, p.p, p.len);
		n->argv = argv_new(t, m->arg, m->nargs);
	}
	if (hold_msg_has(m, HOLD_F_TEXT)) {
		struct hold_str f = hold_msg_str(m, HOLD_F_TEXT);

		n->failed = str_new(t, f.p, f.len);
	}
	if (n->flags & HOLD_FL_EXITED) {
		n->exit_ns = m->num[HOLD_F_EXIT_NS];
		exited_append(t, n);
	}
	return n;
}

static void node_free(struct tree *t, struct tnode *n)
{
	child_del(n);
	hash_del(t, n);
	if (n->flags & HOLD_FL_EXITED) {
		struct tree_hist *h = &t->hist[n->hist];

		if (n->xprev)
			n->xprev->xnext = n->xnext;
		else
			h->xhead = n->xnext;
		if (n->xnext)
			n->xnext->xprev = n->xprev;
		else
			h->xtail = n->xprev;
		h->exited--;
		t->exited--;
	}
	str_put(t, n->exe);
	str_put(t, n->argv);
	str_put(t, n->failed);
	t->nodes--;
	t->bytes -= sizeof(*n);
	free(n);
}

static int over_limit(const struct tree *t, const struct tree_hist *h, const struct tnode *x,
		      uint64_t now)
{
	return h->exited > t->lim.keep_exited ||
	       (t->lim.keep_ns && now > x->exit_ns && now - x->exit_ns > t->lim.keep_ns);
}

/* One pass over each owner's history, oldest exit first; only leaves go,
 * so a re-parented child keeps its exited ancestors until it is gone
 * itself. */
static size_t prune_pass(struct tree *t, uint64_t now, void (*gone)(struct tnode *, void *),
			 void *ctx)
{
	size_t removed = 0;

	for (size_t i = 0; i < t->nhist; i++) {
		struct tree_hist *h = &t->hist[i];

		for (struct tnode *x = h->xhead, *next; x && over_limit(t, h, x, now); x = next) {
			next = x->xnext;
			if (x->child)
				continue;
			if (gone)
				gone(x, ctx);
			node_free(t, x);
			removed++;
		}
	}
	return removed;
}

size_t tree_prune(struct tree *t, uint64_t now, void (*gone)(struct tnode *, void *), void *ctx)
{
	size_t total = 0, n;

	while ((n = prune_pass(t, now, gone, ctx)) > 0)
		total += n;
	return total;
}

void tree_walk(struct tree *t, struct tnode *top, void (*fn)(struct tnode *, int, void *),
	       void *ctx)
{
	struct tnode *stop = top ? top : &t->roots;
	struct tnode *n = top ? top : t->roots.child;
	int depth = 0;

	while (n) {
		fn(n, depth, ctx);
		if (n->child) {
			n = n->child;
			depth++;
			continue;
		}
		while (n != stop && !n->next_sib) {
			n = n->parent;
			depth--;
		}
		if (n == stop)
			return;
		n = n->next_sib;
	}
}

void tree_free(struct tree *t)
{
	while (t->roots.child) {
		struct tnode *n = t->roots.child;

		while (n->child) /* free leaves first */
			n = n->child;
		if (n->flags & HOLD_FL_EXITED) {
			node_free(t, n);
		} else {
			n->flags |= HOLD_FL_EXITED; /* node_free unlinks it from the list */
			exited_append(t, n);
			node_free(t, n);
		}
	}
	free(t->hash);
	t->hash = NULL;
	free(t->hist);
	t->hist = NULL;
	t->nhist = 0;
}
