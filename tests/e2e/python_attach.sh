# SPDX-License-Identifier: MIT
# hold attach on CPython targets: --py-bt prints the parked thread's Python
# stack and leaves it parked, for Debian's python3 and for a venv's copied
# interpreter (whose extension gdb would not auto-load); without the
# extension the error names the package; --py-bt on a C program says why not.
# libhold's parks (--preload), which spin again once gdb has gone; a fork
# park from the kernel is attached in pdb_channel.sh.
. "$(dirname "$0")/lib.sh"
need_py_bt

cat >"$T/svc.py" <<'PY'
import os, sys
def spawn_worker(n):
    pid = os.fork()
    if pid == 0:
        print("worker", n, "ran", flush=True)
        os._exit(0)
    return pid
def main():
    os.waitpid(spawn_worker(7), 0)
    print("service done", flush=True)
main()
PY

# parked, py-bt, still parked, released
pybt_check() { # LABEL PYTHON
	"$HOLD" run --preload -r 'fork,comm=python*' -- "$2" "$T/svc.py" >"$T/out" 2>"$T/err" &
	run=$!
	PIDS="$PIDS $run"
	pid=$("$HOLD" wait --timeout 20) || fail "$1: no park: $(cat "$T/err")"
	"$HOLD" attach --py-bt "$pid" >"$T/bt" 2>&1 || fail "$1: --py-bt failed: $(cat "$T/bt")"
	grep -q "^Traceback (most recent call first):" "$T/bt" || fail "$1: no Python stack: $(cat "$T/bt")"
	grep -q "File \"$T/svc.py\", line 3, in spawn_worker" "$T/bt" &&
		grep -q "File \"$T/svc.py\", line 9, in main" "$T/bt" ||
		fail "$1: py-bt lacks the script's frames: $(cat "$T/bt")"
	grep -q 'os.fork()' "$T/bt" || fail "$1: py-bt shows no source line: $(cat "$T/bt")"
	"$HOLD" ls | grep -q "^$pid .*  \[python\]$" && "$HOLD" ls --json | grep -q '"python": true' ||
		fail "$1: hold ls does not mark the Python park: $("$HOLD" ls)"
	grep -q '^Locals for spawn_worker$' "$T/bt" && grep -q '^n = 7$' "$T/bt" ||
		fail "$1: --py-bt printed no locals (n = 7 in spawn_worker): $(cat "$T/bt")"
	# parked again within a moment: gdb's detach and the park loop's next
	# look at its flag take their turns on a loaded machine
	until_true '[ "$(nparked)" = 1 ] && [ "$(state "$pid")" = S ]' 5 ||
		fail "$1: not parked after --py-bt (state $(state "$pid"), $(nparked) parked)"
	grep -q 'worker 7 ran' "$T/out" && fail "$1: the worker ran while parked"
	"$HOLD" release "$pid" >/dev/null || fail "$1: release failed"
	wait "$run" || fail "$1: the service failed: $(cat "$T/err")"
	grep -qx 'worker 7 ran' "$T/out" && grep -qx 'service done' "$T/out" || fail "$1: $(cat "$T/out")"
	ok "$1: --py-bt shows spawn_worker and main, leaves it parked; release runs it"
}
pybt_check "python$ver" "$PYTHON3"

"$PYTHON3" -m venv --copies --without-pip "$T/venv" || fail "cannot make a venv"
cmp -s "$T/venv/bin/python" "$exe" || skip "the venv's python is not a copy of $exe"
pybt_check "a venv's copied python (named plain 'python')" "$T/venv/bin/python"

