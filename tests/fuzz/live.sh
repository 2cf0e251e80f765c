# SPDX-License-Identifier: MIT
# make fuzz-live: the production holdd -- root's, shared with --any-user,
# its seccomp filter on; in a build configured with --enable-sanitizers,
# under ASan and UBSan -- driven for FUZZ_LIVE_SECONDS (default 600) by
# live_client.py as two real users at once.  Every two seconds holdd must be
# alive, answer root's hold ls within 5 s, and stay within 256 MiB of what
# it started with; at the end its stderr must hold no sanitizer report.
# Needs root (two throwaway users); says so and skips without.
. "$(dirname "$0")/../e2e/lib.sh"
need_users
PY=${PYTHON3:-python3}
SECONDS_=${FUZZ_LIVE_SECONDS:-600}
export PYTHONPATH=$HOLD_TOP_SRCDIR/tests/helpers HOLD=$HOLD
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$HOLDD_PID/status"; }

# under ASan a small quarantine, so that the bound measures holdd, not ASan.
# The kernel follower stays unloaded: a WATCH whose random text happens to
# be a rule would park the fuzzing users' own processes -- what it asks
# for, not a fault -- and stall the fuzzers.  WATCH is still sent and
# answered; tests/e2e/kernel_follow.sh drives its paths with the follower
# on, under the production filter, as root and as two users.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16" \
	"$HOLDD" --log-file "$T/holdd.log" --foreground --any-user --no-kernel-follow \
	2>"$T/holdd.stderr" &
HOLDD_PID=$!
PIDS="$PIDS $HOLDD_PID"
until_true answers || fail "holdd did not start: $(cat "$T/holdd.log" "$T/holdd.stderr")"
chmod 755 "$HOLD_RUNTIME_DIR" # the users reach root's socket (0666)
base=$(rss)
peak=$base
AS_RUNTIME_DIR=$HOLD_RUNTIME_DIR as "$USER_A" "$PY" "$HOLD_TOP_SRCDIR/tests/fuzz/live_client.py" "$SECONDS_" 1 >"$T/a.out" 2>&1 &
a=$!
AS_RUNTIME_DIR=$HOLD_RUNTIME_DIR as "$USER_B" "$PY" "$HOLD_TOP_SRCDIR/tests/fuzz/live_client.py" "$SECONDS_" 2 >"$T/b.out" 2>&1 &
b=$!
PIDS="$PIDS $a $b"
while kill -0 "$a" 2>/dev/null || kill -0 "$b" 2>/dev/null; do
	kill -0 "$HOLDD_PID" 2>/dev/null || fail "holdd died: $(tail -n 5 "$T/holdd.log"; cat "$T/holdd.stderr")"
	timeout 5 "$HOLD" ls >/dev/null 2>&1
	[ $? -le 1 ] || fail "holdd did not answer root's hold ls within 5 s: $(tail -n 3 "$T/holdd.log")"
	now=$(rss)
	[ "$now" -gt "$peak" ] && peak=$now
	[ $((now - base)) -lt 262144 ] || fail "holdd grew by $(((now - base) / 1024)) MiB"
	sleep 2
done
wait "$a" || fail "user A's fuzzer failed: $(tail -n 20 "$T/a.out")"
wait "$b" || fail "user B's fuzzer failed: $(tail -n 20 "$T/b.out")"
kill -0 "$HOLDD_PID" 2>/dev/null || fail "holdd died at the end"
grep -q 'Sanitizer\|runtime error' "$T/holdd.stderr" && fail "$(cat "$T/holdd.stderr")"
echo "A: $(tail -n 1 "$T/a.out")"
echo "B: $(tail -n 1 "$T/b.out")"
ok "holdd under two users' fuzzers for $SECONDS_ s: alive, answering, $(((peak - base) / 1024)) MiB at most above its start"
