# SPDX-License-Identifier: MIT
# hold under a real systemd (PID 1 of a Debian root booted by
# systemd-nspawn), exactly as the README's recipe: make install, enable
# holdd.socket, give a service that runs as nobody (User=) the drop-in from
# `hold env --systemd`, restart it.  The park appears (holdd started by
# socket activation), hold wait names it, hold attach -b main stops in
# main, and after release the service carries on -- and count=1 held
# across the service's later processes.  Then from the kernel: a second
# service, with no drop-in and nothing of hold, parks at its exec by a
# hold watch rule on the host, and is attached at main from the host.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rootfs.sh"

need_rootfs
command -v systemd-nspawn >/dev/null && command -v nsenter >/dev/null ||
	skip "systemd-nspawn is not installed (apt-get install systemd-container)"
root_overlay
cp "$H/target" "$ROOT/usr/local/bin/hold-target"
cp "$H/target" "$ROOT/usr/local/bin/hold-target-k"
cat >"$ROOT/etc/systemd/system/holdtest-k.service" <<'EOF'
[Unit]
Description=a service with no drop-in, for the kernel follower
[Service]
User=nobody
ExecStart=/bin/sh -c 'while :; do /usr/local/bin/hold-target-k; sleep 1; done'
EOF
cat >"$ROOT/etc/systemd/system/holdtest.service" <<'EOF'
[Unit]
Description=a service that runs as nobody and runs hold-target every second
[Service]
User=nobody
ExecStart=/bin/sh -c 'while :; do /usr/local/bin/hold-target; sleep 1; done'
EOF

# Boot it, in a cgroup of its own (this host has no systemd to give it one).
name=holdtest$$
for g in systemd unified; do
	[ -d "/sys/fs/cgroup/$g" ] && mkdir -p "/sys/fs/cgroup/$g/$name" && CGROUPS="${CGROUPS:-} /sys/fs/cgroup/$g/$name"
done
sh -c 'for c in $1; do echo $$ >"$c/cgroup.procs"; done
	exec systemd-nspawn -q -D "$2" -M "$3" -b --console=pipe --register=no --keep-unit' \
	sh "${CGROUPS:-}" "$ROOT" "$name" >"$T/console.log" 2>&1 &
nspawn=$!
PIDS="$PIDS $nspawn"
# Everything left in the container's cgroups (a PID 1 whose nspawn was
# killed lives on), killed until none is left; then the cgroups go.
in_cgroups() { for c in ${CGROUPS:-}; do find "$c" -name cgroup.procs -exec cat {} + 2>/dev/null; done; }
stop_container() {
	kill -TERM "$nspawn" 2>/dev/null
	until_true "! kill -0 $nspawn 2>/dev/null" 20 || kill -KILL "$nspawn" 2>/dev/null
	until_true '[ -z "$(in_cgroups)" ]' 5 || {
		for p in $(in_cgroups); do kill -KILL "$p" 2>/dev/null; done
		until_true '[ -z "$(in_cgroups)" ]' 5
	}
	for c in ${CGROUPS:-}; do find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null; done
}
trap 'stop_container; cleanup' EXIT
# nspawn's child is first its own helper, then the container's PID 1
leader_is_up() { leader=$(pgrep -P "$nspawn") && [ "$(readlink "/proc/$leader/exe")" = /usr/lib/systemd/systemd ]; }
until_true leader_is_up 20 || fail "systemd-nspawn did not boot systemd: $(cat "$T/console.log")"
ct() { nsenter -t "$leader" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }
booted() {
	state=$(ct systemctl is-system-running 2>&1)
	case $state in running | degraded) ;; *) return 1 ;; esac
}
until_true booted 60 || fail "the container's systemd is $state: $(cat "$T/console.log")"
[ "$(ct readlink /proc/1/exe)" = /usr/lib/systemd/systemd ] || fail "PID 1 is not systemd"
ok "booted Debian with systemd as PID 1 ($state); hold installed by make install"

