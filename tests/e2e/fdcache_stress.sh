# SPDX-License-Identifier: MIT
# libhold's per-fd class cache under churn: threads open, dup2, fcntl-dup
# and close pipes, socket pairs and files in one fd table and read from
# them, under recv:pipe.  Each thread's script is deterministic and knows
# how many of its reads were from a pipe: its park count must be exactly
# that (a wrong park or a missed one changes it), and nothing may crash.
. "$(dirname "$0")/lib.sh"

preload 'recv:pipe,timeout=0.001' "$H/fdstress" 4 6000 >"$T/out" 2>"$T/err" ||
	fail "fdstress failed ($?): $(tail -n 3 "$T/err")"
[ "$(grep -c '^thread' "$T/out")" = 4 ] || fail "fdstress output: $(cat "$T/out")"
total=0
while read -r _ tid _ want; do
	got=$(grep -c "^hold: pid [0-9]* thread $tid (fdstress) parked at recv of 1 byte on fd [0-9]* (pipe:" "$T/err")
	[ "$got" = "$want" ] || fail "thread $tid parked $got times, its script read a pipe $want times"
	total=$((total + want))
done <"$T/out"
[ "$total" -gt 1000 ] || fail "too few pipe reads to mean anything ($total)"
[ "$(grep -c 'parked at' "$T/err")" = "$total" ] || fail "parks outside the scripts: $(grep 'parked at' "$T/err" | grep -v 'pipe:' | head -3)"
ok "4 threads, $total pipe reads among ~24000 fd operations: each parked once, nothing else did"
