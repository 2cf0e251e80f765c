# SPDX-License-Identifier: MIT
# A tree started by root's `hold run` whose processes switch to another
# user (as nginx and Apache workers, and qemu under libvirt, do): their
# parks reach root's private holdd (socket 0666 in a runtime directory
# others may only search), count= stays tree-wide across the switch, and
# a third user sees and releases nothing.  Against a holdd that does not
# hear other users, such a process does not park, and says why on stderr
# and to syslog.
. "$(dirname "$0")/lib.sh"

need_users
ua=$(id -u "$USER_A")
drop() { echo "setpriv --reuid=$USER_A --regid=$HGROUP --clear-groups"; }

# root's hold run, no holdd yet: it starts a private one
"$HOLD" run -r 'recv:pipe,count=1' -- sh -c "echo first | $(drop) cat; echo second | $(drop) cat" \
	>"$T/out" 2>"$T/err" &
run=$!
PIDS="$PIDS $run"
pid=$(timeout 10 "$HOLD" wait) || fail "hold wait named nothing: $(cat "$T/err")"
[ "$(stat -c %u "/proc/$pid")" = "$ua" ] || fail "the parked process $pid is not $USER_A's"
[ "$(stat -c %a "$HOLD_RUNTIME_DIR")" = 711 ] && [ "$(stat -c %a "$HOLD_SOCKET")" = 666 ] ||
	fail "modes: dir $(stat -c %a "$HOLD_RUNTIME_DIR"), socket $(stat -c %a "$HOLD_SOCKET")"
ok "root's tree: cat parked as $USER_A ($pid), and hold wait named it"

"$HOLD" ls | grep -q "^$pid .*cat .*recv" || fail "hold ls does not list $pid: $("$HOLD" ls)"
"$HOLD" tree | grep -q "cat.*parked" || fail "hold tree: $("$HOLD" tree)"
ok "hold ls and hold tree list it"

# the third user, pointed at root's holdd, sees and releases nothing
[ -z "$(as "$USER_B" env HOLD_SOCKET="$HOLD_SOCKET" "$HOLD" ls --json | grep '"pid"')" ] ||
	fail "$USER_B sees root's tree's park"
as "$USER_B" env HOLD_SOCKET="$HOLD_SOCKET" "$HOLD" release "$pid" 2>"$T/b.err" &&
	fail "$USER_B released it"
grep -q "not parked, or not yours" "$T/b.err" || fail "$USER_B was told: $(cat "$T/b.err")"
[ -n "$(as "$USER_B" env HOLD_SOCKET="$HOLD_SOCKET" "$HOLD" tree 2>&1 | grep cat)" ] &&
	fail "$USER_B sees the tree"
ok "$USER_B cannot see, list in a tree, or release it"

# cat could not write its record in root's directory: holdd wrote it,
# so the park stays findable when that holdd dies, and comes back to the
# next one
[ "$(stat -c %U "$HOLD_RUNTIME_DIR/park-$pid-$pid")" = root ] &&
	grep -qx "uid=$ua" "$HOLD_RUNTIME_DIR/park-$pid-$pid" || fail "no record of $pid by holdd: $(ls -la "$HOLD_RUNTIME_DIR")"
pkill -KILL -f "holdd --socket $HOLD_SOCKET --exit-with" || fail "no private holdd to kill"
until_true '! answers' || fail "the private holdd did not die"
"$HOLD" ls >"$T/ls" 2>&1
grep -q "^$pid .*cat .*recv" "$T/ls" || fail "with no holdd, hold ls does not list $pid: $(cat "$T/ls")"
start_holdd --foreground --any-user
until_true "grep -q 'pid $pid thread $pid (cat) parked at recv' $T/holdd.log" ||
	fail "the park did not come back to a new holdd: $(cat "$T/holdd.log")"
ok "holdd killed: hold ls still lists it (holdd wrote its record); it came back to the next holdd"

"$HOLD" release "$pid" >"$T/rel" 2>&1
[ "$(cat "$T/rel")" = "released 1" ] || fail "root could not release it: $(cat "$T/rel"; "$HOLD" ls; cat "$T/holdd.log")"
until_true "[ ! -e $HOLD_RUNTIME_DIR/park-$pid-$pid ]" || fail "its record outlived the release"
wait "$run" || fail "the tree failed: $(cat "$T/err")"
[ "$(cat "$T/out")" = "first
second" ] || fail "output: $(cat "$T/out")"
[ "$(grep -c 'parked at' "$T/err")" = 1 ] || fail "count=1 fired more than once: $(cat "$T/err")"
ok "released; the second cat, also $USER_A's, did not park: count= is the tree's"

# A holdd that hears only root: the switched process must not park unseen.
kill "$HOLDD_PID"
until_true '! answers' || fail "holdd did not stop"
log=""
if [ ! -e /dev/log ]; then # listen where syslog would, for this test only
	log=$T/syslog
	"${PYTHON3:-python3}" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
open(sys.argv[1] + ".ready", "w").close()
while True:
    d = s.recv(4096)
    with open(sys.argv[1], "ab") as f: f.write(d + b"\n")
' "$log" &
	syslogd=$!
	PIDS="$PIDS $syslogd"
	trap 'kill $syslogd 2>/dev/null; rm -f /dev/log; cleanup' EXIT
	until_true "[ -e $log.ready ]" || fail "no stand-in syslog"
fi
start_holdd --foreground
"$HOLD" run -r 'recv:pipe' -- sh -c "echo third | $(drop) cat" >"$T/out2" 2>"$T/err2" ||
	fail "the tree failed: $(cat "$T/err2")"
[ "$(cat "$T/out2")" = third ] || fail "cat did not run on: $(cat "$T/out2")"
grep -q "hold run: the holdd at .* is mode 0600" "$T/err2" || fail "hold run did not warn: $(cat "$T/err2")"
grep -q "not parked at recv.*for uid $ua (this process switched user; .*--any-user" "$T/err2" ||
	fail "no reason on stderr: $(cat "$T/err2")"
ok "against a holdd that hears only root, cat ran on and said why on stderr"
if [ -n "$log" ]; then
	until_true "grep -qs 'hold\[[0-9]*\]: pid .*(cat) not parked at recv' $log" ||
		fail "nothing in syslog: $(cat "$log" 2>/dev/null)"
	ok "and to syslog"
else
	echo "# /dev/log exists (a real syslog): not reading it back"
fi
