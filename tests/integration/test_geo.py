"""GEO commands: replies (errors included) compared byte for byte with redis-server.

A geo set is a sorted set of 52-bit geohash scores, so the scores, the distances (four
decimals), the coordinates (as Redis prints them) and the order of unsorted search results
must all be Redis's own: the searches examine the same neighbour cells in the same order."""

import random

import pytest

SICILY = ("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669",
          "Catania", "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2")


def test_geoadd_options_scores_and_errors(both):
    both.run(
        SICILY, ("ZRANGE", "Sicily", "0", "-1", "WITHSCORES"),
        ("GEOADD", "Sicily", "NX", "13", "38", "Palermo", "1", "1", "new"),
        ("GEOADD", "Sicily", "XX", "13", "38", "Palermo", "1", "1", "new2"),
        ("GEOADD", "Sicily", "XX", "CH", "13.1", "38", "Palermo"),
        ("GEOADD", "Sicily", "CH", "13.1", "38", "Palermo", "2", "2", "p2"),
        ("GEOADD", "Sicily", "CH", "NX", "XX", "1", "1", "a"),
        ("GEOADD", "Sicily", "NX", "XX", "1", "1", "a"),
        ("GEOADD", "Sicily", "1", "1", "a", "2"), ("GEOADD", "Sicily", "CH", "CH", "CH"),
        ("GEOADD", "Sicily", "200", "100", "bad"), ("GEOADD", "Sicily", "-180.0001", "0", "bad"),
        ("GEOADD", "Sicily", "0", "85.05112879", "bad"), ("GEOADD", "Sicily", "0", "-86", "bad"),
        ("GEOADD", "Sicily", "x", "1", "bad"), ("GEOADD", "Sicily", "1", "nan", "bad"),
        ("GEOADD", "Sicily", "inf", "1", "bad"), ("GEOADD", "Sicily", "1", "", "bad"),
        ("GEOADD", "Sicily", "1", "1", "ok", "500", "1", "bad"), ("ZCARD", "Sicily"),
        ("GEOADD", "Sicily", "180", "85.05112878", "corner", "-180", "-85.05112878", "corner2"),
        ("GEOADD", "Sicily", "0", "0", "origin", "-0", "-0", "origin2"),
        ("ZRANGE", "Sicily", "0", "-1", "WITHSCORES"), ("GEOADD", "Sicily"), ("GEOADD", "Sicily", "1", "1"),
        ("SET", "str", "x"), ("GEOADD", "str", "1", "1", "a"), ("TYPE", "Sicily"),
    )


@pytest.mark.parametrize("resp", [2, 3])
def test_geopos_geohash_geodist(both, resp):
    if resp == 3:
        both.both_do("HELLO", "3")
    both.run(
        SICILY, ("GEOADD", "Sicily", "180", "85.05112878", "corner", "-180", "-85.05112878", "c2",
                 "0", "0", "origin", "-122.4194", "37.7749", "sf"),
        ("GEOPOS", "Sicily", "Palermo", "nope", "Catania", "corner", "c2", "origin", "sf"),
        ("GEOPOS", "Sicily"), ("GEOPOS", "nokey", "a", "b"), ("GEOPOS", "nokey"),
        ("GEOHASH", "Sicily", "Palermo", "Catania", "nope", "corner", "c2", "origin", "sf"),
        ("GEOHASH", "Sicily"), ("GEOHASH", "nokey", "a"),
        ("GEODIST", "Sicily", "Palermo", "Catania"), ("GEODIST", "Sicily", "Palermo", "Catania", "km"),
        ("GEODIST", "Sicily", "Palermo", "Catania", "MI"), ("GEODIST", "Sicily", "Palermo", "Catania", "Ft"),
        ("GEODIST", "Sicily", "Palermo", "Catania", "m"), ("GEODIST", "Sicily", "Palermo", "Palermo"),
        ("GEODIST", "Sicily", "corner", "c2"), ("GEODIST", "Sicily", "origin", "sf", "km"),
        ("GEODIST", "Sicily", "Palermo", "nope"), ("GEODIST", "nokey", "a", "b"),
        ("GEODIST", "Sicily", "Palermo", "Catania", "yards"),
        ("GEODIST", "Sicily", "Palermo", "Catania", "km", "extra"),
        ("GEODIST", "nokey", "a", "b", "yards"),
        ("ZADD", "Sicily", "-5", "negative", "1e20", "huge", "0.5", "half"),
        ("GEOPOS", "Sicily", "half"), ("GEOHASH", "Sicily", "half"),
        ("SET", "str", "x"), ("GEOPOS", "str", "a"), ("GEOHASH", "str", "a"), ("GEODIST", "str", "a", "b"),
    )


def test_same_meridian_distance(both):
    # Equal longitudes take the latitude-only shortcut in Redis's haversine.
    both.run(("GEOADD", "g", "10", "10", "a", "10", "20", "b", "10", "-70", "c", "10.0000001", "20", "d"),
             ("GEODIST", "g", "a", "b"), ("GEODIST", "g", "a", "c", "km"), ("GEODIST", "g", "b", "d"))


