# SPDX-License-Identifier: MIT
# hold and a real container runtime (podman with runc): a Debian image
# made from the cached debootstrap root, libhold and the hold tools bound
# in read-only, the host holdd's socket directory bound in.  A process in
# the container parks; the host lists it by its host pid and attaches gdb,
# which finds the container's binary (only in the container) through the
# target's /proc/PID/root; release.  Inside the container, hold ls, attach
# and release work against the host holdd with the container's pids.  With
# --uidmap the container's root is a host uid of the map, and each side
# still sees the park.  Last, from the kernel: a container with nothing of
# hold in it (no preload, no socket), a hold watch rule on the host, and
# its process parks at its exec, listed by its host pid and the
# container's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rootfs.sh"

need_rootfs
command -v podman >/dev/null && command -v runc >/dev/null ||
	skip "podman and runc are not installed (apt-get install podman runc)"
need_gdb
chmod 755 "$T"

# runc (crun refuses this host's hybrid cgroups), no network, and limits
# root may set without CAP_SYS_RESOURCE
cat >"$T/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_CONF=$T/containers.conf
# the store (with the image) is cached; its runroot must stay the same path
P="podman --root $HOLD_ROOTFS_CACHE/podman --runroot /run/hold-tests/podman --storage-driver overlay"
IMAGE=localhost/local/hold-bookworm
if ! $P image exists "$IMAGE"; then
	tar -C "$ROOTFS" -c . | $P import -q - "$IMAGE" >"$T/import.log" 2>&1 ||
		skip "podman cannot import an image here: $(tail -n 1 "$T/import.log")"
fi
make -s -C "$B" install DESTDIR="$T/inst" >"$T/install.log" 2>&1 || fail "make install: $(tail -n 5 "$T/install.log")"
PREFIX=$(sed -n 's/^prefix = //p' "$B/Makefile")
mkdir -p "$T/ct" && cp "$H/target" "$T/ct/hold-target"
[ ! -e /opt/hc/hold-target ] || skip "/opt/hc/hold-target exists on the host"

start_holdd --foreground --any-user
names=""
trap 'for n in $names; do $P rm -f -t 0 "$n" >/dev/null 2>&1; done; cleanup' EXIT
# The README's recipe: the socket's directory and libhold bound in; the
# runtime directory is the container's own (its pids are the container's).
run_ct() { # NAME [podman run options]
	n=$1
	shift
	names="$names $n"
	$P run -d --name "$n" "$@" \
		-v "$T/inst$PREFIX:$PREFIX:ro" -v "$T/ct:/opt/hc:ro" -v "$(dirname "$HOLD_SOCKET"):/run/hold" \
		-e "LD_PRELOAD=$PREFIX/lib/libhold.so" -e 'HOLD_RULES=exec:*/hold-target' \
		-e "HOLD_SOCKET=/run/hold/$(basename "$HOLD_SOCKET")" -e HOLD_RUNTIME_DIR=/tmp/hold \
		"$IMAGE" /bin/sh -c 'while :; do /opt/hc/hold-target; sleep 1; done' >"$T/run.log" 2>&1 ||
		fail "podman run: $(cat "$T/run.log")"
}
ct() { n=$1; shift; $P exec "$n" "$@"; }

run_ct hc$$
pid=$("$HOLD" wait --timeout 30 hold-target) || fail "nothing parked: $($P logs "hc$$")"
[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] || fail "$pid is not in the container"
inner=$(sed -n 's/^NSpid:.*[[:space:]]\([0-9]*\)$/\1/p' "/proc/$pid/status")
"$HOLD" ls | grep -q "^$pid  *$pid .*hold-target .*exec" || fail "host hold ls: $("$HOLD" ls)"
ok "a process in the container parked; the host lists it by its host pid $pid (the container's $inner)"
# Its exec report, too, names it by the host's pid: the container sees the
# host holdd's report ring, but its pids are not holdd's, so it reports by
# datagram, which the kernel translates.
until_true "\"$HOLD\" tree --json | grep -q '\"pid\": $pid,'" || fail "the host tree has no $pid"
"$HOLD" tree --json | /usr/bin/python3 -c 'import json, sys
pid, inner = int(sys.argv[1]), int(sys.argv[2])
nodes = {n["pid"]: n for n in json.load(sys.stdin)}
assert nodes[pid]["path"].endswith("hold-target"), nodes[pid]
assert inner == pid or not nodes.get(inner, {}).get("path", "").endswith("hold-target"), nodes[inner]
' "$pid" "$inner" || fail "the host tree records the container's pids: $("$HOLD" tree)"
ok "the host tree records it by its host pid, not the container's"

