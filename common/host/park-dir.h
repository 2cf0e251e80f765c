/* SPDX-License-Identifier: MIT */
/*
 * park-dir.h - the park records of a runtime directory (park.h), for hold
 * (what is parked when no holdd answers) and holdd (stopped processes,
 * which cannot announce themselves again after a restart).
 */
#ifndef HOLD_PARK_DIR_H
#define HOLD_PARK_DIR_H

#include <stdint.h>

#include "park.h"

/* Records of live parks (the process exists with the recorded start time),
 * sorted by pid and tid, in *out (malloc'd).  Each park's uid is its
 * record's owner -- libhold writes the record as the parked process --
 * except in a record of root's, whose uid= line counts: holdd writes the
 * records of processes that could not (they switched user).  The count,
 * or -1 if dir cannot be read. */
int park_dir_read(const char *dir, struct park **out);
/* holdd's side: remove the records whose process has gone (killed while
 * parked), which nothing else would; how many. */
int park_dir_sweep(const char *dir);
/* holdd's side: write p's record into dir (whole, under a temporary name,
 * never through a link), or remove it.  0, or -1 with errno. */
int park_dir_write(const char *dir, const struct park *p);
void park_dir_remove(const char *dir, int pid, int tid);
/* Is p's own record in dir -- owned by uid, for the same process (pid,
 * tid and start time) -- so that holdd may remove it for the park?  Its
 * inode number, or 0. */
uint64_t park_dir_has(const char *dir, const struct park *p, uint32_t uid);
/* Remove pid/tid's record if it is still the file with inode ino (not a
 * record of a later park of the same thread). */
void park_dir_remove_ino(const char *dir, int pid, int tid, uint64_t ino);

#endif
