/*
 * interpose.h - how an interposer reaches the definition it hides.
 *
 * REAL(ret, name, params, args) declares real_name, a pointer that starts
 * at a stub: the first call looks the next definition up (dlsym
 * RTLD_NEXT), stores it and goes on.  So the fast path of an interposer is
 * a flag test and an indirect jump, with no "resolved yet?" branch.  The
 * lookup is not async-signal-safe, so hold_bind_all() binds every pointer
 * ahead of time where a lookup could land in a bad place: before a vfork
 * (the child shares our memory and locks) and in images with hand-off rules.
 */
#ifndef HOLD_INTERPOSE_H
#define HOLD_INTERPOSE_H

#include <dlfcn.h>
#include <errno.h>

#include "libhold.h"

#define EXPORT __attribute__((visibility("default")))

#define REAL(ret, name, params, args)                                     \
	static ret early_##name params;                                   \
	static ret(*real_##name) params = early_##name;                   \
	static ret early_##name params                                    \
	{                                                                 \
		ret(*f_) params = (ret(*) params)dlsym(RTLD_NEXT, #name); \
		if (!f_) {                                                \
			errno = ENOSYS;                                   \
			return (ret)-1;                                   \
		}                                                         \
		__atomic_store_n(&real_##name, f_, __ATOMIC_RELAXED);     \
		return f_ args;                                           \
	}

/* One entry of a file's binding table, for hold_bind_all(). */
struct hold_bind {
	const char *name;
	void **slot;
};
#define BIND(name)                           \
	{                                    \
#name, (void **)&real_##name \
	}

/* Bind each pointer of the table that still points at its stub. */
void hold_bind_table(const struct hold_bind *b, unsigned n) HIDDEN;

#endif
