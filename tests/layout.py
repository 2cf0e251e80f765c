#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""layout.py: the rooms stay rooms.

1. Includes: a file in holdd/ or hold/ includes headers of its own room,
   of common/ and of common/host/ only (holdd also bpf/'s, the kernel
   follower it loads); libhold/ of its own room and of common/ (the
   async-signal-safe core) only; common/ only common/; common/host/ only
   common/ and itself; bpf/ common/'s and holdd's (its loader is a part of
   holdd), and what the build generates there (vmlinux.h, the skeleton).
2. Cycles: within each program (libhold.so, holdd, hold), no two object
   files depend on each other, directly or through others.  A file depends
   on another when it uses a symbol (function or data) that the other
   defines, as nm reports them: the linker's view, so a cycle through a
   global variable counts as much as one through a call.

make check passes each program's object files in HOLD_OBJECTS_<program>
(libtool's .lo files for libhold).  Exit 0 clean, 1 with what is wrong.
"""
import os
import re
import subprocess
import sys

SRC = os.environ["HOLD_TOP_SRCDIR"]
BUILD = os.environ["HOLD_TOP_BUILDDIR"]
# each room, and the rooms whose headers it may include besides its own
ROOMS = {
    "libhold": ["common"],
    "holdd": ["common", "common/host", "bpf"],
    "bpf": ["common", "holdd"],
    "hold": ["common", "common/host"],
    "common": [],
    "common/host": ["common"],
}
problems = []


def check_includes():
    for room, others in sorted(ROOMS.items()):
        d = os.path.join(SRC, room)
        for name in sorted(os.listdir(d)):
            if not name.endswith((".c", ".h")):
                continue
            with open(os.path.join(d, name), encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                    if not m or m.group(1) == "config.h":
                        continue
                    inc = m.group(1)
                    if any(os.path.exists(os.path.join(SRC, r, inc)) for r in [room] + others):
                        continue
                    if room == "bpf" and inc in ("vmlinux.h", "follow.skel.h"):
                        continue  # generated in the build tree
                    problems.append(f"{room}/{name}:{n}: includes \"{inc}\", which is not in "
                                    + " or ".join(f"{r}/" for r in [room] + others))


def object_files(var):
    """The object files of one program, from make's list."""
    objs = []
    for o in os.environ.get(var, "").split():
        path = os.path.join(BUILD, o)
        if o.endswith(".lo"):  # libtool: the PIC object it names
            with open(path, encoding="utf-8") as f:
                pic = re.search(r"^pic_object='([^']+)'", f.read(), re.M).group(1)
            path = os.path.join(os.path.dirname(path), pic)
        objs.append(path)
    return objs


def short(path):
    """libhold/.libs/libhold_la-parking.o -> libhold/parking.c's object: 'libhold/parking'."""
    rel = os.path.relpath(path, BUILD).replace("/.libs", "")
    d, base = os.path.split(rel)
    base = re.sub(r"^(libhold_libhold_la-|libhold_la-|libholdcommon_a-|holdd-|hold-)", "",
                  base[:-2])
    return f"{d}/{base}"


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRCVWG":
            defined.add(parts[2])
    return defined, used


def strongly_connected(nodes, edges):
    """Tarjan: the components of more than one node."""
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in nodes:
        if v not in index:
            visit(v)
    return comps


def check_cycles(program, var):
    objs = object_files(var)
    if not objs:
        problems.append(f"{program}: no object files in ${var} (run through make check)")
        return
    defs, uses, owner = {}, {}, {}
    for o in objs:
        name = short(o)
        defs[name], uses[name] = symbols(o)
        for s in defs[name]:
            owner[s] = name
    edges = {}
    why = {}
    for a in uses:
        for s in uses[a]:
            b = owner.get(s)
            if b and b != a:
                edges.setdefault(a, set()).add(b)
                why.setdefault((a, b), []).append(s)
    for comp in strongly_connected(sorted(defs), edges):
        links = []
        for a in comp:
            for b in sorted(edges.get(a, ())):
                if b in comp:
                    links.append(f"{a} -> {b} ({', '.join(sorted(why[(a, b)])[:3])})")
        problems.append(f"{program}: a cycle between {', '.join(comp)}:\n    "
                        + "\n    ".join(links))


check_includes()
for program, var in (("libhold", "HOLD_OBJECTS_libhold"), ("holdd", "HOLD_OBJECTS_holdd"),
                     ("hold", "HOLD_OBJECTS_hold")):
    check_cycles(program, var)
if problems:
    print("FAIL: " + "\nFAIL: ".join(problems))
    sys.exit(1)
print("ok - includes stay within each room, common/ and (but for libhold) common/host/; "
      "no dependency cycle between files "
      "of libhold, holdd or hold")
