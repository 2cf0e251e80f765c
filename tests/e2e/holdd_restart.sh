# SPDX-License-Identifier: MIT
# SIGKILL holdd with 20 processes parked, append a torn record to its
# journal, start it again: all 20 are listed again within a second (they
# reconnect), the tree comes back from the journal, none was released by
# accident, and all can be released.
. "$(dirname "$0")/lib.sh"

start_holdd --foreground
"$HOLD" run -r 'exec:*/target' -- sh -c \
	'i=0; while [ $i -lt 20 ]; do "$0" x & i=$((i + 1)); done; wait' "$H/target" \
	>"$T/out" 2>"$T/err" &
runpid=$!
until_true '[ "$(nparked)" = 20 ]' 20 || fail "20 did not park: $(nparked) $(cat "$T/err")"
"$HOLD" tree --json >"$T/before.json" || fail "hold tree before"
ok "20 processes parked"

kill -KILL "$HOLDD_PID"
wait "$HOLDD_PID" 2>/dev/null
printf '\001\002\003\004\005' >>"$HOLD_STATE_DIR/journal" # a record cut short
t0=$(date +%s%N)
start_holdd --foreground
until_true '[ "$(nparked)" = 20 ]' 5 || fail "only $(nparked) re-listed after the restart"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -le 1500 ] || fail "re-listing took ${ms} ms (reconnects come every 200 ms)"
grep -q "dropped a torn or corrupt tail of 5 bytes" "$T/holdd.log" || fail "torn tail not reported: $(cat "$T/holdd.log")"
ok "all 20 re-listed ${ms} ms after the restart; the torn journal tail was dropped"

"$HOLD" tree --json >"$T/after.json" || fail "hold tree after"
/usr/bin/python3 - "$T/before.json" "$T/after.json" "$runpid" <<'PY' || fail "tree not restored"
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:3])
root = int(sys.argv[3])
key = lambda d: sorted((n["pid"], n["parent"]) for n in d)
assert key(before) == key(after), (key(before), key(after))
kids = [n for n in after if n["parent"] == root]
assert len(kids) == 20 and all(n["parked"] and n["execed"] for n in kids), kids
PY
ok "the tree came back from the journal: the same 21 processes, 20 parked"

[ -s "$T/out" ] && fail "a target ran while holdd was away: $(cat "$T/out")"
grep -q released "$T/err" && fail "released by accident: $(grep released "$T/err")"
ok "none was released by accident"

[ "$("$HOLD" release --all)" = "released 20" ] || fail "release --all"
wait "$runpid" || fail "the run did not finish cleanly"
[ "$(grep -c 'main reached' "$T/out")" = 20 ] || fail "not all 20 ran: $(cat "$T/out")"
until_true '[ "$(nparked)" = 0 ]' || fail "parks left listed"
ok "all 20 released and completed"
