# SPDX-License-Identifier: MIT
"""live_client.py SECONDS SEED: one user's side of make fuzz-live.

Drives a live holdd with what one user of a shared machine can send it,
chosen at random: every request type, well-formed or not, in and out of
order, from connections that read their answers or never do; PARKs for
its own processes and for pids and threads it does not have, in its own
pid namespace or claiming another; tracer's PARKs; fork and exec reports
by datagram and on connections; raw bytes; real trees and parks made by
hold run, released or left for the next round.  Prints what it did.
"""
import os
import random
import socket
import struct
import subprocess
import sys
import time

import holdproto as p

socket.setdefaulttimeout(1)  # a holdd that takes nothing for a second: the next action

deadline = time.time() + float(sys.argv[1])
rnd = random.Random(int(sys.argv[2]))
HOLD = os.environ["HOLD"]
TYPES = [v for k, v in vars(p).items() if k.isupper() and not k.startswith(("F_", "FL_", "MODE_", "RING_"))
         and isinstance(v, int) and k != "VERSION"]
NUMS = [v for k, v in vars(p).items() if k.startswith("F_") and v < 32]
STRS = [v for k, v in vars(p).items() if k.startswith("F_") and v >= 32]
WORDS = ["", "x", "*", "qemu-*", "a" * 3000, "\u202e\n\x1b]0;x\x07", "/bin/true", "recv:unix:*"]
done = {}


def count(what):
    done[what] = done.get(what, 0) + 1


def number():
    return rnd.choice([0, 1, -1 & (2**64 - 1), os.getpid(), os.getppid(), rnd.randrange(2**22),
                       rnd.randrange(2**64), 2**22 + 1, 1 << 31])


def fields(n):
    out = []
    for _ in range(n):
        if rnd.random() < 0.5:
            out.append((rnd.choice(NUMS), number()))
        else:
            out.append((rnd.choice(STRS), rnd.choice(WORDS)))
    return out


def request():
    t = rnd.choice(TYPES + [p.LIST, p.TREE, p.WAIT, p.RELEASE, p.PARK, p.LOG] * 3)
    f = fields(rnd.randrange(8))
    if t == p.PARK and rnd.random() < 0.5:
        me = os.getpid()
        f = [(p.F_PID, rnd.choice([me, me + 1, 1])), (p.F_TID, rnd.choice([me, me + 1, 2])),
             (p.F_EVENT, "recv"), (p.F_RULE, rnd.choice(WORDS)), (p.F_MODE, rnd.randrange(3)),
             (p.F_START, number()), (p.F_SINCE_NS, number())]
        if rnd.random() < 0.3:
            f.append((p.F_PIDNS, rnd.randrange(1, 2**32)))
        if rnd.random() < 0.3:
            f.append((p.F_FLAGS, p.FL_TRACED))
    if t == p.WAIT and rnd.random() < 0.5:
        f = [(p.F_TEXT, rnd.choice(WORDS)), (p.F_FLAGS, rnd.choice([0, p.FL_ALL, p.FL_UNSEEN]))]
    if t == p.LOG and rnd.random() < 0.5:
        f = [(p.F_FLAGS, p.FL_FOLLOW)]
    return p.msg(t, *f)


def raw():
    k = rnd.randrange(5)
    if k == 0:
        return os.urandom(rnd.randrange(1, 200))
    if k == 1:
        return struct.pack("<IHH", rnd.choice([0, 7, 8, 9000, 2**32 - 1]), 1, rnd.randrange(40))
    if k == 2:
        return struct.pack("<IHH", 8, rnd.randrange(2**16), 1)
    body = b"".join(struct.pack("<HH", rnd.randrange(64), rnd.choice([0, 4, 8, 60000])) for _ in range(3))
    return struct.pack("<IHH", 8 + len(body), 1, rnd.randrange(1, 20)) + body


conns = []
kids = []
while time.time() < deadline:
    a = rnd.randrange(100)
    try:
        if a < 40:  # a request on a new or an open connection
            if not conns or rnd.random() < 0.3 or len(conns) > 40:
                if len(conns) > 40:
                    conns.pop(rnd.randrange(len(conns))).close()
                c = p.Conn(hello=False)
                hello = [(p.F_VERSION, p.VERSION)]
                if rnd.random() < 0.2:
                    hello.append((p.F_PIDNS, rnd.randrange(1, 2**32)))
                c.send(p.msg(p.HELLO, *hello))
                conns.append(c)
            c = rnd.choice(conns)
            c.send(request())
            count("request")
            if rnd.random() < 0.7:  # read what comes; or never
                c.s.settimeout(0.05)
                try:
                    c.s.recv(65536)
                except (socket.timeout, BlockingIOError):
                    pass
        elif a < 55:  # raw bytes
            c = p.Conn(hello=rnd.random() < 0.5)
            c.send(raw())
            c.close()
            count("raw")
        elif a < 70:  # a report by datagram
            p.report(rnd.choice([request(), raw(), p.msg(p.FORK, (p.F_CHILD, number())),
                                 p.msg(p.EXEC, (p.F_PATH, rnd.choice(WORDS)), (p.F_PPID, number()))]))
            count("datagram")
        elif a < 80 and conns:  # hang up
            conns.pop(rnd.randrange(len(conns))).close()
            count("hang-up")
        elif a < 88 and len(kids) < 6:  # a real tree, parked or not
            rule = rnd.choice(["exec:*/true", "fork", "exec:*/nothing", "exec:*/true,count=1"])
            kids.append(subprocess.Popen([HOLD, "run", "-r", rule, "--", "sh", "-c",
                                          "/bin/true; /bin/true & wait"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            count("tree")
        elif a < 94:  # release some of our parks
            subprocess.run([HOLD, "release", "--all"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=10)
            count("release")
        else:  # the CLI, as a user types it
            subprocess.run([HOLD, rnd.choice(["ls", "tree", "log"]), "--json"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
            count("cli")
    except (OSError, subprocess.TimeoutExpired):
        count("refused")  # holdd closed it, or is busy: fine for the client
    kids = [k for k in kids if k.poll() is None]
for c in conns:
    c.close()
subprocess.run([HOLD, "release", "--all"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for k in kids:
    k.kill()
print(" ".join("%s=%d" % kv for kv in sorted(done.items())))
