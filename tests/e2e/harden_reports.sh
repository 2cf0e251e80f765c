# SPDX-License-Identifier: MIT
# Forged reports against a shared (root, --group) holdd: user B's datagrams
# cannot knot the tree (a walk that never ends hung holdd), cannot move or
# claim user A's processes, and names chosen by a process cannot write to
# root's terminal through hold ls and hold tree.
. "$(dirname "$0")/lib.sh"
need_users
PY=${PYTHON3:-python3}
export PYTHONPATH=$HOLD_TOP_SRCDIR/tests/helpers

start_holdd --foreground --group "$HGROUP"

# 1. a fork report naming the sender itself, then its parent, as the child
as "$USER_B" "$PY" - <<'EOF' || fail "user B could not report"
import os, holdproto as p
me, parent = os.getpid(), os.getppid()
p.report(p.msg(p.EXEC, (p.F_PATH, "/bin/evil"), (p.F_PPID, parent)))
p.report(p.msg(p.FORK, (p.F_CHILD, me)))
p.report(p.msg(p.FORK, (p.F_CHILD, parent)))
EOF
timeout 5 "$HOLD" tree --json >"$T/tree.json" || fail "holdd stopped answering after a forged fork report"
grep -q "ignoring a bad report from pid [0-9]* uid $(id -u "$USER_B"): a fork report naming another user's process or an ancestor" \
	"$T/holdd.log" || fail "the forged report was not logged: $(cat "$T/holdd.log")"
ok "a fork report naming the sender or its parent is refused; holdd answers"

# 2. the ring: only holdd's own user may write it (0600), and the pid in a
# ring report is the writer's word, so holdd checks it: a pid no process
# can have is refused, and so -- in a user's holdd -- is a live process of
# another user.  (Root's ring is written by root alone, who could make any
# process say anything: holdd does not ask.)
[ -f "$HOLD_SOCKET.ring" ] || fail "holdd made no report ring"
as "$USER_B" "$PY" -c 'import os; open(os.environ["HOLD_SOCKET"] + ".ring", "r+b")' 2>"$T/ringerr" &&
	fail "user B could open root's report ring"
grep -q PermissionError "$T/ringerr" || fail "user B: $(cat "$T/ringerr")"
"$PY" - <<'EOF' || fail "could not write the ring"
import holdproto as p
p.ring_put(p.msg(p.EXEC, (p.F_PATH, "/ring/forged-pid"), (p.F_PPID, 1)), 1 << 23)
p.ring_put(p.msg(p.EXEC, (p.F_PATH, "/ring/forged-zero"), (p.F_PPID, 1)), 0)
EOF
"$HOLD" tree --json >"$T/tree.json" || fail "hold tree"
grep -q /ring/forged "$T/tree.json" && fail "a forged ring report was recorded: $(grep -C3 /ring/forged "$T/tree.json")"
grep -q "a ring report with a pid no process can have" "$T/holdd.log" ||
	fail "the impossible pids were not logged: $(cat "$T/holdd.log")"
# user A's own holdd; A forges a report about B's process into A's ring
ART=$T/rt-$USER_A
as "$USER_A" true # makes A's runtime directory
as "$USER_A" "$HOLDD" --socket "$ART/a.sock" --state-dir "$ART/state" --log-file "$ART/a.log" &
PIDS="$PIDS $!"
until_true "[ -f '$ART/a.sock.ring' ]" || fail "A's holdd did not start: $(cat "$ART/a.log")"
as "$USER_B" sleep 30 &
PIDS="$PIDS $!"
until_true "pgrep -u $USER_B -x sleep >/dev/null" || fail "no sleep of user B"
victim=$(pgrep -u "$USER_B" -x sleep | head -n 1)
as "$USER_A" env PYTHONPATH="$PYTHONPATH" "$PY" - "$victim" "$ART/a.sock" <<'EOF' || fail "A could not write A's ring"
import os, sys, holdproto as p
p.ring_put(p.msg(p.EXEC, (p.F_PATH, "/ring/forged-for-b"), (p.F_PPID, 1)), int(sys.argv[1]), sys.argv[2])
p.ring_put(p.msg(p.EXEC, (p.F_PATH, "/ring/from-a"), (p.F_PPID, 1)), os.getpid(), sys.argv[2])
EOF
HOLD_SOCKET=$ART/a.sock as "$USER_A" "$HOLD" tree --json >"$T/a-tree.json" || fail "hold tree of A's holdd"
grep -q /ring/forged-for-b "$T/a-tree.json" && fail "A's forged report about B's process was recorded"
grep -q /ring/from-a "$T/a-tree.json" || fail "A's own ring report was not recorded: $(cat "$T/a-tree.json")"
grep -q "ignoring a bad report from pid $victim uid $(id -u "$USER_A"): a ring report about another user's process" \
	"$ART/a.log" || fail "the report about B's process was not logged: $(cat "$ART/a.log")"
