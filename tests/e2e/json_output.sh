# SPDX-License-Identifier: MIT
# JSON for scripts: argv is a list of strings, bytes that are not UTF-8
# come out as \udcXX (lossless: Python's surrogateescape undoes it), every
# object says its format version, and the same field means the same thing
# in hold ls and hold tree -- from holdd, and from the park records when
# no holdd answers.
. "$(dirname "$0")/lib.sh"
PY=${PYTHON3:-python3}

start_holdd --foreground
"$HOLD" run -r 'exec:*/target' -- "$H/target" 'a b' "$(printf 'x\377y')" >"$T/out" 2>"$T/err" &
PIDS="$PIDS $!"
until_true '[ "$(nparked)" = 1 ]' || fail "nothing parked: $(cat "$T/err")"

check() { # WHAT FILE: the document parses as strict UTF-8 JSON, argv intact
	"$PY" - "$1" "$2" "$H/target" <<'PYEOF' || fail "$1: $(cat "$2")"
import json, sys
what, path, target = sys.argv[1:]
raw = open(path, "rb").read()
doc = json.loads(raw.decode("utf-8"))  # strict: raises on invalid UTF-8
rows = [r for r in doc if (r.get("argv") or [None])[0] == target]
assert len(rows) == 1, rows
r = rows[0]
assert r["version"] == 1, r
assert r["argv"][1] == "a b", r["argv"]
assert [a.encode("utf-8", "surrogateescape") for a in r["argv"]] == \
    [target.encode(), b"a b", b"x\xffy"], r["argv"]
print(what, "ok")
PYEOF
}
"$HOLD" ls --json >"$T/ls.json" || fail "hold ls --json"
check "hold ls --json" "$T/ls.json"
"$HOLD" tree --json >"$T/tree.json" || fail "hold tree --json"
check "hold tree --json" "$T/tree.json"
"$PY" - "$T/tree.json" "$H/target" <<'PYEOF' || fail "tree's path: $(cat "$T/tree.json")"
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r["argv"][:1] == [sys.argv[2]]]
assert rows[0]["path"] == sys.argv[2] and "exe" not in rows[0], rows
PYEOF
ok "ls and tree: argv a list, a space kept inside its element, byte 0xff as \\udcff, version 1"

# no holdd: hold ls reads the park record, which keeps argv's elements
kill -STOP "$HOLDD_PID"
HOLD_SOCKET=$T/none.sock "$HOLD" ls --json >"$T/rec.json" 2>"$T/rec.err" || fail "hold ls from records: $(cat "$T/rec.err")"
kill -CONT "$HOLDD_PID"
check "hold ls --json from the records" "$T/rec.json"
ok "from the park record too"
"$HOLD" release --all >/dev/null
