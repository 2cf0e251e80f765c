/* SPDX-License-Identifier: MIT */
/* Unit tests for holdd's process-tree store (holdd/tree.c): event orders,
 * double-fork re-parenting, pid reuse, pruning and flat memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "tree.h"

#define S (1000000000ull)

static struct tree t;

static int setup(void **st)
{
	struct tree_limits lim = {.keep_ns = 60 * S, .keep_exited = 100};

	return tree_init(&t, &lim);
}

static int teardown(void **st)
{
	tree_free(&t);
	return 0;
}

static struct tnode *exec(int pid, int ppid, const char *path, uint64_t now)
{
	struct hold_str p = {path, (uint16_t)strlen(path)};
	struct hold_str argv[2] = {p, {"-x", 2}};

	return tree_exec(&t, 1000, pid, ppid, &p, argv, 2, now);
}

static void test_fork_then_exec(void **st)
{
	struct tnode *d = exec(100, 1, "/usr/sbin/libvirtd", 1);
	struct tnode *c = tree_fork(&t, 1000, 100, 101, 2);

	assert_ptr_equal(c->parent, d);
	assert_string_equal(c->exe->s, "/usr/sbin/libvirtd"); /* inherited image */
	assert_ptr_equal(exec(101, 100, "/usr/bin/qemu", 3), c);
	assert_string_equal(c->exe->s, "/usr/bin/qemu");
	assert_true(c->flags & HOLD_FL_EXECED);
	assert_false(c->flags & HOLD_FL_REPARENTED);
	assert_int_equal(t.nodes, 2);
}

static void test_exec_overtakes_fork(void **st)
{
	struct tnode *d = exec(100, 1, "/bin/sh", 1);
	struct tnode *c = exec(101, 100, "/bin/true", 2); /* child's report first */

	assert_ptr_equal(c->parent, d);
	assert_ptr_equal(tree_fork(&t, 1000, 100, 101, 3), c);
	assert_ptr_equal(c->parent, d);
	assert_string_equal(c->exe->s, "/bin/true"); /* the fork does not undo the exec */
	assert_int_equal(t.nodes, 2);
}

/* libvirt: libvirtd forks A, A forks B and exits, B execs qemu. */
static void test_double_fork_keeps_ancestor(void **st)
{
	struct tnode *d = exec(100, 1, "/usr/sbin/libvirtd", 1);
	struct tnode *a = tree_fork(&t, 1000, 100, 200, 2);
	struct tnode *b = tree_fork(&t, 1000, 200, 201, 3);

	tree_exit(&t, a, 4);
	assert_true(b->flags & HOLD_FL_REPARENTED);
	assert_ptr_equal(exec(201, 1, "/usr/bin/qemu-system-x86_64", 5), b);
	assert_ptr_equal(b->parent, a);
	assert_ptr_equal(a->parent, d);
}

static void test_double_fork_exec_before_forks(void **st)
{
	struct tnode *d = exec(100, 1, "/usr/sbin/libvirtd", 1);
	struct tnode *b = exec(201, 1, "/usr/bin/qemu", 2); /* nothing known yet */
	struct tnode *a;

	assert_null(b->parent->parent); /* a root, for now */
	a = tree_fork(&t, 1000, 100, 200, 3);
	assert_ptr_equal(tree_fork(&t, 1000, 200, 201, 4), b);
	assert_ptr_equal(b->parent, a);
	assert_ptr_equal(a->parent, d);
	assert_true(b->flags & HOLD_FL_REPARENTED); /* its ppid was 1, not 200 */
}

static void test_parent_exit_seen_before_its_fork_report(void **st)
{
	struct tnode *a = exec(200, 1, "/bin/sh", 1);
	struct tnode *b;

	tree_exit(&t, a, 2);
	b = tree_fork(&t, 1000, 200, 201, 3);
	assert_ptr_equal(b->parent, a);
	assert_true(b->flags & HOLD_FL_REPARENTED);
}

static void test_pid_reuse_is_a_new_node(void **st)
{
	struct tnode *old = exec(300, 1, "/bin/a", 1);
	struct tnode *new;

	tree_exit(&t, old, 2);
	new = exec(300, 1, "/bin/b", 2 + 3600 * S);
	assert_ptr_not_equal(new, old);
	assert_ptr_equal(tree_find(&t, 300), new);
	assert_int_equal(t.nodes, 2);
}

static void test_second_fork_of_reused_pid(void **st)
{
	struct tnode *p = exec(400, 1, "/bin/p", 1);
	struct tnode *c1 = tree_fork(&t, 1000, 400, 401, 2);
	struct tnode *c2;

	tree_exit(&t, c1, 3);
	c2 = tree_fork(&t, 1000, 400, 401, 4); /* same parent forked the pid again */
	(void)p;
	/* a forked, exited node with the same parent within RECENT is taken as
	 * the same report twice: the store cannot tell without start times */
	assert_ptr_equal(c2, c1);
	c2 = tree_fork(&t, 1000, 400, 401, 4 + 3600 * S);
	assert_ptr_not_equal(c2, c1);
}

