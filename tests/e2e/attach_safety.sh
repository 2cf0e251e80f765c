# SPDX-License-Identifier: MIT
# hold attach never releases into the unknown, and speaks gdb's language:
# a breakpoint gdb cannot set (a typo; a stripped binary, where it says
# where the symbols are) leaves the target parked and unrun, exit 1; a
# stopped park released under gdb stops at main, not at hold's SIGCONT; a
# gdb that dies before the release leaves it parked; -p, -x and -- as gdb
# takes them; and inside gdb, hold next attaches the next park as a second
# inferior with the breakpoint set, and hits it.
. "$(dirname "$0")/lib.sh"
need_gdb
start_holdd --foreground
ran() { grep -q "target main reached pid=$1 " "$T/out"; }
park() { # RULE PROGRAM: park PROGRAM at its exec; its pid
	"$HOLD" run -r "$1" -- "$2" x >>"$T/out" 2>&1 &
	"$HOLD" wait --timeout 10 "$(basename "$2")" || fail "$2 did not park: $(cat "$T/out")"
}

pid=$(park 'exec:*/target' "$H/target")
"$HOLD" attach --batch -b no_such_function "$pid" >"$T/gdb" 2>&1 && fail "attach with a typo succeeded"
grep -q 'hold attach: -b no_such_function: Function "no_such_function" not defined' "$T/gdb" &&
	grep -q "pid $pid stays parked" "$T/gdb" || fail "the typo was not named: $(cat "$T/gdb")"
sleep 0.3 # time it would take to run, were it released
"$HOLD" ls | grep -q "^$pid " && ! ran "$pid" || fail "the target was released: $(cat "$T/out")"
"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 || fail "the good attach failed: $(cat "$T/gdb")"
grep -q "^Breakpoint 1, main (" "$T/gdb" || fail "did not stop in main: $(cat "$T/gdb")"
until_true "ran $pid" || fail "it did not run on"
ok "a typo'd -b left $pid parked and unrun (exit 1, the location named); then -b main stopped in main"

cp "$H/target" "$T/starget" && strip "$T/starget"
pid=$(park 'exec:*/starget' "$T/starget")
DEBUGINFOD_URLS= "$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 && fail "attach to a stripped main succeeded"
grep -q "hold attach: $T/starget is stripped and gdb found no debug symbols for it: .*DEBUGINFOD_URLS=" "$T/gdb" ||
	fail "no word about the missing symbols: $(cat "$T/gdb")"
"$HOLD" ls | grep -q "^$pid " || fail "the stripped target was released"
"$HOLD" release "$pid" >/dev/null
ok "a stripped binary: it says so, and where symbols come from (-dbgsym, debuginfod); still parked"

# Debian's own stripped binary, on merged /usr: dpkg knows /usr/bin/sleep
# as /bin/sleep, and the hint still names its package
bid=$(readelf -n /usr/bin/sleep 2>/dev/null | sed -n 's/.*Build ID: \(..\)\(.*\)/\1\/\2/p')
if command -v dpkg >/dev/null && dpkg -S /bin/sleep >/dev/null 2>&1 && [ -L /bin ] &&
	[ -n "$bid" ] && [ ! -e "/usr/lib/debug/.build-id/$bid.debug" ]; then
	"$HOLD" run -r 'exec:*/sleep' -- /usr/bin/sleep 30 >>"$T/out" 2>&1 &
	pid=$("$HOLD" wait --timeout 10 sleep) || fail "sleep did not park"
	DEBUGINFOD_URLS= "$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 && fail "attach to sleep's stripped main succeeded"
	grep -q "install coreutils-dbgsym" "$T/gdb" || fail "no -dbgsym package named for /usr/bin/sleep: $(cat "$T/gdb")"
	kill -KILL "$pid"
	ok "merged /usr: /usr/bin/sleep's hint names coreutils-dbgsym (dpkg knows it as /bin/sleep)"
fi

pid=$(park 'exec:*/target,mode=stop' "$H/target")
"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 || fail "stop-mode attach failed: $(cat "$T/gdb")"
grep -q "^Breakpoint 1, main (" "$T/gdb" && ! grep -q SIGCONT "$T/gdb" ||
	fail "stop mode: gdb did not stop at main, or stopped at SIGCONT: $(cat "$T/gdb")"
until_true "ran $pid" || fail "the stopped target did not run on"
ok "mode=stop: attach --batch -b main stops at main, not at hold's SIGCONT"