@pytest.mark.parametrize("resp", [2, 3])
def test_searches_with_every_option(both, resp):
    if resp == 3:
        both.both_do("HELLO", "3")
    both(*SICILY)
    base = [("GEORADIUS", "Sicily", "15", "37", "200", "km"),
            ("GEORADIUS_RO", "Sicily", "15", "37", "200000", "m"),
            ("GEORADIUSBYMEMBER", "Sicily", "Palermo", "300", "km"),
            ("GEORADIUSBYMEMBER_RO", "Sicily", "Catania", "200", "mi"),
            ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"),
            ("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km"),
            ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1000000", "300000", "ft")]
    extras = [(), ("WITHDIST",), ("WITHCOORD",), ("WITHHASH",), ("WITHDIST", "WITHHASH", "WITHCOORD"),
              ("ASC",), ("DESC", "WITHDIST"), ("COUNT", "2"), ("COUNT", "2", "DESC"),
              ("COUNT", "1", "ANY"), ("COUNT", "3", "ANY", "ASC", "WITHDIST"), ("COUNT", "100"),
              ("withcoord", "withdist", "count", "2", "asc")]
    for cmd in base:
        for extra in extras:
            both(*(cmd + extra))


def test_search_errors(both):
    both(*SICILY)
    both.run(
        ("GEORADIUS", "Sicily", "15", "37", "-1", "km"), ("GEORADIUS", "Sicily", "15", "37", "x", "km"),
        ("GEORADIUS", "Sicily", "15", "37", "1", "parsec"), ("GEORADIUS", "Sicily", "200", "37", "1", "km"),
        ("GEORADIUS", "Sicily", "x", "37", "1", "km"), ("GEORADIUS", "Sicily", "15", "37", "1", "km", "COUNT", "0"),
        ("GEORADIUS", "Sicily", "15", "37", "1", "km", "COUNT", "-1"),
        ("GEORADIUS", "Sicily", "15", "37", "1", "km", "COUNT", "x"),
        ("GEORADIUS", "Sicily", "15", "37", "1", "km", "COUNT"),
        ("GEORADIUS", "Sicily", "15", "37", "1", "km", "ANY"),
        ("GEORADIUS", "Sicily", "15", "37", "1", "km", "BOGUS"),
        ("GEORADIUS", "Sicily", "15", "37", "1", "km", "WITHDIST", "STORE", "d"),
        ("GEORADIUS", "Sicily", "15", "37", "1", "km", "STORE"),
        ("GEORADIUS_RO", "Sicily", "15", "37", "1", "km", "STORE", "d"),
        ("GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "1", "km", "STOREDIST", "d"),
        ("GEORADIUSBYMEMBER", "Sicily", "nope", "1", "km"),
        ("GEORADIUSBYMEMBER", "nokey", "nope", "x", "parsec"),
        ("GEORADIUSBYMEMBER", "nokey", "nope", "1", "km", "BOGUS"),
        ("GEORADIUS", "nokey", "15", "37", "1", "km"), ("GEORADIUS", "nokey", "15", "37", "x", "km"),
        ("GEOSEARCH", "Sicily", "BYRADIUS", "1", "km"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "COUNT", "1"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "STOREDIST"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "STORE", "x"),
        ("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "1", "km", "BYRADIUS", "1", "km"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "BYRADIUS", "500", "km"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "-1", "1", "km"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "x", "1", "km"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "y", "km"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "1", "lightyear"),
        ("GEOSEARCH", "Sicily", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"),
        ("GEOSEARCH", "nokey", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"),
        ("GEOSEARCH", "nokey", "FROMMEMBER", "nope", "COUNT", "1"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "ANY"),
        ("GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "WITHDIST"),
        ("GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "STORE", "x"),
        ("geosearch", "Sicily", "fromlonlat", "15", "37", "withdist"),
        ("SET", "str", "x"), ("GEORADIUS", "str", "200", "37", "1", "km"),
        ("GEOSEARCH", "str", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"),
        ("GEOSEARCHSTORE", "d", "str", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"),
    )


def test_store_forms(both):
    both(*SICILY)
    both.run(
        ("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "d1"),
        ("ZRANGE", "d1", "0", "-1", "WITHSCORES"),
        ("GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "d2", "DESC"),
        ("ZRANGE", "d2", "0", "-1", "WITHSCORES"),
        ("GEORADIUS", "Sicily", "15", "37", "400", "km", "STORE", "d3", "STOREDIST", "d4", "COUNT", "2"),
        ("EXISTS", "d3"), ("ZRANGE", "d4", "0", "-1", "WITHSCORES"),
        ("GEORADIUSBYMEMBER", "Sicily", "Palermo", "100", "mi", "STOREDIST", "d5"),
        ("ZRANGE", "d5", "0", "-1", "WITHSCORES"),
        ("GEOSEARCHSTORE", "d6", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km"),
        ("ZRANGE", "d6", "0", "-1", "WITHSCORES"),
        ("GEOSEARCHSTORE", "d7", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km",
         "STOREDIST", "COUNT", "2", "ANY"),
        ("ZRANGE", "d7", "0", "-1", "WITHSCORES"),
        # Nothing found, or no source: the destination is deleted.
        ("SET", "d8", "x"), ("GEORADIUS", "Sicily", "0", "0", "1", "km", "STORE", "d8"), ("EXISTS", "d8"),
        ("SET", "d9", "x"), ("GEOSEARCHSTORE", "d9", "nokey", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"),
        ("EXISTS", "d9"), ("SET", "d10", "x"),
        ("GEORADIUSBYMEMBER", "nokey", "a", "1", "km", "STORE", "d10"), ("EXISTS", "d10"),
        # The source itself as destination.
        ("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "Sicily"),
        ("ZRANGE", "Sicily", "0", "-1", "WITHSCORES"),
        ("SET", "d11", "x"), ("EXPIRE", "d11", "100"),
        ("GEOSEARCHSTORE", "d11", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"),
        ("TTL", "d11"), ("TYPE", "d11"),
    )


def test_edges_poles_and_antimeridian(both):
    both("GEOADD", "g", "179.9999", "0", "e", "-179.9999", "0", "w", "0", "85", "n", "0", "-85", "s",
         "90", "84.9", "n2", "-90", "-84.9", "s2", "179.5", "60", "x", "-179.5", "60", "y")
    for args in [("0", "85", "500", "km"), ("180", "0", "50", "km"), ("-180", "0", "50", "km"),
                 ("179.9", "60", "200", "km"), ("0", "-85", "5000", "km"), ("0", "0", "20000", "km"),
                 ("10", "10", "0", "m"), ("0", "85", "0", "km")]:
        both("GEORADIUS", "g", *args, "WITHDIST", "WITHCOORD", "WITHHASH")
        both("GEORADIUS", "g", *args, "ASC")
        both("GEOSEARCH", "g", "FROMLONLAT", args[0], args[1], "BYBOX", args[2], args[2], args[3],
             "WITHDIST")


def test_random_searches_match_redis(both):
    rnd = random.Random(1234)
    for centre_lon, centre_lat, spread in [(13.0, 38.0, 2.0), (-0.1, 51.5, 0.5), (139.7, 35.7, 5.0),
                                           (0.0, 0.0, 40.0), (-70.0, -80.0, 10.0)]:
        both("DEL", "pts")
        args = ["GEOADD", "pts"]
        for i in range(400):
            lon = max(-180.0, min(180.0, centre_lon + rnd.uniform(-spread, spread)))
            lat = max(-85.0, min(85.0, centre_lat + rnd.uniform(-spread, spread)))
            args += ["%.6f" % lon, "%.6f" % lat, "p%d" % i]
        both(*args)
        for _ in range(25):
            lon = "%.5f" % (centre_lon + rnd.uniform(-spread, spread))
            lat = "%.5f" % max(-85.0, min(85.0, centre_lat + rnd.uniform(-spread, spread)))
            radius = "%.3f" % rnd.uniform(0.1, spread * 150)
            both("GEORADIUS", "pts", lon, lat, radius, "km", "WITHDIST")
            both("GEOSEARCH", "pts", "FROMLONLAT", lon, lat, "BYBOX", radius, "%.3f" % (float(radius) / 2),
                 "km", "WITHDIST", "WITHCOORD")
            both("GEORADIUSBYMEMBER", "pts", "p%d" % rnd.randrange(400), radius, "km", "COUNT", "7",
                 "WITHDIST")
            both("GEOSEARCH", "pts", "FROMLONLAT", lon, lat, "BYRADIUS", radius, "km", "COUNT", "5", "ANY")


def test_command_metadata_and_getkeys(both):
    for line in [("GEORADIUS", "k", "1", "2", "3", "km", "STORE", "a", "STOREDIST", "b"),
                 ("GEORADIUSBYMEMBER", "k", "m", "3", "km", "STOREDIST", "b"),
                 ("GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "m", "BYRADIUS", "1", "km"),
                 ("GEOADD", "k", "1", "1", "m"), ("GEORADIUS_RO", "k", "1", "2", "3", "km")]:
        both("COMMAND", "GETKEYS", *line)
        both("COMMAND", "GETKEYSANDFLAGS", *line)
    for name in ["geoadd", "geodist", "geohash", "geopos", "georadius", "georadius_ro",
                 "georadiusbymember", "georadiusbymember_ro", "geosearch", "geosearchstore"]:
        both("COMMAND", "INFO", name)


def test_keyspace_events(firn):
    c = firn.raw()
    sub = firn.raw()
    c.cmd("CONFIG", "SET", "notify-keyspace-events", "KEA")
    sub.send(b"*2\r\n$10\r\nPSUBSCRIBE\r\n$1\r\n*\r\n")
    sub.read_reply()
    c.cmd(*SICILY)
    assert b"zadd" in sub.read_reply()
    sub.read_reply()
    c.cmd("GEOSEARCHSTORE", "d", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km")
    assert b"geosearchstore" in sub.read_reply()
    c.cmd("CONFIG", "SET", "notify-keyspace-events", "")
