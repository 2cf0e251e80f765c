# SPDX-License-Identifier: MIT
# Every request path under holdd's production seccomp filter, as root and
# as another user: each message type, well formed, sent on a new
# connection (before HELLO), after HELLO, and from a parked connection, in
# this pid namespace and claiming another; answered, refused or closed --
# and holdd alive after each.  (A system call missing from the allow-list
# kills holdd with SIGSYS: getdents64 once did, from one PARK.)
. "$(dirname "$0")/lib.sh"
need_users
PY=${PYTHON3:-python3}
export PYTHONPATH=$HOLD_TOP_SRCDIR/tests/helpers
start_holdd --foreground --any-user
chmod 755 "$HOLD_RUNTIME_DIR"
# a real park, for the requests that name one
"$HOLD" run -r 'exec:*/target' -- "$H/target" x >/dev/null 2>&1 &
PIDS="$PIDS $!"
until_true '[ "$(nparked)" = 1 ]' || fail "nothing parked"
park=$("$HOLD" ls --json | sed -n 's/.*"pid": \([0-9]*\), "tid".*/\1/p')

walk() { # as whom, then the script
	"$@" "$PY" - "$park" "$HOLDD_PID" <<'EOF'
import os, socket, sys, threading, time, holdproto as p
park, holdd = int(sys.argv[1]), int(sys.argv[2])
me = os.getpid()
socket.setdefaulttimeout(2)
# a second thread: a PARK from another pid namespace names its own ids,
# which holdd looks up in /proc/PID/task
other = [0]
threading.Thread(target=lambda: (other.__setitem__(0, threading.get_native_id()), time.sleep(3600)),
                 daemon=True).start()
while not other[0]:
    time.sleep(0.01)
names = {v: k for k, v in vars(p).items() if k.isupper() and isinstance(v, int)
         and not k.startswith(("F_", "FL_", "MODE_", "RING_")) and k != "VERSION"}
def body(t):
    return {
        p.HELLO: [(p.F_VERSION, p.VERSION)],
        p.FORK: [(p.F_CHILD, me)],
        p.EXEC: [(p.F_PATH, "/bin/x"), (p.F_ARG, "x"), (p.F_PPID, os.getppid())],
        p.PARK: [(p.F_PID, me), (p.F_TID, threading.get_native_id()), (p.F_EVENT, "here"),
                 (p.F_RULE, "walk"), (p.F_MODE, 0), (p.F_START, 1), (p.F_SINCE_NS, time.time_ns())],
        p.RELEASED: [(p.F_TID, me), (p.F_BY, 0)],
        p.RELEASE: [(p.F_PID, park)],
        p.LIST: [], p.TREE: [(p.F_PID, park)], p.WAIT: [(p.F_TEXT, "*"), (p.F_FLAGS, p.FL_ALL)],
        p.STATS: [], p.OWNER: [], p.LOG: [],
        p.NODE: [(p.F_PID, me), (p.F_PARENT, 0)], p.EXIT: [(p.F_PID, me)],
        p.HANDOFF: [(p.F_PID, me), (p.F_TID, me), (p.F_ADDR, "pipe:[1]")],
        p.PARKED: [(p.F_PID, me), (p.F_TID, me)], p.ERROR: [(p.F_TEXT, "x")],
        p.DONE: [(p.F_COUNT, 1)],
    }.get(t, [])
def alive(what):
    try:
        os.kill(holdd, 0)  # ProcessLookupError: holdd died of it
    except PermissionError:
        pass  # alive, and root's
    try:
        c = p.Conn()
        c.send(p.msg(p.STATS))
        assert c.read(5) is not None, what
        c.close()
    except OSError as e:
        raise SystemExit("holdd does not answer after %s: %s" % (what, e))
for t in sorted(names):
    for state in ("new", "ready", "other pidns", "parked"):
        c = p.Conn(hello=False)
        if state != "new":
            hello = [(p.F_VERSION, p.VERSION)]
            if state == "other pidns":
                hello.append((p.F_PIDNS, 4026531999))
            c.send(p.msg(p.HELLO, *hello))
        if state == "parked":
            c.send(p.msg(p.PARK, *body(p.PARK)))
        f = body(t)
        if state == "other pidns" and t == p.PARK:
            f = [(p.F_PID, me + 100000), (p.F_TID, other[0])] + f[2:]
        c.send(p.msg(t, *f))
        try:
            c.read(1)
        except OSError:
            pass
        c.close()
        alive("%s on a %s connection" % (names[t], state))
    p.report(p.msg(t, *body(t)))
    alive("%s by datagram" % names[t])
print("walked", len(names), "types")
EOF
}
walk env >"$T/root.out" 2>&1 || fail "as root: $(cat "$T/root.out"; tail -n 3 "$T/holdd.log")"
walk as "$USER_A" >"$T/a.out" 2>&1 || fail "as another user: $(cat "$T/a.out"; tail -n 3 "$T/holdd.log")"
kill -0 "$HOLDD_PID" || fail "holdd died"
[ "$(nparked)" -ge 0 ] && "$HOLD" release --all >/dev/null
ok "every message type, on new, ready, foreign and parked connections and by datagram, as root and as $USER_A: holdd lives"
