# SPDX-License-Identifier: MIT
# One frame above a hand-off park, gdb shows what the README promises: in
# a fortified -O2 program (tests/helpers/handoffs), parked on its tcp recv,
# `frame function hold_recv_hold` finds the frame, and fd, buf, n and got
# are printable there -- buf holds the 4 bytes received -- not
# <optimized out>, though libhold is built -O2.
. "$(dirname "$0")/lib.sh"
need_gdb
nm -D "$H/handoffs" | grep -q '__read_chk' || fail "the helper is not fortified"
port=$((20000 + $$ % 20000))
start_holdd --foreground
"$HOLD" run -r "recv:tcp:$port" -- "$H/handoffs" "$port" >"$T/out" 2>"$T/err" &
PIDS="$PIDS $!"
pid=$("$HOLD" wait --timeout 10 handoffs) || fail "no park: $(cat "$T/err")"
"$HOLD" attach --batch --no-release "$pid" -ex 'frame function hold_recv_hold' \
	-ex 'p fd' -ex 'p n' -ex 'p got' -ex 'p *(char (*)[4])buf' >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
grep -q "hold_recv_hold (fd=[0-9]*, buf=0x[0-9a-f]*, n=[0-9]*," "$T/gdb" ||
	fail "frame function did not land in hold_recv_hold with its arguments: $(cat "$T/gdb")"
grep -q 'optimized out' "$T/gdb" && fail "something is <optimized out>: $(cat "$T/gdb")"
grep -Eq '^\$1 = [0-9]+$' "$T/gdb" && grep -Eq '^\$2 = [0-9]+$' "$T/gdb" && grep -q '^\$3 = 4$' "$T/gdb" &&
	grep -q '^$4 = "tcp!"$' "$T/gdb" || fail "fd, n, got or buf not shown: $(cat "$T/gdb")"
ok "frame function hold_recv_hold: fd, n, got = 4 and buf = \"tcp!\" printable at -O2, fortified"
"$HOLD" release "$pid" >/dev/null
