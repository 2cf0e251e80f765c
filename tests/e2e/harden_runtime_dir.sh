# SPDX-License-Identifier: MIT
# Without XDG_RUNTIME_DIR (su, cron, ssh without logind) user A's runtime
# directory is /tmp/hold-UID, which user B can create first.  B makes it
# 0777, runs a fake holdd in it, plants a park record and a holdd.log
# symbolic link to A's notes.  A's hold, holdd and libhold must each refuse
# that directory and that daemon, say why, and give B nothing.
. "$(dirname "$0")/lib.sh"
need_users
PY=${PYTHON3:-python3}
uid_a=$(id -u "$USER_A")
D=/tmp/hold-$uid_a
rm -rf "$D"
trap 'rm -rf "$D"; cleanup' EXIT

# A, as from cron: no runtime directory of its own in the environment
bare() { # bare USER CMD...
	_u=$1
	shift
	env -u XDG_RUNTIME_DIR -u HOLD_RUNTIME_DIR -u HOLD_SOCKET -u HOLD_STATE_DIR \
		setpriv --reuid="$_u" --regid="$HGROUP" --init-groups "$@"
}

# B's trap
bare "$USER_B" mkdir -m 0777 "$D"
bare "$USER_B" chmod 0777 "$D"
echo "A's notes" >"$T/notes"
chown "$USER_A" "$T/notes"
bare "$USER_B" ln -s "$T/notes" "$D/holdd.log"
cat >"$T/fake_holdd.py" <<'EOF'
import os, select, socket, sys
path, out = sys.argv[1], open(sys.argv[2], "ab", buffering=0)
st = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
st.bind(path)
os.chmod(path, 0o777)
st.listen(16)
dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
dg.bind(path + ".events")
os.chmod(path + ".events", 0o777)
conns = []
while True:
    for s in select.select([st, dg] + conns, [], [])[0]:
        if s is st:
            conns.append(st.accept()[0])
            continue
        data = s.recv(65536)
        if data:
            out.write(data)
        elif s in conns:
            conns.remove(s)
            s.close()
EOF
: >"$T/captured"
chmod 666 "$T/captured"
bare "$USER_B" "$PY" "$T/fake_holdd.py" "$D/holdd.sock" "$T/captured" &
PIDS="$PIDS $!"
until_true "[ -S '$D/holdd.sock.events' ]" || fail "the fake holdd did not start"

# hold run: will not join B's holdd
bare "$USER_A" "$HOLD" run -- "$H/target" --password=hunter2 >"$T/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "the holdd at $D/holdd.sock runs as uid $(id -u "$USER_B"), neither you nor root: not talking to it" "$T/out" ||
	fail "hold run: rc $rc, $(cat "$T/out")"
ok "hold run will not join a holdd of another user's"

# libhold in A's program: no report to B's socket, no record in B's
# directory, and a park nobody could list is not made
bare "$USER_A" env LD_PRELOAD="$HOLD_LIB" HOLD_RULES='exec:*/target' \
	timeout 10 "$H/target" --password=hunter2 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "the program under libhold: rc $rc (124: parked where nobody could see), $(cat "$T/err")"
grep -q "hold: the runtime directory $D belongs to another user: no park records or counts there" "$T/err" ||
	fail "libhold did not say why: $(cat "$T/err")"
grep -q "not parked at exec by rule 'exec:\*/target': no park record could be written and no holdd answers" "$T/err" ||
	fail "libhold parked invisibly, or did not say: $(cat "$T/err")"
ls "$D" | grep -q '^park-' && fail "libhold wrote a record in B's directory: $(ls -l "$D")"
ok "libhold reports nothing to B's socket, writes nothing in B's directory, and does not park unseen"

# holdd of A's own, on the default socket: not in B's directory
bare "$USER_A" "$HOLDD" --foreground >"$T/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "$D, the socket's directory, belongs to another user" "$T/out" ||
	fail "holdd in B's directory: rc $rc, $(cat "$T/out")"
# its log, never through a symbolic link
bare "$USER_A" "$HOLDD" --socket "$T/rt-a.sock" --log-file "$D/holdd.log" >"$T/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "cannot log to $D/holdd.log" "$T/out" || fail "holdd's log: rc $rc, $(cat "$T/out")"
[ "$(cat "$T/notes")" = "A's notes" ] || fail "holdd wrote through B's link: $(cat "$T/notes")"
ok "holdd will not listen in B's directory nor log through B's link"

grep -q hunter2 "$T/captured" && fail "B's fake holdd learnt A's argv"
[ -s "$T/captured" ] && fail "B's fake holdd received: $(od -c "$T/captured" | head)"
ok "B's fake holdd received nothing"

# hold ls without a holdd: B's records are not A's parks
kill $(pgrep -u "$USER_B" -f fake_holdd.py)
until_true "! [ -e /proc/$(pgrep -u "$USER_B" -f fake_holdd.py || echo 0) ]" 2>/dev/null
rm -f "$D/holdd.sock" "$D/holdd.sock.events"
printf 'pid=1\ntid=1\nstart=%s\nevent=exec\nmode=stop\nrule=x\n' \
	"$(cut -d' ' -f22 /proc/1/stat)" | bare "$USER_B" sh -c "cat >'$D/park-1-1'"
bare "$USER_A" "$HOLD" ls >"$T/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "not reading the park records in $D: it belongs to another user" "$T/out" ||
	fail "hold ls read B's records: rc $rc, $(cat "$T/out")"
bare "$USER_A" "$HOLD" release --all >"$T/out" 2>&1
[ $? = 2 ] || fail "hold release --all used B's records: $(cat "$T/out")"
ok "hold ls and release will not act on records in B's directory"
