# SPDX-License-Identifier: MIT
# demo.sh BUILDDIR: the libvirt-style walkthrough under hold.
#
# minivirsh -> unix socket -> one of minivirtd's rpc-worker threads -> pipe
# -> main thread -> fork -> handshake -> scrubbed environment ->
# execve(mini-qemu).  Each time the request crosses to another thread or
# process, hold parks the receiver: the worker on its recv (the other
# workers keep serving), the main thread on its pipe read, mini-qemu at
# exec.  Each is released in turn; the last one through gdb, with a
# breakpoint at main.
set -eu
B=$(cd "$1" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/hold-demo.XXXXXX")
export HOLD_RUNTIME_DIR=$W/run HOLD_STATE_DIR=$W/state
unset HOLD_SOCKET
PATH=$B/hold:$B/holdd:$B/examples:$PATH
S=$W/virtd.sock
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }
die() { echo "demo: $*" >&2; exit 1; }

say "1. start the daemon under hold, with a rule for each hand-off"
cat <<TXT
\$ hold run -r 'recv:unix:*/virtd.sock,comm=rpc-worker*,count=1' \\
           -r 'recv:pipe,comm=minivirtd,count=1' \\
           -r 'exec:*/mini-qemu' -- minivirtd $S mini-qemu &
TXT
hold run -r 'recv:unix:*/virtd.sock,comm=rpc-worker*,count=1' \
	-r 'recv:pipe,comm=minivirtd,count=1' \
	-r 'exec:*/mini-qemu' -- minivirtd "$S" "$B/examples/mini-qemu" 2>"$W/daemon.err" &
daemon=$!
n=0
until [ -S "$S" ]; do n=$((n + 1)); [ $n -lt 500 ] || die "minivirtd did not start"; sleep 0.01; done

say "2. the client asks for a guest: the rpc-worker that receives it parks"
echo "\$ hold run -- minivirsh $S start vm1 &"
hold run -- minivirsh "$S" start vm1 >"$W/client.out" &
client=$!
echo "\$ hold wait 'rpc-worker*'"
worker=$(hold wait --timeout 20 'rpc-worker*')
echo "$worker"
show hold ls

say "3. the other workers keep serving while that one is parked"
for i in 1 2 3; do show minivirsh "$S" ping; done
[ "$(hold ls --json | grep -c '"pid"')" = 1 ] || die "more than the one worker parked"

say "4. release that worker only: it hands the command to the main thread, which parks on the pipe"
show hold release "$worker"
echo "\$ hold wait minivirtd"
main=$(hold wait --timeout 20 minivirtd)
echo "$main"
show hold ls
show hold tree

say "5. release the main thread: it forks, and the child parks at exec of mini-qemu"
show hold release "$main"
echo "\$ hold wait mini-qemu"
qemu=$(hold wait --timeout 20 mini-qemu)
echo "$qemu"
show hold tree
echo "(mini-qemu's environment was scrubbed to PATH and HOME; libhold put itself back:)"
show grep -E '^(PATH|HOME|LD_PRELOAD|HOLD_RULES)=' --null-data "/proc/$qemu/environ" | tr '\0' '\n'

say "6. attach gdb, break at main, release, continue, backtrace"
echo "\$ hold attach --batch -b main $qemu"
hold attach --batch -b main "$qemu" >"$W/gdb" 2>&1
grep -vE '^\[(New|Thread|Inferior)|^Reading|^Download|libthread_db|^Using host' "$W/gdb"
grep -q '^Breakpoint 1, main' "$W/gdb" || die "gdb did not stop at main"

say "7. everything finishes"
wait "$client"
show cat "$W/client.out"
show minivirsh "$S" quit
wait "$daemon"
grep '^hold:' "$W/daemon.err"
