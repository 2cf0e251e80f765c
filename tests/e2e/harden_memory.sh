# SPDX-License-Identifier: MIT
# One user cannot grow holdd without bound.  User A records a tree whose
# answer is megabytes (3000 processes with long argv), then asks for it
# on 100 connections that read a little and then nothing: each
# answer's memory counts against A's cap on answers waiting to be read,
# so holdd stays far below the hundred answers (it was held at a gigabyte),
# closes what passes the cap, and answers others.  And ten thousand PARKs
# announcing one stopped child of A as a tracer's park make one park.
. "$(dirname "$0")/lib.sh"
need_users
PY=${PYTHON3:-python3}
export PYTHONPATH=$HOLD_TOP_SRCDIR/tests/helpers
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$HOLDD_PID/status"; }

# under ASan (./run-tests sanitized) a small quarantine, so that freed
# memory is reused and the bound measures holdd, not ASan
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
export ASAN_OPTIONS
start_holdd --foreground --group "$HGROUP"
long=$(head -c 6000 /dev/zero | tr '\0' a)
as "$USER_A" "$HOLD" run -- sh -c 'i=0; while [ $i -lt 3000 ]; do /bin/true "$0"; i=$((i + 1)); done' "$long" ||
	fail "A's tree"
until_true '[ "$(as "$USER_A" "$HOLD" tree --json | grep -c "\"exited\": true")" -ge 3000 ]' 30 ||
	fail "A's tree was not recorded"
size=$(as "$USER_A" "$HOLD" tree --json | wc -c)
[ "$size" -gt 1500000 ] || fail "A's tree answer is only $size bytes: the test asks too little"

before=$(rss)
as "$USER_A" "$PY" - "$T/rt-$USER_A/stop" <<'EOF' &
import os, sys, time, holdproto as p
conns = []
for _ in range(100):
    c = p.Conn()
    c.send(p.msg(p.TREE))
    c.s.recv(4096)  # a little, then nothing
    conns.append(c)
open(sys.argv[1] + ".asked", "w").close()
while not os.path.exists(sys.argv[1]):
    time.sleep(0.1)
EOF
PIDS="$PIDS $!"
until_true '[ -e "$T/rt-$USER_A/stop.asked" ]' 30 || fail "A's 100 requests were not made"
grown=$(($(rss) - before))
"$HOLD" ls >/dev/null 2>&1
[ $? -le 1 ] || fail "holdd stopped answering root"
touch "$T/rt-$USER_A/stop"
[ "$grown" -lt 80000 ] || fail "100 slow readers of a $size-byte tree grew holdd by $grown KiB"
grep -q "uid [0-9]*: its answers waiting to be read would pass 64 MiB" "$T/holdd.log" ||
	fail "the cap did not close anything: $(tail -n 3 "$T/holdd.log")"
ok "100 slow readers of a $((size / 1000)) kB tree: holdd grew $((grown / 1024)) MiB, closed those past A's cap"

as "$USER_A" "$PY" - <<'EOF' || fail "A's PARKs"
import os, signal, time, holdproto as p
kid = os.fork()
if kid == 0:
    os.kill(os.getpid(), signal.SIGSTOP)
    os._exit(0)
os.waitpid(kid, os.WUNTRACED)
start = int(open("/proc/%d/stat" % kid).read().rsplit(")", 1)[1].split()[19])
c = p.Conn()
msg = p.msg(p.PARK, (p.F_PID, kid), (p.F_TID, kid), (p.F_FLAGS, p.FL_TRACED), (p.F_START, start),
            (p.F_EVENT, "fork"), (p.F_RULE, "fork"), (p.F_MODE, p.MODE_STOP))
refused = 0
for i in range(10000):
    c.send(msg)
    t, f = c.read()
    refused += t == p.ERROR
assert refused == 9999, refused
EOF
n=$("$HOLD" ls --json | grep -c '"pid"')
[ "$n" = 1 ] || fail "10000 PARKs of one child made $n parks"
"$HOLD" release --all >/dev/null
ok "10000 tracer's PARKs of one stopped child: one park, 9999 refused"

# one thread announced on 50 connections of its process: one park
as "$USER_A" "$PY" - <<'EOF' || fail "one thread's 50 PARKs made more than one park"
import os, time, holdproto as p
me = os.getpid()
conns = [p.Conn() for _ in range(50)]
for c in conns:
    c.send(p.msg(p.PARK, (p.F_PID, me), (p.F_TID, me), (p.F_EVENT, "here"), (p.F_RULE, "dup"),
                 (p.F_MODE, 0), (p.F_START, 1), (p.F_SINCE_NS, time.time_ns())))
c = p.Conn()
c.send(p.msg(p.LIST))
rows = 0
while True:
    t, f = c.read()
    if t == p.DONE:
        break
    rows += t == p.PARKED and f.get(p.F_PID) == me
assert rows == 1, rows
EOF
ok "one thread announced on 50 connections of its process: one park"
