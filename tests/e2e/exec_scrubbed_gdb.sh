# SPDX-License-Identifier: MIT
# An execve with envp {"PATH=/bin", NULL} under an exec rule: the new image
# is parked before its own constructors and main; gdb sets `break main`, releases with
# `set var hold = 0`, continues, and hits main; the program completes.
. "$(dirname "$0")/lib.sh"
need_gdb

env LD_PRELOAD="$HOLD_LIB" HOLD_RULES='exec:*/target' "$H/scrub_exec" "$H/target" x >"$T/out" 2>"$T/err" &
pid=$!
PIDS=$pid
until_true '[ -e "$HOLD_RUNTIME_DIR/park-$pid-$pid" ]' || fail "no park record for $pid"
[ -s "$T/out" ] && fail "target ran its constructor or main before release: $(cat "$T/out")"
[ "$(field "park-$pid-$pid" event)" = exec ] || fail "record event is not exec"
[ "$(field "park-$pid-$pid" rule)" = 'exec:*/target' ] || fail "record rule wrong"
grep -qx "hold: pid $pid (target) parked at exec by rule 'exec:\*/target'; attach: hold attach $pid" "$T/err" ||
	fail "stderr line missing or wrong: $(cat "$T/err")"
ok "parked before its constructors and main, announced on stderr and in the runtime directory"

"$GDB" -q -nx -p "$pid" -batch -ex 'break main' -ex 'frame function hold_park' \
	-ex 'set var hold = 0' -ex continue -ex 'info frame' >"$T/gdb" 2>&1
grep -q '^Breakpoint 1, main (' "$T/gdb" || fail "breakpoint at main not hit: $(cat "$T/gdb")"
ok "gdb released the park and stopped at main"

wait "$pid"
rc=$?
[ "$rc" = 3 ] || fail "exit status $rc, expected the target's 3"
grep -q 'target main reached.*preload=yes rules=yes' "$T/out" ||
	fail "new image did not get LD_PRELOAD/HOLD_RULES back: $(cat "$T/out")"
grep -q "released (hold = 0)" "$T/err" || fail "no release line"
[ "$(nrecords)" = 0 ] || fail "park record left behind: $(records)"
ok "program completed with its own status; record removed"
