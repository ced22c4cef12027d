"""Bit commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO): raw replies,
errors included, compared byte for byte with redis-server."""

from conftest import decode, parse_info


def _dirty(conn):
    info = parse_info(decode(conn.cmd("INFO", "persistence")))
    return int(info[None]["rdb_changes_since_last_save"])


def test_bitcount_ranges_and_units(both):
    both.run(("SET", "s", "foobar"), ("SET", "e", ""), ("SET", "n", "12345"))
    for args in [(), ("0", "0"), ("1", "1"), ("0", "-1"), ("-2", "-1"), ("-1", "-2"),
                 ("5", "2"), ("100", "200"), ("-100", "100"), ("0", "-100"),
                 ("1", "1", "BYTE"), ("5", "30", "BIT"), ("0", "0", "bit"), ("-3", "-1", "BIT"),
                 ("7", "7", "BIT"), ("8", "8", "BIT"), ("47", "47", "BIT"), ("40", "1000", "BIT"),
                 ("-1", "-48", "BIT")]:
        both.run(("BITCOUNT", "s") + args, ("BITCOUNT", "e") + args, ("BITCOUNT", "n") + args)
    both.run(
        ("BITCOUNT", "missing"),
        ("BITCOUNT", "missing", "0"),  # a missing key answers 0 before the arguments are read
        ("BITCOUNT", "s", "0"),
        ("BITCOUNT", "s", "0", "1", "WORD"),
        ("BITCOUNT", "s", "a", "1", "WORD"),
        ("BITCOUNT", "s", "0", "b"),
        ("BITCOUNT", "s", "0", "1", "BIT", "x"),
        ("BITCOUNT", "s", "9223372036854775807", "-9223372036854775808", "BIT"),
        ("LPUSH", "l", "x"),
        ("BITCOUNT", "l"),
        ("BITCOUNT",),
    )


def test_bitcount_long_string(both, rng):
    value = bytes(rng.randrange(256) for _ in range(5000))
    both("SET", "big", value)
    for _ in range(40):
        a, b = rng.randrange(-6000, 6000), rng.randrange(-6000, 6000)
        both("BITCOUNT", "big", str(a), str(b))
        both("BITCOUNT", "big", str(a * 8), str(b * 8), "BIT")


def test_bitpos(both):
    both.run(
        ("SET", "s", b"\xff\xf0\x00"),
        ("SET", "ones", b"\xff\xff\xff"),
        ("SET", "zeros", b"\x00\x00\x00"),
        ("SET", "e", ""),
    )
    for key in ("s", "ones", "zeros", "e", "missing"):
        for bit in ("0", "1"):
            for args in [(), ("0",), ("1",), ("-1",), ("0", "-1"), ("1", "1"), ("2", "1"),
                         ("0", "-1", "BYTE"), ("3", "-1", "BIT"), ("7", "15", "BIT"),
                         ("12", "12", "bit"), ("0", "23", "BIT"), ("16", "23", "BIT"),
                         ("5", "5", "BIT"), ("-5", "-1", "BIT"), ("100", "200"),
                         ("9", "10", "BIT")]:
                both("BITPOS", key, bit, *args)
    both.run(
        ("BITPOS", "s", "2"),
        ("BITPOS", "s", "x"),
        ("BITPOS", "missing", "2"),
        ("BITPOS", "missing", "1", "x"),
        ("BITPOS", "s", "1", "x"),
        ("BITPOS", "s", "1", "0", "x"),
        ("BITPOS", "s", "1", "0", "x", "WORD"),  # the unit is checked before the end
        ("BITPOS", "s", "1", "0", "1", "WORD"),
        ("BITPOS", "s", "1", "0", "1", "BIT", "extra"),
        ("LPUSH", "l", "x"),
        ("BITPOS", "l", "1"),
        ("BITPOS", "s"),
    )


def test_bitop(both):
    both.run(
        ("SET", "a", b"\x0f\xf0\xaa"),
        ("SET", "b", b"\xff"),
        ("SET", "c", "12345"),
        ("SET", "e", ""),
        ("BITOP", "AND", "d", "a", "b"), ("GET", "d"),
        ("BITOP", "or", "d", "a", "b", "c"), ("GET", "d"),
        ("BITOP", "XOR", "d", "a", "b", "missing"), ("GET", "d"),
        ("BITOP", "NOT", "d", "a"), ("GET", "d"),
        ("BITOP", "AND", "a", "a", "a"), ("GET", "a"),
        ("BITOP", "NOT", "d", "a", "b"),
        ("BITOP", "NAND", "d", "a"),
        ("BITOP", "AND", "d", "missing", "e"),
        ("EXISTS", "d"),
        ("SET", "t", "v", "EX", "100"),
        ("BITOP", "OR", "t", "b"),
        ("TTL", "t"),
        ("BITOP", "OR", "t", "e"),
        ("EXISTS", "t"),
        ("LPUSH", "l", "x"),
        ("BITOP", "OR", "d", "a", "l"),
        ("BITOP", "OR", "l", "a"),
        ("TYPE", "l"),
        ("BITOP", "AND", "d"),
    )


