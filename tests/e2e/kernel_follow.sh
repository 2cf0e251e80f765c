# SPDX-License-Identifier: MIT
# The kernel follower (BPF): hold watch parks from the kernel with nothing
# in the target.  A static image and a set-uid image are stopped at the
# return of execve, before their first instruction (before ld.so and any
# constructor), listed as stop parks and attached at main.  A tree of 500
# forks followed from the kernel is recorded in full; an overflowing ring is
# counted and said.  holdd killed with a
# kernel park standing, and restarted, lists it again, still stopped.  One
# user's rules cannot park, list or release another's processes.  Root
# only; skipped in one line where the kernel follower cannot load.
# Root's plain hold run parks from the kernel (--preload, and kernel
# following off, by libhold), and its summary is true either way.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "the kernel follower loads as root"
need_gdb
need_users
start_holdd --any-user
"$HOLD" watch --status >"$T/status" || skip "$(cat "$T/status")"
K=$T/k # every rule here names only files in K: other tests' processes never match
mkdir -p "$K" && chmod 755 "$K"
file "$H/static_target" 2>/dev/null | grep -q 'statically linked' || skip "no static libc (apt-get install libc6-dev)"
cp "$H/static_target" "$K/static" && cp "$H/target" "$K/suid" && cp "$H/target" "$K/mine" &&
	chmod 4755 "$K/suid" && chmod 755 "$K/mine" || fail "cannot copy the targets"
stopped_at_exec() { # pid: stopped, in execve's return, no instruction of it run
	[ "$(state "$1")" = T ] && [ "$(cut -d' ' -f1 "/proc/$1/syscall")" = 59 ]
}

"$HOLD" watch -r "exec:$K/static" -r "exec:$K/suid" 2>"$T/w1" &
watch=$!
PIDS="$PIDS $watch"
until_true "grep -qs 'parking any process' $T/w1" || fail "hold watch did not start: $(cat "$T/w1")"

# a static image: no ld.so, nothing libhold could enter
"$K/static" x >"$T/s.out" 2>&1 &
pid=$("$HOLD" wait --timeout 10 static) || fail "the static image did not park: $(cat "$T/holdd.log")"
stopped_at_exec "$pid" && [ ! -s "$T/s.out" ] ||
	fail "not stopped before its first instruction: $(cat "/proc/$pid/syscall") $(cat "$T/s.out")"
"$HOLD" ls --json | grep -q "\"pid\": $pid, .*\"event\": \"exec\", .*\"mode\": \"stop\"" ||
	fail "hold ls: $("$HOLD" ls --json)"
"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
grep -Eq "^Breakpoint [0-9]+, main \(" "$T/gdb" || fail "gdb did not stop in main: $(cat "$T/gdb")"
until_true "grep -q 'main reached pid=$pid ' $T/s.out" || fail "it did not run on: $(cat "$T/s.out")"
ok "a static exec parked from the kernel at execve's return, before any instruction; attach -b main stopped in main"

# a set-uid image exec'd by a user: stopped before ld.so, which no preload
# may enter in a set-uid image
as "$USER_A" "$K/suid" x >"$T/u.out" 2>&1 &
pid=$("$HOLD" wait --timeout 10 suid) || fail "the set-uid image did not park"
grep -q "^Uid:.*[[:space:]]0[[:space:]]" "/proc/$pid/status" ||
	echo "# (/tmp is mounted nosuid here: the image ran as $USER_A)"
stopped_at_exec "$pid" && [ ! -s "$T/u.out" ] || fail "the set-uid image ran: $(cat "$T/u.out")"
"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
grep -Eq "^Breakpoint [0-9]+, main \(" "$T/gdb" || fail "gdb did not stop in main: $(cat "$T/gdb")"
until_true "grep -q 'main reached pid=$pid ' $T/u.out" || fail "it did not run on: $(cat "$T/u.out")"
ok "a set-uid exec by $USER_A parked before ld.so and its constructor; attach -b main stopped in main"

