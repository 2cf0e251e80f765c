# SPDX-License-Identifier: MIT
# One PARK must never kill holdd.  A PARK whose pid is not the sender's (a
# process in another pid namespace names its own pids) and whose tid is not
# that pid makes holdd look the thread up in /proc/PID/task, a directory
# read (getdents64) that holdd's seccomp allow-list once lacked: any user of
# a shared holdd, and any non-main thread parked in a container, killed it
# with SIGSYS.  Sent by another user, to root's shared holdd, under its
# production seccomp filter; then the same from a real thread parked on a
# pipe inside unshare --pid.
. "$(dirname "$0")/lib.sh"
need_users
PY=${PYTHON3:-python3}
export PYTHONPATH=$HOLD_TOP_SRCDIR/tests/helpers

start_holdd --foreground --group "$HGROUP"
as "$USER_A" "$PY" - <<'EOF' || fail "user A's PARK: holdd did not answer"
import os, threading, holdproto as p
# a thread of the sender, by its id: holdd looks it up in /proc/PID/task
tid, ev = [0], threading.Event()
def other():
    tid[0] = threading.get_native_id()
    ev.wait()
t = threading.Thread(target=other, daemon=True)
t.start()
while not tid[0]:
    pass
c = p.Conn()
c.send(p.msg(p.PARK, (p.F_PID, os.getpid() + 100000), (p.F_TID, tid[0]), (p.F_PIDNS, 1234),
             (p.F_EVENT, "recv"), (p.F_RULE, "recv:pipe"), (p.F_MODE, 0),
             (p.F_START, 1), (p.F_SINCE_NS, 1)))
c.send(p.msg(p.LIST))  # on the same connection: answered only by a live holdd
try:
    c.read(5)
except OSError:
    pass
ev.set()
EOF
kill -0 "$HOLDD_PID" 2>/dev/null || fail "holdd died of user A's PARK: $(tail -n 3 "$T/holdd.log")"
"$HOLD" ls >/dev/null 2>&1
[ $? -le 1 ] || fail "holdd does not answer after user A's PARK"
ok "a PARK naming another namespace's pid and a thread of the sender: holdd lives and answers"

# the ordinary case: a thread that is not the main one, parked on a pipe
# read in a new pid namespace (as in any container)
unshare --pid --fork --mount-proc true 2>/dev/null || skip "cannot make a pid namespace here (unshare)"
cat >"$T/reader.py" <<'EOF'
import ctypes, os, threading
r, w = os.pipe()
def reader():
    ctypes.CDLL(None).prctl(15, b"hf-reader")
    print("read", os.read(r, 10), flush=True)
t = threading.Thread(target=reader)
t.start()
os.write(w, b"x")
t.join()
EOF
unshare --pid --fork --mount-proc env LD_PRELOAD="$HOLD_LIB" HOLD_RULES='recv:pipe,comm=hf-reader' \
	"$PY" "$T/reader.py" >"$T/ns.out" 2>&1 &
PIDS="$PIDS $!"
until_true '[ "$(nparked)" = 1 ]' 10 || {
	kill -0 "$HOLDD_PID" 2>/dev/null || fail "holdd died of a thread parked in a pid namespace"
	fail "the thread in the pid namespace did not park: $(cat "$T/ns.out")"
}
kill -0 "$HOLDD_PID" 2>/dev/null || fail "holdd died"
tid=$("$HOLD" ls --json | sed -n 's/.*"tid": \([0-9]*\).*/\1/p')
pid=$("$HOLD" ls --json | sed -n 's/.*"pid": \([0-9]*\), "tid".*/\1/p')
[ -n "$tid" ] && [ "$tid" != "$pid" ] && [ -d "/proc/$pid/task/$tid" ] ||
	fail "the park is not listed by the host's ids: $("$HOLD" ls --json)"
"$HOLD" release --all >/dev/null || fail "release"
until_true 'grep -q "read b.x." "$T/ns.out"' || fail "the reader did not run on: $(cat "$T/ns.out")"
ok "a thread parked on a pipe inside unshare --pid: listed by its host pid and tid, released; holdd lives"
