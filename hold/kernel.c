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

#include "cli.h"
#include "proc.h"

int kernel_watch(struct client *cl, const char *rules, int pid, uint32_t flags, char *why,
		 size_t cap)
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
	if (client_send(cl, buf, hold_enc_finish(&e)) < 0 || client_next(cl, &m, 10000) != 1) {
		snprintf(why, cap, "holdd did not answer");
		return -1;
	}
	if (m.type == HOLD_MSG_DONE)
		return 0;
	snprintf(why, cap, "%s", m.type == HOLD_MSG_ERROR ? cli_text(&m) : "an unexpected answer");
	return -1;
}

int kernel_off(const char *why)
{
	return !strncmp(why, "kernel following is off", 23);
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
