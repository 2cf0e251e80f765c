# SPDX-License-Identifier: MIT
# forkexec.sh BUILDDIR SRCDIR: what libhold and recording cost a followed tree.
#
# Variants: (a) bare; (b) an empty preloaded library -- the floor any
# LD_PRELOAD tool pays, one more DSO in every image; (c) libhold with rules
# that never match and no holdd; (d) the same with a holdd recording every
# fork and exec.  Workloads: N fork+exec of /bin/true one after another; a
# burst of BURST children forked at once, each exec'ing /bin/true; building
# a small C project with make -j2.
#
# The machine is noisy (+-10% on wall time), so: ROUNDS rounds, each runs
# every variant once in a random order (a rotated order let a variant
# always follow the same one, which alone made a 3% difference); a ratio
# is taken inside each round, between runs seconds apart, and the median
# of the rounds' ratios is reported with their 25th..75th percentiles.
# (e) is (b) again: e/b is what the method reads where there is no
# difference at all.  CPU time is the tree's (user + system of every
# process in it, from the kernel's exact sum via wait4), holdd's not
# included.  The burst is checked to be recorded in full.  ONLY_SPAWN=1:
# the first workload only (to give it many rounds).
set -eu
B=$1 S=$2
ROUNDS=${ROUNDS:-30}
N=${N:-500}
BURST=${BURST:-500}
W=$(mktemp -d "${TMPDIR:-/tmp}/hold-bench.XXXXXX")
HOLDD_PID=
trap '[ -z "$HOLDD_PID" ] || kill "$HOLDD_PID" 2>/dev/null; rm -rf "$W"' EXIT

for p in measure spawn_loop; do cc -O2 -o "$W/$p" "$S/tests/bench/$p.c"; done
cc -O2 -shared -fPIC -o "$W/empty.so" "$S/tests/bench/empty.c"
LIB=$B/libhold/.libs/libhold.so
NOMATCH='exec:*/no-such-program;fork,comm=no-such-name'
export HOLD_RUNTIME_DIR="$W/run"
DSOCK=$W/dd/holdd.sock

# run WORKLOAD ROUND VARIANT CMD...: one measured run, appended to $W/data
run() {
	wl=$1 r=$2 v=$3
	shift 3
	case $v in
	a) set -- "$@" ;;
	b | e) set -- env LD_PRELOAD="$W/empty.so" "$@" ;;
	c) set -- env LD_PRELOAD="$LIB" HOLD_RULES="$NOMATCH" "$@" ;;
	d) set -- env LD_PRELOAD="$LIB" HOLD_RULES="$NOMATCH" HOLD_SOCKET="$DSOCK" "$@" ;;
	esac
	m=$("$W/measure" "$@") || { echo "forkexec: $wl ($v) failed" >&2; exit 1; }
	echo "$wl $r $v $m" >>"$W/data"
}

# bench WORKLOAD "VARIANTS" CMD...: ROUNDS rounds of every variant
bench() {
	wl=$1 vs=$2
	shift 2
	for r in $(seq "$ROUNDS"); do
		for v in $(echo $vs | tr ' ' '\n' | shuf); do
			[ "$wl" != make ] || make -s -C "$W/proj" clean >/dev/null
			run "$wl" "$r" "$v" "$@"
		done
	done
}

# ratio WORKLOAD X Y LABEL [GOAL]: median [p25..p75] of the rounds' X/Y
ratio() {
	awk -v wl="$1" -v x="$2" -v y="$3" -v label="$4" -v goal="${5:-}" -f "$S/tests/bench/ratio.awk" "$W/data"
}

# median WORKLOAD VARIANT: the median wall and CPU time, ms
median() {
	awk -v wl="$1" -v v="$2" '$1 == wl && $3 == v { print $4, $5 }' "$W/data" | sort -n |
		awk '{ w[NR] = $1; c[NR] = $2 } END { printf "%.1f ms (CPU %.1f ms)", w[int((NR + 1) / 2)] / 1e6, c[int((NR + 1) / 2)] / 1e6 }'
}

