# SPDX-License-Identifier: MIT
# parks.sh BUILDDIR SRCDIR: a thousand spinning parks at once.
#
#   listed    fork of N children -> all N listed by hold ls, against the
#             same fork of N children that exit at once (no park)
#   hold ls   with N parked, against hold ls with nothing parked
#   idle CPU  of the N parks together while they wait, per second
#   release   hold release --all -> the forking program has seen all N exit
set -eu
B=$1
N=${N:-1000}
W=$(mktemp -d "${TMPDIR:-/tmp}/hold-bench.XXXXXX")
HOLDD_PID=""
trap '[ -z "$HOLDD_PID" ] || kill "$HOLDD_PID" 2>/dev/null; rm -rf "$W"' EXIT
export HOLD_RUNTIME_DIR=$W/run HOLD_SOCKET=$W/run/holdd.sock HOLD_STATE_DIR=$W/state
mkdir -m 700 "$W/run"
HOLD=$B/hold/hold
F=$B/tests/helpers/many_forks
[ -x "$F" ] || make -s -C "$B" tests/helpers/many_forks

now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
nparked() { "$HOLD" ls --json 2>/dev/null | grep -c '"pid"' || true; }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ls_ms() { # median of 15 hold ls --json, ms
	for i in $(seq 15); do
		t=$(now)
		"$HOLD" ls --json >/dev/null 2>&1 || true
		ms "$t" "$(now)"
	done | median
}

"$B/holdd/holdd" --log-file "$W/log" &
HOLDD_PID=$!
until [ -S "$HOLD_SOCKET" ]; do sleep 0.01; done

t=$(now)
"$F" "$N" >/dev/null
base=$(ms "$t" "$(now)")
ls_empty=$(ls_ms)

t=$(now)
"$HOLD" run -r 'fork,arg=*many_forks*' -- "$F" "$N" >/dev/null 2>&1 &
run=$!
until [ "$(nparked)" = "$N" ]; do sleep 0.01; done
listed=$(ms "$t" "$(now)")
ls_full=$(ls_ms)

oncpu() { for k in $(pgrep -P "$run"); do cut -d' ' -f1 "/proc/$k/schedstat" 2>/dev/null; done | awk '{t += $1} END {printf "%d\n", t}'; }
c0=$(oncpu)
sleep 5
idle=$((($(oncpu) - c0) / 5000000))

t=$(now)
"$HOLD" release --all >/dev/null
wait "$run"
released=$(ms "$t" "$(now)")

echo "$N parks: fork -> all listed $listed ms (the same forks, no park: $base ms)"
echo "$N parks: hold ls --json $ls_full ms (nothing parked: $ls_empty ms)"
echo "$N parks: their CPU while waiting, all together: $idle ms a second"
echo "$N parks: hold release --all -> all $N exited: $released ms"
echo "targets: all listed within 2 s; hold ls within 1 s; the machine not saturated"
