/* SPDX-License-Identifier: MIT */
/*
 * attach-pdb.h - hold attach --pdb (attach-pdb.c).
 */
#ifndef HOLD_ATTACH_PDB_H
#define HOLD_ATTACH_PDB_H

#include <sys/types.h>

/* Listen in dir (a fresh 0700 directory), run gdb_argv (whose hold-pdb
 * step connects pdb in the target to dir/pdb.sock), relay the session;
 * an exit status. */
int attach_pdb(const char *gdb, char **gdb_argv, int pid, uid_t target_uid, const char *dir);

#endif
