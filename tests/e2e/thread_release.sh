# SPDX-License-Identifier: MIT
# hold_here() in two threads: each parks with its own `hold` flag; gdb's
# `set var hold = 0` in one thread's park frame releases that thread only,
# while the process's other threads keep running.
. "$(dirname "$0")/lib.sh"
need_gdb

"$H/here_threads" >"$T/out" 2>"$T/err" &
pid=$!
PIDS=$pid
until_true '[ "$(nrecords)" = 2 ]' || fail "two threads did not park: $(records)"
for r in $(records); do
	tid=${r##*-}
	[ "$tid" != "$pid" ] || fail "a park record names the main thread"
	[ "$(field "$r" event)" = here ] || fail "event is not here"
	[ "$(field "$r" tid)" = "$tid" ] || fail "record tid mismatch"
done
first=$(records | head -n 1)
tid=${first##*-}
which=$(field "$first" rule)

# select the thread by its LWP, then its park frame, and clear its flag
"$GDB" -q -nx -p "$pid" -batch \
	-ex "python [t.switch() for t in gdb.selected_inferior().threads() if t.ptid[1] == $tid]" \
	-ex 'frame function hold_park' -ex 'set var hold = 0' -ex 'thread' >"$T/gdb" 2>&1
grep -q "LWP $tid" "$T/gdb" || fail "gdb did not select LWP $tid: $(cat "$T/gdb")"
until_true "grep -qx '$which released' '$T/out'" || fail "$which was not released: $(cat "$T/out")"
[ "$(nrecords)" = 1 ] || fail "releasing one thread changed the other: $(records)"
grep -q "thread $tid released (hold = 0)" "$T/err" || fail "release line missing"
other=$(records)
[ "$(field "$other" rule)" != "$which" ] || fail "the wrong thread is still parked"
ok "set var hold = 0 released thread $tid ($which) only"

otid=${other##*-}
"$GDB" -q -nx -p "$pid" -batch \
	-ex "python [t.switch() for t in gdb.selected_inferior().threads() if t.ptid[1] == $otid]" \
	-ex 'frame function hold_park' -ex 'set var hold = 0' >"$T/gdb" 2>&1
wait "$pid" || fail "here_threads failed"
beats=$(sed -n 's/^main beat \([0-9]*\) times.*/\1/p' "$T/out")
[ "${beats:-0}" -gt 10 ] || fail "main thread did not run while the others were parked: $(cat "$T/out")"
ok "the main thread kept running ($beats beats) while two threads were parked"
