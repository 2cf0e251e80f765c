/* SPDX-License-Identifier: MIT */
/*
 * interpose.c - bind every interposer's real function at once (see
 * interpose.h), while the process is in a state where dlsym is safe.
 */
#include "interpose.h"

static void bind_table(const struct hold_bind *b)
{
	for (; b->name; b++) {
		void *f = dlsym(RTLD_NEXT, b->name);

		if (f)
			__atomic_store_n(b->slot, f, __ATOMIC_RELAXED);
	}
}

void hold_bind_all(void)
{
	bind_table(hold_binds_recv);
	bind_table(hold_binds_fd);
	bind_table(hold_binds_cred);
}
