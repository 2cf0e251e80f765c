# SPDX-License-Identifier: MIT
# A pool of rpc-worker threads (examples/minivirtd) under a recv rule:
# while three workers are parked on recv, the fourth serves N requests;
# hold release PID/TID releases one worker only; hold attach PID/TID
# selects that thread and its park frame in gdb; hold tree draws the
# hand-off from the client to the worker.
. "$(dirname "$0")/lib.sh"
need_gdb
E=$B/examples
S=$T/virtd.sock
start_holdd
/usr/bin/env LD_PRELOAD="$HOLD_LIB" HOLD_RULES='recv:unix:*/virtd.sock,comm=rpc-worker*,count=3' \
	"$E/minivirtd" "$S" "$E/mini-qemu" >"$T/daemon.out" 2>"$T/daemon.err" &
daemon=$!
PIDS="$PIDS $daemon"
until_true "[ -S '$S' ]" || fail "minivirtd did not start"

for i in 1 2 3; do
	preload '' "$E/minivirsh" "$S" ping >"$T/client$i" &
	eval "client$i=\$!"
done
until_true '[ "$(nparked)" = 3 ]' || fail "three workers did not park: $("$HOLD" ls)"
"$HOLD" ls >"$T/ls"
[ "$(grep -c "^$daemon  *[0-9]*  *rpc-worker-[1-4]  *recv  *spin .* unix:$S from [0-9]* minivirsh\$" "$T/ls")" = 3 ] ||
	fail "hold ls does not show three rpc-workers by name, on $S: $(cat "$T/ls")"
ok "three rpc-workers parked on recv, listed by thread name with the sender"

N=20
for i in $(seq $N); do
	"$E/minivirsh" "$S" ping >>"$T/served" || fail "ping $i was not served"
done
[ "$(grep -c '^pong from rpc-worker-[1-4] (request' "$T/served")" = $N ] || fail "served: $(cat "$T/served")"
[ "$(sed 's/ (request.*//' "$T/served" | sort -u | wc -l)" = 1 ] ||
	fail "more than one worker served while three were parked: $(sort -u "$T/served")"
[ "$(nparked)" = 3 ] || fail "the parked workers moved"
ok "the fourth worker served $N requests while three were parked"

tids=$("$HOLD" ls --json | sed -n 's/.*"tid": \([0-9]*\).*/\1/p')
one=$(echo "$tids" | head -n 1)
two=$(echo "$tids" | sed -n 2p)
"$HOLD" release "$daemon/$one" >/dev/null || fail "hold release $daemon/$one"
until_true '[ "$(nparked)" = 2 ]' || fail "release of one thread: $("$HOLD" ls)"
"$HOLD" ls --json | grep -q "\"tid\": $one," && fail "thread $one is still listed"
grep -q "thread $one released (hold release)" "$T/daemon.err" || fail "no release line for $one"
[ "$(grep -c 'released' "$T/daemon.err")" = 1 ] || fail "other threads were released too"
until_true "grep -q '^pong' '$T/client1' || grep -q '^pong' '$T/client2' || grep -q '^pong' '$T/client3'" ||
	fail "the released worker did not answer its client"
ok "hold release $daemon/$one released that thread only; two stay parked"

"$HOLD" attach --batch "$daemon/$two" >"$T/gdb" 2>&1 || fail "hold attach $daemon/$two: $(cat "$T/gdb")"
grep -q "^\[Current thread is [0-9]* (Thread 0x[0-9a-f]* (LWP $two))\]" "$T/gdb" ||
	fail "gdb did not select LWP $two: $(cat "$T/gdb")"
grep -q "^#[0-9]  *.*hold_recv_hold (fd=" "$T/gdb" || fail "no recv frame in the backtrace: $(cat "$T/gdb")"
until_true '[ "$(nparked)" = 1 ]' || fail "attach did not release $two"
grep -q "thread $two released (hold = 0)" "$T/daemon.err" || fail "gdb released another thread: $(cat "$T/daemon.err")"
ok "hold attach $daemon/$two selected that thread's park frame; hold = 0 released it alone"

"$HOLD" tree >"$T/tree"
grep -q "minivirsh.* ──unix:$S──▶ $daemon/[0-9]* rpc-worker-[1-4]" "$T/tree" ||
	grep -q "◀──unix:$S── [0-9]* minivirsh" "$T/tree" || fail "no hand-off edge: $(cat "$T/tree")"
"$HOLD" tree --json | grep -q "{\"pid\": $daemon, \"tid\": $one, .*\"event\": \"recv\"" ||
	fail "tree --json lacks the hand-off to $one"
ok "hold tree shows the hand-off edges"

# holdd journals hand-offs: after a SIGKILL and a restart they are still
# there, and the parked thread announcing itself again adds no second one.
kill -KILL "$HOLDD_PID"
wait "$HOLDD_PID" 2>/dev/null
start_holdd
until_true '[ "$(nparked)" = 1 ]' || fail "the last worker did not reconnect to the new holdd"
"$HOLD" tree --json >"$T/tree2.json"
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = [x for n in d if n["pid"] == int(sys.argv[2]) for x in n["handoffs"]]
assert len(got) == 3 and all(x["pid"] == int(sys.argv[2]) and x["peer"] > 0 for x in got), got
assert len({x["tid"] for x in got}) == 3, got
' "$T/tree2.json" "$daemon" || fail "hand-offs after a holdd restart: $(cat "$T/tree2.json")"
ok "the three hand-offs survive a holdd restart, none doubled by the re-announcement"
"$HOLD" release --all >/dev/null
"$E/minivirsh" "$S" quit >/dev/null
wait "$daemon" || fail "minivirtd exited $?"
