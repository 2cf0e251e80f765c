# SPDX-License-Identifier: MIT
# hold --host HOST: the verbs run on HOST over the user's ssh; attach runs
# gdb here against gdbserver --multi there, through the same ssh.  HOST is
# this machine's own sshd, started by the test on a free loopback port with
# a throwaway host key and user key (Debian's openssh-server, gdbserver).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (its own sshd, logged into as root)"
[ -x /usr/sbin/sshd ] && command -v ssh >/dev/null && command -v gdbserver >/dev/null ||
	skip "sshd, ssh or gdbserver is not installed (apt-get install openssh-server gdbserver)"
need_gdb
chmod 755 "$T"
port=$("${PYTHON3:-python3}" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" && ssh-keygen -q -t ed25519 -N '' -f "$T/id" &&
	cp "$T/id.pub" "$T/authorized_keys" || fail "ssh-keygen"
mkdir -p /run/sshd
cat >"$T/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PidFile $T/sshd.pid
StrictModes no
PermitRootLogin prohibit-password
UsePAM no
PasswordAuthentication no
EOF
cat >"$T/ssh_config" <<EOF
Host lab
	HostName 127.0.0.1
	Port $port
	User root
	IdentityFile $T/id
	StrictHostKeyChecking no
	UserKnownHostsFile /dev/null
	LogLevel ERROR
	BatchMode yes
EOF
/usr/sbin/sshd -f "$T/sshd_config" -D -e >"$T/sshd.log" 2>&1 &
PIDS="$PIDS $!"
export HOLD_SSH="ssh -F $T/ssh_config"
until_true '$HOLD_SSH lab true 2>/dev/null' || fail "sshd did not start: $(cat "$T/sshd.log")"
# "there" is here: the remote hold is the build's, talking to the test's holdd
export HOLD_REMOTE="env HOLD_SOCKET=$HOLD_SOCKET HOLD_RUNTIME_DIR=$HOLD_RUNTIME_DIR $HOLD"
ok "sshd on 127.0.0.1:$port; ssh lab works"

start_holdd --foreground
"$HOLD" run -r 'exec:*/target' -- "$H/target" x >"$T/o1" 2>&1 &
"$HOLD" run -r 'exec:*/target' -- "$H/target" x >"$T/o2" 2>&1 &
until_true '[ "$(nparked)" = 2 ]' || fail "two parks expected"
"$HOLD" --host lab ls >"$T/ls" 2>&1 || fail "hold --host lab ls: $(cat "$T/ls")"
[ "$(grep -c ' target .*exec' "$T/ls")" = 2 ] || fail "hold --host lab ls: $(cat "$T/ls")"
a=$("$HOLD" --host lab wait --timeout 10 target) && b=$("$HOLD" --host lab wait --timeout 10 target) ||
	fail "hold --host lab wait"
[ "$a" != "$b" ] || fail "wait over ssh handed $a twice"
ok "hold --host lab ls lists both parks; two hold --host lab wait hand out $a and $b"

"$HOLD" --host lab attach --batch -b main "$a" >"$T/gdb" 2>&1 || fail "attach over ssh: $(cat "$T/gdb")"
grep -q "^Breakpoint 1, main (" "$T/gdb" || fail "gdb over gdbserver did not stop in main: $(cat "$T/gdb")"
until_true "grep -q 'main reached pid=$a ' $T/o1 $T/o2" || fail "$a did not run on"
ok "hold --host lab attach -b main: local gdb, gdbserver --multi over ssh, stopped in main"

[ "$("$HOLD" --host lab release "$b")" = "released 1" ] || fail "hold --host lab release"
until_true "grep -q 'main reached pid=$b ' $T/o1 $T/o2" || fail "$b did not run on"
"$HOLD" --host lab release 1 >/dev/null 2>&1
[ $? = 1 ] || fail "a release of nothing did not exit 1 over ssh"
ok "hold --host lab release released $b; exit statuses come back through ssh"