static int count_fn_n;
static void count_fn(struct tnode *n, int depth, void *ctx)
{
	int *maxd = ctx;

	count_fn_n++;
	if (depth > *maxd)
		*maxd = depth;
}

static void test_walk_order_and_depth(void **st)
{
	struct tnode *r = exec(1, 0, "/sbin/init", 1);
	int maxd = 0;

	for (int i = 0; i < 50; i++)
		tree_fork(&t, 1000, 2 + i - 1 < 2 ? 1 : 2 + i - 1, 2 + i, 2); /* a chain */
	count_fn_n = 0;
	tree_walk(&t, NULL, count_fn, &maxd);
	assert_int_equal(count_fn_n, 51);
	assert_int_equal(maxd, 50);
	count_fn_n = 0;
	maxd = 0;
	tree_walk(&t, tree_find(&t, 40), count_fn, &maxd);
	assert_int_equal(count_fn_n, 12); /* 40..51 */
	assert_int_equal(maxd, 11);
	(void)r;
}

/* A steady fork/exec/exit load: nodes and bytes stay flat. */
static void test_prune_keeps_memory_flat(void **st)
{
	uint64_t now = 1;
	size_t bytes_at_1k = 0;

	exec(10, 1, "/usr/bin/make", now);
	for (int i = 0; i < 20000; i++) {
		int pid = 1000 + i;
		struct tnode *c = tree_fork(&t, 1000, 10, pid, now);

		exec(pid, 10, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", now);
		tree_exit(&t, c, now);
		tree_prune(&t, now, NULL, NULL);
		now += 1000;
		if (i == 1000)
			bytes_at_1k = t.bytes;
	}
	assert_true(t.exited <= 100);
	assert_true(t.nodes <= 101);
	assert_true(t.bytes <= bytes_at_1k);
}

/* History is kept per owner: one user's churn never prunes another's
 * trees.  400 short-lived processes of uid 2000, with a limit of 100
 * exited processes, leave uid 1000's exited ones all there. */
static void test_prune_is_per_owner(void **st)
{
	uint64_t now = 1;
	exec(10, 1, "/usr/sbin/a-daemon", now); /* uid 1000's */
	for (int i = 0; i < 50; i++) {          /* A: 50 exited workers */
		struct tnode *c = tree_fork(&t, 1000, 10, 100 + i, now);

		tree_exit(&t, c, now++);
	}
	exec(20, 1, "/bin/sh", now)->uid = 2000; /* B's */
	for (int i = 0; i < 400; i++) {          /* B: 400 short-lived children */
		struct tnode *c = tree_fork(&t, 2000, 20, 1000 + i, now);

		tree_exit(&t, c, now++);
		tree_prune(&t, now, NULL, NULL);
	}
	for (int i = 0; i < 50; i++) {
		struct tnode *c = tree_find(&t, 100 + i);

		assert_non_null(c);
		assert_true(c->flags & HOLD_FL_EXITED);
	}
	assert_true(t.exited <= 50 + 100);
	assert_null(tree_find(&t, 1000)); /* B's oldest went */
	assert_non_null(tree_find(&t, 1399));
}

static void test_prune_by_age_leaves_first(void **st)
{
	struct tnode *a = exec(10, 1, "/bin/a", 1);
	struct tnode *b = tree_fork(&t, 1000, 10, 11, 2);
	struct tnode *c = tree_fork(&t, 1000, 11, 12, 3);

	tree_exit(&t, a, 4);
	tree_exit(&t, b, 5);
	assert_int_equal(tree_prune(&t, 100 * S, NULL, NULL), 0); /* c lives */
	assert_int_equal(t.nodes, 3);
	tree_exit(&t, c, 200 * S);
	/* a and b are old, but c is young and they are its ancestors */
	assert_int_equal(tree_prune(&t, 201 * S, NULL, NULL), 0);
	assert_int_equal(t.nodes, 3);
	assert_int_equal(tree_prune(&t, 300 * S, NULL, NULL), 3); /* c, then b, then a */
	assert_int_equal(t.nodes, 0);
}

/* Is a an ancestor of n (or n itself)? */
static int under(const struct tnode *n, const struct tnode *a)
{
	for (; n; n = n->parent)
		if (n == a)
			return 1;
	return 0;
}

static void count(struct tnode *n, int depth, void *ctx)
{
	(void)n;
	(void)depth;
	(*(int *)ctx)++;
}

/* A fork report naming the reporter itself, or one of its ancestors, as
 * the child would make a cycle that no walk leaves: refused. */
static void test_fork_cycle_refused(void **st)
{
	struct tnode *a = exec(100, 1, "/bin/sh", 1), *b, *c;
	int n = 0;

	b = tree_fork(&t, 1000, 100, 101, 2);
	c = tree_fork(&t, 1000, 101, 102, 3);
	assert_non_null(c);
	assert_null(tree_fork(&t, 1000, 102, 102, 4)); /* itself */
	assert_null(tree_fork(&t, 1000, 102, 100, 5)); /* its grandparent */
	assert_null(tree_fork(&t, 1000, 102, 101, 6)); /* its parent */
	assert_true(under(c, b) && under(b, a));
	assert_ptr_equal(a->parent, &t.roots);
	tree_walk(&t, NULL, count, &n);
	assert_int_equal(n, 3);
}

/* A report by one user cannot move, or reuse, another user's process. */
static void test_fork_of_another_users_node_refused(void **st)
{
	struct tnode *v = exec(200, 1, "/usr/sbin/sshd", 1); /* uid 1000 */
	struct tnode *m = tree_exec(&t, 2000, 300, 1, &(struct hold_str){"/x", 2}, NULL, 0, 2);

	assert_null(tree_fork(&t, 2000, 300, 200, 3));
	assert_ptr_equal(v->parent, &t.roots);
	assert_null(m->child);
	/* root may: a daemon forks a worker that dropped to another uid */
	assert_ptr_equal(tree_fork(&t, 0, 300, 200, 4), v);
	assert_ptr_equal(v->parent, m);
	/* an exited node of another uid is not reused by a new report */
	tree_exit(&t, v, 5);
	assert_ptr_not_equal(tree_exec(&t, 2000, 200, 1, &(struct hold_str){"/y", 2}, NULL, 0, 6),
			     v);
}

/* root's hold run (pid 100) owns the tree; a worker that switched to uid
 * 33 after its fork, and the double-forked daemon under it, stay root's
 * tree; a process outside it is its own. */
static void test_owner_survives_uid_switch(void **st)
{
	struct hold_str p = {"/usr/sbin/nginx", 15};
	struct tnode *run = tree_own(&t, 0, 100, 1);
	struct tnode *w, *other;

	assert_non_null(run);
	assert_non_null(tree_exec(&t, 0, 100, 1, &p, &p, 1, 2));
	assert_non_null(tree_fork(&t, 0, 100, 101, 3));
	assert_non_null(tree_fork(&t, 0, 101, 102, 4));
	tree_exit(&t, tree_find(&t, 101), 5); /* the daemon's double fork */
	w = tree_exec(&t, 33, 102, 1, &p, &p, 1, 6);
	assert_int_equal(w->uid, 33); /* the kernel's word at its exec */
	assert_int_equal(tree_owner(w), 0);
	other = tree_exec(&t, 33, 200, 1, &p, &p, 1, 7);
	assert_int_equal(tree_owner(other), 33);
	/* a user's tree inside root's is that user's */
	assert_non_null(tree_own(&t, 1000, 300, 8));
	assert_non_null(tree_fork(&t, 1000, 300, 301, 9));
	assert_int_equal(tree_owner(tree_find(&t, 301)), 1000);
	/* an exited process starts no tree */
	assert_null(tree_own(&t, 0, 101, 10));
}

static void test_restore_node(void **st)
{
	char buf[512];
	struct hold_enc e;
	struct hold_msg m;
	struct tnode *p, *n;
	size_t len;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_NODE);
	hold_enc_num(&e, HOLD_F_PID, 77);
	hold_enc_num(&e, HOLD_F_UID, 5);
	hold_enc_num(&e, HOLD_F_FLAGS, HOLD_FL_EXITED | HOLD_FL_EXECED | HOLD_FL_PARKED);
	hold_enc_num(&e, HOLD_F_EXIT_NS, 9);
	hold_enc_str(&e, HOLD_F_PATH, "/bin/x");
	hold_enc_str(&e, HOLD_F_ARG, "x");
	hold_enc_str(&e, HOLD_F_ARG, "-v");
	len = hold_enc_finish(&e);
	assert_int_equal(hold_msg_decode(&m, buf, len), HOLD_PROTO_OK);
	p = exec(70, 1, "/bin/sh", 1);
	n = tree_restore(&t, p, &m);
	assert_ptr_equal(n->parent, p);
	assert_int_equal(n->uid, 5);
	assert_false(n->flags & HOLD_FL_PARKED); /* parks are never restored */
	assert_int_equal(t.exited, 1);
	assert_int_equal(n->argv->len, 4);
	assert_memory_equal(n->argv->s, "x\0-v", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fork_then_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_overtakes_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_fork_keeps_ancestor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_fork_exec_before_forks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_parent_exit_seen_before_its_fork_report, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pid_reuse_is_a_new_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_fork_of_reused_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_order_and_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_keeps_memory_flat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_is_per_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_by_age_leaves_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_survives_uid_switch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_cycle_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_of_another_users_node_refused, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
