# SPDX-License-Identifier: MIT
# libvirtd -> qemu, the real thing (Debian's libvirt-daemon, -driver-qemu,
# libvirt-clients, qemu-system-x86), as root: libvirtd runs in the
# foreground under hold run with a rule on qemu's exec; virsh start of a
# tiny TCG domain; qemu parks at exec though libvirt double-forks it and
# scrubs its environment; hold tree shows libvirtd -> ... -> qemu;
# hold attach --batch -b main stops in qemu's main; after that the domain
# runs; destroy and clean up.  Twice: with qemu as root, the README's
# command as written (root's hold run follows from the kernel), and with
# qemu as libvirt-qemu:kvm, as Debian ships qemu.conf, by libhold
# (--preload) -- a process of root's tree that switched user, whose park
# must still be seen, through the environment libvirt scrubbed.
#
# Then from the kernel: libvirtd started on its own, before any rule, with
# nothing of hold in it; hold watch sets the rule; qemu as libvirt-qemu
# parks at its exec before ld.so (no preload anywhere), is attached at
# main, and the domain runs.
#
# libvirt's configuration and state stay private to the test: it runs in
# its own mount namespace with tmpfs over /run, /var/lib, /var/cache and
# /var/log, and its own /etc/libvirt, /etc/passwd and /etc/group bound over
# the host's (the qemu driver wants a libvirt-qemu user to exist).
if [ -z "${HOLD_LIBVIRT_NS:-}" ]; then
	skip() { echo "SKIP: $*"; exit 77; }
	[ "$(id -u)" = 0 ] || skip "needs root (libvirtd's qemu:///system)"
	for b in libvirtd virsh qemu-system-x86_64; do
		command -v "$b" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$b" >/dev/null 2>&1 ||
			skip "$b is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86)"
	done
	unshare -m --propagation private true 2>/dev/null ||
		skip "cannot make a private mount namespace (unshare -m) for libvirt's state"
	HOLD_LIBVIRT_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"
need_gdb
PATH=$PATH:/usr/sbin
L=$T/libvirt
mkdir -p "$L/etc" "$HOLD_RUNTIME_DIR"
chmod 755 "$T" # qemu as libvirt-qemu reaches the runtime directory through it
cat >"$L/etc/libvirtd.conf" <<'EOF_CONF'
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
log_outputs = "3:stderr"
EOF_CONF
cp /etc/passwd "$L/passwd"
cp /etc/group "$L/group"
id libvirt-qemu >/dev/null 2>&1 ||
	echo 'libvirt-qemu:x:64055:64055:libvirt qemu:/nonexistent:/usr/sbin/nologin' >>"$L/passwd"
grep -q '^libvirt-qemu:' "$L/group" || echo 'libvirt-qemu:x:64055:' >>"$L/group"
grep -q '^kvm:' "$L/group" || echo 'kvm:x:64056:' >>"$L/group"
mount --bind "$L/etc" /etc/libvirt && mount --bind "$L/passwd" /etc/passwd &&
	mount --bind "$L/group" /etc/group || fail "cannot bind libvirt's private config"
for d in /run /var/lib /var/cache /var/log; do
	mount -t tmpfs hold-test "$d" || fail "cannot mount a tmpfs on $d"
done

cat >"$L/dom.xml" <<'EOF_XML'
<domain type='qemu'>
  <name>holdtest</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type><boot dev='network'/></os>
  <devices><serial type='pty'/><console type='pty'/></devices>
</domain>
EOF_XML
V="virsh -q -c qemu:///system"

# qemu.conf for a container-like host without systemd, virtlogd, cgroups or
# a security driver (see README.md, Recipes, for a real host); qemu runs
# as $1:$2.
qemu_conf() {
	cat >"$L/etc/qemu.conf" <<EOF_CONF
user = "$1"
group = "$2"
security_driver = "none"
dynamic_ownership = $([ "$1" = root ] && echo 0 || echo 1)
remember_owner = 0
stdio_handler = "file"
cgroup_controllers = [ ]
namespaces = [ ]
EOF_CONF
}

