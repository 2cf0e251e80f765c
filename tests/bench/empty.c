/* SPDX-License-Identifier: MIT */
/* The floor of any LD_PRELOAD tool: a library with nothing in it. */
int hold_bench_empty;