# holdd killed with a kernel park standing: nothing releases it, and the
# next holdd lists it (from the record holdd wrote) and can release it
"$K/static" y >"$T/r.out" 2>&1 &
pid=$("$HOLD" wait --timeout 10 static) || fail "no park to restart over"
kill -KILL "$HOLDD_PID"
wait "$watch" 2>/dev/null
sleep 0.5
stopped_at_exec "$pid" || fail "killing holdd let the park run"
"$K/static" z >"$T/z.out" 2>&1 # nothing follows now: it runs at once
grep -q "main reached" "$T/z.out" || fail "with holdd gone, a new exec was still parked"
start_holdd --any-user
"$HOLD" ls --json | grep -q "\"pid\": $pid, .*\"event\": \"exec\"" || fail "the restarted holdd does not list $pid: $("$HOLD" ls)"
stopped_at_exec "$pid" || fail "the restart released it"
"$HOLD" release "$pid" >/dev/null || fail "release after the restart"
until_true "grep -q 'main reached pid=$pid ' $T/r.out" || fail "released, it did not run"
until_true '[ "$(nparked)" = 0 ]' || fail "still listed after its release: $("$HOLD" ls)"
[ -z "$(records)" ] || fail "its record stayed: $(records)"
ok "holdd killed with a kernel park standing: it stayed stopped, no later exec parked, the restarted holdd listed it and released it"

# timeout=: nothing in the process counts it, holdd does
"$HOLD" watch -r "exec:$K/mine,timeout=1" 2>"$T/wt" &
wt=$!
PIDS="$PIDS $wt"
until_true "grep -qs 'parking any process' $T/wt" || fail "hold watch: $(cat "$T/wt")"
"$K/mine" late >"$T/late.out" 2>&1 &
pid=$("$HOLD" wait --timeout 10 mine) || fail "the timeout= rule did not park"
until_true "grep -q 'main reached pid=$pid ' $T/late.out" 10 || fail "timeout=1 did not release it"
grep -q "pid $pid released: its rule's timeout= ran out" "$T/holdd.log" || fail "holdd did not say so"
kill "$wt"
wait "$wt"
ok "a kernel park's timeout= is counted by holdd: released after it, and said"

# a burst of 500 forks in a followed tree: every one recorded
mkfifo "$T/go"
sh -c "read x <'$T/go'; exec '$H/many_forks' 500" >"$T/b.out" 2>&1 &
burst=$!
"$HOLD" watch --pid "$burst" -r "exec:$K/never" 2>"$T/w2" &
PIDS="$PIDS $!"
until_true "grep -qs 'parking pid $burst' $T/w2" || fail "hold watch --pid: $(cat "$T/w2")"
echo go >"$T/go"
wait "$burst" || fail "the burst failed: $(cat "$T/b.out")"
until_true "grep -q 'have exited' $T/w2" || fail "hold watch --pid did not end with its tree: $(cat "$T/w2")"
n=$("$HOLD" tree --json "$burst" | grep -o '"pid": [0-9]*' | sort -u | wc -l)
[ "$n" -ge 501 ] || fail "500 forks, $n processes recorded: $("$HOLD" tree "$burst" 2>&1 | head)"
"$HOLD" tree "$burst" 2>&1 | grep -q "lost" && fail "hold tree says reports were lost"
ok "a burst of 500 forks in a tree followed from the kernel: $n processes recorded, none lost; hold watch --pid ended with the tree"

# the ring overflows (holdd stopped while a followed tree execs 4000
# times, 1.6 KiB an exec event, 4 MiB of ring): holdd counts what was
# lost, logs it, and hold tree says so; a child forked while the ring was
# full is still the tree's, and its exec parks by the tree's rule; the
# tree's end is seen though its exit events were lost
mkfifo "$T/go2" "$T/go3"
sh -c "read x <'$T/go2'; i=0; while [ \$i -lt 4000 ]; do /bin/true; i=\$((i + 1)); done
	(read y <'$T/go3'; exec '$K/mine' flood) & : >'$T/looped'; wait" >"$T/f.out" 2>&1 &
