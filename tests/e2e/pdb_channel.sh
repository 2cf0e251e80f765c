# SPDX-License-Identifier: MIT
# hold attach --pdb accepts only the target on its channel.  Another
# process of the same user that connects first -- here, one that keeps
# connecting to this hold attach's listening socket from the moment it
# exists -- once took the session, and the worker died before its code.
# Now each such connection is refused (SO_PEERCRED: not the target's pid),
# said, and pdb runs in the worker as asked.
. "$(dirname "$0")/lib.sh"
need_gdb
PY=${PYTHON3:-python3}
cat >"$T/svc.py" <<'PY'
import os
def spawn_worker(n):
    pid = os.fork()
    if pid == 0:
        x = 41 + n
        print("worker", n, "ran", x, flush=True)
        os._exit(0)
    return pid
os.waitpid(spawn_worker(1), 0)
print("service done", flush=True)
PY
start_holdd --foreground
"$HOLD" run -r 'fork,comm=python*' -- "$PY" "$T/svc.py" >"$T/out" 2>"$T/err" &
run=$!
pid=$("$HOLD" wait --timeout 20) || fail "no park: $(cat "$T/err")"
{ sleep 1; printf 'n\nn\np x\nc\n'; } | timeout 60 "$HOLD" attach --pdb "$pid" >"$T/pdb" 2>"$T/pdb.err" &
attach=$!
# the intruder: this hold attach's listening socket (hold is timeout's
# child), found by its inode
"$PY" - "$attach" "$T/intruded" <<'EOF' &
import os, socket, sys, time
attach, mark = int(sys.argv[1]), sys.argv[2]
def listening():
    inodes = set()
    for p in os.listdir("/proc"):
        try:
            if not p.isdigit() or int(open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[1]) != attach:
                continue
            for fd in os.listdir("/proc/%s/fd" % p):
                link = os.readlink("/proc/%s/fd/%s" % (p, fd))
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
        except (OSError, IndexError, ValueError):
            pass
    for line in open("/proc/net/unix").read().splitlines()[1:]:
        f = line.split()
        if len(f) == 8 and f[6] in inodes and f[7].endswith("/pdb.sock"):
            return f[7]
end = time.time() + 30
while time.time() < end:
    path = listening()
    if path:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            s.sendall(b"import os; os._exit(9)\n")
            open(mark, "a").write("x")
            s.close()
        except OSError:
            pass
    time.sleep(0.01)
EOF
intruder=$!
PIDS="$PIDS $intruder"
wait "$attach" || fail "attach --pdb: $(cat "$T/pdb"; echo ---; cat "$T/pdb.err"; echo ---; cat "$T/err")"
kill "$intruder" 2>/dev/null
[ -s "$T/intruded" ] || skip "the intruder never reached the channel (nothing tested)"
grep -q "^(Pdb) 42$" "$T/pdb" || fail "pdb did not run in the worker: $(cat "$T/pdb" "$T/pdb.err")"
grep -q "refused a connection to pdb's channel from pid [0-9]*" "$T/pdb.err" ||
	fail "the intruder was not said: $(cat "$T/pdb.err")"
wait "$run" || fail "the service failed: $(cat "$T/err")"
grep -q "worker 1 ran 42" "$T/out" || fail "the worker did not finish: $(cat "$T/out" "$T/err")"
ok "another process of the same user on pdb's channel: refused and said; pdb ran in the worker"