# define and start the domain (virsh start in the background: $start);
# its qemu parks: $qemu
start_domain() {
	$V define "$L/dom.xml" >"$T/out" 2>&1 || fail "virsh define: $(cat "$T/out")"
	$V start holdtest >"$T/start" 2>&1 &
	start=$!
	PIDS="$PIDS $start"
	qemu=$("$HOLD" wait --timeout 60 'qemu-system-*') ||
		fail "qemu did not park: $(tail -5 "$T/libvirtd.log"; tail -3 /var/log/libvirt/qemu/holdtest.log 2>/dev/null)"
	case $(readlink "/proc/$qemu/exe") in */qemu-system-x86_64) ;; *) fail "parked $qemu is not qemu" ;; esac
}

story() { # USER GROUP: qemu's; ENGINE: --preload, or "" (root's default)
	qemu_conf "$1" "$2"
	# libvirtd in the foreground under hold.  The qemu driver also execs
	# qemu-system-* to probe its capabilities: arg= keeps the rule to our
	# domain's qemu (its argv has -name guest=holdtest,...).
	SCRUB_MARKER=scrubbed "$HOLD" run $3 -r 'exec:*/qemu-system-*,arg=guest=holdtest*' -- \
		libvirtd >"$T/libvirtd.log" 2>&1 &
	libvirtd=$!
	PIDS="$PIDS $libvirtd"
	# ready when it answers a client, not when its socket file appears (once,
	# on a loaded machine, the socket was gone again when virsh connected)
	until_true "$V version >/dev/null 2>&1" 30 || fail "libvirtd did not start: $(tail -5 "$T/libvirtd.log")"
	start_domain
	tr '\0' '\n' <"/proc/$qemu/cmdline" | grep -q '^guest=holdtest' || fail "parked the wrong qemu"
	kill -0 "$start" 2>/dev/null || fail "virsh start finished while qemu was parked: $(cat "$T/start")"
	[ "$(stat -c %U "/proc/$qemu")" = "$1" ] || fail "qemu runs as $(stat -c %U "/proc/$qemu"), not $1"
	ok "qemu (as $1) parked at exec; virsh start waits for it"

	tr '\0' '\n' <"/proc/$qemu/environ" >"$T/env"
	if [ -z "$3" ] && ! grep -q 'libhold parks instead' "$T/libvirtd.log"; then
		grep -q '^LD_PRELOAD=' "$T/env" && fail "root's hold run preloaded: $(cat "$T/env")"
		[ "$(cut -d' ' -f1 "/proc/$qemu/syscall")" = 59 ] || fail "qemu is not stopped at its exec"
		ok "root's hold run followed libvirtd's tree from the kernel: nothing preloaded"
	else
		# libvirt scrubbed qemu's environment but kept LD_PRELOAD; libvirtd's
		# other variables (the marker) are gone, hold's rules came back with
		# the exec
		grep -q "^LD_PRELOAD=.*libhold" "$T/env" && grep -q '^HOLD_RULES=exec:' "$T/env" ||
			fail "qemu's environment lacks hold: $(cat "$T/env")"
		grep -q SCRUB_MARKER "$T/env" && fail "libvirt did not scrub qemu's environment: $(cat "$T/env")"
		tr '\0' '\n' <"/proc/$libvirtd/environ" | grep -q '^SCRUB_MARKER=scrubbed' ||
			fail "the marker never reached libvirtd"
		ok "followed through libvirt's scrubbed environment"
	fi

	# the tree: libvirtd -> fork -> fork -> exec qemu, re-parented, parked
	"$HOLD" tree "$libvirtd" >"$T/tree" 2>&1 || fail "hold tree: $(cat "$T/tree")"
	head -n 1 "$T/tree" | grep -q "^$libvirtd ─exec─▶ .*libvirtd" || fail "tree root: $(cat "$T/tree")"
	grep -q "fork─ $qemu ─exec─▶ /usr/bin/qemu-system-x86_64 -name guest=holdtest.*\\[parked\\]" "$T/tree" ||
		fail "qemu is not in libvirtd's tree: $(cat "$T/tree")"
	[ "$(grep -c '\[parked\]' "$T/tree")" = 1 ] || fail "more than qemu parked: $(cat "$T/tree")"
	ok "hold tree: libvirtd -> ... -> qemu [parked]"

	"$HOLD" attach --batch -b main "$qemu" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
	grep -q 'hit Breakpoint 1, .* in main ()' "$T/gdb" && grep -q '^#0 .* in main ()' "$T/gdb" ||
		fail "gdb did not stop in qemu's main: $(cat "$T/gdb")"
	ok "hold attach --batch -b main stopped in qemu's main"

	wait "$start" || fail "virsh start failed: $(cat "$T/start")"
	[ "$($V domstate holdtest)" = running ] || fail "domain state: $($V domstate holdtest)"
	$V list | grep -q 'holdtest *running' || fail "virsh list: $($V list)"
	[ "$(nparked)" = 0 ] || fail "something is still parked"
	ok "released: virsh list shows holdtest running"

	$V destroy holdtest >/dev/null && $V undefine holdtest >/dev/null || fail "destroy/undefine failed"
	until_true "! kill -0 $qemu 2>/dev/null" 20 || fail "qemu outlived destroy"
	kill -TERM "$libvirtd"
	wait "$libvirtd"
	rm -f /run/libvirt/libvirt-sock
	ok "destroyed and undefined; libvirtd stopped"
}

