# SPDX-License-Identifier: MIT
# Two hold runs share one private holdd: the second joins the first's
# (OWNER), so the holdd outlives the first program while the second one
# still has parks to make, and stops after both.
. "$(dirname "$0")/lib.sh"

mkfifo "$T/a" "$T/b"
"$HOLD" run -- sh -c "read x <'$T/a'" >"$T/a.out" 2>&1 &
apid=$!
PIDS="$PIDS $apid"
until_true answers || fail "the first hold run started no holdd"
holdd=$(pgrep -f "holdd --socket $HOLD_SOCKET") || fail "no private holdd process"

"$HOLD" run -r fork -- sh -c "read x <'$T/b'; (echo subshell ran); echo b-done" \
	>"$T/b.out" 2>"$T/b.err" &
bpid=$!
PIDS="$PIDS $bpid"
# b has joined once it is sh, blocked opening its fifo (the shell's own
# open: no fork, so nothing parks yet)
until_true "[ \"\$(cat /proc/$bpid/comm 2>/dev/null)\" = sh ] && [ \"\$(state $bpid)\" = S ]" ||
	fail "the second run did not start"

echo >"$T/a"
wait "$apid" || fail "the first run failed: $(cat "$T/a.out")"
ok "the first program ended"

echo >"$T/b"
"$HOLD" wait --timeout 10 >"$T/w" 2>&1 || fail "no park after the first run ended: $(cat "$T/w") $(cat "$T/holdd.log" 2>/dev/null)"
[ "$(pgrep -f "holdd --socket $HOLD_SOCKET")" = "$holdd" ] || fail "a second holdd was started"
[ "$(nparked)" = 1 ] || fail "holdd lists $(nparked) parks, expected the subshell"
ok "the shared holdd outlived the first run and saw the second run's park"

"$HOLD" release --all >/dev/null || fail "release --all failed"
wait "$bpid" || fail "the second run failed: $(cat "$T/b.err")"
grep -qx 'subshell ran' "$T/b.out" && grep -qx b-done "$T/b.out" || fail "$(cat "$T/b.out")"
until_true '! answers' || fail "the private holdd outlived both runs"
ok "it stopped after both programs ended"
