/* SPDX-License-Identifier: MIT */
/*
 * follow.c - the kernel follower's loader, holdd's side of follow.bpf.c:
 * load and attach it (as root, before holdd confines itself), write its
 * rule and slot tables, and read its ring buffer.
 *
 * After the load holdd makes no BPF system call: the tables are the
 * program's .bss, mapped into holdd (the skeleton's), and the ring buffer
 * is read from its mapping; only its epoll fd is waited on.  So the
 * seccomp table gains nothing, and the capabilities the load needed are
 * dropped with the rest.  The program lives as long as holdd's links:
 * when holdd exits, for any reason, nothing more is parked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "follow.h"
#include "holdd.h"

#ifdef HAVE_KFOLLOW
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "follow.skel.h"

static struct follow *skel;
static struct ring_buffer *ring;
#endif

static char why_off[256] = "holdd has not tried to load it";
static int fork_parks; /* the kernel can stop a fork child (bpf_send_signal_task) */
static kfollow_fn on_event;

const char *kfollow_why(void)
{
	return why_off;
}

#ifndef HAVE_KFOLLOW

int kfollow_open(kfollow_fn fn)
{
	(void)fn;
	snprintf(why_off, sizeof(why_off),
		 "this holdd was built without it (configure found no libbpf, clang or bpftool: "
		 "apt-get install libbpf-dev clang bpftool, then build again)");
	return -1;
}

int kfollow_fd(void)
{
	return -1;
}

void kfollow_drain(void)
{
}

int kfollow_forks(void)
{
	return 0;
}

int kfollow_slot_take(uint32_t owner, int pid, uint64_t start, uint64_t cgroup, uint32_t cglevel)
{
	return -1;
}

unsigned kfollow_slot_procs(int slot)
{
	return 0;
}

void kfollow_slot_free(int slot)
{
}

int kfollow_rule_add(int slot, uint32_t owner, const struct hold_rule *r)
{
	return -1;
}

uint64_t kfollow_lost(void)
{
	return 0;
}

void kfollow_close(void)
{
}

#else

/* libbpf's messages: the last warning is the likeliest why. */
static char last_msg[160];

static int libbpf_says(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	last_msg[strcspn(last_msg, "\n")] = 0;
	return 0;
}

static int ring_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size >= KF_EVENT_SHORT)
		on_event(data);
	return 0;
}

/* Does the running kernel have the kfunc that stops another task? */
static int has_kfunc(const char *name)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int found;

	if (!vmlinux)
		return 0;
	found = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC) > 0;
	btf__free(vmlinux);
	return found;
}

void kfollow_close(void)
{
	if (ring)
		ring_buffer__free(ring);
	if (skel)
		follow__destroy(skel);
	ring = NULL;
	skel = NULL;
}

static int off(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int off(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why_off, sizeof(why_off), fmt, ap);
	va_end(ap);
	kfollow_close();
	return -1;
}

int kfollow_open(kfollow_fn fn)
{
	int err;

	on_event = fn;
	libbpf_set_print(libbpf_says);
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		return off("the kernel has no BTF (/sys/kernel/btf/vmlinux: %s)", strerror(errno));
	if (!(skel = follow__open()))
		return off("cannot open the BPF program: %s", strerror(errno));
	/* the glob test's program is the unit test's (tests/unit/test_glob_bpf.c) */
	bpf_program__set_autoload(skel->progs.glob_test, false);
	if ((err = follow__load(skel)) != 0) {
		if (err == -EPERM || err == -EACCES)
			return off("the kernel refused to load BPF (%s): holdd must run as root "
				   "(CAP_BPF, CAP_PERFMON), and a locked-down kernel or "
				   "kernel.unprivileged_bpf_disabled can forbid it",
				   strerror(-err));
		return off("the kernel refused the BPF program (%s)%s%s", strerror(-err),
			   last_msg[0] ? ": " : "", last_msg);
	}
	if ((err = follow__attach(skel)) != 0)
		return off("cannot attach to the scheduler's tracepoints (%s)%s%s", strerror(-err),
			   last_msg[0] ? ": " : "", last_msg);
	if (!(ring = ring_buffer__new(bpf_map__fd(skel->maps.events), ring_event, NULL, NULL)))
		return off("cannot map the BPF ring buffer: %s", strerror(errno));
	fork_parks = has_kfunc("bpf_send_signal_task");
	why_off[0] = 0;
	return 0;
}

