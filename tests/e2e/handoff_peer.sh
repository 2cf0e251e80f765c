# SPDX-License-Identifier: MIT
# peer=GLOB aims a hand-off rule at one client: minivirtd's rpc workers
# receive first a health probe (python3) and then minivirsh on the same
# socket; recv:unix:*/virtd.sock,peer=minivirsh,count=1 parks only the
# worker that received minivirsh's command, and the probe does not use up
# count=1.
. "$(dirname "$0")/lib.sh"
E=$B/examples
S=$T/virtd.sock
start_holdd --foreground
"$HOLD" run -r 'recv:unix:*/virtd.sock,peer=minivirsh,count=1' -- "$E/minivirtd" "$S" /bin/true \
	>"$T/d.out" 2>"$T/d.err" &
PIDS="$PIDS $!"
until_true "[ -S $S ]" || fail "minivirtd did not start: $(cat "$T/d.err")"
# the probe: another client, which must not park (its worker answers)
"${PYTHON3:-python3}" - "$S" <<'PY' || fail "the probe got no answer"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"ping\n")
s.settimeout(5)
assert s.recv(64), "no answer"
PY
[ "$(nparked)" = 0 ] || fail "the probe's worker parked: $("$HOLD" ls)"
ok "a probe from python3 was answered; nothing parked"

"$E/minivirsh" "$S" ping >"$T/c.out" 2>&1 &
client=$!
w=$("$HOLD" wait --timeout 10) || fail "minivirsh's worker did not park: $(cat "$T/d.err")"
"$HOLD" ls | grep -q "unix:$S from $client minivirsh" || fail "hold ls: $("$HOLD" ls)"
kill -0 "$client" 2>/dev/null || fail "minivirsh got its answer while its worker was parked"
ok "the worker ($w) that received minivirsh's command parked; hold ls names the sender"
"$HOLD" release "$w" >/dev/null
wait "$client" || fail "minivirsh failed: $(cat "$T/c.out")"
"$E/minivirsh" "$S" quit >/dev/null 2>&1
