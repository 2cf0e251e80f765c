# SPDX-License-Identifier: MIT
# A parent with 4 threads churning malloc/free forks 200 times under a fork
# rule with a short timeout: no deadlock, every child completes.
. "$(dirname "$0")/lib.sh"

timeout 120 env LD_PRELOAD="$HOLD_LIB" HOLD_RULES='fork,timeout=0.002' \
	"$H/threaded_forks" 200 >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 124 ] && fail "deadlock: threaded_forks did not finish in 120 s"
[ "$rc" = 0 ] || fail "exit $rc: $(cat "$T/out")"
grep -qx '200 of 200 children completed' "$T/out" || fail "$(cat "$T/out")"
parked=$(grep -c 'parked at fork' "$T/err")
released=$(grep -c 'released (timeout)' "$T/err")
[ "$parked" = 200 ] || fail "$parked children parked, expected 200"
[ "$released" = 200 ] || fail "$released released by timeout, expected 200"
ok "200 children of a 4-thread malloc-churning parent parked and completed"
