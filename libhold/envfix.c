/* SPDX-License-Identifier: MIT */
/*
 * envfix.c - repair an exec environment; see envfix.h.
 */
#include "envfix.h"

#include "sigsafe.h"

static const char LDP[] = "LD_PRELOAD=";
#define LDP_LEN (sizeof(LDP) - 1)

__attribute__((hot)) int hold_preload_has(const char *v, const char *lib)
{
	size_t n = safe_strlen(lib);

	while (*v) {
		const char *t = v;

		while (*v && *v != ' ' && *v != ':')
			v++;
		if ((size_t)(v - t) == n) {
			size_t i = 0;

			while (i < n && t[i] == lib[i])
				i++;
			if (i == n)
				return 1;
		}
		while (*v == ' ' || *v == ':')
			v++;
	}
	return 0;
}

/* Length of "NAME=" in an entry, 0 when it has no '='. */
__attribute__((hot)) static size_t name_len(const char *e)
{
	size_t i = 0;

	while (e[i] && e[i] != '=')
		i++;
	return e[i] == '=' ? i + 1 : 0;
}

__attribute__((hot)) static int has_name(char *const *envp, const char *entry)
{
	size_t n = name_len(entry);

	for (; envp && *envp; envp++) {
		size_t i = 0;

		while (i < n && (*envp)[i] == entry[i])
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

/* Read-only: does envp lack libhold in its (first) LD_PRELOAD, or any
 * setting?  Most execs lack nothing, and then a fork child writes nothing:
 * every page it touched would be a copy-on-write fault. */
static __attribute__((hot)) int complete(const struct hold_envfix *fx, char *const *envp)
{
	char *const *e = envp;

	while (e && *e && !safe_startswith(*e, LDP))
		e++;
	if (!e || !*e || !hold_preload_has(*e + LDP_LEN, fx->lib))
		return 0;
	for (unsigned s = 0; s < fx->nsettings; s++)
		if (!has_name(envp, fx->settings[s]))
			return 0;
	return 1;
}

/* HOLD_OFF=1 (hold env --off): the user took this environment out from
 * under hold; what it execs is not followed. */
static int turned_off(char *const *envp)
{
	for (char *const *e = envp; e && *e; e++)
		if (safe_startswith(*e, "HOLD_OFF=1") && !(*e)[10])
			return 1;
	return 0;
}

__attribute__((hot)) enum hold_envfix_result hold_envfix(const struct hold_envfix *fx,
							 char *const *envp, char **out, size_t cap,
							 char *pre, size_t precap)
{
	size_t n = 0, k = 0;
	int changed = 0, preload_seen = 0;

	if (complete(fx, envp) || turned_off(envp))
		return HOLD_ENV_UNCHANGED;
	for (char *const *e = envp; e && *e; e++)
		n++;
	if (n + fx->nsettings + 2 > cap)
		return HOLD_ENV_TOO_BIG;

	for (size_t i = 0; i < n; i++) {
		char *e = envp[i];

		if (!safe_startswith(e, LDP) || preload_seen) {
			out[k++] = e;
			continue;
		}
		/* The first LD_PRELOAD is the one ld.so reads. */
		preload_seen = 1;
		if (hold_preload_has(e + LDP_LEN, fx->lib)) {
			out[k++] = e;
			continue;
		}
		struct buf b;

		buf_init(&b, pre, precap);
		buf_str(&b, e);
		if (e[LDP_LEN])
			buf_chr(&b, ':');
		buf_str(&b, fx->lib);
		buf_cstr(&b);
		if (b.full)
			return HOLD_ENV_TOO_BIG;
		out[k++] = pre;
		changed = 1;
	}
	if (!preload_seen) {
		out[k++] = (char *)fx->preload;
		changed = 1;
	}
	for (unsigned s = 0; s < fx->nsettings; s++) {
		if (!has_name(envp, fx->settings[s])) {
			out[k++] = (char *)fx->settings[s];
			changed = 1;
		}
	}
	out[k] = 0;
	return changed ? HOLD_ENV_FIXED : HOLD_ENV_UNCHANGED;
}
