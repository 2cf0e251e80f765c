# SPDX-License-Identifier: MIT
# The README's quick start, as written, against an installed hold (make
# install into a scratch root, its bin first on PATH, nothing of the build
# tree in the environment): sleep parks, is listed and waited for, gdb
# shows the park and it runs on.  And the walkthrough's programs are where
# the README says.
. "$(dirname "$0")/lib.sh"
need_gdb
S=$HOLD_TOP_SRCDIR
make -s -C "$B" install DESTDIR="$T/inst" >"$T/install.log" 2>&1 || fail "make install: $(tail -n 5 "$T/install.log")"
PREFIX=$(sed -n 's/^prefix = //p' "$B/Makefile")
awk '/<!-- quickstart:/ { on = 1; next } on == 1 && /^```/ { on = 2; next }
	on == 2 && /^```/ { exit } on == 2' "$S/README.md" >"$T/quick.sh"
[ "$(wc -l <"$T/quick.sh")" -ge 4 ] || fail "no quick start in the README: $(cat "$T/quick.sh")"
grep -q "hold run" "$T/quick.sh" && grep -q "hold attach" "$T/quick.sh" || fail "the quick start: $(cat "$T/quick.sh")"
# the installed hold finds the installed holdd, libhold and hold-gdb.py
env -u HOLD_LIB -u HOLDD -u HOLD_GDB_SCRIPT PATH="$T/inst$PREFIX/bin:$PATH" \
	sh -e "$T/quick.sh" >"$T/quick.out" 2>&1 || fail "the quick start failed: $(cat "$T/quick.out")"
grep -q "^slept$" "$T/quick.out" || fail "sleep did not run on: $(cat "$T/quick.out")"
grep -q "exec:\*/sleep" "$T/quick.out" || fail "hold ls did not list the park: $(cat "$T/quick.out")"
grep -q "hold_park\|#0 " "$T/quick.out" || fail "gdb showed no stack: $(cat "$T/quick.out")"
ok "the README's quick start, with an installed hold: parked, listed, attached, ran on"

[ -x "$B/examples/minivirtd" ] && [ -x "$B/examples/mini-qemu" ] && [ -x "$B/examples/minivirsh" ] ||
	fail "the walkthrough's programs are not in build/examples"
tr '\n' ' ' <"$S/README.md" | grep -q 'PATH=$PWD/build/examples:$PATH' ||
	fail "the README does not say where the walkthrough's programs are"
ok "the walkthrough's programs are in build/examples, as the README says"
