# SPDX-License-Identifier: MIT
# hold log: what holdd saw, one event a line with its time.  -f shows a
# fork, an exec, a park and a release as they happen, in that order; after
# the fact hold log prints them from the journal, with or without holdd.
# -f follows across a restart of holdd, showing nothing twice.
. "$(dirname "$0")/lib.sh"
PY=${PYTHON3:-python3}

start_holdd --foreground
"$HOLD" log -f --json >"$T/log.json" 2>"$T/log.err" &
logpid=$!
PIDS="$PIDS $logpid"
"$HOLD" run -r 'exec:*/target' -- bash -c "'$H/target' x; echo done" >"$T/run.out" 2>&1 & # bash forks; dash would vfork, whose child shows first at its exec
run=$!
PIDS="$PIDS $run"
pid=$("$HOLD" wait --timeout 20) || fail "nothing parked: $(cat "$T/run.out")"
"$HOLD" release "$pid" >/dev/null || fail "hold release"
wait "$run" || fail "the run failed: $(cat "$T/run.out")"
until_true "grep -q '\"type\": \"release\"' '$T/log.json'" || fail "no release in hold log -f: $(cat "$T/log.json" "$T/log.err")"
"$PY" - "$T/log.json" "$pid" <<'PYEOF' || fail "hold log -f: $(cat "$T/log.json")"
import json, sys
pid = int(sys.argv[2])
ev = [json.loads(line) for line in open(sys.argv[1])]
assert all(e["version"] == 1 and e["time_ns"] > 0 for e in ev), ev
mine = [e["type"] for e in ev if e["pid"] == pid or e.get("child") == pid]
assert mine[:4] == ["fork", "exec", "park", "release"], mine
ex = [e for e in ev if e["type"] == "exec" and e["pid"] == pid][0]
assert ex["argv"][1:] == ["x"] and ex["path"].endswith("/target"), ex
park = [e for e in ev if e["type"] == "park"][0]
# one vocabulary with hold ls --json: a park's event is "event"
assert park["rule"] == "exec:*/target" and park["event"] == "exec" and park["tid"] == pid, park
times = [e["time_ns"] for e in ev]
assert times == sorted(times), times
PYEOF
ok "hold log -f: the fork, exec, park and release of $pid, in order, with their times"

"$HOLD" log >"$T/log.txt" || fail "hold log"
grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{3}  fork     [0-9]+ -> $pid\$" "$T/log.txt" ||
	fail "no fork line: $(cat "$T/log.txt")"
grep -Eq "  park     $pid/$pid at exec by rule 'exec:\*/target' \(target\)\$" "$T/log.txt" || fail "no park line: $(cat "$T/log.txt")"
grep -Eq "  release  $pid/$pid \(hold release\)\$" "$T/log.txt" || fail "no release line: $(cat "$T/log.txt")"
ok "hold log afterwards: the same events from the journal, a line each with its time"

kill "$logpid"
kill -TERM "$HOLDD_PID" && wait "$HOLDD_PID"
"$HOLD" log >"$T/log2.txt" 2>"$T/log2.err" || fail "hold log with no holdd: $(cat "$T/log2.err")"
grep -q "the events of holdd's journal" "$T/log2.err" || fail "$(cat "$T/log2.err")"
grep -q "  release  $pid/$pid" "$T/log2.txt" || fail "hold log with no holdd: $(cat "$T/log2.txt")"
ok "with no holdd running, hold log reads the journal, and says so"

# -f across a restart: the next holdd's events follow, none shown twice
start_holdd --foreground
"$HOLD" log -f >"$T/f.txt" 2>"$T/f.err" &
logpid=$!
PIDS="$PIDS $logpid"
until_true "grep -q '  release  $pid/$pid' '$T/f.txt'" || fail "hold log -f did not print the journal"
kill -TERM "$HOLDD_PID" && wait "$HOLDD_PID"
until_true "grep -q 'holdd has stopped; following the next one' '$T/f.err'" || fail "log -f: $(cat "$T/f.err")"
kill -0 "$logpid" || fail "hold log -f ended with holdd"
start_holdd --foreground
"$HOLD" run -r 'exec:*/target' -- "$H/target" y >"$T/run2.out" 2>&1 &
pid2=$("$HOLD" wait --timeout 10 target) || fail "no second park"
"$HOLD" release "$pid2" >/dev/null
until_true "grep -q '  release  $pid2/$pid2' '$T/f.txt'" || fail "the next holdd's events did not follow: $(cat "$T/f.txt")"
[ "$(grep -c "  release  $pid/$pid " "$T/f.txt")" = 1 ] && [ "$(grep -c "  release  $pid/$pid\$" "$T/f.txt")" -le 1 ] ||
	fail "an event shown twice: $(cat "$T/f.txt")"
[ "$(grep -c "  park     $pid/$pid " "$T/f.txt")" = 1 ] || fail "the first park shown twice: $(cat "$T/f.txt")"
kill "$logpid"
ok "hold log -f follows the next holdd after a restart, and shows nothing twice"
