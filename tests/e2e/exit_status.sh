# SPDX-License-Identifier: MIT
# One table of exit statuses: 0 done, 1 nothing found or timed out, 2 a
# usage or environment error -- each verb's, as its --help and hold(1)
# state them, run case by case; numbers refused in words when they do not
# fit.
. "$(dirname "$0")/lib.sh"
start_holdd
# expect STATUS CMD...: CMD (hold's arguments) exits STATUS
expect() {
	_want=$1
	shift
	"$HOLD" "$@" >"$T/out" 2>&1 </dev/null
	_got=$?
	[ "$_got" = "$_want" ] || fail "hold $*: exit $_got, not $_want: $(cat "$T/out")"
	n=$((n + 1))
}
n=0
expect 1 ls
expect 2 ls --bogus
expect 1 tree
expect 2 tree --bogus
expect 1 log
expect 2 log --trace - -f
expect 1 wait --timeout 0.2
expect 2 wait --timeout soon
expect 1 attach 999999
expect 2 attach
expect 2 attach 99999999999
expect 1 release 999999
expect 1 release --all
expect 2 release
expect 2 release 1/99999999999
expect 2 follow 999999 -r 'exec:*/x'
expect 2 follow 1 -r 'recv:pipe'
expect 2 watch
expect 2 watch -r 'recv:pipe'
expect 2 watch --pid 99999999999 -r 'exec:*/x'
expect 0 env -r 'exec:*/x'
expect 2 env
expect 2 env -r 'nosuch:event'
expect 7 run -- sh -c 'exit 7'
expect 127 run -- /no/such/program
expect 2 run -r 'nosuch:event' -- true
expect 2 nosuchverb
if "$HOLD" watch --status >/dev/null 2>&1; then expect 0 watch --status; else expect 1 watch --status; fi
# the parks: found, then released
"$HOLD" run -r 'exec:*/target' -- "$H/target" x >/dev/null 2>&1 &
pid=$("$HOLD" wait --timeout 10 target) || fail "nothing parked"
expect 0 ls
expect 1 attach --batch -b no_such_function "$pid"
expect 0 release "$pid"
expect 0 tree
expect 0 log
ok "$n cases: every verb exits 0 done, 1 nothing found or timed out, 2 usage or environment (hold run: its program's)"

for v in $("$HOLD" --help | sed -n 's/^  hold \([a-z]*\) .*/\1/p'); do
	"$HOLD" "$v" --help | grep -q '^Exit status:$' || fail "hold $v --help has no exit statuses"
	"$HOLD" "$v" --help | sed -n '/^Exit status:$/,$p' | grep -Eq '^  (0|0-255) ' || fail "hold $v --help: no status 0"
done
ok "every verb's --help lists its exit statuses"
