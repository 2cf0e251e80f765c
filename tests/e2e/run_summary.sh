# SPDX-License-Identifier: MIT
# When hold run's program ends, each rule that never fired is named, with
# the names it could have meant (a typo shows itself); a rule that fired
# is not.  The watcher that says so is no child of the program (a shell's
# `wait` does not wait for it), and a private holdd stays up for it.
. "$(dirname "$0")/lib.sh"

cp "$H/target" "$T/child"
# no holdd yet: hold run starts a private one, which stops after
"$HOLD" run -r 'exec:*/chidl' -r 'exec:*/child,timeout=0.01' -r 'fork,comm=pythn*' -- \
	sh -c "'$T/child' x >/dev/null; sleep 0.1 & wait" >"$T/out" 2>"$T/err" ||
	fail "hold run failed: $(cat "$T/err")"
until_true "grep -q 'matched nothing' '$T/err' && [ \$(grep -c 'matched nothing' '$T/err') = 2 ]" ||
	fail "no summary: $(cat "$T/err")"
grep -qx "hold run: rule 'exec:\*/chidl' matched nothing; execs seen: child, sh.*" "$T/err" ||
	fail "the exec rule's line: $(cat "$T/err")"
grep -qx "hold run: rule 'fork,comm=pythn\*' matched nothing; processes that forked: sh" "$T/err" ||
	fail "the fork rule's line: $(cat "$T/err")"
grep -q "rule 'exec:\*/child,timeout=0.01' matched nothing" "$T/err" && fail "a rule that fired was named"
ok "the rules that never fired are named with the nearest names seen; the one that fired is not"

# nothing to say when every rule fired
"$HOLD" run -r 'exec:*/child,timeout=0.01' -- "$T/child" x >/dev/null 2>"$T/err2"
grep -q "parked at exec" "$T/err2" || fail "it did not park: $(cat "$T/err2")"
until_true "[ ! -S '$HOLD_SOCKET' ]" || fail "the private holdd did not stop"
grep -q 'matched nothing' "$T/err2" && fail "named a rule that fired: $(cat "$T/err2")"
ok "every rule fired: nothing said, and the private holdd stopped after the watcher"
