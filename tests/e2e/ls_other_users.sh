# SPDX-License-Identifier: MIT
# Root's hold ls asks root's holdd; a user's own holdd keeps that user's
# parks, which root's holdd never hears of.  Root's hold ls lists them too,
# and says from where (how many, which runtime directory, whose); root's
# hold attach and hold release act on them.
. "$(dirname "$0")/lib.sh"
need_users
uid_a=$(id -u "$USER_A")
dir=/tmp/hold-$uid_a
[ ! -e "$dir" ] || skip "$dir exists already"
trap 'rm -rf "$dir"; cleanup' EXIT

start_holdd --foreground
mkdir "$T/state-a" && chown "$USER_A" "$T/state-a"
# A's hold run, A's defaults: its own private holdd and runtime directory
setpriv --reuid="$USER_A" --regid="$HGROUP" --init-groups env -u HOLD_RUNTIME_DIR -u HOLD_SOCKET \
	-u XDG_RUNTIME_DIR HOLD_STATE_DIR="$T/state-a" "$HOLD" run -r 'exec:*/target' -- "$H/target" x \
	>"$T/a.out" 2>&1 &
PIDS="$PIDS $!"
until_true "ls '$dir' 2>/dev/null | grep -q '^park-'" || fail "A's park left no record in $dir: $(cat "$T/a.out")"
"$HOLD" ls >"$T/ls" 2>"$T/ls.err"
grep -q "listed also, from other users' own holdds: 1 in $dir (uid $uid_a)" "$T/ls.err" ||
	fail "root's hold ls did not say where A's park comes from: $(cat "$T/ls.err")"
pid=$(sed -n 's/^\([0-9][0-9]*\) .*target.*/\1/p' "$T/ls" | head -n 1)
[ -n "$pid" ] || fail "root's hold ls does not list A's park: $(cat "$T/ls")"
ok "root's hold ls lists user A's park ($pid), held by A's own holdd, and says where it comes from"

"$HOLD" attach --batch -b main "$pid" >"$T/gdb" 2>&1 || fail "root's attach of A's park: $(cat "$T/gdb")"
grep -q "^Breakpoint 1, main (" "$T/gdb" || fail "gdb did not stop in main: $(cat "$T/gdb")"
until_true "grep -q 'main reached pid=$pid ' '$T/a.out'" || fail "it did not run on"
ok "root's hold attach -b main stopped A's park in main, and it ran on"

# a second park of A's, released by root through A's own holdd
setpriv --reuid="$USER_A" --regid="$HGROUP" --init-groups env -u HOLD_RUNTIME_DIR -u HOLD_SOCKET \
	-u XDG_RUNTIME_DIR HOLD_STATE_DIR="$T/state-a" "$HOLD" run -r 'exec:*/target' -- "$H/target" y \
	>"$T/a2.out" 2>&1 &
PIDS="$PIDS $!"
until_true "ls '$dir' 2>/dev/null | grep -q '^park-'" || fail "A's second park left no record"
pid=$(ls "$dir" | sed -n 's/^park-\([0-9]*\)-.*/\1/p' | head -n 1)
[ "$("$HOLD" release "$pid")" = "released 1" ] || fail "root could not release A's park"
until_true "grep -q 'main reached pid=$pid ' '$T/a2.out'" || fail "released, it did not run"
ok "root's hold release let A's spinning park run, through A's own holdd"

# a record in A's directory that names root's process is a lie: root
# neither lists it nor acts on it
sleep 60 &
victim=$!
PIDS="$PIDS $victim"
start=$(awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$victim/stat")
printf 'pid=%s\ntid=%s\nuid=0\nstart=%s\nevent=exec\nmode=stop\nrule=exec:*/sleep\ncomm=sleep\nexe=/usr/bin/sleep\n' \
	"$victim" "$victim" "$start" >"$T/fake"
setpriv --reuid="$USER_A" --regid="$HGROUP" --init-groups cp "$T/fake" "$dir/park-$victim-$victim" ||
	fail "A could not write into its own directory"
"$HOLD" ls >"$T/ls3" 2>&1
grep -q "^$victim " "$T/ls3" && fail "root's hold ls listed A's record of root's process: $(cat "$T/ls3")"
"$HOLD" release "$victim" >"$T/rel3" 2>&1 && fail "root released a process A's record lied about"
grep -q "pid $victim is not parked" "$T/rel3" || fail "release of the lie: $(cat "$T/rel3")"
ok "a record in A's directory naming root's process: not listed, not acted on"
