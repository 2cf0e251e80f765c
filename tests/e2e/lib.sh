# SPDX-License-Identifier: MIT
# lib.sh - shared helpers for hold's end-to-end tests (sourced, POSIX sh).
# Automake's harness sets HOLD_TOP_BUILDDIR, HOLD_TOP_SRCDIR, HOLD_LIB, GDB.
set -u
B=${HOLD_TOP_BUILDDIR:?run through make check}
H=$B/tests/helpers
T=$(mktemp -d "${TMPDIR:-/tmp}/hold-test.XXXXXX")
HOLD_RUNTIME_DIR=$T/run
export HOLD_RUNTIME_DIR
unset HOLD_RULES HOLD_RULES_FILE HOLD_SESSION
PIDS=""

# At exit, kill what the test started, and everything hold followed for it
# that outlived it (a failed test can leave parked forkserver workers, a
# re-parented qemu, a private holdd): libhold gives every image it follows
# the test's HOLD_RUNTIME_DIR.
cleanup() {
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	if [ -n "${USERS_MADE:-}" ]; then # everything they run, then them
		pkill -KILL -u "$USER_A" 2>/dev/null
		pkill -KILL -u "$USER_B" 2>/dev/null
		userdel "$USER_A" 2>/dev/null
		userdel "$USER_B" 2>/dev/null
		groupdel "$HGROUP" 2>/dev/null
	fi
	for e in /proc/[0-9]*/environ; do
		p=${e#/proc/}
		p=${p%/environ}
		[ "$p" != $$ ] && grep -qzx "HOLD_RUNTIME_DIR=$HOLD_RUNTIME_DIR" "$e" 2>/dev/null &&
			kill -KILL "$p" 2>/dev/null
	done
	for m in ${MOUNTED:-}; do umount -l "$m"; done # rootfs.sh's overlays
	rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
ok() { echo "ok - $*"; }

# Wait (up to $2 seconds, default 10) until the command in $1 succeeds.
until_true() {
	_n=$(( ${2:-10} * 50 ))
	while ! eval "$1"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.02
	done
}

# park records currently in the runtime directory
records() { ls "$HOLD_RUNTIME_DIR" 2>/dev/null | grep '^park-' || true; }
nrecords() { records | wc -l; }
# the value of KEY in a park record file
field() { sed -n "s/^$2=//p" "$HOLD_RUNTIME_DIR/$1"; }
# pid named by the only/first park record
record_pid() { records | head -n 1 | sed 's/^park-\([0-9]*\)-.*/\1/'; }

state() { sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null; }

need_gdb() { [ -n "${GDB:-}" ] && [ -x "$GDB" ] || skip "gdb is not installed (apt-get install gdb)"; }
# gdb, python3 and gdb's CPython extension for it (py-bt); sets ver
# ("3.11") and exe (the interpreter's real path)
need_py_bt() {
	need_gdb
	[ -n "${PYTHON3:-}" ] && [ -x "$PYTHON3" ] || skip "python3 is not installed (apt-get install python3)"
	ver=$("$PYTHON3" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	exe=$("$PYTHON3" -c 'import os, sys; print(os.path.realpath(sys.executable))')
	[ -r "/usr/share/gdb/auto-load$exe-gdb.py" ] ||
		skip "gdb's CPython extension is not installed (apt-get install python$ver-dbg)"
}

# run a command under libhold: preload RULES COMMAND...
preload() {
	_rules=$1
	shift
	/usr/bin/env LD_PRELOAD="$HOLD_LIB" HOLD_RULES="$_rules" "$@"
}

# Two throwaway users, USER_A and USER_B, in a throwaway group HGROUP, for
# the tests that play one user against another; removed at exit.  $T
# becomes readable by them.  Skips without root.
need_users() {
	[ "$(id -u)" = 0 ] || skip "making two throwaway users needs root"
	command -v useradd >/dev/null && command -v setpriv >/dev/null ||
		skip "useradd and setpriv are needed (apt-get install passwd util-linux)"
	HGROUP=hgrp$$ USER_A=hua$$ USER_B=hub$$
	groupadd "$HGROUP" || skip "cannot create a group"
	USERS_MADE=1
	useradd -M -N -g "$HGROUP" -d /nonexistent -s /bin/sh "$USER_A" &&
		useradd -M -N -g "$HGROUP" -d /nonexistent -s /bin/sh "$USER_B" ||
		fail "cannot create the users"
	chmod 755 "$T"
}
# as USER CMD...: run CMD as that user (its own runtime directory, made
# 0700 and its own, unless the caller set HOLD_RUNTIME_DIR)
as() {
	_u=$1
	shift
	_rt=$T/rt-$_u
	[ -d "$_rt" ] || { mkdir -p "$_rt" && chown "$_u" "$_rt" && chmod 700 "$_rt"; }
	HOLD_RUNTIME_DIR=${AS_RUNTIME_DIR:-$_rt} setpriv --reuid="$_u" --regid="$HGROUP" --init-groups "$@"
}

# --- holdd and the CLI ------------------------------------------------------
HOLD=$B/hold/hold
HOLDD=$B/holdd/holdd
HOLD_SOCKET=$HOLD_RUNTIME_DIR/holdd.sock
HOLD_STATE_DIR=$T/state
export HOLD_SOCKET HOLD_STATE_DIR
unset HOLD_LIB_OVERRIDE

# Start holdd in the background (logging to $T/holdd.log); HOLDD_PID.
start_holdd() {
	"$HOLDD" --log-file "$T/holdd.log" "$@" &
	HOLDD_PID=$!
	PIDS="$PIDS $HOLDD_PID"
	until_true 'answers' || fail "holdd did not start: $(cat "$T/holdd.log")"
}
# Does a holdd answer?  (hold tree says "no holdd answers" when none does,
# and then exits 2, or reads the journal.)
answers() { ! "$HOLD" tree 2>&1 >/dev/null | grep -q "no holdd answers"; }
# How many threads holdd lists as parked.
nparked() { "$HOLD" ls --json 2>/dev/null | grep -c '"pid"'; }
