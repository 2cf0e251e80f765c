"""holdproto.py: hold's wire protocol (common/proto.h), written by hand in
Python so that tests can play a hostile or broken client: forged reports,
requests in the wrong order, clients that never read.

The numbers below are proto.h's; a test that drifts from them fails loudly
(holdd calls the message malformed)."""
import os
import socket
import struct

VERSION = 1
(HELLO, FORK, EXEC, PARK, RELEASED, RELEASE, ERROR, LIST, PARKED, TREE, NODE, WAIT, STATS,
 DONE, EXIT, HANDOFF, OWNER, LOG) = range(1, 19)
# numeric fields
(F_VERSION, F_START, F_CHILD, F_TID, F_MODE, F_TIMEOUT_NS, F_SINCE_NS, F_BY, F_PID, F_PPID,
 F_PARENT, F_UID, F_FLAGS, F_COUNT, F_EXIT_NS, F_NODES, F_FD, F_PEER, F_BYTES,
 F_NEWFD) = range(1, 21)
# string fields
F_PATH, F_ARG, F_EVENT, F_RULE, F_TEXT, F_COMM, F_ADDR, F_PEERCOMM = range(32, 40)
FL_ALL = 1
MODE_STOP = 1


def msg(mtype, *fields):
    """fields: (tag, int) or (tag, str|bytes)"""
    body = b""
    for tag, v in fields:
        if isinstance(v, int):
            v = struct.pack("<Q", v)
        elif isinstance(v, str):
            v = v.encode()
        body += struct.pack("<HH", tag, len(v)) + v
    return struct.pack("<IHH", 8 + len(body), VERSION, mtype) + body


def decode(data):
    """-> (type, {tag: value}, rest): numbers as ints, strings as bytes"""
    length, _, mtype = struct.unpack_from("<IHH", data)
    fields, at = {}, 8
    while at < length:
        tag, n = struct.unpack_from("<HH", data, at)
        v = data[at + 4:at + 4 + n]
        fields[tag] = struct.unpack("<Q", v)[0] if tag < 32 else v
        at += 4 + n
    return mtype, fields, data[length:]


def socket_path():
    return os.environ["HOLD_SOCKET"]


class Conn:
    """A stream connection to holdd that has said HELLO."""

    def __init__(self, path=None, hello=True):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path or socket_path())
        self.buf = b""
        if hello:
            self.send(msg(HELLO, (F_VERSION, VERSION)))

    def send(self, data):
        self.s.sendall(data)

    def read(self, timeout=10):
        """The next message as (type, fields), or None when holdd closed."""
        self.s.settimeout(timeout)
        while len(self.buf) < 8 or len(self.buf) < struct.unpack_from("<I", self.buf)[0]:
            got = self.s.recv(65536)
            if not got:
                return None
            self.buf += got
        mtype, fields, self.buf = decode(self.buf)
        return mtype, fields

    def close(self):
        self.s.close()


def report(data, path=None):
    """One datagram to holdd's report socket, from this process."""
    d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    d.sendto(data, (path or socket_path()) + ".events")
    d.close()


# common/ring.h
RING_MAGIC, RING_SLOTS, RING_SLOT, RING_HDR = 0x32676E69726C6468, 2048, 2048, 4096


def ring_put(data, pid, path=None):
    """Append one report to holdd's ring as if process `pid` wrote it: the
    pid in a slot is the writer's word, which is what a forger controls.
    A plain read-then-write of head, not libhold's compare-and-swap: only
    for tests where nothing else writes the ring at the same moment.  holdd
    takes it at its next drain (before it answers any request)."""
    import mmap
    with open((path or socket_path()) + ".ring", "r+b") as f:
        m = mmap.mmap(f.fileno(), RING_HDR + RING_SLOTS * RING_SLOT)
    magic, head, tail = struct.unpack_from("<QQQ", m, 0)
    assert magic == RING_MAGIC and head - tail < RING_SLOTS, (magic, head, tail)
    at = RING_HDR + (head % RING_SLOTS) * RING_SLOT
    struct.pack_into("<Q", m, 8, head + 1)
    m[at + 16:at + 16 + len(data)] = data
    struct.pack_into("<Ii", m, at + 8, len(data), pid)
    struct.pack_into("<Q", m, at, head + 1)
    m.close()
