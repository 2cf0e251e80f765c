# SPDX-License-Identifier: MIT
# A failed exec is recorded with its errno, as tracexec shows it: hold tree
# marks the process that tried it ("exec failed: ENOENT /no/such"), hold
# log has the exec with "failed: ENOENT" (JSON "failed"), and the trace
# file an instant; a process that then execs what exists is shown by that.
# libhold reports them (--preload: root's hold run would follow from the
# kernel, whose tracepoint sees only the execs that succeed).
. "$(dirname "$0")/lib.sh"
start_holdd --foreground
: >"$T/noexec" && chmod 644 "$T/noexec"
"$HOLD" run --preload -r 'exec:*/never-there' -- sh -c "/no/such/prog; '$T/noexec'; echo done" >"$T/out" 2>&1 ||
	true
grep -q done "$T/out" || fail "the run did not end: $(cat "$T/out")"
until_true "\"$HOLD\" tree 2>/dev/null | grep -q 'exec failed: EACCES'" ||
	fail "hold tree: $("$HOLD" tree 2>&1)"
"$HOLD" tree >"$T/tree" 2>&1
grep -q "\\[exec failed: ENOENT /no/such/prog\\]" "$T/tree" || fail "no ENOENT in the tree: $(cat "$T/tree")"
grep -q "\\[exec failed: EACCES $T/noexec\\]" "$T/tree" || fail "no EACCES in the tree: $(cat "$T/tree")"
"$HOLD" tree --json | grep -q '"exec_failed": "ENOENT /no/such/prog"' || fail "tree --json: $("$HOLD" tree --json)"
"$HOLD" log >"$T/log"
grep -Eq "  exec     [0-9]+ /no/such/prog  \\[failed: ENOENT\\]\$" "$T/log" || fail "hold log: $(cat "$T/log")"
"$HOLD" log --json | grep -q '"path": "/no/such/prog", .*' || fail "log --json path"
"$HOLD" log --json | grep -q '"failed": "EACCES"' || fail "log --json: $("$HOLD" log --json)"
"$HOLD" log --trace "$T/t.json" 2>/dev/null || fail "log --trace"
grep -q "exec failed (ENOENT) /no/such/prog" "$T/t.json" || fail "the trace has no failed exec"
ok "failed execs (ENOENT, EACCES): in hold tree, hold log (text and JSON) and the trace, with their errno"
