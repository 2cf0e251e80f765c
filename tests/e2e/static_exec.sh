# SPDX-License-Identifier: MIT
# Images libhold cannot enter still park.  A static program exec'd by a
# dynamic parent: the parent parks just before the exec ("preexec", listed
# by the image it is about to exec), and hold attach follows the exec in gdb
# and stops in the static main.  A typo'd -b, checked against the image to
# come, leaves it parked before the exec.  A static program run by hold run is
# followed by the ptrace engine: it parks at its exec and stops at main,
# and hold run's exit status is the program's.  A set-uid image exec'd by a
# user who is not root is not parked, and the reason is said.  (All by
# libhold, --preload: root's hold run would follow these from the kernel,
# kernel_follow.sh.)
. "$(dirname "$0")/lib.sh"
need_gdb
S=$H/static_target
file "$S" 2>/dev/null | grep -q 'statically linked' || skip "no static libc to link the static target (apt-get install libc6-dev)"
start_holdd --foreground
ran() { grep -q "target main reached pid=$1 " "$2"; }

"$HOLD" run --preload -r 'exec:*/static_target' -- sh -c "'$S' y; echo after" >"$T/o1" 2>&1 &
pid=$("$HOLD" wait --timeout 10 static_target) || fail "no preexec park: $(cat "$T/o1")"
"$HOLD" ls --json | grep -q "\"pid\": $pid, .*\"event\": \"preexec\".*\"exe\": \"$S\"" ||
	fail "hold ls does not list $pid by the image it is about to exec: $("$HOLD" ls --json)"
"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
grep -Eq "^Breakpoint [0-9]+, main \(" "$T/gdb" || fail "gdb did not stop in the static main: $(cat "$T/gdb")"
until_true "ran $pid $T/o1 && grep -q after $T/o1" || fail "it did not run on: $(cat "$T/o1")"
ok "a dynamic parent's exec of a static program parked before the exec; attach -b main stopped in its main"

"$HOLD" run --preload -r 'exec:*/static_target' -- sh -c "'$S' y" >"$T/o2" 2>&1 &
pid=$("$HOLD" wait --timeout 10 static_target) || fail "no second preexec park"
"$HOLD" attach --batch -b no_such_function "$pid" >"$T/gdb" 2>&1 && fail "a typo'd -b across the exec succeeded"
grep -q "hold attach: -b no_such_function: .*(in $S)" "$T/gdb" && grep -q "pid $pid stays parked before its exec" "$T/gdb" ||
	fail "typo: $(cat "$T/gdb")"
sleep 0.3
"$HOLD" ls --json | grep -q "\"pid\": $pid, .*\"event\": \"preexec\"" && ! ran "$pid" "$T/o2" ||
	fail "the typo cost the park: $(cat "$T/o2")"
"$HOLD" release "$pid" >/dev/null
until_true "ran $pid $T/o2" || fail "release did not let it run"
ok "a typo'd -b across the exec: named (checked against the static image), still parked before its exec"

"$HOLD" run --preload -r 'exec:*/static_target' -- "$S" x >"$T/o3" 2>&1 &
run=$!
pid=$("$HOLD" wait --timeout 10 static_target) || fail "the static tree did not park: $(cat "$T/o3")"
grep -q "is statically linked, so libhold cannot enter it: following it by ptrace" "$T/o3" ||
	fail "hold run did not say it follows by ptrace: $(cat "$T/o3")"
"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 && grep -q "^Breakpoint 1, main (" "$T/gdb" ||
	fail "static tree: no stop in main: $(cat "$T/gdb")"
wait "$run"
[ $? = 3 ] || fail "hold run's exit status is not the program's (3)"
ok "a static program under hold run: followed by ptrace, parked at exec, stopped in main; its exit status kept"

if [ "$(id -u)" = 0 ] && command -v useradd >/dev/null; then
	need_users
	cp "$S" "$T/suid_target" && chmod 4755 "$T/suid_target"
	"$HOLD" run -r 'exec:*/suid_target' -- sh -c "'$T/suid_target' y" >"$T/o5" 2>&1 &
	pid=$("$HOLD" wait --timeout 10 suid_target) || fail "root's set-uid exec did not park"
	"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 && grep -Eq "^Breakpoint [0-9]+, main \(" "$T/gdb" ||
		fail "root's set-uid exec: no stop in main: $(cat "$T/gdb")"
	ok "a set-uid image exec'd by root parks before the exec and stops in main"
	as "$USER_A" env HOLD_SOCKET="$T/rt-$USER_A/holdd.sock" HOLD_STATE_DIR="$T/rt-$USER_A/state" "$HOLD" run -r 'exec:*/suid_target' -- \
		sh -c "'$T/suid_target' y" >"$T/o4" 2>&1 || fail "the set-uid run failed: $(cat "$T/o4")"
	grep -q "not parking before the exec of $T/suid_target: it is set-uid or set-gid, and under a tracer that is not root" "$T/o4" &&
		grep -q "target main reached" "$T/o4" || fail "set-uid as a user: $(cat "$T/o4")"
	ok "a set-uid image exec'd by a user who is not root: not parked, and said why; it ran"
fi
