/* SPDX-License-Identifier: MIT */
/*
 * threaded_forks N: four threads churn malloc/free while the main thread
 * forks N children; each child mallocs, frees and exits.  Under a fork rule
 * this shows parking in a child of a multi-threaded parent cannot deadlock.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int stop;

static void *churn(void *arg)
{
	size_t n = (size_t)arg;

	while (!stop) {
		void *p = malloc(16 + n++ % 4096);

		free(p);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200, done = 0;
	pthread_t t[4];

	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, churn, (void *)i);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			free(malloc(100));
			_exit(7);
		}
		if (pid < 0) {
			perror("fork");
			return 1;
		}
	}
	for (int st; wait(&st) > 0;)
		done += WIFEXITED(st) && WEXITSTATUS(st) == 7;
	stop = 1;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("%d of %d children completed\n", done, n);
	return done == n ? 0 : 1;
}
