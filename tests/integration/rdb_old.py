"""Builders for the RDB encodings Redis 2.6 to 6.2 wrote, made byte by byte from the format's
description (redis-server 7.0 reads them but no longer writes them): ziplists, zipmaps,
intsets, quicklists of ziplists, text scores, RDB files of versions 6 to 9 and DUMP payloads.
"""
import struct

# ---- CRC-64 (Jones polynomial, reflected), as Redis checksums files and payloads ----

_POLY = 0x95AC9329AC4BC9B5
_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ _POLY if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc64(data, crc=0):
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA

# ---- RDB primitives ----


def b(x):
    return x if isinstance(x, bytes) else str(x).encode()


def length(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    return b"\x80" + struct.pack(">I", n)


def string(s):
    s = b(s)
    return length(len(s)) + s


def int_string(v):
    """An RDB string stored as an integer (8, 16 or 32 bits)."""
    if -128 <= v <= 127:
        return b"\xc0" + struct.pack("<b", v)
    if -32768 <= v <= 32767:
        return b"\xc1" + struct.pack("<h", v)
    return b"\xc2" + struct.pack("<i", v)


def text_double(d):
    """A type-3 score: 253 nan, 254 +inf, 255 -inf, else a length byte and the digits."""
    if d != d:
        return b"\xfd"
    if d == float("inf"):
        return b"\xfe"
    if d == float("-inf"):
        return b"\xff"
    t = ("%.17g" % d).encode()
    return bytes([len(t)]) + t


# ---- compact blobs ----


def _as_int(s):
    try:
        v = int(s)
    except ValueError:
        return None
    return v if str(v) == s and -2 ** 63 <= v < 2 ** 63 else None


def ziplist_entry_body(s):
    s = s.decode() if isinstance(s, bytes) else str(s)
    v = _as_int(s)
    if v is not None:
        if 0 <= v <= 12:
            return bytes([0xF1 + v])
        if -128 <= v <= 127:
            return b"\xfe" + struct.pack("<b", v)
        if -32768 <= v <= 32767:
            return b"\xc0" + struct.pack("<h", v)
        if -(1 << 23) <= v < (1 << 23):
            return b"\xf0" + struct.pack("<i", v)[:3]
        if -(1 << 31) <= v < (1 << 31):
            return b"\xd0" + struct.pack("<i", v)
        return b"\xe0" + struct.pack("<q", v)
    raw = s.encode()
    n = len(raw)
    if n < 64:
        return bytes([n]) + raw
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF]) + raw
    return b"\x80" + struct.pack(">I", n) + raw


def ziplist(items, big_prevlen=False, count=None):
    """[zlbytes][zltail][zllen] entries (prevlen, encoding, payload) then 0xff."""
    body = b""
    prev = 0
    tail = 10
    for s in items:
        if prev >= 254 or big_prevlen:
            entry = b"\xfe" + struct.pack("<I", prev)
        else:
            entry = bytes([prev])
        entry += ziplist_entry_body(s)
        tail = 10 + len(body)
        body += entry
        prev = len(entry)
    n = len(items) if count is None else count
    return struct.pack("<IIH", 10 + len(body) + 1, tail, n) + body + b"\xff"


def zipmap(pairs, free=0, count=None):
    """[count] then [len][field][len][free][value][free bytes] ... 0xff."""
    def zlen(n):
        return bytes([n]) if n < 254 else b"\xfe" + struct.pack("<I", n)
    out = bytes([len(pairs) if count is None else count])
    for f, v in pairs:
        f, v = b(f), b(v)
        out += zlen(len(f)) + f + zlen(len(v)) + bytes([free]) + v + b"\0" * free
    return out + b"\xff"


def intset(values):
    lo, hi = min(values), max(values)
    width, fmt = ((2, "<h") if -32768 <= lo and hi <= 32767 else
                  (4, "<i") if -(1 << 31) <= lo and hi < (1 << 31) else (8, "<q"))
    return struct.pack("<II", width, len(values)) + b"".join(
        struct.pack(fmt, v) for v in sorted(values))


# ---- objects: (type byte, payload) ----

def obj_list_linked(items):
    return 1, length(len(items)) + b"".join(string(s) for s in items)


def obj_zset_text(pairs):
    return 3, length(len(pairs)) + b"".join(string(m) + text_double(s) for m, s in pairs)


def obj_set(members):
    return 2, length(len(members)) + b"".join(string(m) for m in members)


def obj_hash(pairs):
    return 4, length(len(pairs)) + b"".join(string(f) + string(v) for f, v in pairs)


def obj_zset_binary(pairs):
    return 5, length(len(pairs)) + b"".join(string(m) + struct.pack("<d", s) for m, s in pairs)


def obj_hash_zipmap(pairs, **kw):
    return 9, string(zipmap(pairs, **kw))


def obj_list_ziplist(items, **kw):
    return 10, string(ziplist(items, **kw))


def obj_intset(values):
    return 11, string(intset(values))


def obj_zset_ziplist(pairs, **kw):
    flat = []
    for m, s in pairs:
        flat += [m, s]
    return 12, string(ziplist(flat, **kw))


def obj_hash_ziplist(pairs, **kw):
    flat = []
    for f, v in pairs:
        flat += [f, v]
    return 13, string(ziplist(flat, **kw))


def obj_quicklist(nodes):
    return 14, length(len(nodes)) + b"".join(string(ziplist(n)) for n in nodes)


def dump_payload(obj, version=9):
    t, payload = obj
    body = bytes([t]) + payload + struct.pack("<H", version)
    return body + struct.pack("<Q", crc64(body))


# ---- files ----

def aux(key, value):
    return b"\xfa" + string(key) + string(value)


def select_db(n):
    return b"\xfe" + length(n)


def resize_db(keys, expires):
    return b"\xfb" + length(keys) + length(expires)


def key(name, obj, expire_ms=None, expire_s=None, freq=None, idle=None):
    out = b""
    if expire_ms is not None:
        out += b"\xfc" + struct.pack("<q", expire_ms)
    if expire_s is not None:
        out += b"\xfd" + struct.pack("<i", expire_s)
    if freq is not None:
        out += b"\xf9" + bytes([freq])
    if idle is not None:
        out += b"\xf8" + length(idle)
    t, payload = obj
    return out + bytes([t]) + string(name) + payload


def rdb_file(version, records):
    data = b"REDIS%04d" % version + b"".join(records) + b"\xff"
    if version >= 5:
        data += struct.pack("<Q", crc64(data))
    return data
