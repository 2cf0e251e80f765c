# SPDX-License-Identifier: MIT
# Every verb of the hold CLI end to end, against a real holdd and real gdb:
# run (private holdd, exit status), env, ls, tree, wait, attach, release,
# --help, and the exit codes 0 / 1 / 2.
. "$(dirname "$0")/lib.sh"
need_gdb

for v in run env ls tree wait attach release; do
	"$HOLD" "$v" --help >"$T/help" || fail "hold $v --help exited $?"
	grep -q "^usage: hold $v" "$T/help" || fail "hold $v --help: $(cat "$T/help")"
done
"$HOLD" frobnicate 2>"$T/err"; [ $? = 2 ] || fail "unknown verb did not exit 2"
ok "--help for every verb; an unknown verb is a usage error"

# env: checked rules, the absolute library path, a systemd drop-in
"$HOLD" env -r 'exec:*/qemu-system-*' -r "fork,comm=it's*" >"$T/env" || fail "hold env failed"
(
	unset LD_PRELOAD HOLD_RULES
	eval "$(cat "$T/env")" || exit 1
	[ "$LD_PRELOAD" = "$(readlink -f "$HOLD_LIB")" ] || { echo "LD_PRELOAD=$LD_PRELOAD"; exit 1; }
	[ "$HOLD_RULES" = "exec:*/qemu-system-*;fork,comm=it's*" ] || { echo "HOLD_RULES=$HOLD_RULES"; exit 1; }
	# exported: a child sees both
	LD_PRELOAD= sh -c '[ -n "$HOLD_RULES" ]' || { echo "not exported"; exit 1; }
) >"$T/eval" 2>&1 || fail "eval of hold env: $(cat "$T/eval") -- $(cat "$T/env")"
"$HOLD" env --systemd -r 'fork,comm=w*' -r 'exec:*/x' | grep -qx 'Environment="HOLD_RULES=fork,comm=w\*;exec:\*/x"' ||
	fail "env --systemd"
"$HOLD" env -r 'exec:*/x,colour=red' 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "unknown key" "$T/err" || fail "bad rule: rc $rc, $(cat "$T/err")"
ok "env prints export lines that eval takes (two rules, a quote in one) and a systemd drop-in"

# no holdd: tree says so and exits 2; ls falls back to the park records; wait
# waits for one to start
"$HOLD" tree 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "no holdd answers at $HOLD_SOCKET" "$T/err" || fail "tree without holdd: $rc $(cat "$T/err")"
"$HOLD" ls 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "nothing is parked" "$T/err" || fail "ls, nothing parked: $rc $(cat "$T/err")"
"$HOLD" wait --timeout 1.5 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "no holdd answered at $HOLD_SOCKET within 1.5s" "$T/err" &&
	grep -q "waiting for one" "$T/err" || fail "wait without holdd: $rc $(cat "$T/err")"
ok "without holdd: tree is an environment error, ls lists the park records (empty: exit 1), wait waits for one (--timeout: exit 1)"

# run: starts a private holdd, becomes the program (its exit status)
"$HOLD" run -- "$H/target" x >"$T/out" 2>&1; rc=$?
[ $rc = 3 ] || fail "hold run exit status $rc, expected the target's 3: $(cat "$T/out")"
grep -q 'preload=yes' "$T/out" || fail "hold run did not preload libhold: $(cat "$T/out")"
until_true '! answers' || fail "the private holdd outlived its run"
ok "run: exit status is the program's; the private holdd stops after it"

# wait counts a park made after it started, even one holdd heard of before
# wait could connect (here: stopped while no holdd answered), so
# `hold run ... & pid=$(hold wait)` cannot miss it; an older park does not
"$HOLD" wait --timeout 10 'targ*' >"$T/w" 2>"$T/werr" &
wpid=$!
until_true "[ \"\$(cat /proc/$wpid/comm)\" = hold ] && [ \"\$(state $wpid)\" = S ]" ||
	fail "hold wait did not start"
kill -STOP "$wpid"
"$HOLD" run --preload -r 'exec:*/target' -- "$H/target" x >"$T/out" 2>"$T/err" &
runpid=$!
until_true '[ "$(nparked)" = 1 ]' || fail "the target did not park: $(cat "$T/err")"
kill -CONT "$wpid"
wait "$wpid" || fail "hold wait missed the park it started before: $(cat "$T/werr")"
pid=$(record_pid)
[ "$(cat "$T/w")" = "$pid" ] || fail "hold wait printed '$(cat "$T/w")', the park is $pid"
"$HOLD" wait --timeout 0.3 'targ*' 2>"$T/err"; rc=$?
[ $rc = 1 ] || fail "a wait started after the park took it: $rc $(cat "$T/err")"
"$HOLD" release "$pid" >/dev/null && wait "$runpid"
[ $? = 3 ] || fail "the released target did not finish"
until_true '! answers' || fail "the private holdd outlived its run"
ok "wait: a park since it started counts, though it connected later; an older one does not"

