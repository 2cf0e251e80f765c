# SPDX-License-Identifier: MIT
# Garbage on holdd's sockets: each malformed, oversized or out-of-order
# message closes that one connection and is logged once; holdd goes on
# serving the next client, and a park made before the garbage is still
# listed and releasable after it.
. "$(dirname "$0")/lib.sh"

start_holdd --foreground
"$HOLD" run -r 'exec:*/target' -- "$H/target" x >"$T/out" 2>&1 &
runpid=$!
until_true '[ "$(nparked)" = 1 ]' || fail "nothing parked"

/usr/bin/python3 - "$HOLD_SOCKET" >"$T/py" 2>&1 <<'PY' || fail "garbage script: $(cat "$T/py")"
import os, socket, struct, sys
path = sys.argv[1]
HELLO, RELEASED, LIST = 1, 5, 8
def msg(typ, fields=b"", version=1, length=None):
    n = 8 + len(fields) if length is None else length
    return struct.pack("<IHH", n, version, typ) + fields
def num(tag, v, size=8):
    return struct.pack("<HH", tag, size) + v.to_bytes(size, "little")
hello = msg(HELLO, num(1, 1))
cases = {
    "random bytes": os.urandom(64),
    "oversized": msg(LIST, length=100000),
    "wrong version": msg(LIST, version=9),
    "request before HELLO": msg(LIST),
    "RELEASED when not parked": hello + msg(RELEASED, num(4, 1) + num(8, 0)),
    "a number of 4 bytes": hello + msg(4, num(4, 1, size=4)),
    "unknown type": hello + msg(77),
}
for name, data in cases.items():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(data)
    s.settimeout(5)
    try:
        rest = s.recv(100)
    except ConnectionResetError:
        rest = b""
    assert rest == b"", (name, rest)
    print("closed:", name)
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for _ in range(3):
    d.sendto(os.urandom(40), path + ".events")
PY
[ "$(grep -c '^closed:' "$T/py")" = 7 ] || fail "not every bad connection was closed: $(cat "$T/py")"
ok "each of 7 bad streams was closed by holdd"

n=$(grep -cE 'sent (a malformed message|[A-Z?]+ out of order)' "$T/holdd.log")
[ "$n" = 7 ] || fail "expected 7 log lines, one per bad connection, got $n: $(cat "$T/holdd.log")"
grep -q 'ignoring a bad report from pid' "$T/holdd.log" || fail "bad datagram not logged"
[ "$(grep -c 'ignoring a bad report' "$T/holdd.log")" -le 3 ] || fail "bad datagrams logged more than once a second"
ok "each bad connection logged once; bad datagrams logged, rate-limited"

[ "$(nparked)" = 1 ] || fail "the park is no longer listed"
pid=$("$HOLD" wait --timeout 5 target) || fail "hold wait after the garbage"
[ "$("$HOLD" release "$pid")" = "released 1" ] || fail "release after the garbage"
wait "$runpid"; [ $? = 3 ] || fail "the target did not complete"
kill -0 "$HOLDD_PID" || fail "holdd died"
ok "holdd still serves: the earlier park listed, waited for and released"
