/* SPDX-License-Identifier: MIT */
/*
 * settings.c - what libhold knows of its image, read once by the
 * constructor from the environment the image started with: hold's HOLD_*
 * settings (kept to pass on to every new image, even through a program that
 * scrubs its environment), where the runtime directory and holdd's socket
 * are, libhold's own path, and which file fd 2 was.
 *
 * Runs in every image of a followed tree, so: no allocation, no daemon
 * contact, one environment pass.  It says nothing itself; problems go to
 * the `say` the constructor passes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "libhold.h"
#include "paths.h"
#include "sigsafe.h"

struct hold_global hold_g;

#define arena          hold_g.arena
#define rules_too_long hold_g.rules_too_long

static HOT const char *env_get(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

HOT const char *hold_setting(const char *name)
{
	size_t n = strlen(name);

	for (unsigned i = 0; i < hold_g.fx.nsettings; i++)
		if (strncmp(hold_g.settings[i], name, n) == 0 && hold_g.settings[i][n] == '=')
			return hold_g.settings[i] + n + 1;
	return NULL;
}

HOT const char *hold_rules_text(void)
{
	const char *s = hold_setting("HOLD_RULES");

	return s ? s : rules_too_long;
}

HOT const char *hold_setting_add(const char *name, const char *value)
{
	size_t start = arena.len;

	if (hold_g.fx.nsettings >= HOLD_SETTINGS_MAX)
		return NULL;
	buf_str(&arena, name);
	buf_chr(&arena, '=');
	buf_str(&arena, value);
	buf_chr(&arena, '\0');
	if (arena.full) { /* what fits after it still may */
		arena.len = start;
		arena.full = 0;
		return NULL;
	}
	hold_g.settings[hold_g.fx.nsettings++] = arena.p + start;
	return arena.p + start + strlen(name) + 1;
}

/* The one pass over the environment for HOLD_* settings. */
static HOT void capture(char **envp, hold_say_fn say)
{
	for (char **e = envp; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		char name[64];

		if (strncmp(*e, "HOLD_", 5) != 0 || !eq || (size_t)(eq - *e) >= sizeof(name))
			continue;
		memcpy(name, *e, (size_t)(eq - *e));
		name[eq - *e] = '\0';
		if (hold_setting_add(name, eq + 1))
			continue;
		if (strcmp(name, "HOLD_RULES") == 0)
			rules_too_long = eq + 1; /* in the environment, still there now */
		say(name,
		    " is too long to pass on (HOLD_* settings take at most 12 KiB, 16 "
		    "of them): it applies to this program, but not to what it execs "
		    "with an environment of its own making",
		    NULL);
	}
}

/* paths.h's policy; kept as a setting so an image whose environment was
 * scrubbed of XDG_RUNTIME_DIR still writes where the CLI looks. */
static HOT void runtime_dir(char **envp)
{
	const char *set = hold_setting("HOLD_RUNTIME_DIR");
	char mem[PATH_MAX];
	struct buf b;

	if (set && set[0] == '/') {
		hold_g.runtime_dir = set;
		return;
	}
	buf_init(&b, mem, sizeof(mem));
	hold_runtime_dir_of(&b, set, env_get(envp, "XDG_RUNTIME_DIR"), (unsigned)geteuid());
	if (!set) {
		hold_g.runtime_dir = hold_setting_add("HOLD_RUNTIME_DIR", mem);
	} else { /* a relative one is ignored here as everywhere, and passed on */
		hold_g.runtime_dir = arena.p + arena.len;
		buf_str(&arena, mem);
		buf_chr(&arena, '\0');
		if (arena.full)
			hold_g.runtime_dir = NULL;
	}
	if (!hold_g.runtime_dir)
		hold_g.runtime_dir = "/tmp";
}

static HOT void socket_path(hold_say_fn say)
{
	struct buf b;

	buf_init(&b, hold_g.sock, sizeof(hold_g.sock));
	hold_socket_of(&b, hold_setting("HOLD_SOCKET"), hold_g.runtime_dir);
	if (b.full) { /* sun_path holds 107 bytes: no daemon for us, say so once */
		say("holdd's socket path is too long: ", hold_g.sock,
		    "...; set HOLD_SOCKET to a path under 100 bytes");
		hold_g.sock[0] = '\0';
	}
}

/* LD_PRELOAD may name us by a relative path; new images get the absolute
 * one, as the first entry of the arena: "LD_PRELOAD=<lib>". */
static HOT void find_self(void)
{
	char real[PATH_MAX];
	Dl_info info;
	const char *lib = NULL;

	if (dladdr((void *)find_self, &info) && info.dli_fname) {
		lib = info.dli_fname;
		if (lib[0] != '/')
			lib = realpath(lib, real);
	}
	hold_g.fx.preload = arena.p + arena.len;
	buf_str(&arena, "LD_PRELOAD=");
	hold_g.fx.lib = arena.p + arena.len;
	buf_str(&arena, lib ? lib : "");
	buf_chr(&arena, '\0');
}

/* Which file fd 2 is: libhold writes there only while it still is. */
static HOT void note_stderr(void)
{
	struct statx sx;

	if (safe_sys6(SYS_statx, 2, (long)"", AT_EMPTY_PATH, STATX_INO, (long)&sx, 0) == 0) {
		hold_g.err_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
		hold_g.err_ino = sx.stx_ino;
		hold_g.err_known = 1;
	}
}

HOT void hold_settings_load(char **envp, hold_say_fn say)
{
	note_stderr();
	buf_init(&arena, hold_g.mem, sizeof(hold_g.mem));
	if (getauxval(AT_SECURE)) {
		/* set-uid or set-gid (a program linked with -lhold, since ld.so
		 * preloads nothing into these): whoever started it chose the
		 * environment, so none of it is read -- no rules, no rules file,
		 * no directories -- and nothing is passed on to what it execs */
		static char none[] = "";

		hold_g.secure = 1;
		hold_g.fx.lib = hold_g.fx.preload = none;
		for (char **e = envp; e && *e; e++)
			if (strncmp(*e, "HOLD_", 5) == 0) {
				say("a set-uid or set-gid program: its HOLD_* settings are ignored",
				    NULL, NULL);
				break;
			}
		envp = NULL;
	} else {
		find_self();
		capture(envp, say);
	}
	runtime_dir(envp);
	socket_path(say);
	hold_g.fx.settings = hold_g.settings;
}
