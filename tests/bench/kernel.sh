# SPDX-License-Identifier: MIT
# kernel.sh BUILDDIR SRCDIR: what the kernel follower costs.  Root, with a
# kernel that loads it; else skipped in one line.
#
# Variants, N fork+exec of /bin/true one after another: (a) bare, nothing
# loaded; (k) the kernel follower loaded in a holdd, with a hold watch's
# rules that never match (an exec glob and a fork comm= glob): what every
# process of the machine pays; (t) the same N inside a tree that root's
# hold run follows (from the kernel: fork and exec rules) with those rules: every fork, exec and exit of it
# recorded through the ring buffer (the measuring starts inside the tree,
# so hold run's own start is not in it).  The follower is loaded for k and
# t and not for a, so each round starts and stops a holdd: ROUNDS rounds,
# the order random in each, the ratio taken inside each round, the median
# and 25th..75th percentiles reported (forkexec.sh's method).  Then holdd's
# own CPU time while a followed tree does 10 000 fork+exec (recorded) and
# while the machine does 10 000 that no rule matches: what it costs at
# 10 000 a minute.
set -eu
B=$1 S=$2
ROUNDS=${ROUNDS:-20}
N=${N:-500}
[ "$(id -u)" = 0 ] || { echo "kernel follower: not measured (it loads as root)"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/hold-kbench.XXXXXX")
HOLDD_PID= WATCH_PID=
stop() {
	[ -z "$WATCH_PID" ] || { kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null || true; }
	[ -z "$HOLDD_PID" ] || { kill "$HOLDD_PID" 2>/dev/null; wait "$HOLDD_PID" 2>/dev/null || true; }
	HOLDD_PID= WATCH_PID=
}
trap 'stop; rm -rf "$W"' EXIT
for p in measure spawn_loop; do cc -O2 -o "$W/$p" "$S/tests/bench/$p.c"; done
export HOLD_RUNTIME_DIR="$W/run" HOLD_SOCKET="$W/run/holdd.sock" HOLD_STATE_DIR="$W/state"
mkdir -p "$W/run" && chmod 700 "$W/run"
HOLD=$B/hold/hold
NOMATCH_E='exec:*/no-such-program'
NOMATCH_F='fork,comm=no-such-name'

# up: a holdd with its kernel follower, and a hold watch with rules that never match
up() {
	"$B/holdd/holdd" --log-file "$W/holdd.log" &
	HOLDD_PID=$!
	n=0
	until "$HOLD" watch --status >/dev/null 2>&1; do
		n=$((n + 1))
		if [ $n -ge 300 ]; then
			echo "kernel follower: not measured ($("$HOLD" watch --status 2>&1))"
			exit 0
		fi
		sleep 0.02
	done
	"$HOLD" watch -r "$NOMATCH_E" -r "$NOMATCH_F" 2>"$W/watch" &
	WATCH_PID=$!
	until grep -q parking "$W/watch" 2>/dev/null; do sleep 0.02; done
}

run() { # ROUND VARIANT
	case $2 in
	a | k) m=$("$W/measure" "$W/spawn_loop" "$N" /bin/true) ;;
	t) m=$("$HOLD" run -r "$NOMATCH_E" -r "$NOMATCH_F" -- "$W/measure" "$W/spawn_loop" "$N" /bin/true 2>>"$W/run.err") ;;
	esac
	# the summary's "matched nothing" is expected; libhold in its place is not
	if grep -q 'libhold parks instead' "$W/run.err" 2>/dev/null; then
		echo "kernel.sh: hold run did not follow from the kernel: $(cat "$W/run.err")" >&2
		exit 1
	fi
	echo "spawn $1 $2 $m" >>"$W/data"
}

: >"$W/data"
up
stop
for r in $(seq "$ROUNDS"); do
	for v in $(printf 'a\nloaded\n' | shuf); do
		if [ "$v" = a ]; then
			run "$r" a
		else
			up
			for x in $(printf 'k\nt\n' | shuf); do run "$r" "$x"; done
			stop
		fi
	done
done

ratio() { # X Y LABEL GOAL
	awk -v wl=spawn -v x="$1" -v y="$2" -v label="$3" -v goal="$4" -f "$S/tests/bench/ratio.awk" "$W/data"
}
bare=$(awk '$3 == "a" { print $4 }' "$W/data" | sort -n | awk '{ w[NR] = $1 } END { printf "%.1f", w[int((NR + 1) / 2)] / 1e6 }')
echo "kernel follower: fork+exec of /bin/true x$N, one at a time (bare $bare ms); median of $ROUNDS rounds [25th..75th]"
ratio k a "loaded, rules that never match / bare" 1.01
ratio t a "a tree under root's hold run (kernel) / bare" 1.01

# The programs' own time, which the kernel counts exactly
# (kernel.bpf_stats_enabled): ns per event, beside a bare fork+exec
prog_ns() { # NAME: "RUN_TIME_NS RUN_CNT" of the loaded program of that name
	bpftool prog show name "$1" 2>/dev/null |
		sed -n 's/.*run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\1 \2/p' | head -n 1
}
if command -v bpftool >/dev/null && [ -w /proc/sys/kernel/bpf_stats_enabled ]; then
	old=$(cat /proc/sys/kernel/bpf_stats_enabled)
	up
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	"$W/spawn_loop" 2000 /bin/true
	"$HOLD" run -r "$NOMATCH_E" -- "$W/spawn_loop" 2000 /bin/true 2>>"$W/run.err"
	echo "$old" >/proc/sys/kernel/bpf_stats_enabled
	total=0
	for p in on_fork on_exec on_exit; do
		set -- $(prog_ns $p) 0 0
		[ "$2" -gt 0 ] && echo "  $p: $2 runs, $(( $1 / $2 )) ns a run (the kernel's bpf_stats)"
		[ "$2" -gt 0 ] && total=$((total + $1 / $2))
	done
	stop
	echo "  the programs' time per fork+exec+exit: about $total ns, or $(awk -v t="$total" -v b="$bare" 'BEGIN { printf "%.4f", 1 + t / (b * 1e6 / '"$N"') }')x a bare fork+exec of /bin/true"
fi

# holdd's CPU (user + system, clock ticks of /proc/PID/stat) over 10 000 fork+exec
cpu() { awk '{ print $14 + $15 }' "/proc/$HOLDD_PID/stat"; }
tick=$(getconf CLK_TCK)
up
c0=$(cpu)
"$W/spawn_loop" 10000 /bin/true
c1=$(cpu)
"$HOLD" run -r "$NOMATCH_E" -- "$W/spawn_loop" 10000 /bin/true 2>>"$W/run.err"
sleep 1 # the last events drained
c2=$(cpu)
lost=$(grep -c "ring buffer was full" "$W/holdd.log" || true)
stop
echo "  holdd's CPU over 10 000 fork+exec (at 10 000 a minute, this much a minute):"
echo "    no rule matches, nothing followed: $(( (c1 - c0) * 1000 / tick )) ms"
echo "    a followed tree, every fork, exec and exit recorded: $(( (c2 - c1) * 1000 / tick )) ms (ring full: $lost times)"