flood=$!
"$HOLD" watch --pid "$flood" -r "exec:$K/mine" 2>"$T/w3" &
PIDS="$PIDS $!"
until_true "grep -qs 'parking pid $flood' $T/w3" || fail "hold watch --pid: $(cat "$T/w3")"
kill -STOP "$HOLDD_PID"
echo go >"$T/go2"
until_true "[ -e '$T/looped' ]" 60 || fail "the flood did not end"
kill -CONT "$HOLDD_PID"
until_true "grep -q 'ring buffer was full: [0-9]* events lost' $T/holdd.log" ||
	fail "holdd did not say the ring overflowed: $(tail -5 "$T/holdd.log")"
lost=$(sed -n 's/.*ring buffer was full: \([0-9]*\) events lost.*/\1/p' "$T/holdd.log" | tail -1)
"$HOLD" tree "$flood" 2>&1 >/dev/null | grep -q "^hold tree: $lost fork/exec reports were lost" ||
	fail "hold tree did not say $lost were lost: $("$HOLD" tree "$flood" 2>&1 >/dev/null)"
echo go >"$T/go3"
pid=$("$HOLD" wait --timeout 10 mine) || fail "the child forked while the ring was full did not park at its exec"
"$HOLD" release "$pid" >/dev/null || fail "release"
wait "$flood"
until_true "grep -q 'main reached pid=$pid ' $T/f.out" || fail "released, it did not run"
until_true "grep -q 'have exited' $T/w3" || fail "hold watch --pid did not end with its tree: $(cat "$T/w3")"
ok "the ring overflowed while holdd was stopped: holdd counted $lost lost events, logged it, and hold tree says so; a child forked then still parked by the tree's rule, and the tree's end was seen"

# users: a's rules park a's processes only; b can neither see, release,
# follow nor park them
as "$USER_A" "$HOLD" watch -r "exec:$K/mine" -r "exec:$K/static" 2>"$T/wa" &
PIDS="$PIDS $!"
until_true "grep -qs 'any process of yours' $T/wa" || fail "a's watch: $(cat "$T/wa")"
as "$USER_A" "$K/mine" a >"$T/a.out" 2>&1 &
pa=$(as "$USER_A" "$HOLD" wait --timeout 10 mine) || fail "a's rule did not park a's process"
"$K/static" root >"$T/root.out" 2>&1 || fail "root's static run failed"
grep -q "main reached" "$T/root.out" || fail "a's rule parked root's process"
as "$USER_B" "$HOLD" ls >"$T/bls" 2>&1
grep -q "^$pa " "$T/bls" && fail "b lists a's park: $(cat "$T/bls")"
as "$USER_B" "$HOLD" release "$pa" >"$T/brel" 2>&1 && fail "b released a's park"
stopped_at_exec "$pa" || fail "b's release let a's process run"
as "$USER_B" "$HOLD" watch --pid "$pa" -r "exec:$K/*" >"$T/bw" 2>&1 && fail "b followed a's process"
grep -q "may follow only your own processes" "$T/bw" || fail "b's --pid: $(cat "$T/bw")"
as "$USER_B" "$HOLD" watch -r "exec:$K/mine" 2>"$T/wb" &
PIDS="$PIDS $!"
until_true "grep -qs 'any process of yours' $T/wb" || fail "b's watch: $(cat "$T/wb")"
kill -TERM $(pgrep -u "$USER_A" -f "watch -r exec:$K/mine")
until_true "! pgrep -u '$USER_A' -f 'watch -r exec:$K/mine' >/dev/null" || fail "a's watch did not stop"
as "$USER_A" "$K/mine" again >"$T/a2.out" 2>&1 || fail "a's second run failed"
grep -q "main reached" "$T/a2.out" || fail "b's rule parked a's process"
as "$USER_A" "$HOLD" release "$pa" >/dev/null || fail "a could not release a's park"
until_true "grep -q 'main reached pid=$pa ' $T/a.out" || fail "a's park did not run on"
ok "a's kernel rules park a's processes, not root's; b cannot list, release or follow a's park, and b's rule does not park a's process"

