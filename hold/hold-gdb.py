# SPDX-License-Identifier: MIT
# hold-gdb.py - hold's side of gdb.  `hold attach` loads it; you may too
# (source /usr/local/share/hold/hold-gdb.py).  Commands:
#
#   hold ls                    what is parked (hold ls)
#   hold release [PID[/TID]]   release a park (default: this inferior's)
#   hold next [GLOB]           wait for the next park (hold wait), attach it
#                              as a new inferior, release it and continue:
#                              the breakpoints you set hit there too
#
# and the steps `hold attach` runs, in this order, so that a park is never
# released into the unknown: hold-setup (select the parked thread and its
# hold_park frame), hold-break LOCATION / hold-source FILE (each checked),
# hold-go (every breakpoint resolved, else say which, detach, leave it
# parked and quit 1; then release without stopping on hold's own SIGCONT).
import json
import os
import re
import shlex
import signal
import struct
import subprocess

import gdb

HOLD = os.environ.get("HOLD_CLI") or "hold"
HOST = os.environ.get("HOLD_HOST")  # hold attach --host: the park is on HOST


def _hold(*args):
    """The hold command line for args: here, or on HOST through ssh."""
    if not HOST:
        return [HOLD] + list(args)
    remote = os.environ.get("HOLD_REMOTE") or "hold"
    return (shlex.split(os.environ.get("HOLD_SSH") or "ssh") + ["-T", HOST, "--"] +
            [remote + "".join(" " + shlex.quote(a) for a in args)])


class _State:
    pending = False  # may breakpoints stay pending (--pending)?
    failed = []  # what could not be set: (what, why)
    preexec = False  # parked before exec'ing an image libhold cannot enter
    deferred = []  # preexec: gdb commands for the new image, after the exec


def _say(msg, who="hold"):
    gdb.write("%s: %s\n" % (who, msg), gdb.STDERR)


def _in_libhold(f):
    """Is frame f libhold's own (the park, its interposers), or the dynamic
    loader's (which runs libhold's constructor: an exec park)?"""
    try:
        name = gdb.solib_name(f.pc())
    except gdb.error:
        return False
    return bool(name) and os.path.basename(name).startswith(("libhold", "ld-linux", "ld-"))


def _select(tid, user=False):
    """Switch to the thread whose LWP is tid, and to its hold_park frame --
    or, user, to the first frame that is not libhold's (where the program
    called what parked it), saying so in one line.  hold = 0 is set in
    hold_park's frame."""
    inf = gdb.selected_inferior()
    for t in inf.threads():
        if t.ptid[1] == tid:
            t.switch()
            break
    else:
        raise gdb.GdbError("thread %d is not in pid %d" % (tid, inf.pid))
    frames, f = [], gdb.newest_frame()
    while f is not None and len(frames) < 64:
        frames.append(f)
        f = f.older()
    park = next((f for f in frames if f.name() == "hold_park"), None)
    # the program's: not libhold's or the loader's, and a function gdb
    # knows (past the loader, an exec park's unwinding runs into garbage)
    mine = next((i for i, f in enumerate(frames) if not _in_libhold(f) and f.name()), None)
    if user and park is not None and mine is None:  # in libhold's constructor
        park.select()
        _say("the program has not started (parked at its exec, in libhold's constructor): "
             "`continue` leaves it parked until it is released, and then main runs")
    elif user and park is not None and mine:  # a park of libhold's, called from there
        f = frames[mine]
        sal = f.find_sal()
        where = "%s:%d" % (sal.symtab.filename, sal.line) if sal.symtab else "%#x" % f.pc()
        f.select()
        _say("frame #%d, %s at %s, is the program's: libhold's park is below it (frame "
             "function hold_park); `continue` leaves it parked until it is released"
             % (mine, f.name() or "??", where))
    elif park is not None:
        park.select()


def _park_of(pid, tid=0):
    """The park of pid (and tid), as hold ls --json says; None if none."""
    out = subprocess.run(_hold("ls", "--json"), capture_output=True, text=True)
    try:
        parks = json.loads(out.stdout or "[]")
    except ValueError:
        return None
    for p in parks:
        if p["pid"] == pid and (not tid or p["tid"] == tid):
            return p
    return None


