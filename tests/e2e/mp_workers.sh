# SPDX-License-Identifier: MIT
# Python multiprocessing under hold run, with the fork and the forkserver
# start methods: each worker parks right after its fork, before its target
# runs; hold ls lists them; --py-bt shows multiprocessing's frame that
# forked it; hold release --all lets the pool finish.  The forkserver is
# itself exec'd by the master, and only its forks are parked: the rule
# narrows on its argv (fork,arg=...).
. "$(dirname "$0")/lib.sh"
need_py_bt
N=3

cat >"$T/pool.py" <<'PY'
import multiprocessing as mp, os, sys
def say(line):  # one write(2) per line: the workers share stdout
    os.write(1, (line + "\n").encode())
def work(i):
    say("worker %d ran in %d" % (i, os.getpid()))
if __name__ == "__main__":
    mp.set_start_method(os.environ["START_METHOD"])
    ps = [mp.Process(target=work, args=(i,)) for i in range(int(os.environ["N"]))]
    for p in ps: p.start()
    for p in ps: p.join()
    print("exitcodes", [p.exitcode for p in ps], flush=True)
PY

check() { # START_METHOD RULE FRAME
	START_METHOD=$1 N=$N "$HOLD" run -r "$2" -- "$PYTHON3" "$T/pool.py" >"$T/out" 2>"$T/err" &
	run=$!
	PIDS="$PIDS $run"
	until_true "[ \"\$(nparked)\" = $N ]" 30 || fail "$1: $(nparked) of $N workers parked: $(cat "$T/err")"
	"$HOLD" ls >"$T/ls" || fail "$1: hold ls failed"
	[ "$(grep -c ' fork ' "$T/ls")" = $N ] || fail "$1: hold ls: $(cat "$T/ls")"
	grep -q 'worker' "$T/out" && fail "$1: a worker ran while parked: $(cat "$T/out")"
	if [ "$1" = forkserver ]; then
		# the forkserver is exec'd by the master; the workers are its forks
		"$HOLD" tree >"$T/tree" 2>&1 || fail "hold tree: $(cat "$T/tree")"
		[ "$(grep -A$N 'exec─▶ .*multiprocessing.forkserver' "$T/tree" | grep -c '\[parked\]')" = $N ] ||
			fail "the workers are not under the forkserver's exec: $(cat "$T/tree")"
	fi
	pid=$(awk 'NR==2 {print $1}' "$T/ls")
	"$HOLD" attach --py-bt "$pid" >"$T/bt" 2>&1 || fail "$1: --py-bt: $(cat "$T/bt")"
	grep -q "$3" "$T/bt" || fail "$1: py-bt lacks '$3': $(cat "$T/bt")"
	[ "$(nparked)" = $N ] || fail "$1: --py-bt released something"
	"$HOLD" release --all >"$T/rel" || fail "$1: release --all: $(cat "$T/rel")"
	wait "$run" || fail "$1: the pool failed: $(cat "$T/err")"
	grep -qx "exitcodes \\[0, 0, 0\\]" "$T/out" || fail "$1: $(cat "$T/out")"
	[ "$(grep -c '^worker . ran in' "$T/out")" = $N ] || fail "$1: $(cat "$T/out")"
	# every park was a worker: its pid printed the worker line
	for p in $(sed -n 's/^hold: pid \([0-9]*\) (.*parked at fork.*/\1/p' "$T/err"); do
		grep -q "ran in $p\$" "$T/out" || fail "$1: pid $p parked but was no worker: $(cat "$T/err")"
	done
	ok "$1: $N workers parked at fork, py-bt in multiprocessing ($3), released, exit 0"
}

check fork 'fork,comm=python*' 'popen_fork.py", line [0-9]*, in _launch'
check forkserver 'fork,arg=*multiprocessing.forkserver*' 'forkserver.py", line [0-9?]*, in main'
