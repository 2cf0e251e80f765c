/*
 * init.c - libhold's constructor: capture hold's settings, find our own
 * path, read the rules; then, in a new image, let decide.c park it before
 * main and before the program's own constructors.
 *
 * It runs in every image of a followed tree, so it does nothing it need not:
 * no daemon contact, no allocation, one fstat, and file reads only when a
 * rules file is named.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "sigsafe.h"
#include "interpose.h"
#include "libhold.h"

struct hold_global hold_g;

static HOT const char *env_get(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* A captured HOLD_* setting's value: capture_settings() has already made the
 * one pass over the environment the constructor needs for them. */
static HOT const char *setting_get(const char *name)
{
	size_t n = strlen(name);

	for (unsigned i = 0; i < hold_g.fx.nsettings; i++)
		if (strncmp(hold_g.settings[i], name, n) == 0 && hold_g.settings[i][n] == '=')
			return hold_g.settings[i] + n + 1;
	return NULL;
}

/* Append "NAME=value" to the settings passed on to every new image. */
static HOT const char *setting_add(struct safe_buf *mem, const char *name, const char *value)
{
	size_t start = mem->len;

	if (hold_g.fx.nsettings >= HOLD_SETTINGS_MAX)
		return NULL;
	safe_str(mem, name);
	safe_chr(mem, '=');
	safe_str(mem, value);
	safe_chr(mem, '\0');
	if (mem->full)
		return NULL;
	hold_g.settings[hold_g.fx.nsettings++] = mem->p + start;
	return mem->p + start + strlen(name) + 1;
}

static HOT void capture_settings(char **envp, struct safe_buf *mem)
{
	for (char **e = envp; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		char name[64];

		if (strncmp(*e, "HOLD_", 5) != 0 || !eq || (size_t)(eq - *e) >= sizeof(name))
			continue;
		memcpy(name, *e, (size_t)(eq - *e));
		name[eq - *e] = '\0';
		if (!setting_add(mem, name, eq + 1))
			hold_say("too many or too long HOLD_* settings; ", name,
				 " will not reach new images");
	}
}

/* HOLD_RUNTIME_DIR, else $XDG_RUNTIME_DIR/hold, else /run/hold for root,
 * else /tmp/hold-UID.  Kept as a setting so an image whose environment was
 * scrubbed of XDG_RUNTIME_DIR still writes where the CLI looks. */
static HOT void runtime_dir(char **envp, struct safe_buf *mem)
{
	const char *xdg;
	char buf[PATH_MAX];
	struct safe_buf b;

	if ((hold_g.runtime_dir = setting_get("HOLD_RUNTIME_DIR")))
		return;
	safe_init(&b, buf, sizeof(buf));
	xdg = env_get(envp, "XDG_RUNTIME_DIR");
	if (xdg && xdg[0] == '/') {
		safe_str(&b, xdg);
		safe_str(&b, "/hold");
	} else if (geteuid() == 0) {
		safe_str(&b, "/run/hold");
	} else {
		safe_str(&b, "/tmp/hold-");
		safe_u64(&b, geteuid());
	}
	hold_g.runtime_dir = setting_add(mem, "HOLD_RUNTIME_DIR", safe_cstr(&b));
	if (!hold_g.runtime_dir)
		hold_g.runtime_dir = "/tmp";
}

/* HOLD_SOCKET, else RUNTIME_DIR/holdd.sock: where holdd listens. */
static HOT void socket_path(void)
{
	const char *s = setting_get("HOLD_SOCKET");
	struct safe_buf b;

	safe_init(&b, hold_g.sock, sizeof(hold_g.sock));
	if (s) {
		safe_str(&b, s);
	} else {
		safe_str(&b, hold_g.runtime_dir);
		safe_str(&b, "/holdd.sock");
	}
	if (b.full) /* sun_path holds 107 bytes: no daemon for us, say so once */
		hold_say("holdd's socket path is too long: ", hold_g.sock,
			 "...; set HOLD_SOCKET to a path under 100 bytes");
	hold_g.sock[b.full ? 0 : b.len] = '\0';
}

/* LD_PRELOAD may name us by a relative path; new images get the absolute
 * one, as the first entry of the arena: "LD_PRELOAD=<lib>". */
