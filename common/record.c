/*
 * record.c - read libhold's park records; see record.h.
 */
#define _GNU_SOURCE
#include "record.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t proc_starttime(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "re")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (!(p = strrchr(buf, ')')))
		return 0;
	/* after ")": field 3 is state; field 22 is 19 fields on */
	for (int field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p)
		sscanf(p + 1, "%llu", &v);
	return v;
}

static uint64_t secs_ns(const char *v)
{
	double d = strtod(v, NULL);

	return d > 0 ? (uint64_t)(d * 1e9) : 0;
}

static void put(char *dst, size_t cap, const char *v)
{
	snprintf(dst, cap, "%s", v);
}

static int parse(const char *path, struct spool_rec *r)
{
	char line[2048];
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	memset(r, 0, sizeof(*r));
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '='), *v;

		if (!eq)
			continue;
		*eq = '\0';
		v = eq + 1;
		v[strcspn(v, "\n")] = '\0';
		if (!strcmp(line, "pid"))
			r->pid = atoi(v);
		else if (!strcmp(line, "tid"))
			r->tid = atoi(v);
		else if (!strcmp(line, "ppid"))
			r->ppid = atoi(v);
		else if (!strcmp(line, "start"))
			r->start = strtoull(v, NULL, 10);
		else if (!strcmp(line, "since"))
			r->since_ns = secs_ns(v);
		else if (!strcmp(line, "timeout"))
			r->timeout_ns = secs_ns(v);
		else if (!strcmp(line, "event"))
			put(r->event, sizeof(r->event), v);
		else if (!strcmp(line, "mode"))
			put(r->mode, sizeof(r->mode), v);
		else if (!strcmp(line, "rule"))
			put(r->rule, sizeof(r->rule), v);
		else if (!strcmp(line, "comm"))
			put(r->comm, sizeof(r->comm), v);
		else if (!strcmp(line, "exe"))
			put(r->exe, sizeof(r->exe), v);
		else if (!strcmp(line, "addr"))
			put(r->addr, sizeof(r->addr), v);
		else if (!strcmp(line, "fd"))
			r->fd = atoi(v);
		else if (!strcmp(line, "peer"))
			r->peer = atoi(v);
		else if (!strcmp(line, "argv"))
			put(r->argv, sizeof(r->argv), v);
	}
	fclose(f);
	return r->pid > 0 && r->tid > 0 ? 0 : -1;
}

static int by_pid(const void *a, const void *b)
{
	const struct spool_rec *x = a, *y = b;

	return x->pid != y->pid ? (x->pid > y->pid) - (x->pid < y->pid)
				: (x->tid > y->tid) - (x->tid < y->tid);
}

int spool_read(const char *dir, struct spool_rec **out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct spool_rec *v = NULL;
	int n = 0, cap = 0;

	*out = NULL;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[PATH_MAX + 300];

		if (strncmp(e->d_name, "park-", 5) != 0)
			continue;
		if (n == cap) {
			struct spool_rec *nv =
				realloc(v, sizeof(*v) * (size_t)(cap = cap ? cap * 2 : 8));

			if (!nv)
				break;
			v = nv;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		/* a record outlives a process killed while parked: check */
		if (parse(path, &v[n]) == 0 && proc_starttime(v[n].pid) == v[n].start)
			n++;
	}
	closedir(d);
	qsort(v, (size_t)n, sizeof(*v), by_pid);
	*out = v;
	return n;
}