# the follower's tables are everyone's: a user holds at most 8 rules
as "$USER_B" "$HOLD" watch -r "exec:$K/r1" -r "exec:$K/r2" -r "exec:$K/r3" -r "exec:$K/r4" \
	-r "exec:$K/r5" -r "exec:$K/r6" -r "exec:$K/r7" -r "exec:$K/r8" >"$T/many" 2>&1 &&
	fail "b took more than a user's share of the kernel rules"
grep -q "holds 1 kernel watch with 1 rule; a user may hold 4 watches and 8 rules" "$T/many" ||
	fail "b's ninth rule: $(cat "$T/many")"
ok "a user's watches and rules are bounded (4 and 8), and the refusal says how many they hold"

# --cgroup: a watch of one cgroup parks there and nowhere else; the park
# names its cgroup
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -n "$CG2" ] && mkdir "$CG2/holdtest$$" 2>/dev/null; then
	"$HOLD" watch --cgroup "/holdtest$$" -r "exec:$K/mine" 2>"$T/wc" &
	wc=$!
	until_true "grep -qs 'in cgroup /holdtest$$' $T/wc" || fail "hold watch --cgroup: $(cat "$T/wc")"
	"$K/mine" outside >"$T/out.out" 2>&1 || fail "the run outside the cgroup failed"
	grep -q "main reached" "$T/out.out" || fail "a process outside the cgroup was parked"
	sh -c "echo \$\$ >'$CG2/holdtest$$/cgroup.procs' && exec '$K/mine' inside" >"$T/in.out" 2>&1 &
	pid=$("$HOLD" wait --timeout 10 mine) || fail "nothing in the cgroup parked"
	"$HOLD" ls --json | grep -q "\"pid\": $pid, .*\"cgroup\": \"/holdtest$$\"" ||
		fail "the park does not name its cgroup: $("$HOLD" ls --json)"
	"$HOLD" release "$pid" >/dev/null || fail "release"
	until_true "grep -q 'main reached' $T/in.out" || fail "released, it did not run"
	"$HOLD" watch --cgroup /no/such/cgroup -r "exec:$K/mine" >"$T/wn" 2>&1 && fail "a missing cgroup was taken"
	grep -q "no cgroup /no/such/cgroup" "$T/wn" || fail "missing cgroup: $(cat "$T/wn")"
	kill "$wc"
	until_true "rmdir '$CG2/holdtest$$' 2>/dev/null" || fail "the test cgroup stayed busy"
	ok "hold watch --cgroup parked in its cgroup only, and the park names it; a missing cgroup is refused in words"
else
	echo "# --cgroup not tried: no cgroup v2 hierarchy here to make a cgroup in"
fi

# hold run --kernel, with no holdd running: a program that daemonizes
# (a double fork that outlives hold run) is still followed, its private
# holdd stays up while the tree lives, and nothing is loaded into it
kill -KILL "$HOLDD_PID"
until_true '! answers' || fail "holdd did not stop"
"$HOLD" run --kernel -r "exec:$K/mine,count=1" -- \
	sh -c "(sleep 1; exec '$K/mine' daemon) >'$T/d.out' 2>&1 &" >"$T/run.out" 2>&1 ||
	fail "hold run --kernel: $(cat "$T/run.out")"
