# SPDX-License-Identifier: MIT
# hold attach refuses with the cause and the fix: gdb missing, a process
# that is not parked, another tracer attached, Yama, another user's process.
. "$(dirname "$0")/lib.sh"
need_gdb

start_holdd --foreground
"$HOLD" run -r 'exec:*/target' -- "$H/target" x >"$T/out" 2>&1 &
runpid=$!
pid=$("$HOLD" wait --timeout 10 target) || fail "nothing parked"

expect() { # expect CODE PATTERN COMMAND...
	_code=$1 _pat=$2
	shift 2
	"$@" >"$T/o" 2>&1; _rc=$?
	[ "$_rc" = "$_code" ] && grep -q -- "$_pat" "$T/o" || fail "$* -> $_rc: $(cat "$T/o")"
}

expect 2 "gdb is not installed (or not in PATH, or \$GDB is wrong): apt-get install gdb" \
	env GDB=/nonexistent/gdb "$HOLD" attach "$pid"
expect 2 "gdb is not installed (or not in PATH): apt-get install gdb" \
	env -u GDB PATH=/nonexistent "$HOLD" attach "$pid"
ok "no gdb: says so and how to install it"

expect 1 "pid $$ is not parked (hold ls lists what is)" "$HOLD" attach "$$"
expect 2 "'$pid/x' is not PID or PID/TID" "$HOLD" attach "$pid/x"
ok "a process that is not parked, or a bad PID: says which"

echo 3 >"$T/yama"
expect 2 "Yama forbids every attach (kernel.yama.ptrace_scope = 3" env HOLD_TEST_YAMA="$T/yama" "$HOLD" attach "$pid"
ok "Yama ptrace_scope=3: says so"

"$GDB" -q -nx -batch -p "$pid" -ex 'shell sleep 30' >/dev/null 2>&1 &
other=$!
until_true "grep -q '^TracerPid:[[:space:]]*[1-9]' /proc/$pid/status" || fail "the other gdb did not attach"
expect 2 "pid $pid is already traced by pid [0-9]* (gdb); a process has one tracer: detach that one first" \
	"$HOLD" attach "$pid"
kill -KILL "$other"
wait "$other" 2>/dev/null
until_true "grep -q '^TracerPid:[[:space:]]*0' /proc/$pid/status" || fail "the other gdb did not go"
ok "another tracer: names it"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$T"
	expect 2 "pid $pid belongs to uid 0 and you are uid 4242: attach as that user, or as root" \
		setpriv --reuid=4242 --regid=65534 --clear-groups "$HOLD" attach "$pid"
	ok "another user's process: says whose"
fi

[ "$(nparked)" = 1 ] || fail "a failed attach changed the park"
"$HOLD" release "$pid" >/dev/null
wait "$runpid"; [ $? = 3 ] || fail "target did not complete"
ok "after all that the park was intact and released"
