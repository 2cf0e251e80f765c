# SPDX-License-Identifier: MIT
# hold attach --pdb: pdb in a parked CPython worker, driven by piped
# commands.  An os.fork() worker (and one under a venv's copied python, and
# multiprocessing's fork and forkserver workers) stops at the next line of
# the function that forked, `w` shows the real stack, `p os.getpid()` the worker's pid,
# and `c` lets it finish and ends the session.  A cotyledon worker (Debian's
# python3-cotyledon) stops in multiprocessing's fork under cotyledon's
# spawn_process, and `c` lets it run.
# A C program is refused in words.
. "$(dirname "$0")/lib.sh"
need_gdb
PY=${PYTHON3:-python3}
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 8))' || skip "needs Python 3.8 or newer"
cat >"$T/svc.py" <<'PY'
import os
def spawn_worker(n):
    pid = os.fork()
    if pid == 0:
        x = 41 + n
        print("worker", n, "ran", x, flush=True)
        os._exit(0)
    return pid
def main():
    os.waitpid(spawn_worker(1), 0)
    print("service done", flush=True)
main()
PY
start_holdd --foreground
"$HOLD" run -r 'fork,comm=python*' -- "$PY" "$T/svc.py" >"$T/out" 2>"$T/err" &
run=$!
pid=$("$HOLD" wait --timeout 20) || fail "no park: $(cat "$T/err")"
printf 'w\np os.getpid()\nn\nn\np x\nc\n' | timeout 60 "$HOLD" attach --pdb "$pid" >"$T/pdb" 2>"$T/pdb.err" ||
	fail "attach --pdb: $(cat "$T/pdb" "$T/pdb.err")"
grep -q "^> $T/svc.py(4)spawn_worker()" "$T/pdb" || fail "pdb did not stop after os.fork in spawn_worker: $(cat "$T/pdb")"
grep -q "svc.py(10)main()" "$T/pdb" || fail "w did not show the caller frames: $(cat "$T/pdb")"
grep -q "^(Pdb) $pid$" "$T/pdb" || fail "p os.getpid() did not print the worker's pid $pid: $(cat "$T/pdb")"
grep -q "^(Pdb) 42$" "$T/pdb" || fail "p x after two steps: $(cat "$T/pdb")"
wait "$run" || fail "the service failed: $(cat "$T/err")"
grep -q "worker 1 ran 42" "$T/out" && grep -q "service done" "$T/out" || fail "output: $(cat "$T/out")"
ok "os.fork worker: pdb at the line after the fork, w, p os.getpid() = $pid, steps; c lets it finish"

# a breakpoint set in pdb holds after c, while the session is open; the
# session ends when the worker does
"$HOLD" run -r 'fork,comm=python*' -- "$PY" "$T/svc.py" >"$T/out" 2>"$T/err" &
run=$!
pid=$("$HOLD" wait --timeout 20) || fail "no second park"
printf 'b 6\nc\np x\nc\n' | timeout 60 "$HOLD" attach --pdb "$pid" >"$T/pdb2" 2>&1 || fail "b/c: $(cat "$T/pdb2")"
grep -q "> $T/svc.py(6)spawn_worker()" "$T/pdb2" && grep -q "^(Pdb) 42$" "$T/pdb2" ||
	fail "the breakpoint at line 6 did not stop it after c: $(cat "$T/pdb2")"
wait "$run" || fail "the service failed after the breakpoint"
ok "b 6, c: pdb stopped at the breakpoint (p x = 42); the next c ran the worker to its end"

# no commands at all (stdin at its end): pdb reads EOF, lets go, and the
# worker runs to its end; hold attach does not wait for ever
"$HOLD" run -r 'fork,comm=python*' -- "$PY" "$T/svc.py" >"$T/out" 2>"$T/err" &
run=$!
pid=$("$HOLD" wait --timeout 20) || fail "no third park"
timeout 60 "$HOLD" attach --pdb "$pid" </dev/null >"$T/pdb3" 2>&1 || fail "--pdb </dev/null: $(cat "$T/pdb3")"
wait "$run" && grep -q "worker 1 ran 42" "$T/out" || fail "the worker did not run on after EOF: $(cat "$T/out" "$T/pdb3")"
ok "stdin at its end: pdb lets go and the worker finishes"

# multiprocessing, both start methods: pdb in the pool's worker right after
# its fork (popen_fork's _launch; the forkserver's main loop), and c lets the
# pool finish
cat >"$T/mp.py" <<'PY'
import multiprocessing as mp, os, sys
def work(n):
    return os.getpid()
