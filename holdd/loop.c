/* SPDX-License-Identifier: MIT */
/*
 * loop.c - holdd's epoll set: every socket, pidfd, signalfd and timerfd it
 * watches, each behind a struct watch that says what it is.
 */
#include <sys/epoll.h>
#include <unistd.h>

#include "holdd.h"

static int ep = -1;

int loop_init(void)
{
	ep = epoll_create1(EPOLL_CLOEXEC);
	return ep < 0 ? -1 : 0;
}

int loop_add(struct watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	return epoll_ctl(ep, EPOLL_CTL_ADD, w->fd, &ev);
}

void loop_mod(struct watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	epoll_ctl(ep, EPOLL_CTL_MOD, w->fd, &ev);
}

void loop_del(struct watch *w)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, w->fd, NULL);
}

int loop_wait(void *events, int max)
{
	return epoll_wait(ep, events, max, -1);
}
