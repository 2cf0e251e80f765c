# SPDX-License-Identifier: MIT
# One of each hand-off kind and call, in a fixed order (tests/helpers/handoffs):
# accept4, recvmsg, read (__read_chk) on an abstract unix socket; recv on
# tcp:PORT; recvfrom on udp:PORT; readv on a pipe.  Each must park exactly
# once, with the right address; EAGAIN, end of file, a file, an unmatched
# socketpair, and an fd dup2'd from a pipe to a file must never park.
. "$(dirname "$0")/lib.sh"

nm -D "$H/handoffs" | grep -q '__read_chk' || fail "the helper does not call __read_chk"
port=$((20000 + $$ % 20000))
rules="accept:unix:@hold-t-*,timeout=0.05;recv:unix:@hold-t-*,timeout=0.05"
rules="$rules;recv:tcp:$port,timeout=0.05;recv:udp:$port,timeout=0.05;recv:pipe,timeout=0.05"
preload "$rules" "$H/handoffs" "$port" >"$T/out" 2>"$T/err" || fail "handoffs failed: $(cat "$T/err")"
grep -qx 'step done' "$T/out" || fail "the helper did not finish: $(cat "$T/out")"

sed -n 's/.* parked at \([a-z]*\) \(of [0-9]* bytes\|of fd [0-9]*\) on fd [0-9]* (\([a-z]*\):\([^,)]*\).*/\1 \3 \4/p' \
	"$T/err" | sed 's/pipe:\[[0-9]*\]/pipe/; s/@hold-t-[0-9]*/@hold-t/' >"$T/got"
pid=$(sed -n 's/^hold: pid \([0-9]*\) .* parked.*/\1/p' "$T/err" | head -n 1)
cat >"$T/want" <<TXT
accept unix @hold-t
recv unix @hold-t
recv unix @hold-t
recv tcp $port
recv udp $port
recv pipe [0-9]*
TXT
sed -i 's/^recv pipe.*/recv pipe/' "$T/got"
sed -i 's/^recv pipe.*/recv pipe/' "$T/want"
diff "$T/want" "$T/got" >"$T/diff" || fail "parks differ from the script: $(cat "$T/diff") -- $(cat "$T/err")"
ok "accept4, recvmsg, __read_chk, tcp recv, udp recvfrom, pipe readv: one park each"

[ "$(grep -c 'parked at' "$T/err")" = 6 ] || fail "extra parks: $(cat "$T/err")"
ok "EAGAIN, end of file, a file, an unmatched socketpair and a dup2'd-over fd never parked"

grep -q "parked at accept of fd [0-9]* on fd [0-9]* (unix:@hold-t-$pid, from pid $pid handoffs)" "$T/err" ||
	fail "accept line lacks the new fd or SO_PEERCRED peer: $(grep accept "$T/err")"
grep -q "parked at recv of 4 bytes on fd [0-9]* (pipe:\[[0-9]*\], from pid $pid handoffs)" "$T/err" ||
	fail "pipe line lacks the writer: $(grep pipe "$T/err")"
ok "the park lines name the new fd, the byte count and the sender"
