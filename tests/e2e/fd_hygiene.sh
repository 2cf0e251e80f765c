# SPDX-License-Identifier: MIT
# A child that closes fds 2..1023 and dup2s pipes onto fds 2, 3 and 4:
# libhold writes nothing into 3 and 4, and into fd 2 only from the image
# that started with it as stderr (the exec'd target), never from the forked
# child that found fd 2 replaced.
. "$(dirname "$0")/lib.sh"

preload 'fork,comm=fdcloser,timeout=0.01;exec:*/target,timeout=0.01' \
	"$H/fdcloser" "$H/target" >"$T/out" 2>"$T/err" || fail "fdcloser failed"
grep -qx 'A: 0 bytes' "$T/out" || fail "libhold wrote into fd 3: $(cat "$T/out")"
grep -qx 'B: 0 bytes' "$T/out" || fail "libhold wrote into fd 4: $(cat "$T/out")"
grep -q '^C: hold: .*(target) parked at exec' "$T/out" || fail "exec'd image's stderr line missing: $(cat "$T/out")"
grep -q '^C: .*parked at fork' "$T/out" && fail "forked child wrote into a reused fd 2"
grep -qx 'child exited 0' "$T/out" || fail "$(cat "$T/out")"
[ "$(grep -c 'parked at fork' "$T/err")" = 1 ] || fail "first child's park not on the real stderr"
ok "no byte from libhold on reused descriptors"