# libvirtd untouched: not under hold, started before the rule
story_kernel() {
	qemu_conf libvirt-qemu kvm
	libvirtd >"$T/libvirtd.log" 2>&1 &
	libvirtd=$!
	PIDS="$PIDS $libvirtd"
	until_true "$V version >/dev/null 2>&1" 30 || fail "libvirtd did not start: $(tail -5 "$T/libvirtd.log")"
	until_true '! answers' 20 || fail "the last story's private holdd did not stop"
	start_holdd --any-user
	if ! "$HOLD" watch --status >"$T/status"; then
		echo "# not from the kernel: $(cat "$T/status")"
		return
	fi
	"$HOLD" watch -r 'exec:*/qemu-system-*,arg=guest=holdtest*' 2>"$T/watch" &
	watch=$!
	PIDS="$PIDS $watch"
	until_true "grep -q parking $T/watch" || fail "hold watch: $(cat "$T/watch")"
	start_domain
	[ "$(stat -c %U "/proc/$qemu")" = libvirt-qemu ] || fail "qemu runs as $(stat -c %U "/proc/$qemu")"
	[ "$(cut -d' ' -f1 "/proc/$qemu/syscall")" = 59 ] || fail "qemu is not stopped at its exec: $(cat "/proc/$qemu/syscall")"
	tr '\0' '\n' <"/proc/$qemu/environ" | grep -q '^LD_PRELOAD=' && fail "a preload reached qemu"
	"$HOLD" ls | grep -q "^$qemu .*exec .*stop" || fail "hold ls: $("$HOLD" ls)"
	ok "kernel: qemu (as libvirt-qemu) of a libvirtd started before the rule parked at its exec, before ld.so, nothing preloaded"
	"$HOLD" attach --batch -b main "$qemu" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
	grep -q 'hit Breakpoint 1, .* in main ()' "$T/gdb" || fail "gdb did not stop in qemu's main: $(cat "$T/gdb")"
	wait "$start" || fail "virsh start failed: $(cat "$T/start")"
	[ "$($V domstate holdtest)" = running ] || fail "domain state: $($V domstate holdtest)"
	ok "kernel: hold attach --batch -b main stopped in qemu's main; then the domain ran"
	kill -TERM "$watch"
	$V destroy holdtest >/dev/null && $V undefine holdtest >/dev/null || fail "destroy/undefine failed"
	kill -TERM "$libvirtd"
	wait "$libvirtd"
}

story root root ""
story libvirt-qemu kvm --preload
story_kernel
