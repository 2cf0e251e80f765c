# SPDX-License-Identifier: MIT
# hold env in a shell: its lines carry a session, so count= is shared by
# every command the shell runs with them -- two commands under count=1
# park once.  Read by eval from a terminal, it says that the shell itself
# is now under hold and how to stop; hold env --off takes the shell out
# again, keeping the other preloads.
. "$(dirname "$0")/lib.sh"
start_holdd
cp "$H/target" "$T/once"
sh -c "eval \"\$('$HOLD' env -r 'exec:*/once,count=1')\"
	'$T/once' a >'$T/a.out' 2>&1 &
	'$T/once' b >'$T/b.out' 2>&1 &
	wait" >"$T/sh.out" 2>&1 &
PIDS="$PIDS $!"
pid=$("$HOLD" wait --timeout 10 once) || fail "nothing parked: $(cat "$T/sh.out")"
# the other one runs to its end, unparked
until_true "[ \$(cat '$T/a.out' '$T/b.out' | grep -c 'main reached') = 1 ]" ||
	fail "the other command did not run (count= not shared?): $("$HOLD" ls)"
sleep 0.5
[ "$(nparked)" = 1 ] || fail "both parked: $("$HOLD" ls)"
"$HOLD" release "$pid" >/dev/null || fail "release"
until_true "[ \$(cat '$T/a.out' '$T/b.out' | grep -c 'main reached') = 2 ]" || fail "released, it did not run"
ok "two commands of one hold env session under count=1: one parked, the other ran"

command -v script >/dev/null || skip "script (util-linux) is not installed"
script -qec "sh -c 'x=\$(\"$HOLD\" env -r \"exec:*/once\")'" /dev/null >"$T/tty" 2>&1
grep -q "these lines put the shell itself under hold" "$T/tty" && grep -q 'hold env --off' "$T/tty" ||
	fail "no word on a terminal: $(cat "$T/tty")"
"$HOLD" env -r 'exec:*/once' 2>"$T/quiet" >/dev/null
[ ! -s "$T/quiet" ] || fail "spoke when not read by a shell: $(cat "$T/quiet")"
ok "eval'd from a terminal, hold env says the shell is under hold and how to stop"

LD_PRELOAD="/no/such.so:$HOLD_LIB" sh -c "eval \"\$('$HOLD' env --off 2>/dev/null)\"; env" >"$T/off" 2>/dev/null
grep -qx 'LD_PRELOAD=/no/such.so' "$T/off" && ! grep -q '^HOLD_RULES=\|^HOLD_SESSION=' "$T/off" ||
	fail "hold env --off: $(grep -E 'LD_PRELOAD|HOLD_' "$T/off")"
ok "hold env --off takes libhold out of LD_PRELOAD, keeping the other preloads, and unsets hold's variables"