def test_bitop_random_against_redis(both, rng):
    for _ in range(60):
        keys = []
        for j in range(rng.randrange(1, 5)):
            key = "s%d" % j
            keys.append(key)
            if rng.random() < 0.2:
                both("DEL", key)
            else:
                both("SET", key, bytes(rng.randrange(256) for _ in range(rng.randrange(0, 70))))
        op = rng.choice(["AND", "OR", "XOR", "NOT"])
        both("BITOP", op, "dest", *(keys[:1] if op == "NOT" else keys))
        both("GET", "dest")


def test_setbit_getbit(both):
    both.run(
        ("SETBIT", "k", "7", "1"), ("GET", "k"),
        ("SETBIT", "k", "7", "1"), ("SETBIT", "k", "7", "0"),
        ("SETBIT", "k", "100", "1"), ("STRLEN", "k"),
        ("GETBIT", "k", "100"), ("GETBIT", "k", "1000000"), ("GETBIT", "missing", "0"),
        ("SETBIT", "k", "-1", "1"), ("SETBIT", "k", "1", "2"), ("SETBIT", "k", "x", "1"),
        ("SETBIT", "k", "4294967296", "1"), ("GETBIT", "k", "4294967296"),
        ("SET", "n", "1"), ("SETBIT", "n", "6", "1"), ("GET", "n"),
        ("LPUSH", "l", "x"), ("SETBIT", "l", "0", "1"), ("GETBIT", "l", "0"),
    )


def test_setbit_and_bitfield_count_only_real_changes(firn):
    conn = firn.raw()
    start = _dirty(conn)
    conn.cmd("SETBIT", "foo", "0", "0")
    conn.cmd("BITFIELD", "foo2", "SET", "i5", "0", "0")
    assert _dirty(conn) == start + 2  # created
    conn.cmd("SETBIT", "foo", "0", "0")
    conn.cmd("BITFIELD", "foo2", "SET", "i5", "0", "0")
    assert _dirty(conn) == start + 2  # unchanged
    conn.cmd("SETBIT", "foo", "0", "1")
    conn.cmd("BITFIELD", "foo2", "SET", "i5", "0", "1")
    assert _dirty(conn) == start + 4
    conn.cmd("SETBIT", "foo", "90", "0")  # grows only
    assert _dirty(conn) == start + 5
    conn.close()


def test_bitfield_basics_and_overflow(both):
    both.run(
        ("BITFIELD", "bits", "SET", "i8", "0", "-100"),
        ("BITFIELD", "bits", "SET", "i8", "0", "101"),
        ("BITFIELD", "bits", "GET", "i8", "0", "GET", "u4", "4", "GET", "i64", "0"),
        ("BITFIELD", "bits", "SET", "u8", "#1", "65", "SET", "u8", "#2", "66", "GET", "u16", "#1"),
        ("GET", "bits"),
        ("BITFIELD", "bits", "INCRBY", "u8", "#0", "300", "OVERFLOW", "SAT", "INCRBY", "u8",
         "#0", "300", "OVERFLOW", "FAIL", "INCRBY", "u8", "#0", "1", "OVERFLOW", "WRAP",
         "INCRBY", "u8", "#0", "-1000"),
        ("BITFIELD", "bits", "OVERFLOW", "SAT", "SET", "i4", "0", "100", "SET", "i4", "0",
         "-100", "SET", "u4", "0", "-1", "OVERFLOW", "FAIL", "SET", "u4", "0", "16",
         "SET", "i4", "0", "7"),
        ("BITFIELD", "bits", "OVERFLOW", "WRAP", "SET", "i4", "0", "100", "SET", "u4", "0", "-1",
         "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-1",
         "INCRBY", "u63", "0", "9223372036854775807", "GET", "u63", "1"),
        ("BITFIELD", "bits", "OVERFLOW", "SAT", "SET", "i64", "0", "9223372036854775807",
         "INCRBY", "i64", "0", "1", "INCRBY", "i64", "0", "-9223372036854775808",
         "INCRBY", "i64", "0", "-9223372036854775808"),
        ("BITFIELD", "bits", "OVERFLOW", "FAIL", "INCRBY", "i64", "0", "-9223372036854775808",
         "INCRBY", "u1", "100", "2", "GET", "u1", "100"),
        ("BITFIELD", "bits"),
        ("BITFIELD", "missing", "GET", "u8", "0"),
        ("EXISTS", "missing"),
        ("BITFIELD", "fresh", "OVERFLOW", "FAIL", "SET", "u2", "30", "9"),
        ("GET", "fresh"),
        ("SET", "one", "1"),
        ("BITFIELD", "one", "GET", "u1", "0", "GET", "u8", "0", "GET", "i7", "1"),
        ("BITFIELD", "r", "SET", "i8", "0", "10", "SET", "i8", "64", "10", "INCRBY", "i8", "10",
         "99900"),
    )


