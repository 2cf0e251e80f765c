# SPDX-License-Identifier: MIT
# A thousand spinning parks at once: every one listed, none lost, all of
# them together cheap while they wait, every one released by one command.
# (How fast they are listed and released is a benchmark: make bench.)
. "$(dirname "$0")/lib.sh"
N=1000

start_holdd --foreground
"$HOLD" run -r 'fork,arg=*many_forks*' -- "$H/many_forks" $N >"$T/out" 2>"$T/err" &
run=$!
until_true "[ \"\$(nparked)\" = $N ]" 60 || fail "$(nparked) of $N listed"
"$HOLD" tree --json >"$T/tree.json"
/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
kids = [p for p in d if p["depth"] == 1 and p["parked"]]
assert len(kids) == int(sys.argv[2]), len(kids)' "$T/tree.json" $N || fail "the tree lacks forks"
ok "$N parks listed, and their $N forks recorded"

# While they wait, each looks at its flag less and less often, down to every
# 100 ms: over two idle seconds about 20 looks each.  Count them -- each look
# ends in a sleep, a voluntary context switch (/proc/PID/status), which the
# machine's load does not change the way it changes CPU time; a park that
# looked every millisecond would sleep 2000 times.
# (each read of all of them in one go: a process per park would stretch
# the two seconds by as much again)
of_parks() { pgrep -P "$run" | sed "s|.*|/proc/&/$1|" | xargs cat 2>/dev/null; }
sleeps() { of_parks status | awk '/^voluntary_ctxt_switches:/ {t += $2} END {printf "%d\n", t}'; }
oncpu() { # nanoseconds (schedstat's first field), which ticks are too coarse to show
	of_parks schedstat | awk '{t += $1} END {printf "%d\n", t}'
}
t0=$(oncpu) s0=$(sleeps)
sleep 2
used=$((($(oncpu) - t0) / 1000000)) looks=$((($(sleeps) - s0) / N))
[ "$looks" -le 40 ] || fail "$N waiting parks looked $looks times each in 2 s (more often than every 50 ms)"
ok "$N waiting parks looked $looks times each in 2 s, and used $used ms of CPU all together"

"$HOLD" release --all >"$T/rel" || fail "release --all failed"
[ "$(cat "$T/rel")" = "released $N" ] || fail "release --all: $(cat "$T/rel")"
wait "$run" || fail "not every child ran on: $(cat "$T/out")"
grep -qx "$N of $N children exited 0" "$T/out" || fail "$(cat "$T/out")"
ok "release --all released all $N, and each ran on"