pid=$("$HOLD" wait --timeout 10 mine) || fail "the daemonized image did not park, or no holdd stayed: $(cat "$T/run.out")"
stopped_at_exec "$pid" || fail "not stopped at its exec"
tr '\0' '\n' <"/proc/$pid/environ" | grep -q '^LD_PRELOAD=' && fail "LD_PRELOAD reached the tree"
"$HOLD" tree 2>&1 | grep -q "$pid ─exec─▶ $K/mine daemon  \[parked\]" || fail "hold tree: $("$HOLD" tree 2>&1)"
"$HOLD" release "$pid" >/dev/null || fail "release"
until_true "grep -q 'main reached pid=$pid ' $T/d.out" || fail "released, it did not run"
until_true '! answers' 10 || fail "the private holdd did not stop once the tree had ended and nothing was parked"
ok "hold run --kernel: a daemon that forked away from hold run parked at its exec, nothing preloaded; the private holdd lived as long as the tree"

# root's plain hold run: fork and exec rules go to the kernel, nothing is
# preloaded, and the summary knows from holdd which rules fired
"$HOLD" run -r "exec:$K/mine,count=1" -r "exec:$K/never-there" -- \
	sh -c "'$K/mine' plain; echo tree-done" >"$T/r2.out" 2>"$T/r2.err" &
pid=$("$HOLD" wait --timeout 10 mine) || fail "root's hold run did not park: $(cat "$T/r2.err")"
stopped_at_exec "$pid" || fail "not stopped at its exec (a kernel park)"
tr '\0' '\n' <"/proc/$pid/environ" | grep -Eq '^(LD_PRELOAD|HOLD_RULES|HOLD_SESSION)=' && fail "libhold reached the tree"
"$HOLD" release "$pid" >/dev/null || fail "release"
until_true "grep -q tree-done $T/r2.out" || fail "released, the tree did not run on"
until_true "grep -q 'never-there. matched nothing' $T/r2.err" || fail "no summary: $(cat "$T/r2.err")"
grep -q "mine,count=1' matched nothing" "$T/r2.err" && fail "a rule that fired was called unmatched"
ok "root's hold run parks by fork and exec rules from the kernel, nothing preloaded; its summary names only the rule that never fired"

# --preload: libhold parks, in hold_park()
"$HOLD" run --preload -r "exec:$K/mine,count=1" -- "$K/mine" pre >"$T/r3.out" 2>&1 &
pid=$("$HOLD" wait --timeout 10 mine) || fail "hold run --preload did not park: $(cat "$T/r3.out")"
"$HOLD" ls --json | grep -q "\"pid\": $pid, .*\"mode\": \"spin\"" || fail "not a libhold park: $("$HOLD" ls --json)"
"$HOLD" release "$pid" >/dev/null || fail "release"
until_true "grep -q 'main reached pid=$pid ' $T/r3.out" || fail "released, it did not run"
"$HOLD" run --kernel --preload -r "exec:$K/mine" -- true 2>"$T/both"
[ $? = 2 ] && grep -q 'give one' "$T/both" || fail "--kernel with --preload: $(cat "$T/both")"
until_true '! answers' 10 || fail "the private holdd did not stop"

# kernel following off (a holdd that does not load it): said in one line,
# and libhold parks instead
start_holdd --any-user --no-kernel-follow
"$HOLD" run -r "exec:$K/mine,count=1" -- "$K/mine" off >"$T/r4.out" 2>"$T/r4.err" &
pid=$("$HOLD" wait --timeout 10 mine) || fail "no park with kernel following off: $(cat "$T/r4.err")"
grep -q "^hold run: kernel following is off: holdd was started with --no-kernel-follow.*; libhold parks instead$" "$T/r4.err" ||
	fail "hold run did not say why: $(cat "$T/r4.err")"
"$HOLD" ls --json | grep -q "\"pid\": $pid, .*\"mode\": \"spin\"" || fail "not a libhold park: $("$HOLD" ls --json)"
"$HOLD" release "$pid" >/dev/null || fail "release"
ok "hold run --preload parks by libhold; where kernel following is off, hold run says why in one line and libhold parks; --kernel with --preload is refused"