# gdb killed (here by its own -x file) before the release
echo 'python import os, signal; os.kill(os.getpid(), signal.SIGKILL)' >"$T/die.gdb"
for mode in spin stop; do
	pid=$(park "exec:*/target,mode=$mode" "$H/target")
	"$HOLD" attach --batch -x "$T/die.gdb" -b main "$pid" >"$T/gdb" 2>&1 && fail "$mode: gdb did not die"
	sleep 0.3
	"$HOLD" ls | grep -q "^$pid .*$mode" && ! ran "$pid" || fail "$mode: gdb's death released $pid"
	"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 && grep -q "^Breakpoint 1, main (" "$T/gdb" ||
		fail "$mode: no attach after gdb died: $(cat "$T/gdb")"
done
ok "gdb killed before the release: the target stays parked (spin and stop), and a new attach works"

# gdb's conventions: -p PID, -x FILE (checked like -b), -- GDB-OPTIONS
pid=$(park 'exec:*/target' "$H/target")
printf 'break main\nset $from_x = 7\n' >"$T/cmds.gdb"
"$HOLD" attach -p "$pid" -x "$T/cmds.gdb" --batch -ex 'p $from_x + $from_iex' -- -iex 'set $from_iex = 35' \
	>"$T/gdb" 2>&1 || fail "-p/-x/--: $(cat "$T/gdb")"
grep -q "^Breakpoint 1, main (" "$T/gdb" && grep -q '^\$1 = 42$' "$T/gdb" || fail "-p/-x/--: $(cat "$T/gdb")"
printf 'break no_such_function\n' >"$T/bad.gdb"
pid=$(park 'exec:*/target' "$H/target")
"$HOLD" attach -p "$pid" -x "$T/bad.gdb" --batch >"$T/gdb" 2>&1 && fail "a bad -x file was let through"
grep -q "hold attach: -x $T/bad.gdb: .*Function \"no_such_function\" not defined" "$T/gdb" || fail "-x: $(cat "$T/gdb")"
"$HOLD" release "$pid" >/dev/null
ok "-p PID, -x FILE (its failures checked too) and -- -iex pass to gdb as gdb takes them"

# hold next: two parks; attach the first, then follow to the second in one
# gdb.  (hold next takes a park no hold wait handed out yet: b is found by
# hold ls here, not by hold wait.)
a=$(park 'exec:*/target' "$H/target")
"$HOLD" run -r 'exec:*/target' -- "$H/target" x >>"$T/out" 2>&1 &
until_true '[ "$(nparked)" = 2 ]' || fail "the second target did not park"
b=$("$HOLD" ls --json | sed -n 's/.*"pid": \([0-9]*\),.*/\1/p' | grep -vx "$a")
timeout 60 "$HOLD" attach --batch -b main "$a" -ex 'hold next target' -ex 'info inferiors' >"$T/gdb" 2>&1 ||
	fail "hold next: $(cat "$T/gdb")"
[ "$(grep -Ec 'Breakpoint 1(\.[0-9]+)?, main \(' "$T/gdb")" = 2 ] && grep -q "inferior 2: pid $b (target), parked at exec" "$T/gdb" &&
	grep -Eq "^\* 2 +process $b " "$T/gdb" || fail "hold next did not attach $b as inferior 2 and stop at main: $(cat "$T/gdb")"
until_true "ran $a && ran $b" || fail "they did not both run on"
ok "inside gdb, hold next attached $b as inferior 2 with the breakpoint set, and hit it"

# --terminal: gdb in another terminal; here a shell that stands for one
pid=$(park 'exec:*/target' "$H/target")
"$HOLD" attach --batch -b main --terminal "echo {pid} >'$T/tpid'; sh -c {} >'$T/term' 2>&1" "$pid" ||
	fail "--terminal: hold attach failed"
[ "$(cat "$T/tpid")" = "$pid" ] && grep -q "^Breakpoint 1, main (" "$T/term" ||
	fail "--terminal: {pid} or the gdb command did not arrive: $(cat "$T/tpid" "$T/term")"
until_true "ran $pid" || fail "--terminal: it did not run on"
ok "--terminal TEMPLATE: {pid} and {} (the gdb command as one word) substituted; gdb stopped in main"

# a terminal that does not start is said in words, and the park stays
pid=$(park 'exec:*/target' "$H/target")
"$HOLD" attach -b main --terminal nosuchterm "$pid" >"$T/nt" 2>&1 && fail "a failed terminal succeeded"
grep -q "the terminal command failed (exit status 127): nosuchterm; pid $pid stays parked" "$T/nt" ||
	fail "failed terminal: $(cat "$T/nt")"
"$HOLD" ls | grep -q "^$pid " || fail "the failed terminal cost the park"
env -u TMUX -u HOLD_TERMINAL "$HOLD" attach --new-terminal "$pid" >"$T/nn" 2>&1 && fail "--new-terminal with none"
grep -q "no terminal to open .*; pid $pid stays parked" "$T/nn" || fail "no default terminal: $(cat "$T/nn")"
env -u TMUX HOLD_TERMINAL="sh -c {} >'$T/dt' 2>&1" "$HOLD" attach --batch -b main --new-terminal "$pid" ||
	fail "--new-terminal with HOLD_TERMINAL failed"
grep -q "^Breakpoint 1, main (" "$T/dt" || fail "HOLD_TERMINAL's gdb did not stop in main: $(cat "$T/dt")"
until_true "ran $pid" || fail "it did not run on"
ok "a terminal that fails, or none to open: said, and the park stays; --new-terminal opens \$HOLD_TERMINAL"
