#!/bin/sh
# SPDX-License-Identifier: MIT
# libhold_imports.sh: libhold.so imports only what its code may call.
#
# libhold runs in every image of a followed tree, and some of its code runs
# in a fork child, a vfork child or the park loop, where only
# async-signal-safe calls are allowed: no malloc, no stdio, no locks.  It
# makes its system calls raw (sigsafe.c); what it takes from libc is listed
# below, each with why it is safe where it is called.  Anything else that
# slips into libhold.so -- a malloc, a printf, a pthread_mutex_lock, from
# libhold's code or from a common/ file it compiles -- fails this test, which
# names it.  libhold links with -z defs, so every import is seen here.
set -u
LIB=${HOLD_LIB:?run through make check}

# name -- where libhold calls it, and why that is safe there
allowed='
memchr memcmp memcpy memmove memset strchr strlen strncmp strnlen strrchr
	-- pure, async-signal-safe (POSIX.1-2016); no locale, no allocation
__memcpy_chk __memmove_chk __memset_chk __realpath_chk __stack_chk_fail
	-- the hardened build: _FORTIFY_SOURCE checks and the stack protector
__errno_location getpid geteuid getauxval
	-- thread-local or cached by the kernel or ld.so; no lock
environ __environ
	-- the environment, read (and, before exec, copied) by envfix.c
dlsym dladdr
	-- interpose.c and settings.c bind the real functions in the constructor
	   and at the first call of each, never in a fork child (hold_bind_all
	   binds them all before a fork returns)
realpath
	-- settings.c, once in the constructor: the absolute path of libhold
setenv
	-- interpose-exec.c, in the caller of system() and popen(), before
	   they fork: the program'"'"'s own context, which may allocate
fileno_unlocked
	-- interpose-fd.c'"'"'s fclose(), in the caller'"'"'s context, without the
	   FILE lock the caller already holds
inet_pton
	-- rules.c, parsing a rule'"'"'s address in the constructor
__cxa_finalize __gmon_start__ _ITM_deregisterTMCloneTable _ITM_registerTMCloneTable
	-- the toolchain'"'"'s weak references of every shared library
'
names=$(printf '%s\n' "$allowed" | grep -v '^[[:space:]]*--' | grep -v '^[[:space:]]' | tr ' ' '\n' | grep .)
# the undefined dynamic symbols, without their versions
imports=$(nm -D --undefined-only "$LIB" | awk '{print $NF}' | sed 's/@.*//' | sort -u)
[ -n "$imports" ] || { echo "FAIL: no imports read from $LIB (nm?)"; exit 1; }
bad=""
for s in $imports; do
	printf '%s\n' "$names" | grep -qx "$s" || bad="$bad $s"
done
if [ -n "$bad" ]; then
	echo "FAIL: libhold.so imports what code in a fork child, a vfork child or the park"
	echo "loop must not call (malloc, stdio, locks), or what nobody has checked yet:$bad"
	echo "Use libhold/sigsafe.h and a fixed buffer; or, if it is called only where"
	echo "the program itself runs, add it to tests/libhold_imports.sh with why."
	exit 1
fi
echo "ok - libhold.so imports $(printf '%s\n' "$imports" | wc -l) symbols, each on the allow-list"
