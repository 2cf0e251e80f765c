# demo.sh BUILDDIR: the libvirt-style walkthrough under hold.
#
# minivirsh -> unix socket -> minivirtd's worker thread -> pipe -> main
# thread -> fork -> handshake -> scrubbed environment -> execve(mini-qemu).
# `hold run` starts minivirtd under libhold with a private holdd; the rule
# parks mini-qemu at exec, before its main.  hold ls and hold tree show it;
# hold attach runs gdb on it with a breakpoint at main, releases it and
# prints the backtrace there; then everything finishes.
set -eu
B=$(cd "$1" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/hold-demo.XXXXXX")
export HOLD_RUNTIME_DIR=$W/run HOLD_STATE_DIR=$W/state
unset HOLD_SOCKET
PATH=$B/holdd:$B/examples:$PATH
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

say "start the daemon under hold, parking qemu at exec"
echo "\$ hold run -r 'exec:*/mini-qemu' -- minivirtd $W/sock mini-qemu &"
hold run -r 'exec:*/mini-qemu' -- minivirtd "$W/sock" "$B/examples/mini-qemu" 2>"$W/daemon.err" &
daemon=$!
n=0
until [ -S "$W/sock" ]; do n=$((n + 1)); [ $n -lt 500 ] || { echo "daemon did not start"; exit 1; }; sleep 0.01; done

say "the client asks for a guest; wait for the park"
echo "\$ minivirsh $W/sock start vm1 &"
minivirsh "$W/sock" start vm1 >"$W/client.out" &
client=$!
echo "\$ hold wait 'mini-qemu'"
pid=$(hold wait --existing --timeout 20 'mini-qemu')
echo "$pid"

say "what is parked, and the tree it came from"
show hold ls
show hold tree
echo "(mini-qemu's environment was scrubbed to PATH only; libhold put itself back:)"
show grep -E '^(PATH|HOME|LD_PRELOAD|HOLD_RULES)=' --null-data "/proc/$pid/environ" | tr '\0' '\n'

say "attach gdb, break at main, release, continue, backtrace"
echo "\$ hold attach --batch -b main $pid"
hold attach --batch -b main "$pid" >"$W/gdb" 2>&1
grep -vE '^\[(New|Thread|Inferior)|^Reading|^Download|libthread_db|^Using host' "$W/gdb"
grep -q '^Breakpoint 1, main' "$W/gdb" || { echo "demo: gdb did not stop at main"; exit 1; }

say "everything finishes"
wait "$client"
wait "$daemon"
show cat "$W/client.out"
grep '^hold:' "$W/daemon.err"