def test_bitfield_errors(both):
    both.run(
        ("SET", "k", "abc"),
        ("BITFIELD", "k", "GET", "u64", "0"),
        ("BITFIELD", "k", "GET", "i65", "0"),
        ("BITFIELD", "k", "GET", "i0", "0"),
        ("BITFIELD", "k", "GET", "U8", "0"),
        ("BITFIELD", "k", "GET", "x8", "0"),
        ("BITFIELD", "k", "GET", "", "0"),
        ("BITFIELD", "k", "GET", "u8", "-1"),
        ("BITFIELD", "k", "GET", "u8", "#-1"),
        ("BITFIELD", "k", "GET", "u8", "x"),
        ("BITFIELD", "k", "GET", "u8", "4294967296"),
        ("BITFIELD", "k", "GET", "u8", "#536870912"),
        ("BITFIELD", "k", "GET", "u8", "#1152921504606846976"),
        ("BITFIELD", "k", "SET", "u8", "0", "x"),
        ("BITFIELD", "k", "SET", "u8", "0"),
        ("BITFIELD", "k", "GET", "u8"),
        ("BITFIELD", "k", "OVERFLOW", "BOUNCE", "GET", "u8", "0"),
        ("BITFIELD", "k", "OVERFLOW"),
        ("BITFIELD", "k", "FOO", "u8", "0"),
        ("BITFIELD", "k", "GET", "u8", "0", "SET", "u8", "0", "1", "GET", "x", "0"),
        ("GET", "k"),
        ("BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i4", "#3"),
        ("BITFIELD_RO", "k"),
        ("BITFIELD_RO", "k", "SET", "u8", "0", "1"),
        ("BITFIELD_RO", "k", "INCRBY", "u8", "0", "1", "GET", "x", "0"),
        ("BITFIELD_RO", "k", "OVERFLOW", "SAT", "GET", "u8", "0"),
        ("GET", "k"),
        ("LPUSH", "l", "x"),
        ("BITFIELD", "l", "GET", "u8", "0"),
        ("BITFIELD", "l", "SET", "u8", "0", "1"),
        ("BITFIELD_RO", "l", "GET", "u8", "0"),
        ("BITFIELD", "l"),
    )


def test_bitfield_random_against_redis(both, rng):
    for _ in range(300):
        signed = rng.random() < 0.5
        bits = rng.randint(1, 64 if signed else 63)
        kind = ("i" if signed else "u") + str(bits)
        lo = -(1 << (bits - 1)) if signed else 0
        span = 1 << bits
        value = str(lo * 2 + rng.randrange(span * 2))
        incr = str(max(-(1 << 63), min((1 << 63) - 1, lo * 2 + rng.randrange(span * 2))))
        offset = str(rng.randrange(200))
        ow = rng.choice(["WRAP", "SAT", "FAIL"])
        value = str(max(-(1 << 63), min((1 << 63) - 1, int(value))))
        both("BITFIELD", "f", "OVERFLOW", ow, "SET", kind, offset, value, "INCRBY", kind, offset,
             incr, "GET", kind, offset)
    both("GET", "f")


def test_bit_commands_in_command_info(both):
    for name in ("bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro", "setbit", "getbit"):
        both("COMMAND", "GETKEYS", *{"bitop": ("BITOP", "AND", "d", "a", "b")}.get(
            name, (name, "k", "0", "1")))
    both("COMMAND", "GETKEYSANDFLAGS", "BITFIELD", "k", "GET", "u8", "0")
    both("COMMAND", "GETKEYSANDFLAGS", "BITFIELD", "k", "GET", "u8", "0", "SET", "u8", "0", "1")
    both("COMMAND", "GETKEYSANDFLAGS", "BITFIELD", "k", "INCRBY")


def test_resp3_replies(both):
    assert both.f.cmd("HELLO", "3").startswith(b"%")
    assert both.r.cmd("HELLO", "3").startswith(b"%")
    both.run(
        ("BITFIELD", "b", "OVERFLOW", "FAIL", "SET", "u2", "0", "7", "GET", "i3", "0"),
        ("BITFIELD_RO", "b", "GET", "u8", "0"),
        ("BITCOUNT", "b"), ("BITPOS", "b", "0"), ("BITOP", "NOT", "c", "b"),
        ("SETBIT", "b", "3", "1"), ("GETBIT", "b", "3"),
        ("PFADD", "h", "a"), ("PFCOUNT", "h"), ("PFMERGE", "h2", "h"),
        ("PFDEBUG", "ENCODING", "h"), ("PFDEBUG", "DECODE", "h"), ("OBJECT", "ENCODING", "h"),
        ("OBJECT", "ENCODING", "b"), ("OBJECT", "ENCODING", "c"),
    )
