# SPDX-License-Identifier: MIT
"""holdproto.py: hold's wire protocol (common/proto.h) in Python, so that
tests can play a hostile or broken client: forged reports, requests in the
wrong order, clients that never read.

Its numbers are read from proto.h itself (and the park modes from rules.h)
when this module is imported, so they cannot fall behind: HELLO..LOG for
the message types, F_* for the fields, FL_* for the flags, MODE_* for
enum hold_mode."""
import os
import re
import socket
import struct

_COMMON = os.path.join(os.environ.get("HOLD_TOP_SRCDIR")
                       or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."),
                       "common")


def _enum(text, name, prefix):
    """{NAME: value} of C's enum `name`, its members' prefix dropped."""
    body = re.search(r"enum\s+" + name + r"\s*\{(.*?)\};", text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    out, nxt = {}, 0
    for item in body.split(","):
        m = re.match(r"\s*" + prefix + r"(\w+)\s*(?:=\s*(\w+))?\s*$", item)
        if not m:
            continue
        if m.group(2):
            nxt = int(m.group(2), 0) if m.group(2)[0].isdigit() else out[m.group(2)[len(prefix):]]
        out[m.group(1)] = nxt
        nxt += 1
    return out


def _read(name):
    with open(os.path.join(_COMMON, name), encoding="utf-8") as f:
        return f.read()


_proto, _rules = _read("proto.h"), _read("rules.h")
VERSION = int(re.search(r"#define\s+HOLD_PROTO_VERSION\s+(\d+)", _proto).group(1))
globals().update({k: v for k, v in _enum(_proto, "hold_msg_type", "HOLD_MSG_").items()
                  if not k.endswith("_")})
globals().update({"F_" + k: v for k, v in _enum(_proto, "hold_field", "HOLD_F_").items()
                  if not k.endswith("_")})
globals().update({"FL_" + m.group(1): int(m.group(2))
                  for m in re.finditer(r"#define\s+HOLD_FL_(\w+)\s+(\d+)u", _proto)})
globals().update({"MODE_" + k: v for k, v in _enum(_rules, "hold_mode", "HOLD_MODE_").items()})


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
