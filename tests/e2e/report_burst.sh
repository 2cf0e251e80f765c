# Fork and exec reports are not lost in a burst: a unix datagram queue holds
# only net.unix.max_dgram_qlen reports, and a shell starting many jobs at once
# overflows it faster than holdd is scheduled.  And a holdd that does not
# drain its queue (stopped here) costs a process one bounded wait, not one
# per report.
. "$(dirname "$0")/lib.sh"

qlen=$(cat /proc/sys/net/unix/max_dgram_qlen)
n=$((qlen * 5))

start_holdd --foreground
"$HOLD" run -- sh -c 'i=0; while [ $i -lt "$1" ]; do /bin/true & i=$((i + 1)); done; wait' \
	sh "$n" || fail "the burst did not run"
# Every report that was sent is in holdd's queue by now; one lost is lost
# for good, and this times out.
ntrue() {
	"$HOLD" tree --json | /usr/bin/python3 -c 'import json, sys
print(sum(1 for p in json.load(sys.stdin) if p["execed"] and p["exe"].endswith("/true")))'
}
until_true '[ "$(ntrue)" = "$n" ]' || fail "holdd recorded $(ntrue) of $n execs of /bin/true"
ok "all $n execs of a burst of $n jobs recorded (the queue holds $qlen)"

command -v strace >/dev/null 2>&1 || skip "strace is not installed (apt-get install strace)"
kill -STOP "$HOLDD_PID"
m=$((qlen + 20))
# The children wait on a pipe, so no SIGCHLD (a ptrace stop under strace)
# interrupts a report's wait.
strace -f -qq -e trace=sendto -o "$T/strace" \
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
        break' "$m" || fail "the forking program failed"
kill -CONT "$HOLDD_PID"
sent=$(grep -c 'sendto(' "$T/strace")
waited=$(grep 'sendto(' "$T/strace" | grep -vc MSG_DONTWAIT)
# one exec report and m fork reports, and one retry: qlen fit, the next
# waits and times out, the rest are dropped at once
[ "$sent" = $((m + 2)) ] || fail "$sent sendto calls for $((m + 1)) reports: $(cat "$T/strace")"
[ "$waited" = 1 ] || fail "$waited reports waited for a stopped holdd, expected 1: $(cat "$T/strace")"
ok "with holdd stopped, $m forks cost one wait for room in its queue"
