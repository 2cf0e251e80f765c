# SPDX-License-Identifier: MIT
# hold attach takes gdb's own spellings: -batch (not "-b atch"), -ex and
# --eval-command, -iex and --init-eval-command (run before gdb attaches),
# -x and -command, -nx, -q, -quiet and -silent; and lldb's attach -w -n
# habit, hold attach --wait GLOB.  The attach selects the program's own
# frame, not libhold's, and says so in one line.
. "$(dirname "$0")/lib.sh"
need_gdb
start_holdd
cp "$H/target" "$T/spell"
echo 'print 40 + 2' >"$T/cmds.gdb"
preload 'exec:*/spell' "$T/spell" a >"$T/a.out" 2>&1 &
PIDS="$PIDS $!"
pid=$("$HOLD" wait --timeout 10 spell) || fail "nothing parked"
"$HOLD" attach -batch -nx -q -iex 'set $early = 7' --init-eval-command 'set $early2 = 8' \
	-command "$T/cmds.gdb" -b main --eval-command 'print $early' -ex 'print $early2' "$pid" \
	>"$T/gdb" 2>&1 || fail "attach with gdb's spellings: $(cat "$T/gdb")"
grep -q "^Breakpoint 1, main (" "$T/gdb" || fail "gdb did not stop in main: $(cat "$T/gdb")"
grep -q "= 7$" "$T/gdb" && grep -q "= 8$" "$T/gdb" && grep -q "= 42$" "$T/gdb" ||
	fail "-iex, --init-eval-command, -command, --eval-command or -ex did not run: $(cat "$T/gdb")"
until_true "grep -q 'main reached pid=$pid ' '$T/a.out'" || fail "it did not run on"
ok "-batch -nx -q -iex --init-eval-command -command --eval-command -ex: taken as gdb takes them"

preload 'exec:*/spell' "$T/spell" b >"$T/b.out" 2>&1 &
PIDS="$PIDS $!"
pid=$("$HOLD" wait --timeout 10 spell) || fail "nothing parked the second time"
"$HOLD" attach -quiet -silent -batch -p "$pid" >"$T/gdb2" 2>&1 || fail "attach -batch -p: $(cat "$T/gdb2")"
grep -q "hold_park" "$T/gdb2" || fail "no backtrace of the park: $(cat "$T/gdb2")"
until_true "grep -q 'main reached pid=$pid ' '$T/b.out'" || fail "-batch with no -b did not release it"
"$HOLD" attach --bogus "$pid" >"$T/bad" 2>&1 && fail "an unknown option was taken"
grep -q "unknown option" "$T/bad" || fail "unknown option: $(cat "$T/bad")"
ok "-quiet -silent -batch -p: the park's backtrace, released; an unknown option refused"

# --wait GLOB: attach to the next park of that name
"$HOLD" attach --wait spell -batch -b main >"$T/gdb3" 2>&1 &
att=$!
PIDS="$PIDS $att"
preload 'exec:*/spell' "$T/spell" c >"$T/c.out" 2>&1 &
PIDS="$PIDS $!"
wait "$att" || fail "attach --wait: $(cat "$T/gdb3")"
grep -q "^Breakpoint 1, main (" "$T/gdb3" || fail "attach --wait did not stop in main: $(cat "$T/gdb3")"
until_true "grep -q 'main reached' '$T/c.out'" || fail "it did not run on"
"$HOLD" attach --wait spell 4090 >"$T/both" 2>&1 && fail "--wait with a PID was taken"
grep -q "name the process once" "$T/both" || fail "--wait and a PID: $(cat "$T/both")"
ok "attach --wait GLOB waited for the next park of that name and stopped it in main"

# the program's frame selected: a fork park's is the caller of fork; an
# exec park's program has not started, and says so
preload 'fork' "$H/many_forks" 1 >"$T/f.out" 2>&1 &
PIDS="$PIDS $!"
pid=$("$HOLD" wait --timeout 10 many_forks) || fail "no fork park"
"$HOLD" attach --batch --no-release -ex frame "$pid" >"$T/gdb4" 2>&1 || fail "attach: $(cat "$T/gdb4")"
grep -q "^hold: frame #[0-9]*, main at .*many_forks.c:[0-9]*, is the program's" "$T/gdb4" &&
	grep -q "^#[0-9]* .* in main (" "$T/gdb4" || fail "the program's frame was not selected: $(cat "$T/gdb4")"
"$HOLD" release "$pid" >/dev/null
preload 'exec:*/spell' "$T/spell" d >"$T/d.out" 2>&1 &
PIDS="$PIDS $!"
pid=$("$HOLD" wait --timeout 10 spell) || fail "no exec park"
"$HOLD" attach --batch --no-release -ex frame "$pid" >"$T/gdb5" 2>&1 || fail "attach: $(cat "$T/gdb5")"
grep -q "^hold: the program has not started" "$T/gdb5" || fail "exec park: $(cat "$T/gdb5")"
"$HOLD" release "$pid" >/dev/null
ok "attach selects the program's frame (a fork park: main, the caller of fork) and says where; an exec park says the program has not started"
