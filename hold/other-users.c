/* SPDX-License-Identifier: MIT */
/*
 * other-users.c - root's view of the parks that users' own holdds hold.
 *
 * A user's hold run, with no holdd of root's reachable, starts a private
 * holdd in the user's runtime directory; root's holdd never hears of its
 * parks.  Their records are there (park-dir.h), so root's hold ls lists
 * them, and hold attach and release act on them: gdb needs no holdd, a
 * stop park is continued by SIGCONT, and a spinning one is released
 * through the user's own holdd, beside its records.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "park-dir.h"
#include "paths.h"
#include "proc.h"

int other_parks(struct other_park **rows)
{
	static const char *const globs[] = {"/run/user/*/hold", "/tmp/hold-*"};
	int n = 0, cap = 0;

	*rows = NULL;
	if (geteuid() != 0)
		return 0;
	for (size_t g = 0; g < sizeof(globs) / sizeof(globs[0]); g++) {
		glob_t gl;

		if (glob(globs[g], GLOB_NOSORT | GLOB_ONLYDIR, NULL, &gl) != 0)
			continue;
		for (size_t i = 0; i < gl.gl_pathc; i++) {
			struct park *r;
			struct stat st;
			int k;

			/* a user's own directory, never through a symlink; each
			 * record is checked against its process (park_dir_read) */
			if (!strcmp(gl.gl_pathv[i], hold_runtime_dir()) ||
			    strlen(gl.gl_pathv[i]) >= sizeof((*rows)->dir) ||
			    lstat(gl.gl_pathv[i], &st) < 0 || !S_ISDIR(st.st_mode) ||
			    st.st_uid == 0 || (k = park_dir_read(gl.gl_pathv[i], &r)) <= 0)
				continue;
			for (int j = 0; j < k; j++) {
				/* a user's record names that user's process, or it is
				 * a lie about another's, which root must not act on */
				if (proc_has_uid(r[j].pid, (uint32_t)st.st_uid) != 1)
					continue;
				if (n == cap) {
					struct other_park *nr =
						realloc(*rows, sizeof(**rows) *
								       (size_t)(cap = cap * 2 + 8));

					if (!nr)
						break;
					*rows = nr;
				}
				(*rows)[n].park = r[j];
				snprintf((*rows)[n].dir, sizeof((*rows)->dir), "%s",
					 gl.gl_pathv[i]);
				(*rows)[n++].uid = (unsigned)st.st_uid;
			}
			free(r);
		}
		globfree(&gl);
	}
	return n;
}

const struct other_park *other_park_find(const struct other_park *rows, int n, int pid, int tid)
{
	for (int i = 0; i < n; i++)
		if (rows[i].park.pid == pid && (!tid || rows[i].park.tid == tid))
			return &rows[i];
	return NULL;
}

int other_park_release(const struct other_park *o)
{
	char sock[300], buf[128];
	struct client cl;
	struct hold_msg m;
	struct hold_enc e;
	int r;

	if (o->park.mode == HOLD_MODE_STOP) {
		if (kill(o->park.pid, SIGCONT) < 0)
			return cli_fail(-1, "cannot continue pid %d: %s", o->park.pid,
					strerror(errno));
		return 0;
	}
	snprintf(sock, sizeof(sock), "%s/holdd.sock", o->dir);
	if (client_open_at(&cl, sock, o->uid) < 0)
		return cli_fail(-1,
				"%d/%d spins for uid %u's holdd (%s), which does not answer: "
				"hold attach releases it with gdb",
				o->park.pid, o->park.tid, o->uid, sock);
	hold_enc_start(&e, buf, sizeof(buf), HOLD_MSG_RELEASE);
	hold_enc_num(&e, HOLD_F_PID, (uint64_t)o->park.pid);
	hold_enc_num(&e, HOLD_F_TID, (uint64_t)o->park.tid);
	client_send(&cl, buf, hold_enc_finish(&e));
	r = client_next(&cl, &m, 10000);
	client_close(&cl);
	if (r == 1 && m.type == HOLD_MSG_DONE && m.num[HOLD_F_COUNT])
		return 0;
	return cli_fail(-1, "uid %u's holdd did not release %d/%d: %s", o->uid, o->park.pid,
			o->park.tid,
			r == 1 && m.type == HOLD_MSG_ERROR ? cli_text(&m) : "no answer");
}
