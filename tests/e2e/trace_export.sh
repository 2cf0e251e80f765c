# SPDX-License-Identifier: MIT
# hold log --trace FILE writes what holdd saw in the Trace Event Format,
# which Perfetto and chrome://tracing open.  The file is checked against
# the format's rules (a JSON object with traceEvents; each event's ph one
# of the kinds used, with its required fields: ts and dur in microseconds,
# not negative; an instant's scope; pid and tid integers; process names as
# metadata), and for what the run was: the processes as tracks named by
# their images, the park as a slice on the parked thread, with its rule,
# from the park to the release.
. "$(dirname "$0")/lib.sh"
PY=${PYTHON3:-python3}
start_holdd --foreground
"$HOLD" run -r 'exec:*/target' -- sh -c "'$H/target' x; echo done" >"$T/run.out" 2>&1 &
pid=$("$HOLD" wait --timeout 10 target) || fail "nothing parked"
"$HOLD" release "$pid" >/dev/null
until_true "grep -q done '$T/run.out'" || fail "the run did not end"
until_true "\"$HOLD\" log | grep -q '  exit     $pid\$'" || fail "no exit of $pid in the log"
"$HOLD" log --trace "$T/trace.json" 2>"$T/err" || fail "hold log --trace: $(cat "$T/err")"
grep -q "events written to $T/trace.json (open it in https://ui.perfetto.dev" "$T/err" || fail "said: $(cat "$T/err")"
"$PY" - "$T/trace.json" "$pid" <<'PYEOF' || fail "the trace: $(head -c 3000 "$T/trace.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
pid = int(sys.argv[2])
assert isinstance(doc, dict) and isinstance(doc["traceEvents"], list), "not the object form"
names, slices, parks, instants = {}, {}, [], []
for e in doc["traceEvents"]:
    ph = e["ph"]
    assert ph in ("M", "X", "i"), e
    assert isinstance(e["pid"], int) and isinstance(e["tid"], int), e
    assert isinstance(e["name"], str), e
    if ph == "M":
        assert e["name"] == "process_name" and isinstance(e["args"]["name"], str), e
        names[e["pid"]] = e["args"]["name"]
        continue
    assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0, e
    if ph == "X":
        assert isinstance(e["dur"], (int, float)) and e["dur"] >= 0, e
        (parks if e["cat"] == "park" else slices.setdefault(e["pid"], [])).append(e)
    else:
        assert e["s"] in ("g", "p", "t"), e
        instants.append(e)
assert names.get(pid) == "target", names
assert pid in slices and slices[pid][0]["args"]["exited"] is True, slices.get(pid)
mine = [p for p in parks if p["pid"] == pid and p["tid"] == pid]
assert len(mine) == 1, parks
p = mine[0]
assert p["name"] == "parked at exec" and p["args"]["rule"] == "exec:*/target" and p["args"]["released"], p
assert p["dur"] > 0, p
life = slices[pid][0]
assert life["ts"] <= p["ts"] and p["ts"] + p["dur"] <= life["ts"] + life["dur"] + 1, (life, p)
assert any(i["pid"] == pid and i["name"].startswith("exec ") and i["name"].endswith("/target")
           for i in instants), instants
assert "sh" in names.values(), names
PYEOF
"$HOLD" log --trace - -f >"$T/bad" 2>&1 && fail "--trace with -f was taken"
grep -q "takes no -f" "$T/bad" || fail "--trace -f: $(cat "$T/bad")"
ok "hold log --trace: Trace Event Format, checked; the processes as named tracks, the park a slice with its rule from park to release"