if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    with mp.Pool(1) as p:
        print("result", p.map(work, [21]), flush=True)
PY
for m in fork forkserver; do
	if [ $m = fork ]; then rule='fork,comm=python*,count=1'; else rule='fork,arg=*multiprocessing.forkserver*,count=1'; fi
	"$HOLD" run -r "$rule" -- "$PY" "$T/mp.py" $m >"$T/mp.out" 2>&1 &
	mp=$!
	pid=$("$HOLD" wait --timeout 20) || fail "$m: no park: $(cat "$T/mp.out")"
	printf 'w\nc\n' | timeout 60 "$HOLD" attach --pdb "$pid" >"$T/mpdb" 2>&1 || fail "$m --pdb: $(cat "$T/mpdb")"
	[ $m = fork ] && want='popen_fork.py([0-9]*)_launch()' || want='forkserver.py([0-9]*)main()'
	grep -q "^> .*multiprocessing/$want" "$T/mpdb" || fail "$m: pdb stopped elsewhere: $(cat "$T/mpdb")"
	wait "$mp" || fail "$m: the pool failed: $(cat "$T/mp.out")"
	grep -q "^result \[$pid\]" "$T/mp.out" || fail "$m: the parked worker did not do the work: $(cat "$T/mp.out")"
	ok "multiprocessing $m: pdb in the worker after its fork; c, and worker $pid did the pool's work"
done

# a thread parked in recv: pdb at the next line of its Python caller, with
# the data received in hand
cat >"$T/srv.py" <<'PY'
import os, socket, sys, threading
def handle(conn):
    data = conn.recv(64)
    reply = b"got " + data
    conn.sendall(reply)
    conn.close()
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
c, _ = s.accept()
t = threading.Thread(target=handle, args=(c,))
t.start()
t.join()
print("server done", flush=True)
PY
# serve_ping: srv.py under hold run, a client sends "ping"; sets srv, cl and
# w (the parked thread)
serve_ping() {
	rm -f "$T/srv.sock"
	"$HOLD" run -r 'recv:unix:*/srv.sock' -- "$PY" "$T/srv.py" "$T/srv.sock" >"$T/sout" 2>&1 &
	srv=$!
	until_true "[ -S $T/srv.sock ]" || fail "the server did not start"
	"$PY" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"ping"); print("client:", s.recv(64))' \
		"$T/srv.sock" >"$T/cout2" 2>&1 &
	cl=$!
	w=$("$HOLD" wait --timeout 10) || fail "no recv park"
}
serve_ping
printf 'p data\nn\np reply\nc\n' | timeout 60 "$HOLD" attach --pdb "$w" >"$T/rpdb" 2>&1 || fail "recv --pdb: $(cat "$T/rpdb")"
grep -q "^> $T/srv.py(4)handle()" "$T/rpdb" && grep -q "^(Pdb) b'ping'$" "$T/rpdb" &&
	grep -q "^(Pdb) b'got ping'$" "$T/rpdb" || fail "recv: $(cat "$T/rpdb")"
wait "$cl" && wait "$srv" && grep -q "client: b'got ping'" "$T/cout2" || fail "recv: the exchange did not finish"
ok "a thread parked in recv ($w): pdb at the line after conn.recv in handle(), p data = b'ping'; c"

# without the interpreter's debug symbols gdb cannot tell where a thread's
# Python caller is: --pdb on a recv park refuses, naming the package, and it
# stays parked; --py-bt says the same (gdb pointed away from /usr/lib/debug)
serve_ping
"$HOLD" attach --pdb "$w" -- -iex "set debug-file-directory $T/none" </dev/null >"$T/npdb" 2>&1 && fail "--pdb without symbols succeeded"
pkg=$(dpkg -S "$(realpath "$PY")" 2>/dev/null) && want="apt-get install python[0-9.]*-dbg" || want="rebuild that Python with -g"
grep -q "gdb finds no debug symbols for .*python.*$want; it stays parked" "$T/npdb" || fail "--pdb without symbols: $(cat "$T/npdb")"
"$HOLD" attach --py-bt "$w" -- -iex "set debug-file-directory $T/none" >"$T/nbt" 2>&1
grep -q "gdb finds no debug symbols for .*$want" "$T/nbt" || fail "--py-bt without symbols: $(cat "$T/nbt")"
"$HOLD" ls | grep -q "^${w%/*} *${w#*/} " || fail "refused, yet no longer parked"
"$HOLD" release "$w" >/dev/null
wait "$cl" && wait "$srv" || fail "the exchange did not finish after the release"
ok "no debug symbols: --pdb and --py-bt say which (${want%% *} ...), and the thread stays parked until released"

