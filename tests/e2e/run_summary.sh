# SPDX-License-Identifier: MIT
# When hold run's program ends, each rule that never fired is named, with
# the names it could have meant (a typo shows itself); a rule that fired
# is not.  The watcher that says so is no child of the program (a shell's
# `wait` does not wait for it), and a private holdd stays up for it.  A
# program that daemonizes hands its run to its tree: the summary waits for
# the tree to end, saying meanwhile what runs on and what has not fired.
# All of it once with libhold's parks (--preload) and, as root where
# kernel following loads, once with the kernel follower's: the summary is
# true either way.
. "$(dirname "$0")/lib.sh"

cp "$H/target" "$T/child"
cp "$H/target" "$T/late"
stories() { # engine: --preload or --kernel
	engine=$1
	# no holdd yet: hold run starts a private one, which stops after
	"$HOLD" run $engine -r 'exec:*/chidl' -r 'exec:*/child,timeout=0.01' -r 'fork,comm=pythn*' -- \
		sh -c "'$T/child' x >/dev/null; sleep 0.1 & wait" >"$T/out" 2>"$T/err" ||
		fail "hold run failed: $(cat "$T/err")"
	until_true "grep -q 'matched nothing' '$T/err' && [ \$(grep -c 'matched nothing' '$T/err') = 2 ]" ||
		fail "no summary: $(cat "$T/err")"
	grep -qx "hold run: rule 'exec:\*/chidl' matched nothing; execs seen: child, sh.*" "$T/err" ||
		fail "the exec rule's line: $(cat "$T/err")"
	grep -qx "hold run: rule 'fork,comm=pythn\*' matched nothing; processes that forked: sh" "$T/err" ||
		fail "the fork rule's line: $(cat "$T/err")"
	grep -q "rule 'exec:\*/child,timeout=0.01' matched nothing" "$T/err" && fail "a rule that fired was named"
	ok "$engine: the rules that never fired are named with the nearest names seen; the one that fired is not"

	# nothing to say when every rule fired
	"$HOLD" run $engine -r 'exec:*/child,timeout=0.01' -- "$T/child" x >/dev/null 2>"$T/err2"
	[ "$engine" = --kernel ] || grep -q "parked at exec" "$T/err2" || fail "it did not park: $(cat "$T/err2")"
	until_true "[ ! -S '$HOLD_SOCKET' ]" || fail "the private holdd did not stop"
	grep -q 'matched nothing' "$T/err2" && fail "named a rule that fired: $(cat "$T/err2")"
	ok "$engine: every rule fired: nothing said, and the private holdd stopped after the watcher"

	# a program that daemonizes: hold run returns at once, its tree runs on.
	# The private holdd stays up for it; the summary says what still runs and
	# what has not fired yet, and at the tree's end names only the rule that
	# never fired; the tree's count file goes with it.
	"$HOLD" run $engine -r 'exec:*/late' -r 'exec:*/never-there' -- \
		sh -c "(sleep 1; exec '$T/late' d) >'$T/late.out' 2>&1 &" >"$T/out3" 2>"$T/err3" ||
		fail "hold run failed: $(cat "$T/err3")"
	until_true "grep -q 'its tree still runs: sh (' '$T/err3'" || fail "nothing said of the tree that runs on: $(cat "$T/err3")"
	grep -q "rule 'exec:\*/late' has not fired yet" "$T/err3" && grep -q "rule 'exec:\*/never-there' has not fired yet" "$T/err3" ||
		fail "not-yet lines: $(cat "$T/err3")"
	grep -q "matched nothing" "$T/err3" && fail "called a rule unmatched while the tree runs: $(cat "$T/err3")"
	pid=$("$HOLD" wait --timeout 10 late) || fail "the daemon's exec did not park, or the private holdd went: $(cat "$T/err3")"
	"$HOLD" release "$pid" >/dev/null || fail "release"
	until_true "grep -q 'main reached pid=$pid ' '$T/late.out'" || fail "released, it did not run"
	until_true "grep -q 'matched nothing' '$T/err3'" || fail "no summary at the tree's end: $(cat "$T/err3")"
	grep -qx "hold run: rule 'exec:\*/never-there' matched nothing.*" "$T/err3" || fail "the end: $(cat "$T/err3")"
	grep -q "rule 'exec:\*/late' matched nothing" "$T/err3" && fail "the rule that fired late was called unmatched"
	until_true "[ ! -S '$HOLD_SOCKET' ]" || fail "the private holdd did not stop after the tree"
	ls "$HOLD_RUNTIME_DIR" | grep -q '^count-' && fail "count files stayed: $(ls "$HOLD_RUNTIME_DIR")"
	ok "$engine: a daemonizing program: its exec parked after hold run returned, waited for and released; the summary said what ran on and what had not fired yet, then named only the rule that never fired; no count file stayed"
}
stories --preload
[ "$(id -u)" = 0 ] || exit 0
start_holdd --any-user
"$HOLD" watch --status >"$T/status" 2>&1 && kernel=1 || kernel=0
kill "$HOLDD_PID"
until_true '! answers' || fail "holdd did not stop"
[ $kernel = 1 ] || { echo "# the kernel stories not run: $(cat "$T/status")"; exit 0; }
stories --kernel