# a parked tree: sh -> target, parked at exec, in the background
"$HOLD" run --preload -r 'exec:*/target' -- sh -c "\"$H/target\" x; echo sh-done" >"$T/out" 2>"$T/err" &
runpid=$!
until_true answers || fail "hold run started no holdd"
pid=$("$HOLD" wait --timeout 10 'targ*') || fail "hold wait found nothing: $(cat "$T/err")"
[ -n "$pid" ] && [ -d "/proc/$pid" ] || fail "hold wait printed '$pid'"
ok "wait prints the parked pid ($pid), parked before it began"

"$HOLD" ls >"$T/ls" || fail "hold ls exited $?"
grep -qE "^$pid +$pid +target +exec +spin +[0-9]+s +exec:\*/target +$H/target " "$T/ls" ||
	fail "hold ls row: $(cat "$T/ls")"
"$HOLD" ls --json >"$T/ls.json" || fail "hold ls --json"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==1 and d[0]["pid"]==int(sys.argv[2]) and d[0]["ppid"]==int(sys.argv[4]) and d[0]["comm"]=="target" and d[0]["rule"]=="exec:*/target" and d[0]["argv"]==[sys.argv[3], "x"] and d[0]["version"]==1, d' \
	"$T/ls.json" "$pid" "$H/target" "$runpid" || fail "ls --json: $(cat "$T/ls.json")"
ok "ls: table and JSON"

"$HOLD" tree >"$T/tree" || fail "hold tree exited $?"
grep -qx "$runpid ─exec─▶ /usr/bin/sh -c .*" "$T/tree" || grep -qx "$runpid ─exec─▶ /bin/sh -c .*" "$T/tree" ||
	fail "tree root: $(cat "$T/tree")"
grep -qx "└─fork─ $pid ─exec─▶ $H/target x  \[parked\]" "$T/tree" || fail "tree child: $(cat "$T/tree")"
"$HOLD" tree "$pid" --json >"$T/tree.json" || fail "hold tree PID --json"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==1 and d[0]["parked"] and d[0]["execed"] and d[0]["parent"]==int(sys.argv[2]), d' \
	"$T/tree.json" "$runpid" || fail "tree --json: $(cat "$T/tree.json")"
"$HOLD" tree 999999 2>"$T/err"; [ $? = 1 ] || fail "tree of an unknown pid did not exit 1"
ok "tree: fork and exec edges, parked marked; one subtree; JSON"

# wait: a timeout exits 1
"$HOLD" wait --timeout 0.3 'no-such-*' 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "nothing matching no-such-\* parked within 0.3s" "$T/err" || fail "wait timeout: $rc $(cat "$T/err")"
ok "wait: a timeout exits 1"

# release: a pid that is not parked exits 1; the parked one runs on
"$HOLD" release $$ 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "pid $$ is not parked" "$T/err" || fail "release unknown: $rc $(cat "$T/err")"
[ "$("$HOLD" release "$pid")" = "released 1" ] || fail "hold release $pid"
wait "$runpid"; rc=$?
[ $rc = 0 ] && grep -q sh-done "$T/out" || fail "the released tree did not finish: $rc $(cat "$T/out")"
grep -q "pid $pid released (hold release)" "$T/err" || fail "release line: $(cat "$T/err")"
ok "release: an unknown pid exits 1; a parked one runs on and its tree finishes"

# attach: gdb stops at main of the parked image, which then completes
"$HOLD" run --preload -r 'exec:*/target' -- "$H/target" x >"$T/out" 2>"$T/err" &
runpid=$!
until_true answers || fail "hold run started no holdd"
pid=$("$HOLD" wait --timeout 10 target) || fail "nothing parked for attach"
"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 || fail "hold attach exited $?: $(cat "$T/gdb")"
grep -q '^Breakpoint 1, main (' "$T/gdb" || fail "attach: main not hit: $(cat "$T/gdb")"
grep -q '^#0  main (' "$T/gdb" || fail "attach: no backtrace: $(cat "$T/gdb")"
wait "$runpid"; rc=$?
[ $rc = 3 ] || fail "attached target exited $rc"
grep -q "pid $pid released (hold = 0)" "$T/err" || fail "attach release line: $(cat "$T/err")"
ok "attach --batch -b main: breakpoint hit, backtrace printed, program completes"

# release --all with nothing parked, but a holdd answering: exit 1
start_holdd --foreground
"$HOLD" release --all >"$T/out"; rc=$?
[ $rc = 1 ] && [ "$(cat "$T/out")" = "released 0" ] || fail "release --all, nothing: $rc"
ok "release --all with nothing parked exits 1"