def _elf_sections(path):
    """Section names of an ELF file (empty if it cannot be read)."""
    try:
        with open(path, "rb") as f:
            h = f.read(64)
            if h[:4] != b"\x7fELF" or h[4] != 2:
                return set()
            shoff, = struct.unpack_from("<Q", h, 0x28)
            shentsize, shnum, shstrndx = struct.unpack_from("<HHH", h, 0x3A)
            f.seek(shoff)
            sh = f.read(shentsize * shnum)
            off = lambda i: struct.unpack_from("<QQ", sh, i * shentsize + 0x18)
            stroff, strsize = off(shstrndx)
            f.seek(stroff)
            names = f.read(strsize)
            out = set()
            for i in range(shnum):
                n, = struct.unpack_from("<I", sh, i * shentsize)
                out.add(names[n:names.index(b"\0", n)].decode(errors="replace"))
            return out
    except (OSError, ValueError, struct.error, IndexError):
        return set()


def _dpkg_owner(path):
    """The Debian package that ships path, or "".  On a merged-/usr system
    /usr/bin/sleep is /bin/sleep in dpkg's records (and the other way
    round for newer packages): both spellings are asked."""
    names = [path]
    if path.startswith("/usr/"):
        names.append(path[4:])
    elif re.match(r"/(s?bin|lib\w*)/", path):
        names.append("/usr" + path)
    for name in names:
        try:
            r = subprocess.run(["dpkg", "-S", name], capture_output=True, text=True)
        except OSError:
            return ""
        if r.returncode == 0:
            return r.stdout.split(":")[0]
    return ""


def _stripped_hint():
    """Why gdb may not know the location: the binary has no symbols."""
    exe = gdb.current_progspace().filename or ""
    objs = [o for o in gdb.objfiles() if o.filename == exe]
    separate = any(o.owner is not None and o.owner.filename == exe for o in gdb.objfiles())
    secs = _elf_sections(exe)
    if not exe or separate or ".symtab" in secs or ".debug_info" in secs or not objs:
        return None
    pkg = _dpkg_owner(exe)
    hint = "%s is stripped and gdb found no debug symbols for it: " % exe
    if pkg:
        hint += ("install %s-dbgsym (from the debian-debug archive: deb "
                 "http://deb.debian.org/debian-debug bookworm-debug main)" % pkg)
    else:
        hint += "install its debug symbols"
    urls = os.environ.get("DEBUGINFOD_URLS")
    if urls:
        hint += "; debuginfod (DEBUGINFOD_URLS=%s) did not provide them" % urls
    else:
        hint += ", or let gdb fetch them: DEBUGINFOD_URLS=https://debuginfod.debian.net"
    return hint


