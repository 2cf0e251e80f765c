# SPDX-License-Identifier: MIT
# After start-up holdd keeps no capability but CAP_KILL (root only) and is
# confined by its seccomp allow-list; it serves every request that way.
. "$(dirname "$0")/lib.sh"

start_holdd --foreground
st=/proc/$HOLDD_PID/status
want=0000000000000000
[ "$(id -u)" = 0 ] && want=0000000000000020 # CAP_KILL
[ "$(sed -n 's/^CapEff:[[:space:]]*//p' "$st")" = "$want" ] || fail "CapEff: $(grep CapEff "$st")"
[ "$(sed -n 's/^CapPrm:[[:space:]]*//p' "$st")" = "$want" ] || fail "CapPrm: $(grep CapPrm "$st")"
[ "$(sed -n 's/^Seccomp:[[:space:]]*//p' "$st")" = 2 ] || fail "not confined: $(grep Seccomp "$st")"
[ "$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "$st")" = 1 ] || fail "NoNewPrivs: $(grep NoNewPrivs "$st")"
ok "CapEff $want, Seccomp 2 (filter), NoNewPrivs 1"

# every request and report, under the filter (a disallowed call kills holdd)
"$HOLD" run -r 'exec:*/target' -r 'exec:*/scrub_exec,mode=stop' -- "$H/scrub_exec" "$H/target" x >"$T/out" 2>&1 &
runpid=$!
pid=$("$HOLD" wait --timeout 10 scrub_exec) || fail "no stop-mode park"
"$HOLD" ls >/dev/null && "$HOLD" tree >/dev/null && "$HOLD" release "$pid" >/dev/null || fail "requests"
pid=$("$HOLD" wait --timeout 10 target) || fail "no spin park"
"$HOLD" release --all >/dev/null || fail "release --all"
wait "$runpid"; [ $? = 3 ] || fail "run did not complete"
# a burst of reports: batched, journal written on its timer
"$HOLD" run -- sh -c 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done' || fail "burst"
until_true '[ "$("$HOLD" tree --json | grep -c "\"exited\": true")" -ge 300 ]' ||
	fail "the burst was not recorded"
kill -0 "$HOLDD_PID" || fail "holdd died under its filter: $(tail -n 3 "$T/holdd.log")"
kill -TERM "$HOLDD_PID"
wait "$HOLDD_PID"; rc=$?
[ $rc = 0 ] || fail "holdd's clean stop was killed by its filter (status $rc)"
[ -e "$HOLD_SOCKET" ] && fail "holdd left its socket behind"
ok "stop and spin parks, every request and a clean stop, all inside the filter"
