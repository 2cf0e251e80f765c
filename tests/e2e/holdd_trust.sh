# SPDX-License-Identifier: MIT
# Two uids share one holdd (socket 0660, group nogroup): each sees and
# releases only its own parks; root sees and releases everyone's.  The
# second uid is a bare number run through setpriv, so no account is made.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "two uids need root (to run a process as a second uid)"
command -v setpriv >/dev/null || skip "setpriv is missing (apt-get install util-linux)"
getent group nogroup >/dev/null || skip "no group nogroup to share the socket with"
U=4242
chmod 755 "$T"
mkdir -p "$T/urun" && chown $U "$T/urun"
as_user() { setpriv --reuid=$U --regid=65534 --clear-groups env HOLD_RUNTIME_DIR="$T/urun" "$@"; }

start_holdd --foreground --group nogroup
[ "$(stat -c '%a %G' "$HOLD_SOCKET")" = "660 nogroup" ] || fail "socket mode: $(stat -c '%a %G' "$HOLD_SOCKET")"
"$HOLD" run -r 'exec:*/target' -- "$H/target" x >"$T/root.out" 2>&1 &
rootrun=$!
as_user "$HOLD" run -r 'exec:*/target' -- "$H/target" x >"$T/user.out" 2>&1 &
userrun=$!
until_true '[ "$(nparked)" = 2 ]' || fail "two parks expected, root sees $(nparked): $(cat "$T/holdd.log")"
ok "root and uid $U each parked a process; root lists both"

as_user "$HOLD" ls --json >"$T/user.json" || fail "user's hold ls failed"
/usr/bin/python3 - "$T/user.json" "$U" <<'PY' || fail "the user saw more than its own: $(cat "$T/user.json")"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 1, d
assert os.stat("/proc/%d" % d[0]["pid"]).st_uid == int(sys.argv[2]), d
PY
b=$(sed -n 's/.*"pid": \([0-9]*\).*/\1/p' "$T/user.json")
for p in $("$HOLD" ls --json | sed -n 's/.*"pid": \([0-9]*\).*/\1/p'); do [ "$p" != "$b" ] && a=$p; done
as_user "$HOLD" tree --json | grep -q "\"pid\": $a," && fail "the user's tree shows root's $a"
ok "uid $U lists and sees in trees only its own process ($b, not $a)"

as_user "$HOLD" release "$a" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "pid $a is not parked, or not yours" "$T/err" || fail "user released root's: $rc $(cat "$T/err")"
[ "$(as_user "$HOLD" release --all)" = "released 1" ] || fail "user's release --all"
wait "$userrun"; [ $? = 3 ] || fail "the user's target did not complete"
[ "$(nparked)" = 1 ] && [ -d "/proc/$a" ] || fail "root's park did not stay"
ok "uid $U cannot release root's park; its --all releases only its own"

[ "$("$HOLD" release "$a")" = "released 1" ] || fail "root could not release its own"
wait "$rootrun"; [ $? = 3 ] || fail "root's target did not complete"
ok "root releases its own"
