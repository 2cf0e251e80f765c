# SPDX-License-Identifier: MIT
# What another user wrote is escaped wherever it is shown or logged: a
# process of user B names itself with U+202E (which shows the text after
# it backwards) and parks with a comm and a rule that hold a newline, ESC
# and an OSC sequence.  Root's hold ls, tree and log show the U+202E as
# bytes (\xe2\x80\xae) and JSON as \u202e; holdd's own log gets no forged
# line and no raw control byte.  A flood of malformed messages is
# rate-limited in holdd's log, and says how many it held back.
. "$(dirname "$0")/lib.sh"
need_users
PY=${PYTHON3:-python3}
export PYTHONPATH=$HOLD_TOP_SRCDIR/tests/helpers

start_holdd --foreground --group "$HGROUP"
as "$USER_B" "$PY" - "$T/rt-$USER_B/done" <<'EOF' &
import ctypes, os, sys, time, holdproto as p
ctypes.CDLL(None).prctl(15, b"\xe2\x80\xaegnp.exe")
bad = "x\n2026-01-01 00:00:00.000 holdd: forged line\x1b]0;pwn\x07\u202e"
c = p.Conn()
c.send(p.msg(p.PARK, (p.F_PID, os.getpid()), (p.F_TID, os.getpid()), (p.F_EVENT, "here"),
             (p.F_RULE, bad), (p.F_COMM, bad), (p.F_MODE, 0), (p.F_START, 1),
             (p.F_SINCE_NS, time.time_ns()), (p.F_PATH, "/tmp/\u202eexe")))
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
EOF
PIDS="$PIDS $!"
until_true '[ "$(nparked)" = 1 ]' || fail "user B's park is not listed"
"$HOLD" ls >"$T/ls" 2>&1
"$HOLD" ls --json >"$T/ls.json"
"$HOLD" log >"$T/log" 2>&1
touch "$T/rt-$USER_B/done"
for f in ls log holdd.log; do
	grep -q "$(printf '\342\200\256')" "$T/$f" && fail "$f passes U+202E through: $(cat "$T/$f")"
	grep -q "$(printf '\033')" "$T/$f" && fail "$f passes ESC through"
	grep -q '^2026-01-01 00:00:00.000 holdd: forged line' "$T/$f" && fail "$f has a forged line"
done
grep -q '\\xe2\\x80\\xaegnp.exe' "$T/ls" || fail "hold ls does not show the name escaped: $(cat "$T/ls")"
grep -q '\\u202egnp.exe' "$T/ls.json" || fail "hold ls --json: $(cat "$T/ls.json")"
"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d[0]["comm"] == "\u202egnp.exe", d' \
	"$T/ls.json" || fail "the JSON name does not decode to the bytes it was"
grep -q 'by rule .x\\x0a2026-01-01 00:00:00.000 holdd: forged line\\x1b\]0;pwn\\x07\\xe2\\x80\\xae' \
	"$T/holdd.log" || fail "holdd's log line is not there escaped: $(cat "$T/holdd.log")"
ok "U+202E, newline, ESC and OSC from user B: escaped in hold ls, ls --json, log and holdd's log"

before=$(wc -l <"$T/holdd.log")
as "$USER_B" "$PY" - <<'EOF' || fail "the flood"
import socket, struct, holdproto as p
for i in range(500):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(p.socket_path())
    s.sendall(struct.pack("<IHH", 8, 99, 1))  # a wrong version
    s.close()
EOF
"$HOLD" ls >/dev/null 2>&1 # holdd has read them all
lines=$(($(wc -l <"$T/holdd.log") - before))
[ "$lines" -le 12 ] || fail "500 malformed messages made $lines log lines"
sleep 1.1
as "$USER_B" "$PY" -c 'import socket, struct, holdproto as p
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(p.socket_path())
s.sendall(struct.pack("<IHH", 8, 99, 1))'
until_true 'grep -q "more like it, not logged" "$T/holdd.log"' ||
	fail "the next line does not say how many were held back: $(tail -n 3 "$T/holdd.log")"
ok "500 malformed messages: $lines lines in holdd's log, then one that counts the rest"
