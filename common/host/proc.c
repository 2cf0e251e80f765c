/* SPDX-License-Identifier: MIT */
/*
 * proc.c - what /proc says of a live process; see proc.h.  Plain open and
 * read of small files, no stdio: holdd calls these under its seccomp
 * allow-list.
 */
#define _GNU_SOURCE
#include "proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "park.h"

ssize_t proc_read(int pid, const char *name, char *text, size_t cap)
{
	char path[320];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		text[0] = '\0';
		return -1;
	}
	n = read(fd, text, cap - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return n;
}

long proc_status(int pid, const char *key)
{
	char text[4096], *at = text;
	size_t k = strlen(key);

	if (proc_read(pid, "status", text, sizeof(text)) <= 0)
		return -1;
	for (; at; at = strchr(at, '\n'), at = at ? at + 1 : NULL)
		if (strncmp(at, key, k) == 0)
			return strtol(at + k, NULL, 10);
	return -1;
}

long proc_real_uid(int pid)
{
	return proc_status(pid, "Uid:");
}

int proc_has_uid(int pid, uint32_t uid)
{
	char text[4096], *at;

	if (proc_read(pid, "status", text, sizeof(text)) <= 0 || !(at = strstr(text, "\nUid:")))
		return -1;
	at += 5;
	for (int i = 0; i < 3; i++) { /* real, effective, saved (then the fs uid) */
		char *end;
		unsigned long v = strtoul(at, &end, 10);

		if (end == at)
			break;
		if (v == uid)
			return 1;
		at = end;
	}
	return 0;
}

/* The state letter of pid's stat (after the name, which may hold ')'); 0: gone. */
static char state(int pid)
{
	char text[1024], *close;

	if (proc_read(pid, "stat", text, sizeof(text)) <= 0 || !(close = strrchr(text, ')')) ||
	    close[1] != ' ')
		return 0;
	return close[2];
}

int proc_stopped(int pid)
{
	char s = state(pid);

	return s == 'T' || s == 't';
}

int proc_may_finish(int pid)
{
	char s = state(pid);

	return s && !strchr("ZXTt", s);
}

static uint64_t stat_field(int pid, int field)
{
	char text[1024];
	ssize_t n = proc_read(pid, "stat", text, sizeof(text));

	return n > 0 ? hold_stat_field(text, (size_t)n, field) : 0;
}

int proc_ppid(int pid)
{
	return (int)stat_field(pid, HOLD_STAT_PPID);
}

uint64_t proc_starttime(int pid)
{
	return stat_field(pid, HOLD_STAT_STARTTIME);
}

/* The last number of a status file's NSpid line: the id as the innermost
 * pid namespace sees it; -1 if none. */
static int innermost(int pid, const char *status)
{
	char text[4096], *l;
	int v = -1;

	if (proc_read(pid, status, text, sizeof(text)) <= 0 || !(l = strstr(text, "\nNSpid:")))
		return -1;
	for (l += 7; *l && *l != '\n';) {
		char *end;
		long x = strtol(l, &end, 10);

		if (end == l)
			break;
		v = (int)x;
		l = end;
	}
	return v;
}

int proc_host_tid(int pid, int ns_tid)
{
	char path[64], status[300];
	struct dirent *d;
	DIR *dir;
	int tid = -1;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (!(dir = opendir(path)))
		return -1;
	while (tid < 0 && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(status, sizeof(status), "task/%s/status", d->d_name);
		if (innermost(pid, status) == ns_tid)
			tid = atoi(d->d_name);
	}
	closedir(dir);
	return tid;
}

int proc_comm(int pid, int tid, char *out, size_t cap)
{
	char name[64];
	ssize_t n;

	snprintf(name, sizeof(name), "task/%d/comm", tid);
	/* whole: a name may hold a newline; the kernel adds one at the end */
	if ((n = proc_read(pid, name, out, cap)) <= 0)
		return -1;
	if (out[n - 1] == '\n')
		out[n - 1] = '\0';
	return 0;
}

int proc_cgroup(int pid, char *out, size_t cap)
{
	char text[4096];
	ssize_t n = proc_read(pid, "cgroup", text, sizeof(text) - 1);
	const char *v2;

	out[0] = '\0';
	if (n <= 0)
		return -1;
	text[n] = '\0';
	/* the unified hierarchy's line, "0::PATH", first or among v1's */
	v2 = !strncmp(text, "0::", 3) ? text : strstr(text, "\n0::");
	if (!v2)
		return -1;
	v2 += v2 == text ? 3 : 4;
	snprintf(out, cap, "%.*s", (int)strcspn(v2, "\n"), v2);
	return 0;
}

ssize_t proc_exe(int pid, char *out, size_t cap)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
	return n;
}

int proc_self_pidns(uint64_t *dev, uint64_t *ino)
{
	struct stat ns;

	if (stat("/proc/self/ns/pid", &ns) != 0)
		return -1;
	*dev = (uint64_t)ns.st_dev;
	*ino = (uint64_t)ns.st_ino;
	return 0;
}

void proc_facts(int pid, struct proc_facts *f)
{
	ssize_t n;
	int k = 0;

	if (proc_comm(pid, pid, f->comm, sizeof(f->comm)) < 0)
		f->comm[0] = '\0';
	proc_exe(pid, f->exe, sizeof(f->exe));
	n = proc_read(pid, "cmdline", f->args, sizeof(f->args));
	for (ssize_t i = 0; i < n && k < 63; i += (ssize_t)strlen(f->args + i) + 1)
		f->argv[k++] = f->args + i;
	f->argv[k] = NULL;
}

int proc_yama_scope(void)
{
	const char *yama = getenv("HOLD_TEST_YAMA");
	char text[16];
	ssize_t n;
	int fd = open(yama ? yama : "/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	return n > 0 && text[0] >= '0' && text[0] <= '3' ? text[0] - '0' : -1;
}
