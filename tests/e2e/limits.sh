# SPDX-License-Identifier: MIT
# count=, comm= and arg= limit what parks; count is shared by the whole tree.
. "$(dirname "$0")/lib.sh"

# count=2 across three separate processes exec'd by a shell
preload 'exec:*/target,count=2,timeout=0.01' sh -c \
	"\"$H/target\" 1; \"$H/target\" 2; \"$H/target\" 3" >"$T/out" 2>"$T/err" || fail "count run failed"
[ "$(grep -c 'target main reached' "$T/out")" = 3 ] || fail "not all three targets ran"
[ "$(grep -c 'parked at exec' "$T/err")" = 2 ] || fail "count=2 parked $(grep -c 'parked at exec' "$T/err") times"
ok "count=2 fired twice across a tree of three execs"

# comm= on fork rules: the spawner's children are named spawner
preload 'fork,comm=nomatch*' "$H/spawner" fork "$H/target" >"$T/out" 2>"$T/err" || fail "comm run failed"
grep -q parked "$T/err" && fail "fork,comm=nomatch* parked a child of spawner"
preload 'fork,comm=spawn*,timeout=0.01' "$H/spawner" fork "$H/target" >"$T/out" 2>"$T/err" || fail "comm run failed"
grep -q "(spawner) parked at fork by rule 'fork,comm=spawn\*,timeout=0.01'" "$T/err" ||
	fail "fork,comm=spawn* did not park: $(cat "$T/err")"
ok "comm= selects by process name"

# arg= on exec rules: only the exec whose argv has "b" parks
preload 'exec:*/target,arg=b,mode=stop' sh -c \
	"\"$H/target\" a; \"$H/target\" b; \"$H/target\" c" >"$T/out" 2>"$T/err" &
PIDS=$!
until_true '[ "$(nrecords)" = 1 ]' || fail "arg=b: no park"
rec=$(records)
case "$(field "$rec" argv)" in
*/target\\0b) ;; # argv's elements, NUL-separated, as \0
*) fail "arg=b parked the wrong exec: $(field "$rec" argv)" ;;
esac
kill -CONT "$(record_pid)"
wait "$PIDS" || fail "arg run failed"
[ "$(grep -c 'target main reached' "$T/out")" = 3 ] || fail "not all targets ran"
[ "$(grep -c 'parked at exec' "$T/err")" = 1 ] || fail "arg=b parked more than once"
ok "arg= selects by argv element"
