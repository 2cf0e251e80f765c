/* SPDX-License-Identifier: MIT */
/*
 * hold.h - libhold's public interface.
 *
 * Most programs never include this: LD_PRELOAD=libhold.so with HOLD_RULES
 * parks them by rule.  A program may also park itself at a place of its
 * choosing, the way the folk remedy `static volatile int hold = 1;
 * while (hold);` does, and be listed and released like any other park:
 *
 *     #include <hold.h>
 *     hold_here("before qemuProcessStart");   // link with -lhold
 */
#ifndef HOLD_H
#define HOLD_H

#ifdef __cplusplus
extern "C" {
#endif

/* Park the calling thread until released: in gdb, `frame function
 * hold_park` and `set var hold = 0`, or `hold release PID/TID`. */
void hold_here(const char *why) __attribute__((visibility("default")));

#ifdef __cplusplus
}
#endif

#endif
