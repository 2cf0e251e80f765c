# SPDX-License-Identifier: MIT
# hold follow: a daemon started without hold, forking and exec'ing a
# target every 300 ms, is followed by ptrace (--ptrace), and then from the
# kernel where holdd's kernel follower is on (root); its next exec of the
# target parks before main (stopped, no tracer); hold attach --batch -b
# main stops there; after hold follow is interrupted, the daemon runs on,
# untraced and not stopped, and its later children are neither parked nor
# traced.
. "$(dirname "$0")/lib.sh"
need_gdb
# follow_once FLAG WHAT: FLAG --ptrace or "" (the kernel); WHAT hold follow
# says when interrupted
follow_once() {
sh -c "while :; do '$H/target' y; sleep 0.3; done" >"$T/d.out" 2>&1 &
daemon=$!
PIDS="$PIDS $daemon"
until_true "grep -q 'main reached' $T/d.out" || fail "the daemon did not start"
"$HOLD" follow $1 "$daemon" -r 'exec:*/target,count=1' 2>"$T/f.err" &
follow=$!
PIDS="$PIDS $follow"
pid=$("$HOLD" wait --timeout 10 target) || fail "nothing parked: $(cat "$T/f.err")"
[ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$pid/status")" = T ] &&
	[ "$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$pid/status")" = 0 ] ||
	fail "the park is not stopped and untraced: $(grep -E 'State|TracerPid' "/proc/$pid/status")"
grep -q "main reached pid=$pid " "$T/d.out" && fail "the target reached main before the attach"
"$HOLD" ls | grep -q "^$pid .*exec .*stop" || fail "hold ls: $("$HOLD" ls)"
"$HOLD" tree "$daemon" >"$T/tree" 2>&1 || fail "hold tree: $(cat "$T/tree")"
grep -q "fork─ $pid ─exec─▶ $H/target y  \[parked\]" "$T/tree" ||
	fail "the followed tree lacks the fork and exec of $pid: $(cat "$T/tree")"
# named: by its exec if that was seen (it may come after the follow began),
# else by the name the kernel knows
head -n 1 "$T/tree" | grep -Eq "^$daemon (\(sh\)|─exec─▶ [^ ]*/sh )" ||
	fail "the followed root is not named: $(head -n 1 "$T/tree")"
ok "${1:-kernel}: the daemon's next target ($pid) parked at exec, stopped and untraced, before main; hold tree shows daemon -fork- $pid -exec- target"

"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
grep -q "^Breakpoint 1, main (" "$T/gdb" || fail "gdb did not stop in main: $(cat "$T/gdb")"
until_true "grep -q 'main reached pid=$pid ' $T/d.out" || fail "it did not run on"
ok "${1:-kernel}: hold attach --batch -b main stopped it in main, and it ran on"

kill -INT "$follow"
wait "$follow" || fail "hold follow failed: $(cat "$T/f.err")"
grep -q "$2" "$T/f.err" || fail "follow said: $(cat "$T/f.err")"
n=$(grep -c 'main reached' "$T/d.out")
until_true "[ \$(grep -c 'main reached' $T/d.out) -ge $((n + 3)) ]" 10 || fail "the daemon stopped running"
[ "$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$daemon/status")" = 0 ] &&
	[ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$daemon/status")" != T ] ||
	fail "the daemon is still traced or stopped"
[ "$(nparked)" = 0 ] || fail "something parked after follow stopped: $("$HOLD" ls)"
ok "${1:-kernel}: interrupted: the daemon runs on untraced, its later children neither parked nor traced"
kill -KILL "$daemon"
}
follow_once --ptrace "let go of every process it still traced"
if [ "$(id -u)" = 0 ]; then
	until_true '! answers' || fail "the private holdd of the ptrace run did not stop"
	start_holdd
	if "$HOLD" watch --status >"$T/st"; then
		follow_once "" "the kernel rules are gone, the parked stay parked"
	else
		echo "# kernel following is off here: $(cat "$T/st")"
	fi
fi

"$HOLD" follow "$daemon" -r 'recv:pipe' >"$T/r" 2>&1 && fail "follow took a recv rule"
grep -q "parks at fork and exec; recv and accept rules need libhold" "$T/r" || fail "recv rule: $(cat "$T/r")"
"$HOLD" follow 999999 -r 'exec:*' >"$T/n" 2>&1 && fail "follow of no process succeeded"
grep -q "pid 999999 is not running" "$T/n" || fail "no process: $(cat "$T/n")"
ok "a recv rule, and a pid that is not running, are refused in words"

# tracing refused: another user's process, and Yama (a stand-in sysctl file)
if [ "$(id -u)" = 0 ] && command -v useradd >/dev/null; then
	need_users
	sleep 60 &
	victim=$!
	PIDS="$PIDS $victim"
	as "$USER_A" env HOLD_SOCKET="$T/rt-$USER_A/holdd.sock" HOLD_STATE_DIR="$T/rt-$USER_A/state" \
		"$HOLD" follow "$victim" -r 'exec:*' >"$T/e" 2>&1 && fail "a user followed root's process"
	grep -q "cannot trace pid $victim: it is another user's, setuid, or already traced" "$T/e" ||
		fail "another user's: $(cat "$T/e")"
	echo 1 >"$T/yama"
	chmod 644 "$T/yama"
	as "$USER_A" env HOLD_TEST_YAMA="$T/yama" HOLD_SOCKET="$T/rt-$USER_A/holdd.sock" \
		HOLD_STATE_DIR="$T/rt-$USER_A/state" "$HOLD" follow "$victim" -r 'exec:*' >"$T/e" 2>&1 &&
		fail "followed under Yama 1"
	grep -q "kernel.yama.ptrace_scope = 1" "$T/e" || fail "Yama 1: $(cat "$T/e")"
	[ "$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$victim/status")" = 0 ] || fail "left traced"
	ok "tracing refused in words: another user's process; Yama ptrace_scope = 1"
fi