# a program that embeds Python (as mod_wsgi does): a C thread parked in
# recv, no Python on its stack.  pdb stops at the first line of the first
# Python function C calls after the release (module code passed over).
# Interrupted while it waits, hold attach lets go and the program runs on.
PYCONFIG=$("$PY" -c 'import os, sys; print("%s/python%d.%d-config" % ((os.path.dirname(os.path.realpath(sys.executable)),) + sys.version_info[:2]))')
if [ -x "$PYCONFIG" ] && [ -f "$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("INCLUDEPY"))')/Python.h" ]; then
	cat >"$T/embed.c" <<'C'
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
static int sv[2];
static const char *gate;
static void *worker(void *arg)
{
	char buf[64], c;
	ssize_t n = recv(sv[1], buf, sizeof(buf), 0); /* parks here */
	if (gate) { /* C work before any Python */
		int fd = open(gate, O_RDONLY);
		if (fd < 0 || read(fd, &c, 1) != 1)
			return NULL;
		close(fd);
	}
	PyGILState_STATE g = PyGILState_Ensure();
	PyObject *mod = PyImport_ImportModule("handler");
	PyObject *r = mod ? PyObject_CallMethod(mod, "handle", "y#", buf, (Py_ssize_t)n) : NULL;
	if (!r)
		PyErr_Print();
	else
		printf("handled %ld\n", PyLong_AsLong(r));
	fflush(stdout);
	Py_XDECREF(r);
	Py_XDECREF(mod);
	PyGILState_Release(g);
	return arg;
}
int main(int argc, char **argv)
{
	pthread_t t;
	gate = argc > 1 ? argv[1] : NULL;
	Py_Initialize();
	PyRun_SimpleString("import sys; sys.path.insert(0, '.')");
	PyThreadState *ts = PyEval_SaveThread();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pthread_create(&t, NULL, worker, NULL))
		return 1;
	send(sv[0], "hello", 5, 0);
	pthread_join(t, NULL);
	PyEval_RestoreThread(ts);
	return Py_FinalizeEx() < 0;
}
C
	printf 'import os\nLOADED = os.getpid()\ndef handle(msg):\n    n = len(msg)\n    return n * 2\n' >"$T/handler.py"
	# shellcheck disable=SC2046
	cc -o "$T/embed" $("$PYCONFIG" --cflags) "$T/embed.c" $("$PYCONFIG" --embed --ldflags) -lpthread ||
		fail "cannot build the embedding program"
	(cd "$T" && exec "$HOLD" run -r 'recv:unix,comm=embed' -- ./embed) >"$T/eout" 2>&1 &
	emb=$!
	w=$("$HOLD" wait --timeout 10) || fail "embed: no recv park: $(cat "$T/eout")"
	[ "${w%/*}" != "${w#*/}" ] || fail "embed: parked $w, not its C thread"
	printf 'p msg\nn\np n\nc\n' | timeout 60 "$HOLD" attach --pdb "$w" >"$T/epdb" 2>&1 || fail "embed --pdb: $(cat "$T/epdb")"
	grep -q "^> $T/handler.py(4)handle()" "$T/epdb" && grep -q "^(Pdb) b'hello'$" "$T/epdb" &&
		grep -q "^(Pdb) 5$" "$T/epdb" || fail "embed: pdb did not stop in handle(): $(cat "$T/epdb")"
	wait "$emb" && grep -q "^handled 10$" "$T/eout" || fail "embed: $(cat "$T/eout")"
	ok "a C thread of a program embedding Python ($w): pdb at handle()'s first line, p msg = b'hello'; c"

	mkfifo "$T/gate"
	(cd "$T" && exec "$HOLD" run -r 'recv:unix,comm=embed' -- ./embed "$T/gate") >"$T/eout" 2>&1 &
	emb=$!
	w=$("$HOLD" wait --timeout 10) || fail "embed: no second park"
	# its own process group, as a terminal's Ctrl-C reaches hold and gdb
	setsid sh -c 'echo $$ >"$1/agroup"; exec "$2" attach --pdb "$3" </dev/null >"$1/ipdb" 2>&1' sh "$T" "$HOLD" "$w" &
	att=$!
	until_true "grep -q '^[0-9]' $T/agroup 2>/dev/null && ! \"$HOLD\" ls | grep -q '^${w%/*} '" ||
		fail "embed: hold attach did not release it: $(cat "$T/ipdb")"
	kill -INT -- "-$(cat "$T/agroup")"
	wait "$att" && fail "an interrupted hold attach --pdb exited 0"
	grep -q "interrupted: pdb not started; pid ${w%/*} runs on" "$T/ipdb" || fail "embed: Ctrl-C: $(cat "$T/ipdb")"
	echo go >"$T/gate"
	wait "$emb" && grep -q "^handled 10$" "$T/eout" || fail "embed after Ctrl-C: $(cat "$T/eout")"
	ok "Ctrl-C while hold attach --pdb waits for Python: it says so, lets go, and the program runs on"