int kfollow_fd(void)
{
	return ring ? ring_buffer__epoll_fd(ring) : -1;
}

void kfollow_drain(void)
{
	if (ring)
		ring_buffer__consume(ring);
}

int kfollow_forks(void)
{
	return fork_parks;
}

/* The high-water marks the program's walks stop at, and which events have
 * an arg= rule (the program reads argv only for those). */
static void tables_changed(void)
{
	struct follow__bss *b = skel->bss;
	uint32_t nr = 0, ns = 0, args = 0;

	for (uint32_t i = 0; i < KF_RULES; i++)
		if (b->rules[i].live) {
			nr = i + 1;
			if (b->rules[i].has & (1u << KF_PAT_ARG))
				args |= 1u << b->rules[i].event;
		}
	for (uint32_t i = 0; i < KF_SLOTS; i++)
		if (b->slots[i].live)
			ns = i + 1;
	__atomic_store_n(&b->arg_events, args, __ATOMIC_RELEASE);
	__atomic_store_n(&b->nrules, nr, __ATOMIC_RELEASE);
	__atomic_store_n(&b->nslots, ns, __ATOMIC_RELEASE);
}

int kfollow_slot_take(uint32_t owner, int pid, uint64_t start, uint64_t cgroup, uint32_t cglevel)
{
	if (!skel)
		return -1;
	for (int i = 0; i < KF_SLOTS; i++) {
		struct kf_slot *s = &skel->bss->slots[i];

		if (s->live)
			continue;
		s->gen++; /* followed entries of the slot's last taker no longer count */
		s->pid = (uint32_t)pid;
		s->start = start;
		s->cgroup = cgroup;
		s->cglevel = cglevel;
		s->owner = owner;
		s->procs = 0;
		__atomic_store_n(&s->live, 1, __ATOMIC_RELEASE);
		tables_changed();
		return i;
	}
	return -1;
}

unsigned kfollow_slot_procs(int slot)
{
	if (!skel || slot < 0 || slot >= KF_SLOTS)
		return 0;
	return __atomic_load_n(&skel->bss->slots[slot].procs, __ATOMIC_ACQUIRE);
}

void kfollow_slot_free(int slot)
{
	if (!skel || slot < 0 || slot >= KF_SLOTS)
		return;
	for (int i = 0; i < KF_RULES; i++)
		if (skel->bss->rules[i].slot == (uint32_t)slot)
			__atomic_store_n(&skel->bss->rules[i].live, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&skel->bss->slots[slot].live, 0, __ATOMIC_RELEASE);
	tables_changed();
}

int kfollow_rule_add(int slot, uint32_t owner, const struct hold_rule *r)
{
	if (!skel)
		return -1;
	for (int i = 0; i < KF_RULES; i++) {
		struct kf_rule *k = &skel->bss->rules[i];
		const char *pats[3] = {r->pattern, r->comm, r->arg};

		if (k->live)
			continue;
		k->event = r->event;
		k->slot = (uint32_t)slot;
		k->owner = owner;
		k->count = r->count;
		k->fired = 0;
		k->has = 0;
		for (int p = 0; p < 3; p++) {
			snprintf(k->pat[p], sizeof(k->pat[p]), "%s", pats[p]);
			if (pats[p][0])
				k->has |= 1u << p;
		}
		__atomic_store_n(&k->live, 1, __ATOMIC_RELEASE);
		tables_changed();
		return i;
	}
	return -1;
}

uint64_t kfollow_lost(void)
{
	return skel ? __atomic_load_n(&skel->bss->lost, __ATOMIC_RELAXED) : 0;
}

#endif
