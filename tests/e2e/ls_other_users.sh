# SPDX-License-Identifier: MIT
# Root's hold ls asks root's holdd; a user's own holdd keeps that user's
# parks, which root would not see.  hold ls, as root, says so: how many,
# in which runtime directory, whose.
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
grep -q "other users' holdds hold parks, not listed here: 1 in $dir (uid $uid_a)" "$T/ls.err" ||
	fail "root's hold ls did not mention A's park: $(cat "$T/ls.err")"
ok "root's hold ls says that user A's own holdd holds a park, where, and how to list it"
setpriv --reuid="$USER_A" --regid="$HGROUP" --init-groups env -u HOLD_RUNTIME_DIR -u HOLD_SOCKET \
	-u XDG_RUNTIME_DIR "$HOLD" release --all >/dev/null
