/* SPDX-License-Identifier: MIT */
/*
 * interpose-exec.c - the exec family, posix_spawn, system() and popen().
 *
 * Each one only repairs the environment it passes on (envfix.c), so the new
 * image loads libhold with hold's settings even if the caller scrubbed them;
 * the new image then decides and parks in its constructor (init.c).
 *
 * execve and friends may run in a fork or vfork child: they use stack
 * buffers, raw system calls, and real functions resolved by the constructor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "interpose.h"
#include "sigsafe.h"

#define ARGS_MAX 65536 /* execl*: refuse absurd argument lists (E2BIG) */

extern char **environ;

typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			const posix_spawnattr_t *, char *const[], char *const[]);
typedef int (*system_fn)(const char *);
typedef FILE *(*popen_fn)(const char *, const char *);

/* The environment to pass to exec instead of envp. */
static HOT char *const *hold_exec_env(const char *what, char *const *envp, char **out, char *pre)
{
	if (!hold_g.ready || !hold_g.fx.lib[0])
		return envp;
	switch (hold_envfix(&hold_g.fx, envp, out, HOLD_ENV_MAX, pre, HOLD_PRELOAD_MAX)) {
	case HOLD_ENV_FIXED:
		return out;
	case HOLD_ENV_TOO_BIG:
		hold_say("environment too large to add LD_PRELOAD for ", what,
			 " (limit 1024 entries, 4 KiB LD_PRELOAD); it will not be followed");
		return envp;
	default:
		return envp;
	}
}

/* The one place every exec path ends up, with the repaired environment. */
#define WITH_ENV(what, envp, call)                                             \
	do {                                                                   \
		char *out_[HOLD_ENV_MAX], pre_[HOLD_PRELOAD_MAX];              \
		char *const *env_ = hold_exec_env((what), (envp), out_, pre_); \
		return call;                                                   \
	} while (0)

static HOT int sys_execve(const char *path, char *const argv[], char *const envp[])
{
	long r;

	hold_decide_preexec(path, argv);
	r = safe_sys(SYS_execve, path, argv, envp);

	errno = (int)-r;
	return -1;
}

/* An exec the program asked for failed (as it sees it: after the PATH
 * search): holdd records it, with why.  errno is the caller's still. */
static int exec_failed(const char *what, char *const argv[])
{
	int err = errno;

	if (hold_g.ready)
		hold_client_exec_failed(what, argv, err);
	errno = err;
	return -1;
}

EXPORT HOT int execve(const char *path, char *const argv[], char *const envp[])
{
	char *out[HOLD_ENV_MAX], pre[HOLD_PRELOAD_MAX];

	sys_execve(path, argv, hold_exec_env(path, envp, out, pre));
	return exec_failed(path, argv);
}

EXPORT int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

/* glibc's execvpe, written out with raw system calls: it runs in fork and
 * vfork children, where a call into libc's would need dlsym (locks) first.
 * Same search: PATH from the caller's own environment (default
 * /bin:/usr/bin), an empty element is ".", EACCES is remembered, ENOEXEC
 * runs the file with /bin/sh. */
static int run_sh(const char *path, char *const argv[], char *const envp[])
{
	size_t n = 0;

	while (argv[n])
		n++;
	char *sh[n + 2];

	sh[0] = "/bin/sh";
	sh[1] = (char *)path;
	for (size_t i = 1; i <= n; i++)
		sh[i + 1] = argv[i];
	return sys_execve(sh[0], sh, envp);
}

static int search_path(const char *file, char *const argv[], char *const envp[])
{
	const char *path = "/bin:/usr/bin";
	size_t flen = safe_strlen(file);
	int eacces = 0;

	for (char **e = environ; e && *e; e++)
		if (safe_startswith(*e, "PATH="))
			path = *e + 5;
	for (const char *p = path;; p++) {
		const char *dir = p;
		char buf[PATH_MAX];
		struct buf b;

		while (*p && *p != ':')
			p++;
		buf_init(&b, buf, sizeof(buf));
		buf_mem(&b, p == dir ? "." : dir, p == dir ? 1 : (size_t)(p - dir));
		buf_chr(&b, '/');
		buf_mem(&b, file, flen);
		buf_cstr(&b);
		if (!b.full) {
			sys_execve(buf, argv, envp);
			if (errno == ENOEXEC)
				return run_sh(buf, argv, envp);
			if (errno == EACCES)
				eacces = 1;
			else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE &&
				 errno != ENODEV && errno != ETIMEDOUT && errno != ELOOP &&
				 errno != ENAMETOOLONG)
				return -1;
		}
		if (!*p)
			break;
	}
	errno = eacces ? EACCES : ENOENT;
	return -1;
}

