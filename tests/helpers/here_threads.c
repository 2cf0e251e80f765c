/* SPDX-License-Identifier: MIT */
/*
 * here_threads: two threads park themselves with hold_here() while the main
 * thread keeps counting; when both are released the program prints how far
 * main got and exits.  Linked against libhold (-lhold), not preloaded.
 */
#define _GNU_SOURCE /* pthread_tryjoin_np */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "hold.h"

static volatile unsigned long beats;

static void *parker(void *arg)
{
	hold_here(arg);
	printf("%s released\n", (const char *)arg);
	fflush(stdout);
	return NULL;
}

int main(void)
{
	pthread_t a, b;
	int done = 0;

	pthread_create(&a, NULL, parker, "alpha");
	pthread_create(&b, NULL, parker, "beta");
	while (!done) {
		beats++;
		done = pthread_tryjoin_np(a, NULL) == 0 && pthread_join(b, NULL) == 0;
		usleep(1000);
	}
	printf("main beat %lu times while they were parked\n", beats);
	return 0;
}
