# SPDX-License-Identifier: MIT
# History is kept per owner: with --keep-exited 100, user B's 400
# short-lived processes once pruned all of user A's tree.  Now each owner
# keeps its own 100, and B's churn leaves A's tree whole.
. "$(dirname "$0")/lib.sh"
need_users
start_holdd --foreground --group "$HGROUP" --keep-exited 100
as "$USER_A" "$HOLD" run -- sh -c 'i=0; while [ $i -lt 50 ]; do /bin/true a; i=$((i + 1)); done' ||
	fail "A's tree"
until_true '[ "$(as "$USER_A" "$HOLD" tree --json | grep -c "\"exited\": true")" -ge 50 ]' ||
	fail "A's tree was not recorded"
as "$USER_B" "$HOLD" run -- sh -c 'i=0; while [ $i -lt 400 ]; do /bin/true b; i=$((i + 1)); done' ||
	fail "B's tree"
until_true '[ "$(as "$USER_B" "$HOLD" tree --json | grep -c "\"exited\": true")" -ge 90 ]' ||
	fail "B's tree was not recorded"
count() { as "$1" "$HOLD" tree --json | grep -c "\"argv\": \\[\"/bin/true\", \"$2\"\\]"; }
# holdd prunes at its one-second tick
until_true '[ "$(count "$USER_B" b)" -le 100 ]' || fail "B keeps $(count "$USER_B" b) exited processes, past --keep-exited 100"
b=$(count "$USER_B" b)
a=$(count "$USER_A" a)
[ "$a" = 50 ] || fail "B's 400 processes pruned A's tree: $a of A's 50 are left"
ok "B's 400 processes kept $b of B's and all 50 of A's (--keep-exited 100 per owner)"