EXPORT HOT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	char *out[HOLD_ENV_MAX], pre[HOLD_PRELOAD_MAX];
	char *const *env = hold_exec_env(file, envp, out, pre);

	if (!*file) {
		errno = ENOENT;
		return exec_failed(file, argv);
	}
	if (__builtin_strchr(file, '/')) {
		sys_execve(file, argv, env);
		if (errno == ENOEXEC)
			run_sh(file, argv, env);
		return exec_failed(file, argv);
	}
	search_path(file, argv, env);
	return exec_failed(file, argv);
}

EXPORT HOT int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/* glibc's fexecve: execveat(AT_EMPTY_PATH), else through /proc/self/fd. */
EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	char *out[HOLD_ENV_MAX], pre[HOLD_PRELOAD_MAX], path[32];
	char *const *env = hold_exec_env("fexecve", envp, out, pre);
	struct buf b;
	long r;

	if (fd < 0) {
		errno = EINVAL;
		return -1;
	}
	r = safe_sys6(SYS_execveat, fd, (long)"", (long)argv, (long)env, AT_EMPTY_PATH, 0);
	if (r != -ENOSYS) {
		errno = (int)-r;
		return -1;
	}
	buf_init(&b, path, sizeof(path));
	buf_str(&b, "/proc/self/fd/");
	buf_u64(&b, (uint64_t)fd);
	return sys_execve(buf_cstr(&b), argv, env);
}

/* execl*: gather the variadic arguments into an argv on the stack (a VLA,
 * as glibc does: these may run in a vfork child). */
#define GATHER_ARGS(first, ap, argv, n, then_envp) \
	size_t n = 1;                              \
	va_start(ap, first);                       \
	while (va_arg(ap, char *) && n < ARGS_MAX) \
		n++;                               \
	va_end(ap);                                \
	if (n >= ARGS_MAX) {                       \
		errno = E2BIG;                     \
		return -1;                         \
	}                                          \
	char *argv[n + 1];                         \
	argv[0] = (char *)(first);                 \
	va_start(ap, first);                       \
	for (size_t i_ = 1; i_ <= n; i_++)         \
		argv[i_] = va_arg(ap, char *);     \
	then_envp;                                 \
	va_end(ap)

EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;

	GATHER_ARGS(arg, ap, argv, n, (void)0);
	return execve(path, argv, environ);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;

	GATHER_ARGS(arg, ap, argv, n, (void)0);
	return execvpe(file, argv, environ);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	char *const *envp;

	GATHER_ARGS(arg, ap, argv, n, envp = va_arg(ap, char *const *));
	return execve(path, argv, envp);
}

/* posix_spawn runs no caller code in the child, so only exec rules apply:
 * the spawned image parks in its constructor. */
static int spawn_via(const char *name, void **slot, pid_t *pid, const char *path,
		     const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
		     char *const argv[], char *const envp[])
{
	spawn_fn f = (spawn_fn)hold_real(name, slot);

	if (!f)
		return ENOSYS;
	WITH_ENV(path, envp, f(pid, path, fa, attr, argv, env_));
}

EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
		       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	static void *slot;

	return spawn_via("posix_spawn", &slot, pid, path, fa, attr, argv, envp);
}

EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	static void *slot;

	return spawn_via("posix_spawnp", &slot, pid, file, fa, attr, argv, envp);
}

/* system() and popen() spawn /bin/sh through glibc's internal posix_spawn,
 * which no interposer sees, with `environ` as it is.  If the program has
 * scrubbed hold's variables from its own environment, put them back there
 * (the values it started with) so the shell, and what it runs, is followed.
 * setenv is what the program itself would call; it is not async-signal-safe
 * and neither are system() and popen(). */
static void restore_environ(void)
{
	char *out[HOLD_ENV_MAX], pre[HOLD_PRELOAD_MAX];
	char *const *env = hold_exec_env("system/popen", environ, out, pre);

	if (env == environ)
		return;
	for (char *const *e = env; *e; e++) {
		char name[64];
		size_t i = 0;
		int present = 0;

		for (char **have = environ; have && *have && !present; have++)
			present = *have == *e;
		if (present) /* the program's own entry, passed through */
			continue;
		while ((*e)[i] && (*e)[i] != '=' && i < sizeof(name) - 1) {
			name[i] = (*e)[i];
			i++;
		}
		name[i] = '\0';
		if ((*e)[i] == '=')
			setenv(name, *e + i + 1, 1);
	}
}

EXPORT int system(const char *cmd)
{
	static void *slot;
	system_fn f = (system_fn)hold_real("system", &slot);

	if (!f) {
		errno = ENOSYS;
		return -1;
	}
	if (cmd)
		restore_environ();
	return f(cmd);
}

EXPORT FILE *popen(const char *cmd, const char *mode)
{
	static void *slot;
	popen_fn f = (popen_fn)hold_real("popen", &slot);

	if (!f) {
		errno = ENOSYS;
		return NULL;
	}
	restore_environ();
	return f(cmd, mode);
}
