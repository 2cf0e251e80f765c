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

# their CPU time over two idle seconds, all together, in nanoseconds
# (schedstat's first field), which ticks are too coarse to show
oncpu() {
	for k in $(pgrep -P "$run"); do cut -d' ' -f1 "/proc/$k/schedstat" 2>/dev/null; done |
		awk '{t += $1} END {printf "%d\n", t}'
}
t0=$(oncpu)
sleep 2
used=$((($(oncpu) - t0) / 1000000))
[ "$used" -lt 1000 ] || fail "$N waiting parks used $used ms of CPU in 2 s: half a core or more"
ok "$N waiting parks used $used ms of CPU in 2 s, all together"

"$HOLD" release --all >"$T/rel" || fail "release --all failed"
[ "$(cat "$T/rel")" = "released $N" ] || fail "release --all: $(cat "$T/rel")"
wait "$run" || fail "not every child ran on: $(cat "$T/out")"
grep -qx "$N of $N children exited 0" "$T/out" || fail "$(cat "$T/out")"
ok "release --all released all $N, and each ran on"
