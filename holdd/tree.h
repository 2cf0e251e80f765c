/* SPDX-License-Identifier: MIT */
/*
 * tree.h - holdd's process-tree store: who forked whom, who exec'd what,
 * who exited.  Pure data structure (no system calls), so it is unit-tested
 * and replayed from the journal through the same functions that build it
 * live.
 *
 * A node is one process incarnation.  Its parent is the process that forked
 * it, kept even after that parent exits (double-fork daemonisation): the
 * child is then marked re-parented instead of moving to pid 1.  Exited
 * nodes wait in exit order, in the history of their tree's owner, and are
 * pruned leaves first, past an age or past a count of that owner's: one
 * user's churn never prunes another's trees, and memory stays flat under a
 * steady fork/exec load.
 */
#ifndef HOLD_TREE_H
#define HOLD_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* A string shared by a parent and the children that inherit its image. */
struct tstr {
	uint32_t ref;
	uint16_t len;
	char s[]; /* argv: elements separated by NUL; exe: NUL-terminated */
};

struct tnode {
	struct tnode *parent, *child, *next_sib, *prev_sib;
	struct tnode *hnext;         /* pid hash chain: newest incarnation only */
	struct tnode *xprev, *xnext; /* exited, in exit order, in its owner's history */
	struct tstr *exe, *argv;
	struct tstr *failed; /* its last exec that failed: "ENOENT /no/such"; NULL: none */
	uint64_t since_ns, exit_ns;
	int pid, ppid_seen;  /* ppid_seen: getppid() at its last exec, 0 unknown */
	uint32_t uid, flags; /* HOLD_FL_* */
	uint32_t mark;       /* scratch for walks (a snapshot's positions) */
	uint32_t owner;      /* a tree's root: its owner's uid + 1; 0: not one */
	uint32_t hist;       /* exited: the index of its owner's history */
	void *watch;         /* the daemon's exit watch, if any */
};

struct tree_limits {
	uint64_t keep_ns;   /* prune exited processes older than this (0: never by age) */
	size_t keep_exited; /* and beyond this many exited processes of one owner */
};

/* One owner's exited processes, oldest exit first. */
struct tree_hist {
	uint32_t owner;
	size_t exited;
	struct tnode *xhead, *xtail;
};

struct tree {
	struct tree_limits lim;
	struct tnode **hash;
	size_t hsize, nodes, exited; /* exited: in all histories */
	struct tnode roots;          /* sentinel: its children are the roots */
	struct tree_hist *hist;      /* one per owner that had a process exit */
	size_t nhist;
	size_t bytes; /* allocated by nodes and their strings */
};

int tree_init(struct tree *t, const struct tree_limits *lim);
void tree_free(struct tree *t);

/* The newest incarnation of pid, or NULL. */
struct tnode *tree_find(const struct tree *t, int pid);

/* parent forked child (reported by parent; uid from the kernel). */
struct tnode *tree_fork(struct tree *t, uint32_t uid, int parent, int child, uint64_t now);
/* pid exec'd path with argv; ppid is its getppid() at the time. */
struct tnode *tree_exec(struct tree *t, uint32_t uid, int pid, int ppid,
			const struct hold_str *path, const struct hold_str *argv, unsigned argc,
			uint64_t now);
/* An exec of pid that failed with err: noted on its node ("ENOENT path"),
 * the node's image unchanged. */
struct tnode *tree_exec_failed(struct tree *t, uint32_t uid, int pid, int ppid,
			       const struct hold_str *path, int err, uint64_t now);
void tree_exit(struct tree *t, struct tnode *n, uint64_t now);
/* pid (alive, the kernel's word) starts a tree that belongs to uid: the
 * user who ran `hold run`.  Its descendants stay that user's, whatever
 * uid they drop to. */
struct tnode *tree_own(struct tree *t, uint32_t uid, int pid, uint64_t now);
/* The uid n's tree belongs to: its nearest owned ancestor's, or n's own
 * uid when no ancestor is owned. */
uint32_t tree_owner(const struct tnode *n);
/* A node from a journal snapshot (a NODE message) under parent (NULL: a root). */
struct tnode *tree_restore(struct tree *t, struct tnode *parent, const struct hold_msg *m);

/* Prune by the limits; calls gone() for each node before freeing it. */
size_t tree_prune(struct tree *t, uint64_t now, void (*gone)(struct tnode *, void *), void *ctx);

/* Depth-first, parents before children, from `top` (NULL: every root). */
void tree_walk(struct tree *t, struct tnode *top, void (*fn)(struct tnode *, int depth, void *),
	       void *ctx);

#endif
