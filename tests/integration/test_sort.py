"""SORT and SORT_RO: replies (errors included) compared byte for byte with redis-server.

A set's own member order is not Redis's (each server hashes its own way), so a set read
without sorting (BY with no '*', outside STORE and scripts) is compared as a multiset."""

import pytest

from conftest import decode


def _lists(both):
    both.run(("RPUSH", "l", "3", "1", "2", "10", "-1.5", "2"),
             ("RPUSH", "words", "banana", "apple", "Cherry", "date", "10", "9"))


def test_numeric_and_alpha(both):
    _lists(both)
    both.run(
        ("SORT", "l"), ("SORT", "l", "DESC"), ("SORT", "l", "ASC"), ("SORT", "l", "ALPHA"),
        ("SORT", "words", "ALPHA"), ("SORT", "words", "ALPHA", "DESC"), ("SORT", "words"),
        ("SORT", "nokey"), ("SORT", "nokey", "ALPHA", "DESC", "LIMIT", "0", "5"),
        ("RPUSH", "f", "1.1", "5.10", "3.10", "7.44", "2.1", "5.75", "6.12", "0.25", "1.15", " 4", "0x10", "inf", "-inf", ""),
        ("SORT", "f"), ("SORT", "f", "DESC"),
        ("RPUSH", "bad", "1", "nan"), ("SORT", "bad"), ("SORT", "bad", "ALPHA"),
        ("RPUSH", "bad2", "1", "2x"), ("SORT", "bad2"), ("RPUSH", "bad3", "1e999"), ("SORT", "bad3"),
    )


def test_sort_ro(both):
    # Apart from the other numeric sorts: after a weight that overflows, Redis's check of
    # errno (never cleared before strtod) can fail a later sort of good numbers.
    _lists(both)
    both.run(("SORT_RO", "l"), ("SORT_RO", "words", "ALPHA", "DESC"), ("SORT_RO", "l", "BY", "x"),
             ("SORT_RO", "l", "LIMIT", "1", "1", "DESC"))


def test_limit(both):
    _lists(both)
    for start, count in [(0, 0), (0, 1), (1, 2), (-5, 3), (2, -1), (5, 10), (6, 1), (100, 1),
                         (0, 9223372036854775807), (9223372036854775807, 1), (-1, -1)]:
        both("SORT", "l", "LIMIT", str(start), str(count))
        both("SORT", "l", "BY", "nosort", "LIMIT", str(start), str(count))
        both("SORT", "l", "BY", "nosort", "DESC", "LIMIT", str(start), str(count))
    both.run(("SORT", "l", "LIMIT", "x", "1"), ("SORT", "l", "LIMIT", "0", "1.5"),
             ("SORT", "l", "LIMIT", "0"), ("SORT", "l", "LIMIT"))


def test_by_and_get_patterns(both):
    both.run(
        ("RPUSH", "ids", "1", "2", "3", "4", "5"),
        ("MSET", "w_1", "50", "w_2", "10", "w_3", "30", "w_4", "30", "name_1", "one", "name_2", "two",
         "name_5", "five", "x:3->", "arrow"),
        ("HSET", "h_1", "weight", "5", "name", "h-one"), ("HSET", "h_2", "weight", "1"),
        ("HSET", "h_3", "weight", "3", "name", "h-three"), ("SADD", "w_5", "notastring"),
        ("SORT", "ids", "BY", "w_*"), ("SORT", "ids", "BY", "w_*", "DESC"),
        ("SORT", "ids", "BY", "w_*", "LIMIT", "1", "2"), ("SORT", "ids", "BY", "h_*->weight"),
        ("SORT", "ids", "BY", "h_*->weight", "DESC", "GET", "#", "GET", "h_*->name"),
        ("SORT", "ids", "BY", "name_*", "ALPHA"), ("SORT", "ids", "BY", "name_*", "ALPHA", "DESC"),
        ("SORT", "ids", "GET", "#"), ("SORT", "ids", "GET", "name_*"), ("SORT", "ids", "GET", "nostar"),
        ("SORT", "ids", "GET", "#", "GET", "name_*", "GET", "h_*->name", "GET", "w_*"),
        ("SORT", "ids", "GET", "x:*->"), ("SORT", "ids", "GET", "h_*->"), ("SORT", "ids", "GET", "h_*->nofield"),
        ("SORT", "ids", "GET", "w_*->weight"), ("SORT", "ids", "BY", "w_*->weight"),
        ("SORT", "ids", "BY", "nosort", "GET", "name_*"), ("SORT", "ids", "BY", "nosort", "DESC"),
        ("SORT", "ids", "BY", "w_*", "BY", "nosort"), ("SORT", "ids", "BY", "nosort", "BY", "w_*"),
        ("SORT", "ids", "BY", "*"), ("SORT", "ids", "BY", "*", "ALPHA"),
        ("MSET", "bw_1", "1", "bw_2", "x"), ("SORT", "ids", "BY", "bw_*"),
        ("SORT", "ids", "BY", "bw_*", "ALPHA"),
        ("SORT", "ids", "BY"), ("SORT", "ids", "GET"), ("SORT", "ids", "FOO"),
    )


