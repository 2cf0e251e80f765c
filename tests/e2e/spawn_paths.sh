# SPDX-License-Identifier: MIT
# Every libc path to a new program parks exactly as the rules say:
# exec rules park the new image (whatever path started it, scrubbed
# environment or not); fork rules park fork and vfork children, and nothing
# that posix_spawn starts (it runs no caller code before exec).
. "$(dirname "$0")/lib.sh"

# park_then_continue HOW [--scrub] RULE EVENT: one park of EVENT, SIGCONT it,
# and the spawner completes with the child's status 0.
park_then_continue() {
	how=$1
	shift
	scrub=""
	[ "$1" = --scrub ] && scrub=--scrub && shift
	rule=$1 event=$2
	preload "$rule" "$H/spawner" "$how" $scrub "$H/target" >"$T/out" 2>"$T/err" &
	sp=$!
	PIDS=$sp
	until_true '[ "$(nrecords)" = 1 ]' || fail "$how: no park"
	rec=$(records)
	pid=$(record_pid)
	[ "$(field "$rec" event)" = "$event" ] || fail "$how: parked at $(field "$rec" event), not $event"
	until_true '[ "$(state "$pid")" = T ]' 5 || fail "$how: parked pid $pid not stopped"
	[ "$event" = exec ] && ! grep -q 'target main' "$T/out" 2>/dev/null ||
		[ "$event" = fork ] || fail "$how: target ran before release"
	kill -CONT "$pid"
	wait "$sp" || fail "$how: spawner exited non-zero: $(cat "$T/err")"
	grep -qx 'child exited 0' "$T/out" || fail "$how: $(cat "$T/out" "$T/err")"
	[ "$(grep -c 'parked at' "$T/err")" = 1 ] || fail "$how: parked more than once: $(cat "$T/err")"
	until_true '[ "$(nrecords)" = 0 ]' 2 || fail "$how: record left behind"
	ok "$how $scrub: parked at $event"
}

for how in forkexec vfork execl execlp execle execv execvp fexecve posix_spawn posix_spawnp system popen; do
	park_then_continue $how 'exec:*/target,mode=stop' exec
done
# these paths are handed a scrubbed environment (execle, fexecve pass their
# own; --scrub empties the spawner's own before system/popen)
for how in system popen posix_spawn vfork; do
	park_then_continue $how --scrub 'exec:*/target,mode=stop' exec
done
for how in fork vfork; do
	park_then_continue $how 'fork,mode=stop' fork
done

# A fork rule never parks what posix_spawn starts.
preload 'fork,mode=stop' "$H/spawner" posix_spawn "$H/target" >"$T/out" 2>"$T/err" ||
	fail "posix_spawn under a fork rule failed"
grep -q 'target main reached' "$T/out" || fail "posix_spawn: target did not run"
grep -q 'parked' "$T/err" && fail "posix_spawn child parked under a fork rule"
ok "posix_spawn: a fork rule does not apply"

# execvp/execlp search PATH as glibc does (libhold does the search itself,
# with raw system calls, since it may run in a vfork child): a bare name is
# found through PATH, a same-named file without execute permission earlier
# in PATH is skipped, and a script without #! is run by /bin/sh.
mkdir -p "$T/noexec" "$T/bin"
printf 'not a program\n' >"$T/noexec/target"
ln -s "$H/target" "$T/bin/target"
printf 'echo script without shebang ran\n' >"$T/bin/plainscript"
chmod +x "$T/bin/plainscript"
for how in execvp execlp; do
	PATH="$T/noexec:$T/bin:/usr/bin:/bin" preload 'exec:*/nomatch' \
		"$H/spawner" $how target >"$T/out" 2>"$T/err" || fail "$how: spawner failed"
	grep -q 'target main reached.*preload=yes' "$T/out" || fail "$how: PATH search failed: $(cat "$T/out" "$T/err")"
	PATH="$T/bin:/usr/bin:/bin" preload 'exec:*/nomatch' \
		"$H/spawner" $how plainscript >"$T/out" 2>"$T/err" || fail "$how: spawner failed"
	grep -qx 'script without shebang ran' "$T/out" || fail "$how: ENOEXEC fallback: $(cat "$T/out" "$T/err")"
	PATH="$T/noexec" preload 'exec:*/nomatch' "$H/spawner" $how target >"$T/out" 2>"$T/err"
	grep -q "^$how: Permission denied" "$T/err" || fail "$how: EACCES not reported: $(cat "$T/err")"
	ok "$how: PATH search, EACCES skip and error, ENOEXEC via /bin/sh"
done
