/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * follow.h - what the kernel follower (follow.bpf.c) and holdd (follow.c)
 * share: the rule and slot tables holdd writes into the program's memory
 * (the skeleton's .bss, mapped: no system call to change a rule), and the
 * events the program hands up through its ring buffer.
 *
 * A slot is one client of the follower: a `hold watch`, or the tree of one
 * `hold run` or `hold follow`.  A slot with a pid follows that process and
 * its descendants; a slot without one watches every process its owner may
 * park.  Rules belong to a slot; a process the follower records carries
 * its slot (the `followed` map) so that its children inherit it.
 */
#ifndef HOLD_BPF_FOLLOW_H
#define HOLD_BPF_FOLLOW_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define KF_RULES    32 /* rules.h's HOLD_RULES_MAX: one `hold run`'s worth */
#define KF_SLOTS    64
#define KF_PAT      256  /* a glob: rules.h's HOLD_GLOB_MAX (200), to a power of two */
#define KF_PATS     4    /* per rule: exe, comm, arg (and one spare, for the mask) */
#define KF_PATH     512  /* the exec'd path kept (longer ones are cut) */
#define KF_ARGV     1024 /* park.h's HOLD_PARK_ARGV */
#define KF_ARGS     32   /* argv elements an arg= rule looks at */
#define KF_FOLLOWED 65536
#define KF_STEPS    65536 /* glob steps: a 200-byte pattern on a 512-byte path */
#define KF_RING     (4u << 20)
/* A process's start as /proc/PID/stat's field 22 says it: clock ticks
 * (USER_HZ, 100 on every architecture hold builds for) since boot. */
#define KF_TICK_NS 10000000ull

/* which of a rule's patterns */
#define KF_PAT_EXE  0
#define KF_PAT_COMM 1
#define KF_PAT_ARG  2

/* The scratch buffer a match reads: the strings of one event at fixed
 * offsets, each NUL-terminated inside its part. */
#define KF_BUF      2048
#define KF_BUF_PATH 0
#define KF_BUF_COMM 512
#define KF_BUF_ARGV 1024

struct kf_rule {
	__u32 live;  /* holdd sets it last and clears it first */
	__u32 event; /* HOLD_EV_FORK or HOLD_EV_EXEC */
	__u32 slot;
	__u32 owner; /* the slot's owner: 0 (root) parks anything, a user only
			processes whose uids are all theirs */
	__u32 count; /* count=: 0 no limit */
	__u32 fired; /* the program counts every match (atomic) */
	__u32 has;   /* 1 << KF_PAT_*: the patterns given */
	__u32 pad;
	char pat[KF_PATS][KF_PAT];
};

struct kf_slot {
	__u32 gen;     /* bumped by holdd each time the slot is taken: followed
			  entries of an earlier taker no longer count */
	__u32 pid;     /* the root of the followed tree; 0: any process */
	__u64 start;   /* the root's start (KF_TICK_NS): a reused pid is not it */
	__u64 cgroup;  /* only in this cgroup (v2 id) or below; 0: any */
	__u32 cglevel; /* ... the cgroup's depth */
	__u32 owner;
	__u32 live;
	__u32 procs; /* its processes alive that the program has met (the
			root from its first fork or exec): counted here, where no
			event is lost to a full ring */
};

/* The followed map's value: whose tree a process is in. */
struct kf_followed {
	__u32 slot, gen;
};

enum kf_type { KF_FORK = 1, KF_EXEC, KF_EXIT };

/* KF_EXEC carries path and argv; KF_FORK and KF_EXIT end at path. */
struct kf_event {
	__u32 type;
	__u32 pid, tid; /* host view; KF_FORK: the child */
	__u32 ppid;     /* KF_FORK: the parent (its process) */
	__u32 nspid;    /* in its own pid namespace */
	__u32 uid, euid;
	__u32 slot, gen;  /* whose; KF_SLOTS: none (a process parked by a watch) */
	__u32 rule;       /* the rule that parked it, + 1; 0: not parked */
	__u32 rule_fired; /* that rule's firings, this one counted */
	__s32 exit_code;
	__u64 pidns;  /* the inode of its pid namespace */
	__u64 cgroup; /* its cgroup v2 id */
	__u64 start;  /* as /proc/PID/stat's field 22 (KF_TICK_NS) */
	char comm[16];
	__u32 pathlen, argvlen;
	char path[KF_PATH];
	char argv[KF_ARGV];
};

#define KF_EVENT_SHORT (sizeof(struct kf_event) - KF_PATH - KF_ARGV)

/* The glob test program's input and answer (tests/unit/test_glob_bpf.c). */
struct kf_glob_test {
	char pat[KF_PAT];
	char str[KF_BUF];
	__s32 result;
};

#endif
