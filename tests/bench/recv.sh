# SPDX-License-Identifier: MIT
# recv.sh BUILDDIR SRCDIR: instructions per interposed read()/recv() call,
# counted by callgrind (exact, unlike wall time on a noisy VM).
#
# Each variant runs the loop at N and 2N calls; (Ir(2N) - Ir(N)) / N is the
# cost of one call with start-up cancelled out, and the bare program's
# figure is subtracted.  Targets (issue 4): no hand-off rule <= 10
# instructions, rules active on other fds <= 40.
set -eu
B=$1
command -v valgrind >/dev/null || { echo "recv.sh: valgrind is not installed (apt-get install valgrind)"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/hold-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cc -O2 -o "$W/loop" "$2/tests/bench/recv_loop.c"
LIB=$B/libhold/.libs/libhold.so
N=100000
export HOLD_RUNTIME_DIR=$W/run HOLD_SOCKET=$W/none.sock

ir() { # ir MODE CALLS [env...]: total instructions
	mode=$1 calls=$2
	shift 2
	env "$@" valgrind --tool=callgrind --callgrind-out-file="$W/cg" "$W/loop" "$mode" "$calls" \
		>/dev/null 2>"$W/vg" || { cat "$W/vg"; exit 1; }
	sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$W/cg"
}
per_call() { # per_call MODE [env...]
	mode=$1
	shift
	a=$(ir "$mode" $N "$@")
	b=$(ir "$mode" $((2 * N)) "$@")
	echo $(((b - a) / N))
}

printf '%-6s %-10s %-24s %-30s\n' call bare "libhold, no hand-off rule" "libhold, rules on other fds"
for mode in read recv; do
	bare=$(per_call $mode)
	none=$(per_call $mode LD_PRELOAD="$LIB")
	other=$(per_call $mode LD_PRELOAD="$LIB" HOLD_RULES='recv:tcp:9;accept:unix:/nowhere;recv:udp:53')
	printf '%-6s %-10s %-24s %-30s\n' $mode "$bare" "+$((none - bare)) (target <= 10)" \
		"+$((other - bare)) (target <= 40)"
done