static HOT void find_self(struct safe_buf *mem)
{
	char real[PATH_MAX];
	Dl_info info;
	const char *lib = NULL;

	if (dladdr((void *)find_self, &info) && info.dli_fname) {
		lib = info.dli_fname;
		if (lib[0] != '/')
			lib = realpath(lib, real);
	}
	hold_g.fx.preload = mem->p + mem->len;
	safe_str(mem, "LD_PRELOAD=");
	hold_g.fx.lib = mem->p + mem->len;
	safe_str(mem, lib ? lib : "");
	safe_chr(mem, '\0');
}

static HOT void note_stderr(void)
{
	struct statx sx;

	if (safe_sys6(SYS_statx, 2, (long)"", AT_EMPTY_PATH, STATX_INO, (long)&sx, 0) == 0) {
		hold_g.err_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
		hold_g.err_ino = sx.stx_ino;
		hold_g.err_known = 1;
	}
}

static void load_rules_file(const char *path)
{
	static char text[16384];
	long n = safe_read_file(path, text, sizeof(text) - 1);

	if (n < 0) {
		hold_say("cannot read HOLD_RULES_FILE ", path,
			 "; no rules from it (check the path and its permissions)");
		return;
	}
	if ((size_t)n == sizeof(text) - 1)
		hold_say("HOLD_RULES_FILE ", path, " is over 16 KiB; only its start is read");
	text[n] = '\0';
	hold_rules_parse(&hold_g.rules, text, path, hold_report_rule_error, NULL);
}

static HOT int any_count(void)
{
	for (unsigned i = 0; i < hold_g.rules.n; i++)
		if (hold_g.rules.rule[i].count)
			return 1;
	return 0;
}

static HOT int any_fork_arg(void)
{
	for (unsigned i = 0; i < hold_g.rules.n; i++)
		if (hold_g.rules.rule[i].event == HOLD_EV_FORK && hold_g.rules.rule[i].arg[0])
			return 1;
	return 0;
}

void *hold_real(const char *name, void **slot)
{
	void *f = __atomic_load_n(slot, __ATOMIC_RELAXED);

	if (!f) {
		f = dlsym(RTLD_NEXT, name);
		__atomic_store_n(slot, f, __ATOMIC_RELAXED);
	}
	return f;
}

void hold_bind_table(const struct hold_bind *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		void *f = dlsym(RTLD_NEXT, b[i].name);

		if (f)
			__atomic_store_n(b[i].slot, f, __ATOMIC_RELAXED);
	}
}

void hold_bind_all(void)
{
	hold_bind_recv();
	hold_bind_fd();
}

__attribute__((constructor)) static HOT void hold_init(int argc, char **argv, char **envp)
{
	struct safe_buf mem;
	const char *s;

	(void)argc;
	note_stderr();
	safe_init(&mem, hold_g.mem, sizeof(hold_g.mem));
	find_self(&mem);
	capture_settings(envp, &mem);
	runtime_dir(envp, &mem);
	socket_path();
	hold_g.fx.settings = hold_g.settings;

	if ((s = setting_get("HOLD_RULES")))
		hold_rules_parse(&hold_g.rules, s, "HOLD_RULES", hold_report_rule_error, NULL);
	if ((s = setting_get("HOLD_RULES_FILE")) && *s)
		load_rules_file(s);

	if (any_count()) {
		char sess[48];
		struct safe_buf b;

		s = setting_get("HOLD_SESSION");
		if (!s) {
			safe_init(&b, sess, sizeof(sess));
			safe_u64(&b, (uint64_t)getpid());
			safe_chr(&b, '-');
			safe_u64(&b, safe_now_ns(CLOCK_REALTIME));
			s = setting_add(&mem, "HOLD_SESSION", safe_cstr(&b));
		}
		if (s)
			hold_counts_open(s);
	}
	if (any_fork_arg())
		hold_decide_keep_argv(argv);
	hold_g.ready = 1;
	if (hold_g.rules.event_mask & HOLD_HANDOFF_EVENTS) {
		/* Interposed calls now run rules: bind them all while this is
		 * still a plain single-threaded start-up. */
		hold_bind_all();
		hold_fdc_on = 1;
	}
	hold_client_exec(argv);
	if (hold_g.rules.event_mask & (1u << HOLD_EV_EXEC))
		hold_decide_exec(argv);
}
