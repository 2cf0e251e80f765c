# SPDX-License-Identifier: MIT
# The report ring is trusted only as far as the kernel vouches.
# 1. A worker that drops from root to another user (through libc, as
#    nginx, Apache and libvirt do) lets go of root's ring first: its
#    mapping is gone, and the file cannot be opened again as that user.
# 2. Root's ring is checked as any user's: a report naming a live process
#    that is not root's -- a forged EXEC rewrote another user's process in
#    root's tree, a forged FORK moved one into another tree -- is refused.
# 3. An 8-byte store on the ring's head (a whole ring of tickets taken and
#    never published) blinds holdd for a second, not for hours.
# 4. The writers' count of lost reports is holdd's to judge: 8.49e18 is
#    not shown as losses.
. "$(dirname "$0")/lib.sh"
need_users
PY=${PYTHON3:-python3}
export PYTHONPATH=$HOLD_TOP_SRCDIR/tests/helpers
start_holdd --foreground --any-user
uid_a=$(id -u "$USER_A")

# 1. root's worker, under libhold, reports (mapping the ring), then drops
preload 'exec:*/nothing-matches' "$PY" - "$uid_a" "$HOLD_SOCKET.ring" >"$T/drop.out" 2>&1 <<'EOF' ||
import os, sys
uid, ring = int(sys.argv[1]), sys.argv[2]
def mapped():
    return any(line.rstrip().endswith(ring) for line in open("/proc/self/maps"))
kid = os.fork()  # a fork report: libhold maps root's ring
if kid == 0:
    os._exit(0)
os.waitpid(kid, 0)
assert mapped(), "libhold did not map root's ring (nothing tested)"
os.setgroups([])
os.setgid(uid)
os.setuid(uid)
assert not mapped(), "root's ring is still mapped after setuid"
try:
    open(ring, "r+b")
    raise SystemExit("root's ring opened as uid %d" % uid)
except PermissionError:
    pass
print("dropped")
EOF
	fail "the worker kept root's ring: $(cat "$T/drop.out")"
grep -q dropped "$T/drop.out" || fail "$(cat "$T/drop.out")"
ok "a worker that drops from root through libc lets go of root's ring first"

# 2. a live process of user A, and reports in root's ring that name it
setpriv --reuid="$USER_A" --regid="$HGROUP" --init-groups sleep 60 &
victim=$!
PIDS="$PIDS $victim"
until_true '[ "$(stat -c %u /proc/$victim)" = "$uid_a" ]' || fail "A's process"
"$PY" - "$victim" <<'EOF' || fail "the forger"
import sys, holdproto as p
victim = int(sys.argv[1])
p.ring_put(p.msg(p.EXEC, (p.F_PATH, "/bin/forged-exec"), (p.F_PPID, 1)), victim)
p.ring_put(p.msg(p.FORK, (p.F_CHILD, victim)), 1)
EOF
"$HOLD" tree >"$T/tree" 2>&1
grep -q 'forged-exec' "$T/tree" && fail "a forged EXEC in root's ring rewrote A's process: $(cat "$T/tree")"
until_true 'grep -q "a ring report about another user.s process" "$T/holdd.log"' ||
	fail "the forged EXEC was not refused: $(tail -n 3 "$T/holdd.log")"
grep -q "^1 .*fork.*$victim\|─fork─ $victim" "$T/tree" && fail "a forged FORK moved A's process under pid 1"
ok "reports in root's ring naming another user's live process: refused"

# 3. a whole ring of tickets taken and never published
"$PY" - <<'EOF' || fail "the scribbler"
import mmap, struct, holdproto as p
with open(p.socket_path() + ".ring", "r+b") as f:
    m = mmap.mmap(f.fileno(), p.RING_HDR + p.RING_SLOTS * p.RING_SLOT)
head, tail = struct.unpack_from("<QQ", m, 8)
struct.pack_into("<Q", m, 8, tail + p.RING_SLOTS - 1)
m.close()
EOF
t0=$(date +%s%N)
preload 'exec:*/nothing-matches' sh -c '/bin/true marker-after-scribble' || fail "sh"
until_true '"$HOLD" log | grep -q marker-after-scribble' 10 ||
	fail "recording did not resume after the scribble: $(tail -n 3 "$T/holdd.log")"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 4000 ] || fail "recording was blind for $ms ms"
ok "2047 tickets taken and never published: recording resumed after $ms ms"

# 4. an absurd count of lost reports
"$PY" - <<'EOF' || fail "the scribbler"
import mmap, struct, holdproto as p
with open(p.socket_path() + ".ring", "r+b") as f:
    m = mmap.mmap(f.fileno(), p.RING_HDR + p.RING_SLOTS * p.RING_SLOT)
struct.pack_into("<Q", m, 24, 8490000000000000000)
m.close()
EOF
"$HOLD" tree >/dev/null 2>"$T/lost"
grep -q '8490000000000000000\|[0-9]\{10,\} fork/exec reports' "$T/lost" &&
	fail "hold tree shows the writers' scribble as losses: $(cat "$T/lost")"
ok "a lost count of 8.49e18 written into the ring is not shown as losses"
