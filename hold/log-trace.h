/* SPDX-License-Identifier: MIT */
/*
 * log-trace.h - hold log --trace: the events of hold log, gathered, then
 * written in the Trace Event Format (log-trace.c).
 */
#ifndef HOLD_LOG_TRACE_H
#define HOLD_LOG_TRACE_H

#include <stdio.h>

#include "proto.h"

struct trace;
struct trace *trace_new(void); /* NULL: out of memory */
/* One of hold log's events: FORK, EXEC, EXIT, PARKED, RELEASED, HANDOFF. */
void trace_event(struct trace *t, const struct hold_msg *m);
/* The whole trace, as one JSON object; 0, or -1 (a write failed). */
int trace_write(struct trace *t, FILE *f);
void trace_free(struct trace *t);

#endif