sh "$S/tests/bench/make_workload.sh" "$W/proj"
mkdir -p "$W/dd"
"$B/holdd/holdd" --socket "$DSOCK" --state-dir "$W/dd/state" --log-file "$W/dd/log" &
HOLDD_PID=$!
n=0
until [ -S "$DSOCK.events" ]; do n=$((n + 1)); [ $n -lt 500 ] || exit 1; sleep 0.01; done

: >"$W/data"
bench spawn "a b e c d" "$W/spawn_loop" "$N" /bin/true
echo "ratios: median of $ROUNDS rounds [25th..75th percentile]"
echo "fork+exec of /bin/true x$N, one at a time: bare $(median spawn a)"
ratio spawn b a "empty preload / bare (the floor)"
ratio spawn e b "empty preload / itself (no difference)"
ratio spawn c b "libhold / empty preload" 1.02
ratio spawn d c "recording / no holdd" 1.03
[ -z "${ONLY_SPAWN:-}" ] || exit 0

# What the machine's noise cannot hide: page faults and system calls per
# fork+exec, counted (the faults by the kernel, in every run; the calls
# by strace, in one run of 200).
per() { # WORKLOAD VARIANT: median page faults per fork+exec
	awk -v wl="$1" -v v="$2" -v n="$N" '$1 == wl && $3 == v { print $7 / n }' "$W/data" | sort -n |
		awk '{ f[NR] = $1 } END { printf "%.1f", f[int((NR + 1) / 2)] }'
}
calls() { # VARIANT: system calls per fork+exec
	case $1 in
	a) set -- ;;
	b) set -- -E LD_PRELOAD="$W/empty.so" ;;
	c) set -- -E LD_PRELOAD="$LIB" -E HOLD_RULES="$NOMATCH" ;;
	d) set -- -E LD_PRELOAD="$LIB" -E HOLD_RULES="$NOMATCH" -E HOLD_SOCKET="$DSOCK" ;;
	esac
	strace -f -qq "$@" -o "$W/strace" "$W/spawn_loop" 200 /bin/true
	grep -vc 'resumed>\|+++ exited\|^[0-9]* ---' "$W/strace" | awk '{ printf "%.1f", $1 / 200 }'
}
echo "  page faults per fork+exec: bare $(per spawn a), empty preload $(per spawn b), libhold $(per spawn c), recording $(per spawn d)"
if command -v strace >/dev/null 2>&1; then
	echo "  system calls per fork+exec: bare $(calls a), empty preload $(calls b), libhold $(calls c), recording $(calls d)"
else
	echo "  system calls per fork+exec: strace is not installed (apt-get install strace)"
fi

bench burst "c d" "$W/spawn_loop" -b "$BURST" /bin/true
# the last recorded burst, counted: every child's fork and exec
last=$(awk '$1 == "burst" && $3 == "d" { p = $6 } END { print p }' "$W/data")
got=$(HOLD_SOCKET=$DSOCK "$B/hold/hold" tree "$last" --json | /usr/bin/python3 -c 'import json, sys
print(sum(1 for p in json.load(sys.stdin) if p["depth"] == 1 and p["execed"] and p["path"].endswith("/true")))')
echo "burst of $BURST children at once: $(median burst c) without holdd"
ratio burst d c "recording / no holdd"
echo "  recorded: $got of $BURST children's fork and exec (the last recorded burst)"

bench make "a b c" make -s -j2 -C "$W/proj"
echo "make -j2 of 25 files: bare $(median make a)"
ratio make b a "empty preload / bare"
ratio make c a "libhold / bare" 1.01
[ "$got" = "$BURST" ] || { echo "forkexec: the burst was not recorded in full" >&2; exit 1; }
