# SPDX-License-Identifier: MIT
# Bad days: no process left for a stopped park's watchdog, no fd left for
# a park's record or connection, a HOLD_SOCKET that names a file, a
# HOLD_RULES_FILE that is a FIFO, a HOLD_RULES too long to keep, and a
# set-uid program linked with -lhold started with hostile settings.  Each
# says what happened, parks visibly or not at all, and breaks nothing.
. "$(dirname "$0")/lib.sh"

# HOLD_SOCKET naming a regular file: holdd does not start, and does not
# delete the file
echo "precious" >"$T/file"
"$HOLDD" --foreground --socket "$T/file" >"$T/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "$T/file is a file of uid [0-9]*, not a socket holdd left: not removing it" "$T/out" ||
	fail "holdd on a file: rc $rc, $(cat "$T/out")"
[ "$(cat "$T/file")" = precious ] || fail "holdd removed or changed the file"
ok "holdd will not take a regular file for its socket, nor remove it"

# HOLD_RULES_FILE naming a FIFO: the program runs, and is told why
mkfifo "$T/fifo"
env LD_PRELOAD="$HOLD_LIB" HOLD_RULES_FILE="$T/fifo" timeout 10 "$H/target" x >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 3 ] || fail "a FIFO as HOLD_RULES_FILE: rc $rc (124: it hung before main)"
grep -q "cannot read HOLD_RULES_FILE $T/fifo is not a regular file" "$T/err" || fail "not said: $(cat "$T/err")"
ok "a FIFO as HOLD_RULES_FILE is refused at once"

# 14 KB of HOLD_RULES: the first 32 rules hold, and the rest and the
# length are each said once
rules=$(/usr/bin/python3 -c "print(';'.join(['exec:*/target,mode=stop'] + ['exec:*/t%04d' % i for i in range(1100)]))")
env LD_PRELOAD="$HOLD_LIB" HOLD_RULES="$rules" "$H/target" x >"$T/out" 2>"$T/err" &
PIDS="$PIDS $!"
until_true "[ \"\$(nrecords)\" = 1 ]" || fail "the first rule of a long HOLD_RULES did not park: $(cat "$T/err")"
grep -q "HOLD_RULES is too long to pass on" "$T/err" || fail "the length is not said: $(cat "$T/err")"
[ "$(grep -c "too many rules (at most 32)" "$T/err")" = 1 ] || fail "too many rules: $(cat "$T/err")"
kill -CONT "$(record_pid)"
ok "14 KB of HOLD_RULES: its first rule parks; what is lost is said once"

# a target with no fd left: no record, no connection -- so no park
env HOLD_SOCKET="$T/nosuch.sock" LD_PRELOAD="$HOLD_LIB" HOLD_RULES='exec:*/target' \
	sh -c "ulimit -n 4; exec timeout 10 \"$H/target\" x" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 3 ] || fail "a park with no fd left: rc $rc (124: parked where nobody could see), $(cat "$T/err")"
grep -q "not parked at exec by rule 'exec:\*/target': no park record could be written and no holdd answers" "$T/err" ||
	fail "not said: $(cat "$T/err")"
ok "with no fd left a park cannot be seen, so it is not made, and that is said"

need_users
as "$USER_A" true
# no process left for a stopped park's watchdog: it spins instead, and its
# timeout holds
as "$USER_A" timeout 20 prlimit --nproc=1:1 env LD_PRELOAD="$HOLD_LIB" \
	HOLD_RULES='exec:*/target,mode=stop,timeout=1' "$H/target" x >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 3 ] || fail "a stopped park with no watchdog: rc $rc (124: stopped for ever), $(cat "$T/err")"
grep -q "cannot start the watchdog that ends a stopped park's timeout (too many processes?): parking spinning instead of stopped" "$T/err" &&
	grep -q "released (timeout)" "$T/err" || fail "not said, or not by its timeout: $(cat "$T/err")"
ok "no process for the watchdog: the park spins and its timeout holds"

# set-uid root, linked with -lhold: HOLD_* from the caller are not read
cc -o "$T/suid" -x c - -I"$HOLD_TOP_SRCDIR/libhold" -L"$HOLD_TOP_BUILDDIR/libhold/.libs" \
	-Wl,-rpath,"$HOLD_TOP_BUILDDIR/libhold/.libs" -lhold <<'EOF' || fail "cannot build the set-uid program"
#include <hold.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	if (argc > 1) /* never here: a use of libhold, so that it is linked */
		hold_here(argv[1]);
	return geteuid() == 0 ? 0 : 1;
}
EOF
ldd "$T/suid" | grep -q libhold || fail "the set-uid program is not linked with libhold: $(ldd "$T/suid")"
chmod 4755 "$T/suid"
as "$USER_A" env HOLD_RULES_FILE=/etc/shadow HOLD_RULES='exec:*/x,count=1' \
	HOLD_RUNTIME_DIR="$T/made-by-root/here" "$T/suid" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "the set-uid program did not run as root: rc $rc, $(cat "$T/err")"
grep -q root: "$T/err" && fail "libhold printed /etc/shadow: $(cat "$T/err")"
[ -e "$T/made-by-root" ] && fail "libhold made directories where the caller said: $(ls -ld "$T/made-by-root")"
grep -q "a set-uid or set-gid program: its HOLD_\* settings are ignored" "$T/err" || fail "not said: $(cat "$T/err")"
ok "a set-uid program linked with -lhold reads no HOLD_* setting"
