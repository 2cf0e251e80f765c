/* SPDX-License-Identifier: MIT */
/*
 * kernel.c - asking holdd to park from the kernel (WATCH): hold watch, and
 * hold run and hold follow where holdd's kernel follower is on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "proc.h"

int kernel_watch(struct client *cl, const char *rules, int pid, uint32_t flags,
		 const struct kernel_cgroup *cg, char *why, size_t cap)
{
	char buf[HOLD_MSG_MAX];
	struct hold_enc e;
	struct hold_msg m;

	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_WATCH);
	if (rules)
		hold_enc_str(&e, HOLD_F_TEXT, rules);
	if (pid > 0) {
		hold_enc_num(&e, HOLD_F_PID, (uint64_t)pid);
		hold_enc_num(&e, HOLD_F_START, proc_starttime(pid));
	}
	if (flags)
		hold_enc_num(&e, HOLD_F_FLAGS, flags);
	if (cg && cg->id) {
		hold_enc_num(&e, HOLD_F_CGROUP_ID, cg->id);
		hold_enc_num(&e, HOLD_F_CGROUP_LEVEL, cg->level);
	}
	if (client_send(cl, buf, hold_enc_finish(&e)) < 0 || client_next(cl, &m, 10000) != 1) {
		snprintf(why, cap, "holdd did not answer");
		return -1;
	}
	if (m.type == HOLD_MSG_DONE)
		return 0;
	snprintf(why, cap, "%s", m.type == HOLD_MSG_ERROR ? cli_text(&m) : "an unexpected answer");
	return m.type == HOLD_MSG_ERROR && (m.num[HOLD_F_FLAGS] & HOLD_FL_KERNEL) ? 1 : -1;
}

/* Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup, or
 * /sys/fs/cgroup/unified beside v1's). */
static int cgroup2_mount(char *out, size_t cap)
{
	char dev[256], dir[4096], type[64];
	FILE *f = fopen("/proc/self/mounts", "re");
	int found = 0;

	if (!f)
		return -1;
	while (!found && fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2"))
			found = snprintf(out, cap, "%s", dir) < (int)cap;
	fclose(f);
	return found ? 0 : -1;
}

int kernel_cgroup(const char *name, struct kernel_cgroup *cg, char *why, size_t cap)
{
	char root[4096], path[8192];
	const char *rel = name;
	struct stat st;

	if (cgroup2_mount(root, sizeof(root)) < 0) {
		snprintf(why, cap, "no cgroup v2 hierarchy is mounted (/proc/self/mounts)");
		return -1;
	}
	if (!strncmp(name, root, strlen(root)) &&
	    (!name[strlen(root)] || name[strlen(root)] == '/'))
		rel = name + strlen(root);
	if (rel[0] == '/')
		snprintf(path, sizeof(path), "%s%s", root, rel);
	else /* a unit's name: the system's */
		snprintf(path, sizeof(path), "%s/system.slice/%s", root, rel);
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, cap,
			 "no cgroup %s (%s): give its path under %s, as /proc/PID/cgroup's 0:: "
			 "line shows it, e.g. /system.slice/nginx.service",
			 name, stat(path, &st) < 0 ? strerror(errno) : "not a directory", root);
		return -1;
	}
	cg->id = (uint64_t)st.st_ino;
	cg->level = 0;
	for (const char *p = path + strlen(root); *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			cg->level++;
	return 0;
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

int kernel_hold(struct client *cl)
{
	struct sigaction sa = {.sa_handler = on_stop};
	struct hold_msg m;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (!stop)
		if (client_next(cl, &m, 200) < 0) {
			client_close(cl);
			return 0;
		}
	client_close(cl);
	return 1;
}
