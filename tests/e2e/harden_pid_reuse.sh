# SPDX-License-Identifier: MIT
# A connection outlives the process that made it, and that pid can become
# someone else's.  User B keeps a connection made by a child of theirs that
# has exited; user A's process is made to take that very pid and parks
# (mode=stop); B then sends a PARK on the old connection.  holdd must refuse
# it: B must not see A's process nor be able to SIGCONT it through root's
# holdd.
. "$(dirname "$0")/lib.sh"
need_users
PY=${PYTHON3:-python3}
export PYTHONPATH=$HOLD_TOP_SRCDIR/tests/helpers
[ -w /proc/sys/kernel/ns_last_pid ] || skip "cannot choose the next pid (/proc/sys/kernel/ns_last_pid)"

start_holdd --foreground --group "$HGROUP"
as "$USER_A" true # makes A's runtime directory
as "$USER_B" true
X=$T/rt-$USER_B # where B and the test leave word for each other

# B: a connection made by a child that then exits
as "$USER_B" "$PY" - "$X" <<'EOF' &
import os, socket, sys, time, holdproto as p
t = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
kid = os.fork()
if kid == 0:
    s.connect(p.socket_path())
    s.sendall(p.msg(p.HELLO, (p.F_VERSION, p.VERSION)))
    os._exit(0)
os.waitpid(kid, 0)
open(t + "/stale-pid", "w").write("%d\n" % kid)
while not os.path.exists(t + "/go"):
    time.sleep(0.02)
try:
    s.sendall(p.msg(p.PARK, (p.F_TID, kid), (p.F_EVENT, "exec"), (p.F_RULE, "forged"),
                    (p.F_MODE, p.MODE_STOP), (p.F_PATH, "/forged")))
    s.sendall(p.msg(p.LIST))  # answered once the PARK was taken; closed if refused
    s.recv(65536)
except OSError:
    pass
open(t + "/sent", "w").close()
time.sleep(60)
EOF
PIDS="$PIDS $!"
until_true "[ -s '$X/stale-pid' ]" || fail "B's connection was not made"
P=$(cat "$X/stale-pid")

# A's process takes pid P and parks, stopped
tries=0
while :; do
	echo $((P - 1)) >/proc/sys/kernel/ns_last_pid
	HOLD_RUNTIME_DIR=$T/rt-$USER_A setpriv --reuid="$USER_A" --regid="$HGROUP" --init-groups \
		env LD_PRELOAD="$HOLD_LIB" HOLD_RULES='exec:*/target,mode=stop' "$H/target" >/dev/null 2>&1 &
	victim=$!
	[ "$victim" = "$P" ] && break
	kill -KILL "$victim"
	tries=$((tries + 1))
	[ $tries -lt 30 ] || skip "another process kept taking pid $P"
done
PIDS="$PIDS $victim"
until_true "[ \"\$(state $P)\" = T ] && \"$HOLD\" ls | grep -q '^$P '" || fail "A's process did not park as pid $P"
ok "A's stopped park has pid $P, the pid of B's dead connection"

touch "$X/go"
until_true "[ -e '$X/sent' ]" || fail "B did not send its PARK"
grep -q "a PARK from uid $(id -u "$USER_B") on a connection whose process (pid $P) has exited: refused" "$T/holdd.log" ||
	fail "holdd took B's PARK: $(tail -n 5 "$T/holdd.log")"
as "$USER_B" "$HOLD" ls >"$T/ls" 2>&1
[ $? = 1 ] || fail "B's hold ls lists something: $(cat "$T/ls")"
as "$USER_B" "$HOLD" release --all >"$T/rel" 2>&1
[ "$(cat "$T/rel")" = "released 0" ] || fail "B released something: $(cat "$T/rel")"
[ "$(state "$P")" = T ] || fail "A's process was continued by B (state $(state "$P"))"
"$HOLD" ls | grep -c "^$P " | grep -qx 1 || fail "root lists pid $P other than once: $("$HOLD" ls)"
ok "B's PARK on the dead connection is refused; B sees and releases nothing of A's"
kill -KILL "$P"
