# SPDX-License-Identifier: MIT
# Fork and exec reports are not lost in a burst: they go into holdd's ring
# (2048 reports), which holdd drains in batches; where there is no ring (a
# process of another user), a unix datagram queue holds only
# net.unix.max_dgram_qlen reports, and a shell starting many jobs at once
# overflows it faster than holdd is scheduled; the overflow goes as
# connections, which wait in the stream socket's backlog.  A stopped holdd
# costs no report a wait, and one that takes nothing at all costs one image
# one bounded wait, not every image.
. "$(dirname "$0")/lib.sh"

qlen=$(cat /proc/sys/net/unix/max_dgram_qlen)
n=$((qlen * 5))

start_holdd --foreground
# the datagram path first: a ring that others could write is not used
[ -f "$HOLD_SOCKET.ring" ] || fail "holdd made no report ring"
chmod 644 "$HOLD_SOCKET.ring"
"$HOLD" run -- sh -c 'i=0; while [ $i -lt "$1" ]; do /bin/true & i=$((i + 1)); done; wait' \
	sh "$n" || fail "the burst did not run"
# Every report that was sent is in holdd's queue by now; one lost is lost
# for good, and this times out.
ntrue() {
	"$HOLD" tree --json | /usr/bin/python3 -c 'import json, sys
print(sum(1 for p in json.load(sys.stdin) if p["execed"] and p["path"].endswith("/true")))'
}
until_true '[ "$(ntrue)" = "$n" ]' || fail "holdd recorded $(ntrue) of $n execs of /bin/true"
ok "as datagrams: all $n execs of a burst of $n jobs recorded (the queue holds $qlen)"
chmod 600 "$HOLD_SOCKET.ring"

# A wide burst: 500 processes, released at once, each exec'ing
"$HOLD" run -- /usr/bin/python3 -c 'import os
r, w = os.pipe()
for i in range(500):
    if os.fork() == 0:
        os.close(w)
        os.read(r, 1)
        os.execv("/bin/true", ["/bin/true"])
os.close(w)
for i in range(500):
    os.wait()' || fail "the wide burst did not run"
until_true '[ "$(ntrue)" = $((n + 500)) ]' || fail "holdd recorded $(($(ntrue) - n)) of 500 execs at once"
ok "all 500 execs of 500 processes released at once recorded"

command -v strace >/dev/null 2>&1 || skip "strace is not installed (apt-get install strace)"
# A stopped holdd: the datagram queue fills after qlen reports; the rest go
# as connections waiting in the stream socket's backlog.  No report waits,
# and none is lost: once holdd runs again it takes them all.
kill -STOP "$HOLDD_PID"
m=$((qlen + 20))
# The children wait on a pipe, so no SIGCHLD (a ptrace stop under strace)
# interrupts a report.
strace -f -qq -e trace=sendto,ppoll -o "$T/strace" \
	env LD_PRELOAD="$HOLD_LIB" /usr/bin/python3 -c 'import os, sys
r, w = os.pipe()
for i in range(int(sys.argv[1])):
    if os.fork() == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
os.close(w)
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
print(os.getpid())' "$m" >"$T/forker" || fail "the forking program failed"
kill -CONT "$HOLDD_PID"
grep -q 'ppoll(' "$T/strace" && fail "a report waited for the stopped holdd: $(grep ppoll "$T/strace")"
forker=$(cat "$T/forker")
nkids() {
	"$HOLD" tree "$forker" --json | /usr/bin/python3 -c 'import json, sys
print(sum(1 for p in json.load(sys.stdin) if p["depth"] == 1))'
}
until_true '[ "$(nkids)" = "$m" ]' || fail "holdd recorded $(nkids) of the $m forks made while it was stopped"
ok "with holdd stopped, $m forks waited for nothing, and once it ran again all $m were recorded"

# More reports than holdd's ring holds (2048), holdd stopped: the rest are
# dropped and counted -- nobody waits for holdd -- and hold tree says so.
kill -STOP "$HOLDD_PID"
timeout 120 env LD_PRELOAD="$HOLD_LIB" /usr/bin/python3 -c 'import os
for i in range(2200):
    if os.fork() == 0:
        os._exit(0)
    os.wait()' || fail "2200 forks with holdd stopped did not finish: they waited"
kill -CONT "$HOLDD_PID"
"$HOLD" tree >/dev/null 2>"$T/lost" || fail "hold tree: $(cat "$T/lost")"
lost=$(sed -n 's/^hold tree: \([0-9]*\) fork\/exec reports were lost.*/\1/p' "$T/lost")
[ -n "$lost" ] && [ "$lost" -ge $((2200 - 2048)) ] && [ "$lost" -le $((2202 - 2048)) ] ||
	fail "hold tree did not say how many reports were lost ($lost): $(cat "$T/lost")"
ok "2200 forks with holdd stopped: none waited, $lost reports past the ring's 2048 dropped, and hold tree says so"

# A holdd that takes nothing at all, not even connections (a fake one, with
# a backlog of one): the first image to find no room waits 50 ms and leaves
# word in the runtime directory; the images after it do not wait.
kill -TERM "$HOLDD_PID"
wait "$HOLDD_PID"
/usr/bin/python3 -c 'import os, socket, sys, time
p = sys.argv[1]
st = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); st.bind(p); st.listen(1)
dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); dg.bind(p + ".events")
open(p + ".ready", "w").close()
time.sleep(60)' "$HOLD_SOCKET" &
PIDS="$PIDS $!"
until_true "[ -e '$HOLD_SOCKET.ready' ]" || fail "the fake holdd did not start"
strace -f -qq -e trace=ppoll,setsockopt -o "$T/strace2" env LD_PRELOAD="$HOLD_LIB" \
	sh -c 'i=0; while [ $i -lt 40 ]; do /bin/true; i=$((i + 1)); done' || fail "the loop failed"
# a wait: for room (ppoll), or a send given a timeout (SO_SNDTIMEO)
waits=$(grep -cE 'ppoll\(.*tv_nsec=50000000|SO_SNDTIMEO' "$T/strace2")
[ "$waits" -le 2 ] || fail "$waits images waited for a holdd that takes nothing: $(grep ppoll "$T/strace2" | head)"
[ -e "$HOLD_RUNTIME_DIR/holdd.stalled" ] || fail "no word left in $HOLD_RUNTIME_DIR"
ok "a holdd that takes nothing cost $waits of 40 images a 50 ms wait, not each of them"
