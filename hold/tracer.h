/* SPDX-License-Identifier: MIT */
/*
 * tracer.h - the ptrace engine: follow a tree from outside it and park its
 * new processes and images by fork and exec rules (hold follow; hold run
 * for a static program, where libhold cannot go).
 */
#ifndef HOLD_TRACER_H
#define HOLD_TRACER_H

#include "cli.h"

/* Take the rules (fork and exec only); 0, or an exit status, said. */
int tracer_rules(const struct cmd_entry *self, const char *text);
/* Follow running pid and what it starts until it exits, or SIGINT or
 * SIGTERM; then let go of every process still traced.  An exit status. */
int tracer_follow(int pid);
/* Run argv under the engine (holdd is up); the program's exit status. */
int tracer_run(const struct cmd_entry *self, const char *text, char **argv);

#endif
