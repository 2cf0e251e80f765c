# SPDX-License-Identifier: MIT
# hold wait hands out each park once: parks that landed before it began
# are returned by a plain hold wait, oldest first, and a second hold wait
# returns the next one, not the same; --new waits for a park after now.
. "$(dirname "$0")/lib.sh"

start_holdd --foreground
"$HOLD" run -r 'exec:*/target' -- sh -c "'$H/target' a & sleep 0.2; '$H/target' b & wait" \
	>"$T/out" 2>&1 &
run=$!
until_true '[ "$(nparked)" = 2 ]' || fail "two parks expected: $(cat "$T/out")"
oldest=$("$HOLD" ls --json | "${PYTHON3:-python3}" -c 'import json, sys
print(min(json.load(sys.stdin), key=lambda p: p["since_ns"])["pid"])')
p1=$("$HOLD" wait --timeout 5 target) || fail "a plain hold wait missed the parks already there"
[ "$p1" = "$oldest" ] || fail "hold wait handed $p1, not the oldest park $oldest"
p2=$("$HOLD" wait --timeout 5 target) || fail "the second hold wait found nothing"
[ "$p2" != "$p1" ] || fail "the second hold wait handed the same park $p1"
ok "two parks from before: hold wait hands the oldest ($p1), the next one the other ($p2)"

"$HOLD" wait --timeout 1 target >"$T/w3" 2>&1 && fail "a third hold wait was handed $(cat "$T/w3")"
grep -q "nothing matching target parked within 1s" "$T/w3" || fail "third wait said: $(cat "$T/w3")"
"$HOLD" wait --new --timeout 1 >"$T/w4" 2>&1 && fail "hold wait --new took an old park: $(cat "$T/w4")"
ok "no third: each park was handed out once; --new ignores the parks already there"

# a park after hold wait --new began is handed to it (once it holds its
# connection to holdd, it has surely begun)
"$HOLD" wait --new --timeout 10 target >"$T/w5" &
w5=$!
until_true "ls -l /proc/$w5/fd 2>/dev/null | grep -q socket" || fail "hold wait --new did not start"
"$HOLD" run -r 'exec:*/target' -- "$H/target" c >"$T/out3" 2>&1 &
third=$!
wait "$w5" || fail "hold wait --new missed the new park"
[ "$(cat "$T/w5")" = "$third" ] || fail "hold wait --new handed $(cat "$T/w5"), not $third"
ok "hold wait --new hands the park that came after it began ($third)"

"$HOLD" release --all >/dev/null
wait "$run" || fail "the first run failed: $(cat "$T/out")"
wait "$third"
[ $? = 0 ] || fail "the third target failed"

# a holdd that goes away while hold wait waits (a private one stopping as
# another starts) is as if none had come up yet: it waits for the next
kill "$HOLDD_PID"
wait "$HOLDD_PID" 2>/dev/null
start_holdd --foreground
"$HOLD" wait --timeout 20 target >"$T/w6" 2>"$T/w6.err" &
w6=$!
until_true "ls -l /proc/$w6/fd 2>/dev/null | grep -q socket" || fail "hold wait did not connect"
kill "$HOLDD_PID"
wait "$HOLDD_PID" 2>/dev/null
start_holdd --foreground
"$HOLD" run -r 'exec:*/target' -- "$H/target" d >"$T/out4" 2>&1 &
fourth=$!
wait "$w6" || fail "hold wait gave up when its holdd went away: $(cat "$T/w6.err")"
[ "$(cat "$T/w6")" = "$fourth" ] || fail "hold wait handed $(cat "$T/w6"), not $fourth"
"$HOLD" release "$fourth" >/dev/null
ok "its holdd went away mid-wait: hold wait waited for the next, and was handed $fourth"