class HoldSetup(gdb.Command):
    """hold-setup TID [pending]: select the parked thread's hold_park frame."""

    def __init__(self):
        super().__init__("hold-setup", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        a = arg.split()
        _State.pending = "pending" in a[1:]
        _State.preexec = "preexec" in a[1:]
        _State.failed = []
        _State.deferred = []
        gdb.execute("set breakpoint pending %s" % ("on" if _State.pending else "off"))
        _select(int(a[0]), user=True)


class HoldBreak(gdb.Command):
    """hold-break LOCATION: a breakpoint, or a failure hold-go reports."""

    def __init__(self):
        super().__init__("hold-break", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        if _State.preexec:  # for the image about to be exec'd
            _State.deferred.append(("-b " + arg, "break " + arg))
            return
        try:
            gdb.execute("break " + arg)
        except gdb.error as e:
            _State.failed.append(("-b " + arg, str(e)))


class HoldSource(gdb.Command):
    """hold-source FILE: gdb's -x, with its failure kept for hold-go."""

    def __init__(self):
        super().__init__("hold-source", gdb.COMMAND_SUPPORT)

    def invoke(self, arg, from_tty):
        if _State.preexec:
            _State.deferred.append(("-x " + arg, "source " + arg))
            return
        try:
            gdb.execute("source " + arg)
        except gdb.error as e:
            _State.failed.append(("-x " + arg, " ".join(str(e).split("\n"))))


def _unresolved():
    """Breakpoints that stand for nothing yet: pending ones, unless asked."""
    if _State.pending:
        return []
    return [b for b in gdb.breakpoints()
            if b.type == gdb.BP_BREAKPOINT and b.pending]


def _refuse(bad, left, pid):
    """Say what could not be set and how pid is left; detach and quit 1."""
    bad = bad + [("breakpoint %d at %s" % (b.number, b.location), "pending: not found")
                 for b in _unresolved()]
    if not bad:
        return
    for what, why in bad:
        _say("%s: %s" % (what, why), "hold attach")
    hint = _stripped_hint()
    if hint:
        _say(hint, "hold attach")
    _say(left, "hold attach")
    gdb.execute("detach")
    gdb.execute("quit 1")


def _release(pid, tid, stop):
    """Let the parked thread run on.  A stopped process gets SIGCONT, which
    gdb passes on without stopping (once: the user's own SIGCONT stops)."""
    if stop:
        gdb.execute("handle SIGCONT nostop noprint pass", to_string=True)

        def again(ev):
            gdb.events.stop.disconnect(again)
            gdb.execute("handle SIGCONT stop print pass", to_string=True)

        gdb.events.stop.connect(again)
        # through holdd, which then forgets the park at once; by hand if
        # no holdd takes it
        r = subprocess.run(_hold("release", str(pid)), capture_output=True)
        if r.returncode != 0 and not HOST:
            os.kill(pid, signal.SIGCONT)
    else:
        _select(tid)
        gdb.execute("set var hold = 0")


class HoldGo(gdb.Command):
    """hold-go TID stop|spin [continue]: release, if every breakpoint is set."""

    def __init__(self):
        super().__init__("hold-go", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        a = arg.split()
        tid, stop, cont = int(a[0]), a[1] == "stop", "continue" in a[2:]
        pid = gdb.selected_inferior().pid
        if _State.preexec:
            self.across_exec(pid, tid, stop, cont)
            return
        _refuse(list(_State.failed), "pid %d stays parked (nothing was released); fix the "
                "location, or pass --pending, and attach again" % pid, pid)
        _release(pid, tid, stop)
        if cont:
            gdb.execute("continue")

    @staticmethod
    def across_exec(pid, tid, stop, cont):
        """Parked before an exec: follow it, then set the breakpoints in
        the new image.  If one cannot be set there, it is left stopped."""
        # -b locations, checked against the image to come while it is
        # still parked: a typo must not cost the park
        park = None if HOST else _park_of(pid, tid)
        if park and park.get("exe"):
            bad = []
            for what, cmd in _State.deferred:
                if not cmd.startswith("break "):
                    continue
                r = subprocess.run([os.environ.get("HOLD_GDB") or "gdb", "-batch", "-nx", "-ex", cmd,
                                    park["exe"]], capture_output=True, text=True)
                if not re.search(r"^Breakpoint 1 at ", r.stdout, re.M):
                    why = (r.stderr or r.stdout).strip().splitlines()
                    bad.append((what, (why[-1] if why else "not found") +
                                " (in " + park["exe"] + ")"))
            if bad:
                _refuse(bad, "pid %d stays parked before its exec (nothing was released); "
                        "fix the location and attach again" % pid, pid)
        gdb.execute("set follow-exec-mode same")
        gdb.execute("catch exec")
        catch = gdb.breakpoints()[-1]
        _release(pid, tid, stop)
        gdb.execute("continue")
        catch.delete()
        bad = []
        for what, cmd in _State.deferred:
            try:
                gdb.execute(cmd)
            except gdb.error as e:
                bad.append((what, " ".join(str(e).split("\n"))))
        if bad or _unresolved():  # stopped at its entry, not running
            if HOST:
                gdb.execute("signal SIGSTOP")
            else:
                os.kill(pid, signal.SIGSTOP)
        _refuse(bad, "pid %d has exec'd and is left stopped at the new image's entry (kill "
                "-CONT %d lets it run); fix the location and attach again" % (pid, pid), pid)
        if cont:
            gdb.execute("continue")


class Hold(gdb.Command):
    """hold ls | hold release [PID[/TID]] | hold next [GLOB]"""

    def __init__(self):
        super().__init__("hold", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE, True)

    def invoke(self, arg, from_tty):
        raise gdb.GdbError("hold ls | hold release [PID[/TID]] | hold next [GLOB]")


class HoldLs(gdb.Command):
    """hold ls: what is parked."""

    def __init__(self):
        super().__init__("hold ls", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        r = subprocess.run(_hold("ls", *arg.split()), capture_output=True, text=True)
        gdb.write(r.stdout + r.stderr)


class HoldRelease(gdb.Command):
    """hold release [PID[/TID]]: release a park (default: this inferior's)."""

    def __init__(self):
        super().__init__("hold release", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        target = arg.strip() or str(gdb.selected_inferior().pid)
        r = subprocess.run(_hold("release", target), capture_output=True, text=True)
        gdb.write(r.stdout + r.stderr)


class HoldNext(gdb.Command):
    """hold next [GLOB]: attach the next park as a new inferior, release it and
    continue there; the breakpoints set so far apply to it too."""

    def __init__(self):
        super().__init__("hold next", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        r = subprocess.run(_hold("wait", *arg.split()), capture_output=True, text=True)
        if r.returncode != 0:
            raise gdb.GdbError((r.stderr or "hold wait failed").strip())
        m = re.match(r"(\d+)(?:/(\d+))?$", r.stdout.strip())
        if not m:
            raise gdb.GdbError("hold wait said: %s" % r.stdout.strip())
        pid = int(m.group(1))
        tid = int(m.group(2) or pid)
        park = _park_of(pid, tid)
        gdb.execute("add-inferior")
        num = max(i.num for i in gdb.inferiors())
        gdb.execute("inferior %d" % num)
        gdb.execute("attach %d" % pid)
        _select(tid)
        bad = _unresolved()
        if bad:
            for b in bad:
                _say("breakpoint %d at %s is not set in pid %d" % (b.number, b.location, pid))
            _say("pid %d stays parked; set the breakpoint, then: hold release %d" % (pid, pid))
            return
        _say("inferior %d: pid %d (%s), parked at %s; releasing it" %
             (num, pid, park["comm"] if park else "?", park["event"] if park else "?"))
        _release(pid, tid, bool(park and park["mode"] == "stop"))
        gdb.execute("continue")


for _c in (HoldSetup, HoldBreak, HoldSource, HoldGo, Hold, HoldLs, HoldRelease, HoldNext):
    _c()


# --- hold attach --pdb --------------------------------------------------------
# pdb in the parked Python thread, talking over a unix socket that hold
# attach listens on (never the program's own stdin/stdout).  Injected with
# PyRun_SimpleString where the interpreter is whole and the thread may call
# into it:
#  - a fork park: after CPython's own after-fork work (PyOS_AfterFork_Child
#    has returned; before it, the child's thread states are the parent's),
#    holding the GIL through PyGILState_Ensure;
#  - a thread parked in recv/accept under a Python caller (the GIL released
#    by the call): right there, through PyGILState_Ensure too.
#  pdb then stops at the next line of the Python function that forked or
#  received.
#  - a thread that C code runs (mod_wsgi's daemon threads, any program that
#    embeds Python): PyGILState_Ensure would give the main interpreter, and
#    the code it goes on to run may be a sub-interpreter's that does not
#    exist yet.  So it is released and watched: at the first C-to-Python
#    call in that thread made outside interpreter start-up or shutdown, the
#    GIL and the right thread state are the thread's own, and a trace
#    function goes in there.  pdb stops at the first line of the first
#    Python function that C calls (module code and the import machinery
#    are passed over): for mod_wsgi, the WSGI application.
# `c` with no breakpoints, and `q`, end the session and let the program run
# on.  pdb never takes the program's SIGINT handler (nosigint).
_PDB = r"""
import os as _os, socket as _s, sys as _y, pdb as _p
def _hold_pdb(path, first):
    class P(_p.Pdb):
        def __init__(self):
            self.sock = _s.socket(_s.AF_UNIX)
            self.sock.connect(path)
            # apart: a text file both read and written drops what it read ahead
            self.fin = self.sock.makefile("r")
            self.fout = self.sock.makefile("w", buffering=1)
            super().__init__(stdin=self.fin, stdout=self.fout, nosigint=True)
            self.use_rawinput = False
            self.reset()
        def bye(self):
            try:
                self.fout.close()
                self.fin.close()
                self.sock.shutdown(_s.SHUT_RDWR)
                self.sock.close()
            except Exception:
                pass
        def set_continue(self):
            super().set_continue()
            if not self.breaks:
                self.bye()
        def do_quit(self, arg):
            self.clear_all_breaks()
            self.set_continue()
            return 1
        do_q = do_exit = do_EOF = do_quit
    if first:
        import sysconfig
        std = sysconfig.get_paths()["stdlib"] + "/"
        def ours(c):  # the program's code, not the library's machinery
            f = c.co_filename
            return not (c.co_name == "<module>" or f.startswith("<") or
                        (f.startswith(std) and "-packages/" not in f[len(std):]))
        def watch(frame, event, arg):
            if event != "call" or frame.f_back is not None or not ours(frame.f_code):
                return None
            _y.settrace(None)
            try:
                p = P()
            except OSError as e:  # hold attach stopped waiting: run on
                print("hold: pdb not started in pid", _os.getpid(), "-", e,
                      file=_y.stderr, flush=True)
                return None
            p.botframe = frame
            p.set_step()
            _y.settrace(p.trace_dispatch)
            return p.trace_dispatch
        _y.settrace(watch)
        return
    try:
        target = _y._getframe(2)
    except ValueError:  # no Python caller in this thread state: refuse
        raise SystemExit(3)
    p = P()
    fr = target
    while fr:
        fr.f_trace = p.trace_dispatch
        p.botframe = fr
        fr = fr.f_back
    p.set_next(target)
    _y.settrace(p.trace_dispatch)
_hold_pdb(%r, %r)
"""

# C frames under which the interpreter is being made or unmade: no Python
# may be injected there.
_PY_LIFECYCLE = re.compile(r"^(_?Py_NewInterpreter|new_interpreter|Py_Initialize\w*|"
                           r"_?Py_InitializeMain|pyinit_\w+|init_interp_main|"
                           r"Py_EndInterpreter|Py_Finalize\w*|_PyImport_Init\w*|"
                           r"init_importlib\w*|PyOS_AfterFork\w*)$")


def _cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _py_lifecycle_frame():
    """The outermost frame of the interpreter's start-up or shutdown on
    this thread's C stack, or None."""
    found, f = None, gdb.newest_frame()
    while f is not None:
        if _PY_LIFECYCLE.match(f.name() or ""):
            found = f
        f = f.older()
    return found


def _py_symbols_hint():
    """None if gdb can read CPython's frames here; else why not and what to
    install (py-bt and pdb's placing need the interpreter's debug symbols)."""
    try:
        gdb.lookup_type("PyObject")
        return None
    except gdb.error:
        pass
    objs = [o.filename for o in gdb.objfiles()
            if o.filename and re.search(r"(^|/)(lib)?python3\.\d+[^/]*$", o.filename)]
    obj = sorted(objs, key=lambda f: "libpython" not in f)[0] if objs else "the interpreter"
    ver = re.search(r"python(3\.\d+)", obj)
    hint = "gdb finds no debug symbols for %s, so it cannot read its Python frames: " % obj
    if _dpkg_owner(obj) and ver:
        return hint + "apt-get install python%s-dbg" % ver.group(1)
    return hint + "rebuild that Python with -g (or install its debug symbols)"


class HoldPyCheck(gdb.Command):
    """hold-py-check: say when CPython's frames cannot be read, and why."""

    def __init__(self):
        super().__init__("hold-py-check", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        hint = _py_symbols_hint()
        if hint:
            _say(hint, "hold attach")


HoldPyCheck()


class HoldPdb(gdb.Command):
    """hold-pdb TID stop|spin EVENT SOCKET: pdb in the parked thread (see above)."""
    interrupted = False

    def __init__(self):
        super().__init__("hold-pdb", gdb.COMMAND_RUNNING)

    @staticmethod
    def python_stack():
        """The selected thread's Python stack (CPython's py-bt), or ""."""
        try:
            return gdb.execute("py-bt", to_string=True)
        except gdb.error:
            return ""

    @staticmethod
    def fail(pid, why):
        _say("pdb could not be started in pid %d: %s" % (pid, why), "hold attach")
        gdb.execute("detach")
        gdb.execute("quit 1")

    @staticmethod
    def until_python(pid, tid):
        """Run until thread tid calls from C into Python outside the
        interpreter's start-up and shutdown; False if it ended first,
        None on Ctrl-C.

        The rule that parked it may match it again on the way (mod_wsgi
        reads one request in several recv calls): that park would wait for
        a second attach while this one waits for Python, so it is not
        made -- said here, and its count is spent."""
        num = gdb.selected_thread().num

        def on_stop(ev):  # Ctrl-C: gdb stopped it with SIGINT
            if isinstance(ev, gdb.SignalEvent) and ev.stop_signal == "SIGINT":
                HoldPdb.interrupted = True

        gdb.events.stop.connect(on_stop)
        py = gdb.Breakpoint("_PyEval_EvalFrameDefault", internal=True)
        park = gdb.Breakpoint("*hold_park", internal=True)
        for bp in (py, park):
            bp.thread = num
            bp.silent = True
        try:
            while True:
                hits, parks = py.hit_count, park.hit_count
                try:
                    gdb.execute("continue", to_string=True)
                except gdb.error:
                    return False
                t = gdb.selected_thread()
                if t is None or not t.is_valid():
                    return False
                if HoldPdb.interrupted:
                    return None
                if t.num != num:
                    continue  # a signal: passed on
                if park.hit_count > parks:
                    gdb.execute("return", to_string=True)
                    _say("pid %d thread %d met its rule again before it ran Python (another "
                         "receive of the same request?): not parked again, pdb waits on" %
                         (pid, tid), "hold attach")
                    continue
                if py.hit_count == hits:
                    continue
                outer = _py_lifecycle_frame()
                if outer is None:
                    return True
                # run start-up (hundreds of calls into Python) to its end
                py.enabled = False
                outer.select()
                try:
                    gdb.execute("finish", to_string=True)
                except gdb.error:
                    return False
                if HoldPdb.interrupted:
                    return None
                py.enabled = True
        finally:
            gdb.events.stop.disconnect(on_stop)
            py.delete()
            park.delete()

    def invoke(self, arg, from_tty):
        a = arg.split(None, 3)
        tid, stop, event, sock = int(a[0]), a[1] == "stop", a[2], a[3]
        pid = gdb.selected_inferior().pid
        hint = None if event == "fork" else _py_symbols_hint()
        if hint:  # where its Python caller is cannot be told
            _say("pid %d thread %d: %s; it stays parked" % (pid, tid, hint), "hold attach")
            gdb.execute("detach")
            gdb.execute("quit 1")
        first = event != "fork" and "File " not in self.python_stack()
        if first:
            # C code runs this thread: release it and catch its first call
            # into Python (see above)
            _release(pid, tid, stop)
            ran = self.until_python(pid, tid)
            if ran is None:
                _say("interrupted: pdb not started; pid %d runs on" % pid, "hold attach")
                gdb.execute("detach")
                gdb.execute("quit 1")
            if not ran:
                _say("pid %d thread %d ended before it ran Python code" % (pid, tid),
                     "hold attach")
                gdb.execute("quit 1")
            r = gdb.parse_and_eval("(int)PyRun_SimpleString(%s)" % _cstr(_PDB % (sock, True)))
            if int(r) != 0:
                self.fail(pid, "the program's stderr says why; it has gone on")
            gdb.execute("detach")
            return
        if event == "fork":
            gdb.execute("tbreak PyOS_AfterFork_Child", to_string=True)
            _release(pid, tid, stop)
            gdb.execute("continue", to_string=True)
            gdb.execute("finish", to_string=True)
        gs = gdb.parse_and_eval("(int)PyGILState_Ensure()")
        r = gdb.parse_and_eval("(int)PyRun_SimpleString(%s)" % _cstr(_PDB % (sock, False)))
        gdb.parse_and_eval("(void)PyGILState_Release(%d)" % int(gs))
        if int(r) != 0:  # a recv park stays parked; a fork park has gone on
            self.fail(pid, "the program's stderr says why" if event == "fork" else
                      "no Python caller in this thread's state; it stays parked")
        if event != "fork":
            _release(pid, tid, stop)
        gdb.execute("detach")


HoldPdb()


class HoldPyLocals(gdb.Command):
    """hold-py-locals: the locals of every Python frame of the selected thread,
    innermost first (CPython's py-locals, walked with py-up)."""

    def __init__(self):
        super().__init__("hold-py-locals", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        seen = set()
        for _ in range(64):
            out = gdb.execute("py-locals", to_string=True)
            if out not in seen and not out.startswith("Unable"):  # py-up may repeat
                seen.add(out)
                gdb.write(out)
            try:
                up = gdb.execute("py-up", to_string=True)
            except gdb.error:
                break
            if "Unable to find an older python frame" in up:
                break


HoldPyLocals()
