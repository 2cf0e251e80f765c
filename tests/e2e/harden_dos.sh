# SPDX-License-Identifier: MIT
# A user connected to a shared holdd cannot exhaust it: WAITs that leaked
# their glob, clients that never read their answers, more connections than
# holdd has fds, one user's connections crowding out another's.  holdd runs
# as root with 256 fds, so its limits are reached quickly.
. "$(dirname "$0")/lib.sh"
need_users
PY=${PYTHON3:-python3}
export PYTHONPATH=$HOLD_TOP_SRCDIR/tests/helpers
command -v prlimit >/dev/null || skip "prlimit is needed (apt-get install util-linux)"

# under ASan (./run-tests sanitized) a small quarantine, so that freed
# memory is reused and the bounds below still measure holdd, not ASan
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1" \
	prlimit --nofile=256:256 "$HOLDD" --log-file "$T/holdd.log" --group "$HGROUP" &
HOLDD_PID=$!
PIDS="$PIDS $HOLDD_PID"
until_true answers || fail "holdd did not start: $(cat "$T/holdd.log")"
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$HOLDD_PID/status"; }
cpu() { awk '{print $14 + $15}' "/proc/$HOLDD_PID/stat"; } # clock ticks
tick=$(getconf CLK_TCK)

# A's park, which A's WAITs will match
as "$USER_A" "$HOLD" run -r 'exec:*/target' -- "$H/target" x >/dev/null 2>&1 &
PIDS="$PIDS $!"
until_true '[ "$(nparked)" = 1 ]' || fail "A's target did not park"

# 1. WAIT after WAIT on one connection, each with a 4 KiB glob
before=$(rss)
as "$USER_A" "$PY" - <<'EOF' || fail "A's WAITs were not answered"
import holdproto as p
c = p.Conn()
glob = "*" * 4000
for i in range(20000):
    c.send(p.msg(p.WAIT, (p.F_TEXT, glob), (p.F_FLAGS, p.FL_ALL)))
    assert c.read()[0] == p.PARKED
EOF
after=$(rss)
[ $((after - before)) -lt 10000 ] || fail "20000 answered WAITs grew holdd by $((after - before)) KiB"
ok "20000 answered WAITs with 4 KiB globs: holdd grew $((after - before)) KiB"

# 2. clients that ask and never read: one answer each is all holdd queues,
# and after a few seconds of nothing taken they are closed
as "$USER_A" "$HOLD" run -- sh -c 'i=0; while [ $i -lt 1500 ]; do /bin/true; i=$((i + 1)); done' ||
	fail "the burst failed"
until_true '[ "$("$HOLD" tree --json | grep -c "\"exited\": true")" -ge 1500 ]' ||
	fail "the burst was not recorded"
before=$(rss)
as "$USER_A" "$PY" - "$T/rt-$USER_A/stop-asking" <<'EOF' &
import os, sys, time, holdproto as p
conns = [p.Conn() for _ in range(10)]
for c in conns:
    for _ in range(200):
        c.send(p.msg(p.TREE))
while not os.path.exists(sys.argv[1]):
    time.sleep(0.1)
EOF
askers=$!
PIDS="$PIDS $askers"
sleep 1 # let holdd take what it will
grown=$(($(rss) - before))
"$HOLD" ls >/dev/null || fail "holdd stopped answering others"
[ "$grown" -lt 60000 ] || fail "10 clients asking 200 trees each and reading none grew holdd by $grown KiB"
until_true '[ "$(grep -c "reads none of its answer; closing its connection" "$T/holdd.log")" -ge 10 ]' 15 ||
	fail "the clients that read nothing were not closed: $(tail -n 3 "$T/holdd.log")"
touch "$T/rt-$USER_A/stop-asking"
ok "clients that never read: holdd grew $grown KiB, kept answering others, closed them"

# 3. one user's connections cannot crowd out another's
as "$USER_B" "$PY" - <<'EOF' >"$T/b" || fail "B's connections: $(cat "$T/b")"
import socket, holdproto as p
conns, refused = [], 0
for _ in range(80):
    try:
        c = p.Conn()
        c.send(p.msg(p.LIST))
        r = c.read(timeout=5)
    except OSError:  # closed at once: refused
        r = None
    if r is None:
        refused += 1
    else:
        while r[0] != p.DONE:
            r = c.read()
        conns.append(c)
print(len(conns), refused)
EOF
read -r held refused <"$T/b"
[ "$held" -le 64 ] && [ "$refused" -ge 16 ] || fail "B held $held connections, $refused refused"
as "$USER_A" "$HOLD" ls >/dev/null || fail "A was crowded out"
ok "B holds at most 64 connections ($held; $refused turned away); A is still served"

# 4. more clients than holdd has fds: it turns them away, and does not spin
"$PY" - "$T/stop-holding" <<'EOF' &
import os, socket, sys, time, holdproto as p
held = []
for _ in range(400):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(0.2)
    try:
        s.connect(p.socket_path())
        held.append(s)
    except OSError:
        s.close()
while not os.path.exists(sys.argv[1]):
    time.sleep(0.1)
EOF
holder=$!
PIDS="$PIDS $holder"
until_true 'grep -q "out of file descriptors: turning new clients away" "$T/holdd.log"' ||
	fail "holdd never ran out of fds: $(tail -n 3 "$T/holdd.log")"
c0=$(cpu)
sleep 2
spent=$(($(cpu) - c0))
[ "$spent" -lt $((tick / 2)) ] || fail "holdd spent $spent of $((2 * tick)) ticks in 2 s with no fd left"
touch "$T/stop-holding"
wait "$holder"
until_true '"$HOLD" ls >/dev/null' || fail "holdd did not come back once the fds were free"
ok "out of fds: holdd turned clients away ($spent ticks of CPU in 2 s), then served again"
"$HOLD" release --all >/dev/null