"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
grep -q "^Breakpoint 1, main (" "$T/gdb" || fail "gdb did not stop in main: $(cat "$T/gdb")"
until_true "$P logs hc$$ 2>&1 | grep -q 'target main reached pid=$inner '" ||
	fail "it did not run on: $($P logs "hc$$")"
ok "the host's gdb stopped it in main (the binary only in the container), and it ran on"

# inside: the next one parks; hold sees it by the container's pid
until_true "ct hc$$ hold ls --json | grep -q '\"pid\"'" 20 || fail "no second park: $($P logs "hc$$")"
inner=$(ct "hc$$" hold ls --json | sed -n 's/.*"pid": \([0-9]*\).*/\1/p' | head -n 1)
ct "hc$$" test -d "/proc/$inner" && [ "$inner" -lt 100 ] || fail "inside, hold ls named $inner"
ct "hc$$" hold attach --batch -b main "$inner" >"$T/gdb2" 2>&1 || fail "attach inside: $(cat "$T/gdb2")"
grep -q "^Breakpoint 1, main (" "$T/gdb2" || fail "gdb inside did not stop in main: $(cat "$T/gdb2")"
ok "inside the container, hold ls names it $inner, and hold attach -b main stops it in main"
ct "hc$$" hold tree >"$T/tree" 2>&1 && fail "hold tree inside answered: $(cat "$T/tree")"
grep -q "not supported: the trees are recorded by the host's pids" "$T/tree" || fail "hold tree inside: $(cat "$T/tree")"
ok "hold tree inside says plainly that it works on the host only"
$P rm -f -t 0 "hc$$" >/dev/null 2>&1

# --uidmap: the container's root is host uid 200000
run_ct hu$$ --uidmap 0:200000:65536
pid=$("$HOLD" wait --timeout 30 hold-target) || fail "nothing parked with --uidmap: $($P logs "hu$$")"
[ "$(stat -c %u "/proc/$pid")" = 200000 ] || fail "the park is uid $(stat -c %u "/proc/$pid")'s"
"$HOLD" ls --json | grep -q "\"pid\": $pid," || fail "the host does not list it"
inner=$(ct "hu$$" hold ls --json | sed -n 's/.*"pid": \([0-9]*\).*/\1/p' | head -n 1)
[ -n "$inner" ] && [ "$inner" -lt 100 ] || fail "the container's root (host uid 200000) does not see its park"
[ "$(ct "hu$$" hold release "$inner")" = "released 1" ] || fail "release inside"
until_true "$P logs hu$$ 2>&1 | grep -q 'target main reached pid=$inner '" ||
	fail "it was not released: $($P logs "hu$$")"
ok "--uidmap: parked as host uid 200000, listed by the host, seen and released inside by the container's root"

# from the kernel: nothing of hold in the container
$P rm -f -t 0 "hu$$" >/dev/null 2>&1
if "$HOLD" watch --status >"$T/status"; then
	cp "$H/target" "$T/ct/hold-target-k"
	names="$names hk$$"
	$P run -d --name "hk$$" -v "$T/ct:/opt/hc:ro" "$IMAGE" \
		/bin/sh -c 'while :; do /opt/hc/hold-target-k k; sleep 1; done' >"$T/run.log" 2>&1 ||
		fail "podman run: $(cat "$T/run.log")"
	"$HOLD" watch -r 'exec:/opt/hc/hold-target-k' 2>"$T/watch" &
	PIDS="$PIDS $!"
	pid=$("$HOLD" wait --timeout 30 hold-target-k) || fail "nothing parked from the kernel: $(cat "$T/watch")"
	inner=$(sed -n 's/^NSpid:.*[[:space:]]\([0-9]*\)$/\1/p' "/proc/$pid/status")
	[ "$inner" != "$pid" ] || fail "$pid is not in the container"
	[ "$(cut -d' ' -f1 "/proc/$pid/syscall")" = 59 ] || fail "not stopped at its exec"
	"$HOLD" ls | grep -q "^$pid  *$pid .*exec .*stop .*\[pid $inner in its namespace\] /opt/hc/hold-target-k" ||
		fail "host hold ls: $("$HOLD" ls)"
	"$HOLD" ls --json | grep -q "\"pid\": $pid, .*\"nspid\": $inner," || fail "hold ls --json: $("$HOLD" ls --json)"
	"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
	grep -q "^Breakpoint 1, main (" "$T/gdb" || fail "gdb did not stop in main: $(cat "$T/gdb")"
	ok "kernel: a container's process with no preload parked at its exec, listed by host pid $pid and the container's $inner, attached at main"
else
	echo "# not from the kernel: $(cat "$T/status")"
fi
