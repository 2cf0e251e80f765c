# SPDX-License-Identifier: MIT
# Debian's python3-cotyledon: a ServiceManager with 3 workers under hold
# run.  The master renames itself (setproctitle) before it forks, and forks
# the workers from its supervisor *thread*; the workers rename themselves
# after.  fork,arg=*svc.py still matches: arg= sees the argv the master
# started with.  Each worker parks right after its fork; hold ls lists 3;
# --py-bt on one shows cotyledon's frames down to the supervisor thread;
# the master neither respawns nor kills parked workers; release --all lets
# the service run; SIGTERM then stops it cleanly.
. "$(dirname "$0")/lib.sh"
need_py_bt
"$PYTHON3" -c 'import cotyledon' 2>/dev/null || skip "cotyledon is not installed (apt-get install python3-cotyledon)"
N=3

cat >"$T/svc.py" <<'PY'
import os
import cotyledon

def say(line):  # one write(2) per line: the workers share stdout
    os.write(1, (line + "\n").encode())

class Worker(cotyledon.Service):
    name = "hold-worker"

    def __init__(self, worker_id):
        super().__init__(worker_id)
        self.worker_id = worker_id

    def run(self):
        say("worker %d running in %d" % (self.worker_id, os.getpid()))

    def terminate(self):
        say("worker %d terminating" % self.worker_id)

manager = cotyledon.ServiceManager()
manager.add(Worker, workers=int(os.environ["N"]))
manager.run()
PY

cd "$T"
N=$N "$HOLD" run -r 'fork,arg=*svc.py' -- "$PYTHON3" svc.py >"$T/out" 2>"$T/err" &
master=$!
PIDS="$PIDS $master"
until_true "[ \"\$(nparked)\" = $N ]" 30 || fail "$(nparked) of $N workers parked: $(cat "$T/err")"
"$HOLD" ls >"$T/ls" || fail "hold ls failed"
[ "$(grep -c ' fork .*svc.py: master process' "$T/ls")" = $N ] || fail "hold ls: $(cat "$T/ls")"
ok "$N workers parked at fork (the master had renamed itself first): hold ls lists them"

pid=$(awk 'NR==2 {print $1}' "$T/ls")
"$HOLD" attach --py-bt "$pid" >"$T/bt" 2>&1 || fail "--py-bt: $(cat "$T/bt")"
for frame in 'cotyledon/_utils.py", line [0-9]*, in spawn_process' \
	'cotyledon/_service_manager.py", line [0-9]*, in _start_worker' \
	'cotyledon/_service_manager.py", line [0-9]*, in _child_supervisor_thread' \
	'threading.py", line [0-9]*, in _bootstrap'; do
	grep -q "$frame" "$T/bt" || fail "py-bt lacks '$frame': $(cat "$T/bt")"
done
ok "--py-bt shows cotyledon's frames, forked from the supervisor thread"

# The master's supervisor respawns only workers that died; parked ones
# are alive.  By now (gdb took over a second) it has looked: still the same
# N children, all parked, and no worker code has run.
[ "$(pgrep -P "$master" | sort | tr '\n' ' ')" = "$(records | sed 's/park-\([0-9]*\)-.*/\1/' | sort | tr '\n' ' ')" ] ||
	fail "the master's children are not the parked workers: $(pgrep -P "$master") vs $(records)"
[ "$(nparked)" = $N ] || fail "a parked worker went away"
grep -q running "$T/out" && fail "a worker ran while parked: $(cat "$T/out")"
ok "the master neither respawned nor killed the parked workers"

"$HOLD" release --all >"$T/rel" || fail "release --all: $(cat "$T/rel")"
until_true "[ \$(grep -c '^worker . running in' '$T/out') = $N ]" 20 ||
	fail "not every worker ran after release: $(cat "$T/out")"
for p in $(pgrep -P "$master"); do
	grep -q "running in $p\$" "$T/out" || fail "child $p of the master was not a released worker"
	tr '\0' ' ' <"/proc/$p/cmdline" | grep -q 'hold-worker worker(' ||
		fail "worker $p did not retitle itself: $(tr '\0' ' ' <"/proc/$p/cmdline")"
done
ok "released: every worker ran and retitled itself"

kill -TERM "$master"
wait "$master" || fail "the master exited $?: $(tail -5 "$T/err")"
[ "$(grep -c '^worker . terminating' "$T/out")" = $N ] || fail "$(cat "$T/out")"
ok "SIGTERM stops the service: every worker terminated, the master exited 0"
