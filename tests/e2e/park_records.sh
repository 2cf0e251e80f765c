# SPDX-License-Identifier: MIT
# A park's record (RUNTIME_DIR/park-PID-TID, what hold ls reads when no
# holdd answers) is removed when the park ends.  When hold release ends
# it, holdd removes the record, at its next tick, so that the released
# thread runs at once instead of waiting for an unlink; a later park of
# the same thread, which writes its record again under the same name
# before that tick, keeps its record.  A process killed while parked
# cannot remove its record: holdd sweeps such records away.  The private
# holdds' log is kept to its last MiB or two.
. "$(dirname "$0")/lib.sh"
PY=${PYTHON3:-python3}

start_holdd --foreground
# B: one thread that reads a pipe twice, parking after each read
cat >"$T/twice.py" <<'PYEOF'
import os
r, w = os.pipe()
for b in (b"1", b"2"):
    os.write(w, b)
    os.read(r, 1)
print("done", flush=True)
PYEOF
"$HOLD" run -r 'recv:pipe,count=2' -- "$PY" "$T/twice.py" >"$T/b.out" 2>"$T/b.err" &
PIDS="$PIDS $!"
# A: parked at its exec
"$HOLD" run --preload -r 'exec:*/target' -- "$H/target" >"$T/a.out" 2>"$T/a.err" &
PIDS="$PIDS $!"
until_true '[ "$(nparked)" = 2 ]' || fail "A and B did not park: $(cat "$T/a.err" "$T/b.err")"
a=$("$HOLD" ls --json | "$PY" -c 'import json, sys
print([p["pid"] for p in json.load(sys.stdin) if p["event"] == "exec"][0])')
b=$("$HOLD" ls --json | "$PY" -c 'import json, sys
print([p["pid"] for p in json.load(sys.stdin) if p["event"] == "recv"][0])')
[ -e "$HOLD_RUNTIME_DIR/park-$a-$a" ] && [ -e "$HOLD_RUNTIME_DIR/park-$b-$b" ] ||
	fail "no records: $(records)"

"$HOLD" release --all >/dev/null || fail "hold release --all"
# B parks again at once, writing park-B-B anew; A runs on.
until_true "grep -q 'released (hold release)' '$T/a.err'" || fail "A was not released: $(cat "$T/a.err")"
until_true "[ \"\$(grep -c 'parked at recv' '$T/b.err')\" = 2 ]" || fail "B did not park again: $(cat "$T/b.err")"
# A's record goes at holdd's tick, with B's first: after it, B's second
# park -- the same name, a new file -- still has its record.
until_true "[ ! -e '$HOLD_RUNTIME_DIR/park-$a-$a' ]" || fail "A's record stayed after its release: $(records)"
[ -e "$HOLD_RUNTIME_DIR/park-$b-$b" ] || fail "B's second park lost its record with its first's"
[ "$(field "park-$b-$b" since)" != "" ] || fail "B's record is not a record: $(cat "$HOLD_RUNTIME_DIR/park-$b-$b")"
ok "hold release: the records go at holdd's tick, and a new park of the same thread keeps its own"

"$HOLD" release "$b" >/dev/null || fail "hold release $b"
until_true "grep -qx done '$T/b.out'" || fail "B did not finish: $(cat "$T/b.err")"
until_true '[ -z "$(records)" ]' || fail "records left: $(records)"
ok "after the last release no record is left"

# holdd stopping removes the records of what it released, at once
"$HOLD" run --preload -r 'exec:*/target' -- "$H/target" >"$T/c.out" 2>"$T/c.err" &
PIDS="$PIDS $!"
until_true '[ "$(nparked)" = 1 ]' || fail "C did not park: $(cat "$T/c.err")"
"$HOLD" release --all >/dev/null && kill -TERM "$HOLDD_PID" && wait "$HOLDD_PID"
[ -z "$(records)" ] || fail "holdd stopped and left a released park's record: $(records)"
ok "holdd stopping removes the records of the parks it released"

# killed while parked: its record outlives it, until holdd's sweep
start_holdd --foreground
preload 'exec:*/target' "$H/target" k >"$T/k.out" 2>&1 &
PIDS="$PIDS $!"
k=$("$HOLD" wait --timeout 10 target) || fail "nothing parked to kill: $(cat "$T/k.out")"
[ -n "$(records)" ] || fail "the park left no record"
kill -KILL "$k"
until_true '[ -z "$(records)" ]' 15 || fail "the record of a process killed while parked stayed: $(records); $(tail -4 "$T/holdd.log")"
grep -q "removed 1 park record of processes gone" "$T/holdd.log" || fail "holdd did not say so: $(tail -3 "$T/holdd.log")"
ok "a process killed while parked: holdd swept its record away"

# what else a private holdd leaves there: its log, kept to the last MiB or two
kill "$HOLDD_PID"
until_true '! answers' || fail "holdd did not stop"
head -c 1100000 /dev/zero | tr '\0' 'x' >"$HOLD_RUNTIME_DIR/holdd.log"
"$HOLD" run -- true || fail "hold run"
[ "$(stat -c %s "$HOLD_RUNTIME_DIR/holdd.log.old")" = 1100000 ] || fail "the long log was not moved aside"
[ "$(stat -c %s "$HOLD_RUNTIME_DIR/holdd.log")" -lt 100000 ] || fail "the private holdd's log still grows"
grep -q "listening on" "$HOLD_RUNTIME_DIR/holdd.log" || fail "the new log: $(cat "$HOLD_RUNTIME_DIR/holdd.log")"
ok "a private holdd's log over 1 MiB is moved to holdd.log.old before the next one appends"