ok "the ring: other users cannot open it; reports naming an impossible pid, or another user's process, are refused"

# 5. B names A's processes as its children: one A has reported already
# (hold run records it), one A has not
as "$USER_A" "$HOLD" run -- sleep 30 &
PIDS="$PIDS $!"
until_true "\"$HOLD\" tree --json | grep -q '\"path\": \"/usr/bin/sleep\"'" ||
	fail "A's process was not recorded"
recorded=$(pgrep -u "$USER_A" -x sleep)
as "$USER_A" sleep 30 &
PIDS="$PIDS $!"
until_true "pgrep -u $USER_A -f 'sleep 30' | grep -vx '$recorded' >/dev/null" || fail "no second sleep"
unrecorded=$(pgrep -u "$USER_A" -x sleep | grep -vx "$recorded" | head -n 1)
# then a report of its own, which holdd takes after those (one queue)
as "$USER_B" "$PY" - "$recorded" "$unrecorded" <<'EOF' || fail "user B could not report"
import os, sys, holdproto as p
for victim in sys.argv[1:]:
    p.report(p.msg(p.FORK, (p.F_CHILD, int(victim))))
p.report(p.msg(p.EXEC, (p.F_PATH, "/b/after-the-forgeries"), (p.F_PPID, os.getppid())))
EOF
until_true "\"$HOLD\" tree --json | grep -q /b/after-the-forgeries" || fail "B's last report was not taken"
"$HOLD" tree --json >"$T/tree.json" || fail "hold tree"
"$PY" - "$T/tree.json" "$recorded" "$unrecorded" "$(id -u "$USER_A")" <<'EOF' || fail "B's reports changed A's tree: $(cat "$T/tree.json")"
import json, sys
nodes = {n["pid"]: n for n in json.load(open(sys.argv[1]))}
rec, unrec, uid_a = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
assert nodes[rec]["parent"] == 0 and nodes[rec]["depth"] == 0, nodes[rec]  # still a root
assert nodes[rec]["uid"] == uid_a
assert unrec not in nodes, nodes[unrec]  # not claimed by B
EOF
ok "B cannot move A's recorded process, nor claim one A has not reported"

# Names and arguments a process chooses reach root's terminal escaped: no
# escape sequence, no forged row
cat >"$T/evil.py" <<'EOF'
import os, time
open("/proc/self/comm", "w").write("a\nb\033[2J")
if os.fork() == 0:
    os._exit(0)
time.sleep(30)
EOF
as "$USER_A" "$HOLD" run -r 'fork,count=1' -- "$PY" "$T/evil.py" "$(printf 'x\033]0;pwned\007\nFAKE ROW')" \
	>/dev/null 2>&1 &
PIDS="$PIDS $!"
until_true '[ "$(nparked)" = 1 ]' || fail "the renamed child did not park"
"$HOLD" ls >"$T/ls" || fail "hold ls"
"$HOLD" tree >"$T/tree" || fail "hold tree"
for f in ls tree; do
	if LC_ALL=C grep -q "$(printf '\033')" "$T/$f" || LC_ALL=C grep -q "$(printf '\007')" "$T/$f"; then
		fail "hold $f printed a control character: $(od -c "$T/$f" | head)"
	fi
done
[ "$(wc -l <"$T/ls")" = 2 ] || fail "hold ls printed a forged row: $(cat "$T/ls")"
grep -q 'a\\x0ab\\x1b\[2J' "$T/ls" || fail "the name is not shown escaped: $(cat "$T/ls")"
grep -c 'FAKE ROW' "$T/tree" | grep -qx 1 || fail "hold tree: $(cat "$T/tree")"
grep 'FAKE ROW' "$T/tree" | grep -q 'x\\x1b\]0;pwned\\x07\\x0aFAKE ROW' || fail "hold tree: $(cat "$T/tree")"
"$HOLD" release --all >/dev/null
ok "names and argv reach the terminal escaped, one row each"
