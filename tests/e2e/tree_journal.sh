# SPDX-License-Identifier: MIT
# hold tree after hold run has ended: its private holdd has stopped, and
# hold tree reads holdd's journal through a holdd of its own that reads
# it only (holdd --read-journal, on a socketpair: no socket, nothing
# written), then exits.
. "$(dirname "$0")/lib.sh"

"$HOLD" tree 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "no holdd answers" "$T/err" || fail "no journal yet: rc $rc, $(cat "$T/err")"
"$HOLD" run -- sh -c "'$H/target' x >/dev/null; /bin/true" 2>"$T/run.err" || fail "hold run: $(cat "$T/run.err")"
runpid_tree() { "$HOLD" tree --json 2>"$T/tree.err"; }
until_true "[ ! -S '$HOLD_SOCKET' ]" || fail "the private holdd did not stop"
sum=$(md5sum <"$HOLD_STATE_DIR/journal")
"$HOLD" tree >"$T/tree" 2>"$T/tree.err" || fail "hold tree after the run: $(cat "$T/tree.err")"
grep -q "─exec─▶ /usr/bin/sh -c\|─exec─▶ /bin/sh -c" "$T/tree" || fail "the run's root: $(cat "$T/tree")"
grep -q "├─fork─ [0-9]* ─exec─▶ $H/target x  \[exited\]" "$T/tree" || fail "the run's child: $(cat "$T/tree")"
grep -q "the trees as holdd's journal in $HOLD_STATE_DIR last recorded them" "$T/tree.err" ||
	fail "hold tree did not say where the trees came from: $(cat "$T/tree.err")"
"$HOLD" tree --json 2>/dev/null | /usr/bin/python3 -c 'import json, sys
d = json.load(sys.stdin)
assert any(r["path"].endswith("/target") and r["exited"] for r in d), d' || fail "hold tree --json from the journal"
[ "$(md5sum <"$HOLD_STATE_DIR/journal")" = "$sum" ] || fail "reading the journal changed it"
pgrep -f -- "--read-journal" >/dev/null && fail "holdd --read-journal stayed behind"
[ ! -S "$HOLD_SOCKET" ] || fail "hold tree started a holdd that listens"
ok "after hold run has ended, hold tree shows its tree from the journal, read only, and says so"