else
	echo "# python3.X-config and Python.h are not installed (apt-get install python3-dev): embedding part skipped"
fi

# a venv's copied interpreter
"$PY" -m venv --copies --without-pip "$T/venv" || fail "cannot make a venv"
"$HOLD" run -r 'fork,comm=python*' -- "$T/venv/bin/python" "$T/svc.py" >"$T/vout" 2>&1 &
vrun=$!
pid=$("$HOLD" wait --timeout 20) || fail "venv: no park"
printf 'p os.getpid()\nc\n' | timeout 60 "$HOLD" attach --pdb "$pid" >"$T/vpdb" 2>&1 || fail "venv --pdb: $(cat "$T/vpdb")"
grep -q "^> $T/svc.py(4)spawn_worker()" "$T/vpdb" && grep -q "^(Pdb) $pid$" "$T/vpdb" || fail "venv: $(cat "$T/vpdb")"
wait "$vrun" || fail "venv: the service failed"
ok "a venv's copied interpreter: pdb in the worker, c lets it finish"

if "$PY" -c 'import cotyledon' 2>/dev/null; then
	cat >"$T/cot.py" <<'PY'
import os
import cotyledon
class Worker(cotyledon.Service):
    name = "hold-worker"
    def run(self):
        os.write(1, ("worker running in %d\n" % os.getpid()).encode())
manager = cotyledon.ServiceManager()
manager.add(Worker, workers=1)
manager.run()
PY
	(cd "$T" && exec "$HOLD" run -r 'fork,arg=*cot.py,count=1' -- "$PY" cot.py >"$T/cout" 2>"$T/cerr") &
	cot=$!
	PIDS="$PIDS $cot"
	pid=$("$HOLD" wait --timeout 20) || fail "no cotyledon worker parked: $(cat "$T/cerr")"
	printf 'w\np os.getpid()\nc\n' | timeout 60 "$HOLD" attach --pdb "$pid" >"$T/cpdb" 2>&1 ||
		fail "cotyledon --pdb: $(cat "$T/cpdb")"
	# cotyledon starts its workers through multiprocessing: os.fork is
	# called by popen_fork's _launch, under cotyledon's spawn_process
	grep -q "^> .*multiprocessing/popen_fork.py([0-9]*)_launch()" "$T/cpdb" &&
		grep -q "cotyledon/_utils.py([0-9]*)spawn_process()" "$T/cpdb" && grep -q "^(Pdb) $pid$" "$T/cpdb" ||
		fail "cotyledon: pdb did not stop after the fork of $pid: $(cat "$T/cpdb")"
	until_true "grep -q 'worker running in $pid' $T/cout" || fail "the cotyledon worker did not run on"
	kill -TERM "$cot"
	ok "cotyledon worker: pdb after the fork (popen_fork under spawn_process), p os.getpid() = $pid; c lets it run"
else
	echo "# cotyledon is not installed (apt-get install python3-cotyledon): that part skipped"
fi

"$HOLD" run -r 'exec:*/target' -- "$H/target" x >"$T/tout" 2>&1 &
pid=$("$HOLD" wait --timeout 10 target) || fail "no C park"
"$HOLD" attach --pdb "$pid" >"$T/c" 2>&1 && fail "--pdb on a C program succeeded"
grep -q "is not a CPython process" "$T/c" || fail "C target: $(cat "$T/c")"
"$HOLD" ls | grep -q "^$pid " || fail "the refusal released the C program"
"$HOLD" release "$pid" >/dev/null
ok "--pdb on a C program is refused in words"
