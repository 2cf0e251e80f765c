# SPDX-License-Identifier: MIT
# holdd.sh BUILDDIR SRCDIR: holdd's latencies, ingest rate and memory.
#
# latency: a child is fork+exec'd under an exec rule; holdd_bench lists
#   (LIST, as hold ls does) until it appears, then releases it (RELEASE, as
#   hold release does) and times until the child's main runs.  Each round
#   then does the same hops through a minimal C relay -- the target connects
#   and says its pid, the relay answers "listed?" and passes "release" on --
#   the floor.  The same fork+exec without a park is the baseline.
# ingest:  200000 fork reports as fast as a sender can send them, against
#   a holdd that keeps every record (--keep-exited 10000000 --keep-age 0),
#   and holdd's resident memory before and after, per recorded process.
set -eu
B=$1 S=$2
N=${N:-300}
W=$(mktemp -d "${TMPDIR:-/tmp}/hold-bench.XXXXXX")
HOLDD_PID=""
trap '[ -z "$HOLDD_PID" ] || kill "$HOLDD_PID" 2>/dev/null; rm -rf "$W"' EXIT
cc -O2 -I"$S/common" -o "$W/holdd_bench" "$S/tests/bench/holdd_bench.c" "$S/common/proto.c"
cc -O2 -o "$W/hold-wake" "$S/tests/bench/wake.c"
export HOLD_RUNTIME_DIR=$W/run HOLD_SOCKET=$W/run/holdd.sock HOLD_STATE_DIR=$W/state

# By pid, not %1: a shell without job control (under timeout, say) would
# leave the first holdd answering, and the second would refuse to start.
holdd() {
	"$B/holdd/holdd" --log-file "$W/log" "$@" &
	HOLDD_PID=$!
	n=0
	until [ -S "$HOLD_SOCKET.events" ]; do n=$((n + 1)); [ $n -lt 500 ] || exit 1; sleep 0.01; done
}
holdd
"$W/holdd_bench" latency "$N" "$B/libhold/.libs/libhold.so" "$W/hold-wake" "$W/relay.sock" 2>/dev/null
kill "$HOLDD_PID" && wait "$HOLDD_PID" || true
rm -f "$HOLD_SOCKET" "$HOLD_SOCKET.events"
rm -rf "$W/state"
holdd --keep-exited 10000000 --keep-age 0
"$W/holdd_bench" ingest 200000 "$HOLDD_PID"
echo "targets: exec -> listed p50 <= 2 ms; release -> running <= 1.5x its floor;"
echo "         ingest >= 20000 events/s; <= 1 KiB per recorded process"
