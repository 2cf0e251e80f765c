# SPDX-License-Identifier: MIT
# What a new user types first gets a straight answer: --version on both
# programs, an empty rule refused, a pid that does not exist called that,
# a bad number refused, holdd's log lines stamped with the time, and a
# holdd started by hand on a terminal saying where it listens.
. "$(dirname "$0")/lib.sh"

v=$(sed -n 's/^AC_INIT(\[hold\], \[\([^]]*\)\].*/\1/p' "$HOLD_TOP_SRCDIR/configure.ac")
[ "$("$HOLD" --version)" = "hold $v" ] || fail "hold --version: $("$HOLD" --version 2>&1)"
[ "$("$HOLDD" --version)" = "holdd $v" ] || fail "holdd --version: $("$HOLDD" --version 2>&1)"
ok "hold --version and holdd --version say $v"

"$HOLD" run -r '' -- true 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "an empty rule" "$T/err" || fail "-r '': rc $rc, $(cat "$T/err")"
"$HOLD" env -r ' ' 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "an empty rule" "$T/err" || fail "-r ' ': rc $rc, $(cat "$T/err")"
"$HOLDD" --keep-exited abc 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "keep-exited takes a whole number" "$T/err" || fail "--keep-exited abc: rc $rc, $(cat "$T/err")"
ok "an empty rule and a bad number are usage errors that say so"

# seconds are read one way, in a rule and in an option: no exponent, at
# most a year, refused in words
"$HOLD" wait --timeout 1e5 >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "takes seconds, e.g. 30 or 0.5, not '1e5'" "$T/err" || fail "--timeout 1e5: $(cat "$T/err")"
"$HOLD" run -r 'exec:*/x,timeout=1e5' -- true 2>"$T/err"
[ $? = 2 ] && grep -q "timeout needs seconds" "$T/err" || fail "timeout=1e5: $(cat "$T/err")"
"$HOLD" wait --timeout 99999999999 >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "takes at most 31536000 seconds (a year)" "$T/err" || fail "--timeout 99999999999: $(cat "$T/err")"
# without holdd, release --all of nothing: "released 0", exit 1 (as with one)
"$HOLD" release --all >"$T/out" 2>&1
[ $? = 1 ] && grep -q "^released 0$" "$T/out" || fail "release --all without holdd: $(cat "$T/out")"
ok "seconds: 1e5 refused in an option as in a rule, past a year refused in words; release --all of nothing exits 1"

start_holdd --foreground
gone=$(cat /proc/sys/kernel/pid_max)
while kill -0 "$gone" 2>/dev/null || [ -d "/proc/$gone" ]; do gone=$((gone - 1)); done
for verb in attach release; do
	"$HOLD" $verb "$gone" 2>"$T/err"; rc=$?
	[ $rc = 1 ] && grep -qx "hold $verb: no such process: $gone" "$T/err" ||
		fail "hold $verb $gone: rc $rc, $(cat "$T/err")"
done
"$HOLD" release 1 2>"$T/err"
grep -q "not parked" "$T/err" || fail "hold release 1: $(cat "$T/err")"
ok "attach and release of a pid that does not exist: 'no such process'; of one that does: 'not parked'"

# a --timeout past poll's 24 days waits, not 3 ms
timeout 2 "$HOLD" wait --timeout 3000000 >/dev/null 2>"$T/err"
[ $? = 124 ] || fail "hold wait --timeout 3000000 did not wait: $(cat "$T/err")"
"$HOLD" release --all >"$T/out" 2>&1
[ $? = 1 ] && grep -q "^released 0$" "$T/out" || fail "release --all with holdd: $(cat "$T/out")"
ok "hold wait --timeout 3000000 waits; release --all of nothing exits 1 with holdd too"

head -n 1 "$T/holdd.log" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} holdd: ' ||
	fail "holdd's log line has no timestamp: $(head -n 1 "$T/holdd.log")"
ok "holdd's log lines start with the time"

command -v script >/dev/null 2>&1 || skip "script is not installed (apt-get install bsdutils)"
# by hand, on a terminal, without --foreground: it logs to syslog, and says so
script -qec "'$HOLDD' --socket '$T/byhand.sock' --state-dir '$T/byhand'" /dev/null >"$T/tty" 2>&1 &
PIDS="$PIDS $!"
until_true "grep -q 'listening on' '$T/tty'" || fail "holdd said nothing on its terminal: $(cat "$T/tty")"
grep -q "holdd: listening on $T/byhand.sock (pid [0-9]*); it logs to syslog" "$T/tty" || fail "$(cat "$T/tty")"
pkill -f "socket $T/byhand.sock" || true
ok "holdd started by hand on a terminal says where it listens and where it logs"

# hold help VERB is VERB's help; a mistyped verb gets the one it was near
out=$("$HOLD" help attach) && echo "$out" | head -n 1 | grep -q '^usage: hold attach ' ||
	fail "hold help attach: $out"
"$HOLD" atach 1 2>"$T/err"
[ $? = 2 ] && grep -qx "hold: no verb 'atach'; did you mean 'hold attach'?" "$T/err" || fail "atach: $(cat "$T/err")"
"$HOLD" w 2>"$T/err"
grep -qx "hold: no verb 'w'; did you mean 'hold wait' or 'hold watch'?" "$T/err" || fail "w: $(cat "$T/err")"
"$HOLD" help zzzz 2>"$T/err"
[ $? = 2 ] && grep -q "^hold: no verb 'zzzz'$" "$T/err" || fail "help zzzz: $(cat "$T/err")"
ok "hold help VERB prints VERB's help; a mistyped verb is answered with the nearest (or every verb it begins)"
