# SPDX-License-Identifier: MIT
# A bad rule never breaks the target: one clear stderr line per bad rule,
# naming the rule, where it is and what is wrong; output and exit status
# unchanged; the good rules beside it still work.
. "$(dirname "$0")/lib.sh"

prog='echo out; echo err >&2; exit 5'
sh -c "$prog" >"$T/bare.out" 2>"$T/bare.err"
bare=$?
preload 'exec:*/nomatch,count=zero;fork,colour=red' sh -c "$prog" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = "$bare" ] || fail "exit status $rc, bare run $bare"
cmp -s "$T/out" "$T/bare.out" || fail "stdout changed: $(cat "$T/out")"
grep -qx "hold: ignoring rule 'exec:\*/nomatch,count=zero' (HOLD_RULES, column 22): count needs a whole number >= 1, e.g. count=3" "$T/err" ||
	fail "no clear line for the bad count: $(cat "$T/err")"
grep -qx "hold: ignoring rule 'fork,colour=red' (HOLD_RULES, column 6): unknown key; keys are mode, count, timeout, comm, arg, peer" "$T/err" ||
	fail "no clear line for the bad key: $(cat "$T/err")"
[ "$(grep -vc '^hold: ignoring rule' "$T/err")" = 1 ] || fail "unexpected stderr: $(cat "$T/err")"
ok "bad rules in HOLD_RULES reported, program unchanged"

printf '# demo rules\nexec:*/target,timeout=0.01\nexec:*/x,mode=fast\n' >"$T/rules"
env LD_PRELOAD="$HOLD_LIB" HOLD_RULES_FILE="$T/rules" "$H/target" >"$T/out" 2>"$T/err"
grep -qx "hold: ignoring rule 'exec:\*/x,mode=fast' ($T/rules line 3, column 15): mode is spin or stop" "$T/err" ||
	fail "no clear line for the bad file rule: $(cat "$T/err")"
grep -q 'parked at exec' "$T/err" || fail "the good rule in the file did not park"
ok "bad rule in HOLD_RULES_FILE named by file and line; good rules still work"

env LD_PRELOAD="$HOLD_LIB" HOLD_RULES_FILE="$T/missing" sh -c "$prog" >"$T/out" 2>"$T/err"
[ $? = 5 ] || fail "missing rules file changed the exit status"
grep -q "hold: cannot read HOLD_RULES_FILE $T/missing" "$T/err" || fail "missing file not reported"
ok "a missing rules file is reported, program unchanged"
