# SPDX-License-Identifier: MIT
# mode=stop: the process shows state T until SIGCONT; with timeout= it is
# continued by itself, and the program never sees the watchdog.
. "$(dirname "$0")/lib.sh"

preload 'exec:*/target,mode=stop' "$H/spawner" forkexec "$H/target" >"$T/out" 2>"$T/err" &
PIDS=$!
until_true '[ "$(nrecords)" = 1 ]' || fail "no park record"
pid=$(record_pid)
until_true '[ "$(state "$pid")" = T ]' 5 || fail "parked process state is $(state "$pid"), not T"
[ "$(field "park-$pid-$pid" mode)" = stop ] || fail "record mode is not stop"
grep -q "release: hold release $pid or kill -CONT $pid" "$T/err" || fail "stderr does not say how to release"
kill -CONT "$pid"
wait "$PIDS" || fail "spawner failed"
grep -q 'target main reached' "$T/out" || fail "target did not run after SIGCONT"
grep -qx 'child exited 0' "$T/out" || fail "$(cat "$T/out")"
grep -q "pid $pid released (SIGCONT)" "$T/err" || fail "release not reported: $(cat "$T/err")"
ok "stop mode: T until SIGCONT, then completes"

: >"$T/err"
preload 'exec:*/target,mode=stop,timeout=2' "$H/spawner" forkexec "$H/target" >"$T/out" 2>"$T/err" &
PIDS=$!
until_true '[ "$(nrecords)" = 1 ]' || fail "no park record (timeout run)"
pid=$(record_pid)
until_true '[ "$(state "$pid")" = T ]' 5 || fail "not stopped (timeout run)"
wait "$PIDS" || fail "spawner failed (timeout run)"
grep -qx 'child exited 0' "$T/out" || fail "$(cat "$T/out")"
grep -q "pid $pid released (timeout)" "$T/err" || fail "timeout release not reported: $(cat "$T/err")"
[ "$(nrecords)" = 0 ] || fail "record left behind"
ok "stop mode with timeout continues by itself"