# stop mode: gdb attaches to the stopped worker and detaches; it stays stopped
"$HOLD" run --preload -r 'fork,comm=python*,mode=stop' -- "$PYTHON3" "$T/svc.py" >"$T/out" 2>"$T/err" &
run=$!
PIDS="$PIDS $run"
pid=$("$HOLD" wait --timeout 20) || fail "stop mode: no park: $(cat "$T/err")"
until_true '[ "$(state "$pid")" = T ]' 5 || fail "stop mode: not stopped"
"$HOLD" attach --py-bt "$pid" >"$T/bt" 2>&1 || fail "stop mode: --py-bt: $(cat "$T/bt")"
grep -q 'in spawn_worker' "$T/bt" || fail "stop mode: $(cat "$T/bt")"
# gdb's detach wakes the process to stop again (the kernel re-arms its
# group stop), so it is briefly running: wait for the stop, then ask
# whether the worker's code ran
until_true '[ "$(state "$pid")" = T ]' 10 || fail "stop mode: --py-bt let it run (state $(state "$pid"))"
grep -q 'worker 7 ran' "$T/out" && fail "stop mode: --py-bt let the worker run"
[ "$(nparked)" = 1 ] || fail "stop mode: no longer listed after --py-bt"
"$HOLD" release "$pid" >/dev/null && wait "$run" || fail "stop mode: release"
grep -qx 'worker 7 ran' "$T/out" || fail "stop mode: $(cat "$T/out")"
ok "stop mode: --py-bt leaves the worker stopped; release runs it"

# no extension: the error names the package, the process stays parked
"$HOLD" run --preload -r 'fork,comm=python*' -- "$PYTHON3" "$T/svc.py" >"$T/out" 2>"$T/err" &
run=$!
PIDS="$PIDS $run"
pid=$("$HOLD" wait --timeout 20) || fail "no park: $(cat "$T/err")"
mkdir "$T/empty"
HOLD_GDB_AUTOLOAD=$T/empty "$HOLD" attach --py-bt "$pid" >"$T/msg" 2>&1
rc=$?
[ $rc = 2 ] || fail "missing extension: exit $rc, expected 2: $(cat "$T/msg")"
grep -q "runs CPython $ver .*apt-get install python$ver-dbg" "$T/msg" || fail "$(cat "$T/msg")"
HOLD_GDB_AUTOLOAD=$T/empty HOLD_PYTHON_GDB=$T/nothing.py "$HOLD" attach --py-bt "$pid" >"$T/msg" 2>&1
grep -q "HOLD_PYTHON_GDB=$T/nothing.py is not a readable file" "$T/msg" || fail "$(cat "$T/msg")"
HOLD_GDB_AUTOLOAD=$T/empty HOLD_PYTHON_GDB="/usr/share/gdb/auto-load$exe-gdb.py" \
	"$HOLD" attach --py-bt "$pid" >"$T/bt" 2>&1 || fail "HOLD_PYTHON_GDB: $(cat "$T/bt")"
grep -q 'in spawn_worker' "$T/bt" || fail "HOLD_PYTHON_GDB: $(cat "$T/bt")"
[ "$(nparked)" = 1 ] || fail "not parked after the failed attaches"
"$HOLD" release "$pid" >/dev/null && wait "$run" || fail "release after the errors"
ok "no extension: the error names python$ver-dbg; HOLD_PYTHON_GDB names one"

# a C program is not Python
"$HOLD" run --preload -r 'exec:*/target' -- "$H/target" x >"$T/out" 2>&1 &
run=$!
PIDS="$PIDS $run"
pid=$("$HOLD" wait --timeout 20) || fail "no park of target: $(cat "$T/out"; "$HOLD" ls; "$HOLD" tree)"
"$HOLD" attach --py-bt "$pid" >"$T/msg" 2>&1
[ $? = 2 ] && grep -q "pid $pid is not a CPython process" "$T/msg" || fail "$(cat "$T/msg")"
"$HOLD" attach --py-bt -b main "$pid" >"$T/msg" 2>&1
[ $? = 2 ] && grep -q -- "--py-bt prints the Python stack and detaches" "$T/msg" || fail "$(cat "$T/msg")"
"$HOLD" release "$pid" >/dev/null
wait "$run"
ok "--py-bt on a C program, or with -b: a usage error that says why"
