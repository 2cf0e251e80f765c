/* SPDX-License-Identifier: MIT */
/*
 * elf.h - is an executable one that ld.so starts (and so loads libhold)?
 * libhold asks before an exec (a static image parks its caller instead),
 * hold run before it runs one (a static one is followed by ptrace).
 * Pure: the caller reads the file (libhold with raw system calls).
 */
#ifndef HOLD_ELF_H
#define HOLD_ELF_H

/* Read n bytes at off of the file fd into buf; how many, or < 0. */
typedef long (*hold_pread_fn)(long fd, void *buf, unsigned long n, unsigned long off);

/* 1: a 64-bit ELF with an interpreter (PT_INTERP: dynamic); 0: one without
 * (static); -1: not a 64-bit ELF, or unreadable (a script: not ours to say). */
int hold_elf_dynamic(long fd, hold_pread_fn rd);

#endif
