# SPDX-License-Identifier: MIT
# holdd's journal reader survives any bytes: a crafted journal whose every
# record is whole and CRC-valid, built so that pruning during the replay
# frees a node that the snapshot's table of positions still holds, and a
# later node names it as its parent.  That was a use-after-free at every
# start -- a crash loop until the journal was removed.  Now holdd starts,
# and the nodes it could place are there.  (The sanitized suite runs this
# under ASan, which sees the use-after-free even where it does not crash.)
# A journal holdd cannot replay at all is moved aside, said in one line,
# and holdd starts with no trees.
. "$(dirname "$0")/lib.sh"
PY=${PYTHON3:-python3}
export PYTHONPATH=$HOLD_TOP_SRCDIR/tests/helpers

mkdir -p "$HOLD_STATE_DIR"
chmod 700 "$HOLD_STATE_DIR"
"$PY" - "$HOLD_STATE_DIR/journal" <<'EOF'
import sys, time, zlib, holdproto as p
now = time.time_ns()
recs = [
    p.msg(p.HELLO, (p.F_VERSION, p.VERSION)),            # a snapshot starts
    p.msg(p.NODE, (p.F_PID, 4000001), (p.F_PARENT, 0), (p.F_UID, 0), (p.F_SINCE_NS, 1),
          (p.F_FLAGS, p.FL_EXITED), (p.F_EXIT_NS, 1)),    # position 1: exited in 1970
    p.msg(p.FORK, (p.F_UID, 0), (p.F_PID, 4000100), (p.F_CHILD, 4000101),
          (p.F_SINCE_NS, now)),                           # prunes position 1
    p.msg(p.NODE, (p.F_PID, 4000002), (p.F_PARENT, 1), (p.F_UID, 0), (p.F_SINCE_NS, now),
          (p.F_PATH, "/bin/child"), (p.F_ARG, "child")),  # names position 1
]
with open(sys.argv[1], "wb") as f:
    for r in recs:
        f.write(zlib.crc32(r).to_bytes(4, "little") + r)
EOF
start_holdd --foreground
"$HOLD" tree --json >"$T/tree.json" || fail "hold tree after the crafted journal"
grep -q '"pid": 4000002' "$T/tree.json" || fail "the node after the prune is gone: $(cat "$T/tree.json")"
kill "$HOLDD_PID"
wait "$HOLDD_PID" 2>/dev/null
ok "a CRC-valid journal that prunes a node the snapshot still names: holdd starts, the tree is there"
