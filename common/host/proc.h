/* SPDX-License-Identifier: MIT */
/*
 * proc.h - what /proc says of a live process, for holdd and hold (libhold
 * has its own, async-signal-safe reader).  Each answer is the kernel's, read
 * at the moment; a process that is gone answers "unknown" (-1, 0 or "").
 */
#ifndef HOLD_PROC_H
#define HOLD_PROC_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

/* The small file /proc/PID/name (name may hold a '/': "task/TID/comm"),
 * NUL-terminated in text; its length, or -1. */
ssize_t proc_read(int pid, const char *name, char *text, size_t cap);
/* The first number after key ("Uid:", "TracerPid:") in /proc/PID/status; -1. */
long proc_status(int pid, const char *key);
long proc_real_uid(int pid); /* -1: gone */
/* Is uid pid's real, effective or saved uid?  -1: gone. */
int proc_has_uid(int pid, uint32_t uid);
int proc_ppid(int pid);           /* 0: gone */
uint64_t proc_starttime(int pid); /* field 22 of its stat: with pid, this process; 0 */
int proc_stopped(int pid);        /* in a stop (T, or t: traced); 0 too when gone */
/* Could pid still finish what it was doing: not gone, not a zombie, not
 * stopped (a ring report it began; ring.h)? */
int proc_may_finish(int pid);
/* The tid, in this pid namespace, of pid's thread whose own namespace (a
 * container's) calls it ns_tid; -1 if none. */
int proc_host_tid(int pid, int ns_tid);
/* The executable (/proc/PID/exe, resolved) into out; its length, or -1. */
ssize_t proc_exe(int pid, char *out, size_t cap);
/* Its cgroup v2 path ("/system.slice/nginx.service"); 0, or -1 ("" in out). */
int proc_cgroup(int pid, char *out, size_t cap);
/* This process's pid namespace (the device and inode of /proc/self/ns/pid);
 * 0, or -1 if /proc does not say. */
int proc_self_pidns(uint64_t *dev, uint64_t *ino);
/* Thread tid's name now (tid = pid: the process's), into out; 0, or -1. */
int proc_comm(int pid, int tid, char *out, size_t cap);

/* Yama's kernel.yama.ptrace_scope (0 to 3), -1 if there is no Yama.  The
 * tests name a stand-in file in HOLD_TEST_YAMA: once 3, the sysctl cannot
 * be set back. */
int proc_yama_scope(void);

/* A process's name, executable and argv (NULL-terminated, pointing into
 * args), as an exec rule matches them. */
struct proc_facts {
	char comm[16], exe[PATH_MAX], args[4096];
	char *argv[64];
};
void proc_facts(int pid, struct proc_facts *f);

#endif
