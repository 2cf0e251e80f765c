/*
 * proc.c - what holdd asks /proc about a live process: its real uid, its
 * parent, and its ids in its own pid namespace.  Each answer is the
 * kernel's, read at the moment; a process that is gone answers "unknown".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "holdd.h"

/* A small /proc file of pid's (or, with a '/' in name, a path under
 * /proc/PID/), NUL-terminated in text; its length, or -1. */
static ssize_t read_proc(int pid, const char *name, char *text, size_t cap)
{
	char path[320];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, text, cap - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return n;
}

long proc_real_uid(int pid)
{
	char text[4096], *u;

	if (read_proc(pid, "status", text, sizeof(text)) <= 0 || !(u = strstr(text, "\nUid:")))
		return -1;
	return strtol(u + 5, NULL, 10);
}

int proc_stopped(int pid)
{
	char text[1024], *close;

	if (read_proc(pid, "stat", text, sizeof(text)) <= 0 || !(close = strrchr(text, ')')))
		return 0;
	return close[1] == ' ' && (close[2] == 'T' || close[2] == 't');
}

int proc_may_finish(int pid)
{
	char text[1024], *close;

	if (read_proc(pid, "stat", text, sizeof(text)) <= 0 || !(close = strrchr(text, ')')))
		return 0; /* gone */
	return close[1] == ' ' && !strchr("ZXTt", close[2]);
}

int proc_ppid(int pid)
{
	char text[1024];
	ssize_t n = read_proc(pid, "stat", text, sizeof(text));

	return n > 0 ? (int)hold_stat_field(text, (size_t)n, HOLD_STAT_PPID) : 0;
}

/* The last number of a status file's NSpid line: the id as the innermost
 * pid namespace sees it; -1 if none. */
static int innermost(int pid, const char *status)
{
	char text[4096], *l;
	int v = -1;

	if (read_proc(pid, status, text, sizeof(text)) <= 0 || !(l = strstr(text, "\nNSpid:")))
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
