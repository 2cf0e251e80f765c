# SPDX-License-Identifier: MIT
# Python's os.fork, subprocess.run (also with env={}) and multiprocessing
# with the fork start method park as the rules say.
. "$(dirname "$0")/lib.sh"
[ -n "${PYTHON3:-}" ] && [ -x "$PYTHON3" ] || skip "python3 is not installed (apt-get install python3)"

# os.fork: the child parks (stopped) before Python runs anything in it
preload 'fork,comm=python*,mode=stop' "$PYTHON3" -c '
import os
pid = os.fork()
if pid == 0:
    print("forked child ran", flush=True)
    os._exit(0)
_, st = os.waitpid(pid, 0)
print("child exited", os.waitstatus_to_exitcode(st))
' >"$T/out" 2>"$T/err" &
PIDS=$!
until_true '[ "$(nrecords)" = 1 ]' || fail "os.fork: no park"
pid=$(record_pid)
until_true '[ "$(state "$pid")" = T ]' 5 || fail "os.fork child not stopped"
grep -q 'forked child ran' "$T/out" && fail "os.fork child ran before release"
kill -CONT "$pid"
wait "$PIDS" || fail "os.fork script failed: $(cat "$T/err")"
grep -qx 'child exited 0' "$T/out" || fail "$(cat "$T/out")"
ok "os.fork child parked and released"

for env in 'None' '{}'; do
	preload 'exec:*/target,mode=stop' "$PYTHON3" -c "
import subprocess, sys
r = subprocess.run([sys.argv[1]], env=$env)
print('child exited', r.returncode)
" "$H/target" >"$T/out" 2>"$T/err" &
	PIDS=$!
	until_true '[ "$(nrecords)" = 1 ]' || fail "subprocess env=$env: no park"
	kill -CONT "$(record_pid)"
	wait "$PIDS" || fail "subprocess script failed: $(cat "$T/err")"
	grep -q 'target main reached' "$T/out" || fail "subprocess env=$env: target did not run"
	grep -qx 'child exited 0' "$T/out" || fail "$(cat "$T/out")"
	ok "subprocess.run(env=$env): target parked at exec"
done

preload 'fork,comm=python*,timeout=0.05' "$PYTHON3" -c '
import multiprocessing as mp
def work(i):
    print("worker", i, flush=True)
if __name__ == "__main__":
    mp.set_start_method("fork")
    ps = [mp.Process(target=work, args=(i,)) for i in range(3)]
    for p in ps: p.start()
    for p in ps: p.join()
    print("exitcodes", [p.exitcode for p in ps])
' >"$T/out" 2>"$T/err" || fail "multiprocessing script failed: $(cat "$T/err")"
grep -qx 'exitcodes \[0, 0, 0\]' "$T/out" || fail "$(cat "$T/out")"
[ "$(grep -c 'parked at fork' "$T/err")" = 3 ] || fail "expected 3 worker parks: $(cat "$T/err")"
ok "multiprocessing (fork): 3 workers parked"