def test_sets_and_sorted_sets(both):
    both.run(
        ("SADD", "s", "5", "1", "3", "20", "-4"), ("SORT", "s"), ("SORT", "s", "DESC", "LIMIT", "1", "2"),
        ("SADD", "ws", "b", "a", "c", "aa", "B"), ("SORT", "ws", "ALPHA"), ("SORT", "ws"),
        ("ZADD", "z", "1", "a", "5", "b", "2", "c", "10", "d", "3", "e"),
        ("SORT", "z", "ALPHA", "DESC"), ("SORT", "z", "BY", "nosort"), ("SORT", "z", "BY", "nosort", "DESC"),
        ("SORT", "z", "BY", "nosort", "LIMIT", "1", "2"), ("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"),
        ("SORT", "z", "BY", "nosort", "LIMIT", "5", "10"), ("SORT", "z", "BY", "nosort", "LIMIT", "-10", "100"),
        ("SORT", "z"),
        ("SADD", "si", "1", "2", "3"), ("SORT", "si", "BY", "nosort", "STORE", "dst"),
        ("LRANGE", "dst", "0", "-1"),
        ("EVAL", "return redis.call('sort', KEYS[1], 'by', 'nosort')", "1", "ws"),
        ("EVAL", "return redis.call('sort', KEYS[1], 'by', 'nosort', 'desc')", "1", "z"),
    )
    # A set read in its own order: the same members, in each server's order.
    both.norm("SORT", "ws", "BY", "nosort", normalize=sorted)
    both.norm("SORT", "ws", "BY", "nokey", "GET", "#", normalize=sorted)


def test_store(both):
    _lists(both)
    both.run(
        ("SORT", "l", "STORE", "out"), ("LRANGE", "out", "0", "-1"), ("TYPE", "out"),
        ("SORT", "l", "DESC", "STORE", "out", "LIMIT", "0", "2"), ("LRANGE", "out", "0", "-1"),
        ("MSET", "v_1", "one", "v_2", "two"),
        ("SORT", "l", "GET", "v_*", "GET", "#", "STORE", "out2"), ("LRANGE", "out2", "0", "-1"),
        ("SORT", "l", "STORE", "a", "STORE", "b"), ("EXISTS", "a"), ("LRANGE", "b", "0", "-1"),
        ("SET", "gone", "x"), ("SORT", "nokey", "STORE", "gone"), ("EXISTS", "gone"),
        ("RPUSH", "one", "bar"), ("SORT", "one", "ALPHA", "LIMIT", "10", "10", "STORE", "zap"),
        ("EXISTS", "zap"), ("SORT", "l", "STORE", "l"), ("LRANGE", "l", "0", "-1"),
        ("SET", "str", "x"), ("EXPIRE", "str", "100"), ("SORT", "l", "STORE", "str"), ("TTL", "str"),
        ("SORT", "l", "STORE"), ("SORT_RO", "l", "STORE", "x"), ("SORT", "bad", "STORE", "x"),
        ("RPUSH", "badl", "x"), ("SET", "keep", "v"), ("SORT", "badl", "STORE", "keep"), ("GET", "keep"),
    )


def test_errors(both):
    both.run(
        ("SET", "str", "x"), ("SORT", "str"), ("SORT_RO", "str"), ("HSET", "h", "f", "v"), ("SORT", "h"),
        ("SORT",), ("SORT_RO",), ("SORT", "str", "FOO"), ("SORT", "str", "LIMIT", "a", "b"),
    )


def test_command_metadata_and_getkeys(both):
    for line in [("SORT", "abc", "STORE", "def"), ("SORT_RO", "abc"), ("SORT", "abc"),
                 ("SORT", "abc", "STORE", "invalid", "STORE", "stillbad", "STORE", "def"),
                 ("SORT", "abc", "LIMIT", "STORE", "x", "STORE", "y"), ("SORT", "abc", "GET", "STORE", "x"),
                 ("SORT", "abc", "STORE"), ("SORT_RO", "abc", "STORE", "x")]:
        both("COMMAND", "GETKEYS", *line)
        both("COMMAND", "GETKEYSANDFLAGS", *line)


def test_command_info_notes_are_firns(both):
    for name in ["sort", "sort_ro"]:
        f = decode(both.f.cmd("COMMAND", "INFO", name))[0]
        r = decode(both.r.cmd("COMMAND", "INFO", name))[0]
        assert f[:8] == r[:8]
        for fs, rs in zip(f[8], r[8]):
            fd, rd = dict(zip(fs[0::2], fs[1::2])), dict(zip(rs[0::2], rs[1::2]))
            assert (b"notes" in fd) == (b"notes" in rd)
            fd.pop(b"notes", None)
            rd.pop(b"notes", None)
            assert fd == rd