ct ldconfig
ct systemctl enable --now holdd.socket >"$T/out" 2>&1 || fail "enable holdd.socket: $(cat "$T/out")"
[ "$(ct stat -c '%a %U' /run/hold/holdd.sock)" = "666 root" ] &&
	[ "$(ct stat -c %a /run/hold)" = 711 ] || fail "socket/dir modes: $(ct ls -la /run/hold)"
ok "holdd.socket listens on /run/hold/holdd.sock (0666, directory 0711)"

mkdir -p "$ROOT/etc/systemd/system/holdtest.service.d"
ct hold env --systemd -r 'exec:*/hold-target,count=1' >"$ROOT/etc/systemd/system/holdtest.service.d/hold.conf" ||
	fail "hold env --systemd"
ct systemctl daemon-reload
ct systemctl restart holdtest || fail "the service did not start: $(ct systemctl status holdtest)"
pid=$(ct hold wait --timeout 30 hold-target) ||
	fail "nothing parked: $(ct journalctl --no-pager -n 20)"
[ "$(ct stat -c %U "/proc/$pid")" = nobody ] || fail "the parked $pid is not nobody's"
[ "$(ct systemctl is-active holdd.service)" = active ] || fail "holdd was not started by its socket"
ct hold ls | grep -q "^$pid .*hold-target .*exec" || fail "hold ls: $(ct hold ls)"
ok "the service's hold-target ($pid, nobody) parked at exec; holdd was socket-activated"

ct hold attach --batch -b main "$pid" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
grep -q "^Breakpoint 1, main (" "$T/gdb" || fail "gdb did not stop in main: $(cat "$T/gdb")"
ok "hold attach --batch -b main stopped it in main"

until_true "[ \$(ct journalctl -u holdtest --no-pager | grep -c 'target main reached') -ge 3 ]" 20 ||
	fail "the service did not carry on: $(ct journalctl -u holdtest --no-pager | tail)"
[ "$(ct systemctl is-active holdtest)" = active ] || fail "the service is not active"
[ -z "$(ct hold ls --json | grep '"pid"')" ] || fail "another park: count=1 did not hold across the service"
ok "released: the service carries on, and count=1 held across its later processes"

ct systemctl stop holdtest

# from the kernel: no drop-in, no restart for hold; the host's holdd
start_holdd
if "$HOLD" watch --status >"$T/status"; then
	ct systemctl start holdtest-k || fail "holdtest-k did not start"
	"$HOLD" watch -r 'exec:/usr/local/bin/hold-target-k,count=1' 2>"$T/watch" &
	PIDS="$PIDS $!"
	pid=$("$HOLD" wait --timeout 30 hold-target-k) || fail "nothing parked from the kernel: $(cat "$T/watch")"
	[ "$(stat -c %U "/proc/$pid")" = nobody ] || fail "the parked $pid is not nobody's"
	[ "$(cut -d' ' -f1 "/proc/$pid/syscall")" = 59 ] || fail "not stopped at its exec"
	grep -q 'holdtest-k.service' "/proc/$pid/cgroup" || fail "$pid is not the service's: $(cat "/proc/$pid/cgroup")"
	"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
	grep -q "^Breakpoint 1, main (" "$T/gdb" || fail "gdb did not stop in main: $(cat "$T/gdb")"
	until_true "[ \$(ct journalctl -u holdtest-k --no-pager | grep -c 'target main reached') -ge 2 ]" 20 ||
		fail "the service did not carry on: $(ct journalctl -u holdtest-k --no-pager | tail)"
	ok "kernel: a service under systemd with no drop-in parked at its exec (as nobody), attached at main from the host, and carried on"
	ct systemctl stop holdtest-k
else
	echo "# not from the kernel: $(cat "$T/status")"
fi
stop_container
ok "container stopped"
