# forkexec.sh BUILDDIR SRCDIR: what libhold costs a followed tree.
#
# Workload 1: 2000 fork+exec of /bin/true.  Workload 2: building a small C
# project with make -j2.  Each runs alternately (a) bare, (b) under an empty
# preloaded library (the floor any LD_PRELOAD tool pays: one more DSO per
# image), (c) under libhold with rules that never match and no holdd, and --
# fork+exec only -- (d) the same with a holdd recording every fork and exec,
# ROUNDS times in a rotating order; medians and ratios are printed.  Alternation spreads
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
# the CPU time (user+sys, in ns) of this shell's waited-for children so far:
# the tree's, holdd's not included
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.0f\n", ($16 + $17) * 1000000000 / hz}' /proc/$$/stat; }
# run VARIANT CMD...: prints elapsed ns, and the tree's CPU ns into $W/$v.cpu
run() {
	v=$1
	shift
	c0=$(cpu)
	t0=$(now)
	case $v in
	a) "$@" ;;
	b) LD_PRELOAD="$W/empty.so" "$@" ;;
	c) LD_PRELOAD="$LIB" HOLD_RULES="$NOMATCH" "$@" ;;
	d) LD_PRELOAD="$LIB" HOLD_RULES="$NOMATCH" HOLD_SOCKET="$W/dd/holdd.sock" "$@" ;;
	esac
	t1=$(now)
	echo $(($(cpu) - c0)) >>"$W/$v.cpu"
	echo $((t1 - t0))
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN {printf "%.4f", x/y}'; }

# bench NAME VARIANTS CMD: VARIANTS is "a b c" or "a b c d"
bench() {
	name=$1 vs=$2
	shift 2
	rm -f "$W/d"
	for v in $vs; do : >"$W/$v" && : >"$W/$v.cpu"; done
	for r in $(seq "$ROUNDS"); do
		# rotate the order each round so no variant always follows another
		order=$(echo $vs $vs | cut -d' ' -f$((r % $(echo $vs | wc -w) + 1))- | cut -d' ' -f1-$(echo $vs | wc -w))
		for v in $order; do
			"$@" prepare
			run $v "$@" go >>"$W/$v"
		done
	done
	ma=$(median <"$W/a") mb=$(median <"$W/b") mc=$(median <"$W/c")
	printf '%s: median ms  bare %.1f  empty-preload %.1f  libhold %.1f   c/a %s  c/b %s  (rounds %s)\n' \
		"$name" "$(ratio "$ma" 1000000)" "$(ratio "$mb" 1000000)" "$(ratio "$mc" 1000000)" \
		"$(ratio "$mc" "$ma")" "$(ratio "$mc" "$mb")" "$ROUNDS"
	ca=$(median <"$W/a.cpu") cb=$(median <"$W/b.cpu") cc=$(median <"$W/c.cpu")
	printf '%s: median CPU ms  bare %.1f  empty-preload %.1f  libhold %.1f   c/a %s  c/b %s\n' \
		"$name" "$(ratio "$ca" 1000000)" "$(ratio "$cb" 1000000)" "$(ratio "$cc" 1000000)" \
		"$(ratio "$cc" "$ca")" "$(ratio "$cc" "$cb")"
	if [ -s "$W/d" ]; then
		md=$(median <"$W/d") cd=$(median <"$W/d.cpu")
		printf '%s: median ms  libhold+holdd recording %.1f   d/b %s  d/c %s\n' "$name" \
			"$(ratio "$md" 1000000)" "$(ratio "$md" "$mb")" "$(ratio "$md" "$mc")"
		printf '%s: median CPU ms  libhold+holdd recording %.1f   d/b %s  d/c %s\n' "$name" \
			"$(ratio "$cd" 1000000)" "$(ratio "$cd" "$cb")" "$(ratio "$cd" "$cc")"
	fi
}

spawn() { [ "$1" = prepare ] || "$W/spawn_loop" "$N" /bin/true; }
build() {
	if [ "$1" = prepare ]; then make -s -C "$W/proj" clean >/dev/null; else make -s -j2 -C "$W/proj" >/dev/null; fi
}
sh "$S/tests/bench/make_workload.sh" "$W/proj"

mkdir -p "$W/dd"
"$B/holdd/holdd" --socket "$W/dd/holdd.sock" --state-dir "$W/dd/state" --log-file "$W/dd/log" &
holdd=$!
trap 'kill $holdd 2>/dev/null; rm -rf "$W"' EXIT
n=0
until [ -S "$W/dd/holdd.sock.events" ]; do n=$((n + 1)); [ $n -lt 500 ] || exit 1; sleep 0.01; done

bench "fork+exec /bin/true x$N" "a b c d" spawn
bench "make -j2 (25 files)" "a b c" build
echo "targets: fork+exec c/b <= 1.02, d/b <= 1.03; make c/a <= 1.01"
