# SPDX-License-Identifier: MIT
# follow.sh BUILDDIR SRCDIR: what hold follow costs the tree it follows.
#
# N fork+exec of /bin/true (spawn_loop), started by a shell that waits on a
# FIFO so that the tracer is attached before the loop begins; alternately
# (a) bare, (b) under hold follow with a rule that never matches, (c) under
# strace -f -o /dev/null, ROUNDS times in a rotating order; and, once,
# (d) under gdb with detach-on-fork off (every child becomes an inferior,
# so only N_GDB of them).  Medians, per fork+exec and against bare.
set -eu
B=$1 S=$2
ROUNDS=${ROUNDS:-8}
N=${N:-1000}
N_GDB=${N_GDB:-100}
W=$(mktemp -d "${TMPDIR:-/tmp}/hold-bench.XXXXXX")
trap 'pkill -P $$ 2>/dev/null; rm -rf "$W"' EXIT
cc -O2 -o "$W/spawn_loop" "$S/tests/bench/spawn_loop.c"
export HOLD_RUNTIME_DIR="$W/run" HOLD_SOCKET="$W/run/holdd.sock" HOLD_STATE_DIR="$W/state"
HOLD=$B/hold/hold
now() { date +%s%N; }

# run VARIANT: elapsed ns of the loop, from the FIFO's word to its end
run() {
	rm -f "$W/go"
	mkfifo "$W/go"
	sh -c "read x <'$W/go'; exec '$W/spawn_loop' $N /bin/true" &
	loop=$!
	case $1 in
	follow)
		"$HOLD" follow "$loop" -r 'exec:*/no-such-program' 2>"$W/f.err" &
		tracer=$!
		until grep -q following "$W/f.err" 2>/dev/null; do sleep 0.01; done
		;;
	strace)
		strace -f -o /dev/null -p "$loop" 2>"$W/s.err" &
		tracer=$!
		until grep -q attached "$W/s.err" 2>/dev/null; do sleep 0.01; done
		;;
	*) tracer= ;;
	esac
	t0=$(now)
	echo go >"$W/go"
	wait "$loop"
	t1=$(now)
	[ -z "$tracer" ] || { kill -INT "$tracer" 2>/dev/null || true; wait "$tracer" 2>/dev/null || true; }
	echo $((t1 - t0))
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

variants="bare follow strace"
command -v strace >/dev/null || variants="bare follow"
for r in $(seq "$ROUNDS"); do
	set -- $variants
	i=0
	while [ $i -lt $((r % $#)) ]; do v=$1; shift; set -- "$@" "$v"; i=$((i + 1)); done
	for v in "$@"; do run "$v" >>"$W/$v"; done
done
base=$(median <"$W/bare")
echo "fork+exec of /bin/true, $N per run, median of $ROUNDS alternating runs:"
for v in $variants; do
	m=$(median <"$W/$v")
	awk -v v="$v" -v m="$m" -v b="$base" -v n="$N" \
		'BEGIN {printf "  %-8s %7.1f us per fork+exec  %5.2fx bare\n", v, m / n / 1000, m / b}'
done
if command -v gdb >/dev/null; then
	t0=$(now)
	gdb -q -batch -nx -ex 'set detach-on-fork off' -ex 'set schedule-multiple on' \
		-ex 'set pagination off' -ex run --args "$W/spawn_loop" "$N_GDB" /bin/true >/dev/null 2>&1 || true
	t1=$(now)
	awk -v m=$((t1 - t0)) -v b="$base" -v n="$N_GDB" -v nb="$N" \
		'BEGIN {printf "  %-8s %7.1f us per fork+exec  %5.2fx bare (gdb detach-on-fork off, %d only, startup included)\n", "gdb", m / n / 1000, (m / n) / (b / nb), n}'
fi
