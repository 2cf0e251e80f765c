# forkexec.sh BUILDDIR SRCDIR: what libhold costs a followed tree.
#
# Workload 1: 2000 fork+exec of /bin/true.  Workload 2: building a small C
# project with make -j2.  Each runs alternately (a) bare, (b) under an empty
# preloaded library (the floor any LD_PRELOAD tool pays: one more DSO per
# image) and (c) under libhold with rules that never match, ROUNDS times in
# a rotating order; medians and ratios are printed.  Alternation spreads
# machine noise evenly; rotation keeps any variant from always running
# after the same one.
set -eu
B=$1 S=$2
ROUNDS=${ROUNDS:-12}
N=${N:-2000}
W=$(mktemp -d "${TMPDIR:-/tmp}/hold-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

cc -O2 -o "$W/spawn_loop" "$S/tests/bench/spawn_loop.c"
cc -O2 -shared -fPIC -o "$W/empty.so" "$S/tests/bench/empty.c"
LIB=$B/libhold/.libs/libhold.so
NOMATCH='exec:*/no-such-program;fork,comm=no-such-name'
export HOLD_RUNTIME_DIR="$W/run"

now() { date +%s%N; }
# run VARIANT CMD...: prints elapsed ns
run() {
	v=$1
	shift
	t0=$(now)
	case $v in
	a) "$@" ;;
	b) LD_PRELOAD="$W/empty.so" "$@" ;;
	c) LD_PRELOAD="$LIB" HOLD_RULES="$NOMATCH" "$@" ;;
	esac
	t1=$(now)
	echo $((t1 - t0))
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN {printf "%.4f", x/y}'; }

bench() {
	name=$1
	shift
	: >"$W/a" && : >"$W/b" && : >"$W/c"
	for r in $(seq "$ROUNDS"); do
		# rotate the order each round so no variant always follows another
		case $((r % 3)) in 0) order="a b c" ;; 1) order="b c a" ;; *) order="c a b" ;; esac
		for v in $order; do
			"$@" prepare
			run $v "$@" go >>"$W/$v"
		done
	done
	ma=$(median <"$W/a") mb=$(median <"$W/b") mc=$(median <"$W/c")
	printf '%s: median ms  bare %.1f  empty-preload %.1f  libhold %.1f   c/a %s  c/b %s  (rounds %s)\n' \
		"$name" "$(ratio "$ma" 1000000)" "$(ratio "$mb" 1000000)" "$(ratio "$mc" 1000000)" \
		"$(ratio "$mc" "$ma")" "$(ratio "$mc" "$mb")" "$ROUNDS"
}

spawn() { [ "$1" = prepare ] || "$W/spawn_loop" "$N" /bin/true; }
build() {
	if [ "$1" = prepare ]; then make -s -C "$W/proj" clean >/dev/null; else make -s -j2 -C "$W/proj" >/dev/null; fi
}
sh "$S/tests/bench/make_workload.sh" "$W/proj"

bench "fork+exec /bin/true x$N" spawn
bench "make -j2 (25 files)" build
echo "targets: fork+exec c/b <= 1.02; make c/a <= 1.01"
