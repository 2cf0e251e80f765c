/* SPDX-License-Identifier: MIT */
/*
 * envfix.h - put LD_PRELOAD and hold's settings back into an environment a
 * program passes to exec, so the new image is followed even when the
 * program scrubbed its environment (libvirt does this for qemu).
 *
 * Runs in fork and vfork children: bounded caller-owned buffers only.
 */
#ifndef HOLD_ENVFIX_H
#define HOLD_ENVFIX_H

#include <stddef.h>

/* How many environment entries a repaired environment may hold; bounds the
 * stack a vfork child uses (8 KiB of pointers). */
#define HOLD_ENV_MAX 1024
/* Room for a merged "LD_PRELOAD=their:ours" entry. */
#define HOLD_PRELOAD_MAX 4096

struct hold_envfix {
	const char *lib;             /* libhold's absolute path */
	const char *preload;         /* "LD_PRELOAD=<lib>" */
	const char *const *settings; /* "HOLD_X=value" entries to keep */
	unsigned nsettings;
};

enum hold_envfix_result {
	HOLD_ENV_UNCHANGED, /* envp already had everything: use it */
	HOLD_ENV_FIXED,     /* use `out` */
	HOLD_ENV_TOO_BIG,   /* could not fit: exec unchanged, say so */
};

/* Build in out[0..cap) (NULL-terminated) the environment to pass instead of
 * envp; a merged LD_PRELOAD entry is written to pre[0..precap).  An envp
 * with HOLD_OFF=1 (hold env --off) is left as it is. */
enum hold_envfix_result hold_envfix(const struct hold_envfix *fx, char *const *envp, char **out,
				    size_t cap, char *pre, size_t precap);

/* Does the LD_PRELOAD value `v` list `lib` (separators ' ' and ':')? */
int hold_preload_has(const char *v, const char *lib);

#endif
