# SPDX-License-Identifier: MIT
# image.sh BUILDDIR SRCDIR: what libhold costs each new image, in
# instructions counted by callgrind (exact and repeatable, where wall time on
# a VM is not), for /bin/true: bare, under an empty preloaded library (the
# floor of any LD_PRELOAD tool), and under libhold with no rule, with rules
# that never match, and with those plus a count= rule (which maps the
# tree's shared counter file).  Also the symbols libhold exports: every one
# is an interposer or hold_here(), and each costs every image a relocation.
set -eu
B=$1 S=$2
command -v valgrind >/dev/null || { echo "image.sh: valgrind is not installed (apt-get install valgrind)"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/hold-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cc -O2 -shared -fPIC -o "$W/empty.so" "$S/tests/bench/empty.c"
LIB=$B/libhold/.libs/libhold.so
TRUE=$(command -v true)
export HOLD_RUNTIME_DIR=$W/run HOLD_SOCKET=$W/none.sock
unset HOLD_RULES HOLD_RULES_FILE HOLD_SESSION

ir() { # ir [env...]: instructions /bin/true runs, loader included
	env "$@" valgrind --tool=callgrind --callgrind-out-file="$W/cg" "$TRUE" \
		>/dev/null 2>"$W/vg" || { cat "$W/vg"; exit 1; }
	sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$W/cg"
}

bare=$(ir)
empty=$(ir LD_PRELOAD="$W/empty.so")
none=$(ir LD_PRELOAD="$LIB")
nomatch=$(ir LD_PRELOAD="$LIB" HOLD_RULES='exec:*/no-such-program;fork,comm=no-such-name')
count=$(ir LD_PRELOAD="$LIB" HOLD_RULES='exec:*/no-such-program,count=1;fork,comm=no-such-name')
printf '%-44s %10s %12s\n' "/bin/true" instructions "over empty"
printf '%-44s %10s %12s\n' "bare" "$bare" ""
printf '%-44s %10s %12s\n' "empty preloaded library (the floor)" "$empty" ""
for v in "libhold, no rule:$none" "libhold, rules that never match:$nomatch" \
	"libhold, the same with count=:$count"; do
	printf '%-44s %10s %12s\n' "${v%%:*}" "${v##*:}" "+$((${v##*:} - empty))"
done
printf 'libhold exports %s symbols\n' \
	"$(nm -D --defined-only "$LIB" | awk '$2 ~ /^[TW]$/' | wc -l)"
