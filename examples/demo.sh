# demo.sh BUILDDIR: the libvirt-style walkthrough under libhold and gdb.
#
# minivirsh -> unix socket -> minivirtd's worker thread -> pipe -> main
# thread -> fork -> handshake -> scrubbed environment -> execve(mini-qemu).
# The rule parks mini-qemu at exec, before its main; gdb attaches to the
# parked process, sets a breakpoint at main, releases it and shows where it
# stopped; then everything finishes.
set -eu
B=$(cd "$1" && pwd)
LIB=$B/libhold/.libs/libhold.so
W=$(mktemp -d "${TMPDIR:-/tmp}/hold-demo.XXXXXX")
export HOLD_RUNTIME_DIR=$W/run
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

say "start the daemon under libhold, parking qemu at exec"
echo "\$ LD_PRELOAD=$LIB HOLD_RULES='exec:*/mini-qemu' minivirtd $W/sock mini-qemu &"
LD_PRELOAD=$LIB HOLD_RULES='exec:*/mini-qemu' "$B/examples/minivirtd" "$W/sock" "$B/examples/mini-qemu" &
daemon=$!
n=0
until [ -S "$W/sock" ]; do n=$((n + 1)); [ $n -lt 500 ] || { echo "daemon did not start"; exit 1; }; sleep 0.01; done

say "the client asks for a guest"
echo "\$ minivirsh $W/sock start vm1 &"
"$B/examples/minivirsh" "$W/sock" start vm1 >"$W/client.out" &
client=$!
n=0
until ls "$HOLD_RUNTIME_DIR" 2>/dev/null | grep -q '^park-'; do
	n=$((n + 1)); [ $n -lt 1000 ] || { echo "nothing parked"; exit 1; }; sleep 0.01
done
rec=$HOLD_RUNTIME_DIR/$(ls "$HOLD_RUNTIME_DIR" | grep '^park-' | head -n 1)
pid=$(sed -n 's/^pid=//p' "$rec")

say "mini-qemu ($pid) is parked before main; its park record"
show cat "$rec"
show grep -E '^(PATH|HOME|LD_PRELOAD|HOLD_RULES)=' --null-data "/proc/$pid/environ" | tr '\0' '\n'

say "attach gdb, break at main, release (set var hold = 0), continue"
echo "\$ gdb -q -p $pid -batch -ex 'frame function hold_park' -ex 'break main' -ex 'set var hold = 0' -ex continue -ex bt"
gdb -q -nx -p "$pid" -batch -ex 'frame function hold_park' -ex 'break main' \
	-ex 'set var hold = 0' -ex continue -ex 'bt' >"$W/gdb" 2>&1
grep -vE '^\[(New|Thread|Inferior)|^Reading|^Download|libthread_db|^Using host' "$W/gdb"
grep -q '^Breakpoint 1, main' "$W/gdb" || { echo "demo: gdb did not stop at main"; exit 1; }

say "everything finishes"
wait "$client"
wait "$daemon"
show cat "$W/client.out"
