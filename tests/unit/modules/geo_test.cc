#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"

using firn::testing::CommandHarness;

TEST_CASE("GEOADD stores Redis's scores through ZADD's options", "[geo]") {
  CommandHarness h;
  CHECK(h.Run({"GEOADD", "g", "13.361389", "38.115556", "Palermo"}) == ":1\r\n");
  CHECK(h.Run({"ZSCORE", "g", "Palermo"}) == "$16\r\n3479099956230698\r\n");
  CHECK(h.Run({"GEOADD", "g", "NX", "15", "37", "Palermo"}) == ":0\r\n");
  CHECK(h.Run({"GEOADD", "g", "XX", "CH", "15", "37", "Palermo", "1", "1", "x"}) == ":1\r\n");
  CHECK(h.Run({"ZCARD", "g"}) == ":1\r\n");
  CHECK(h.Run({"GEOADD", "g", "NX", "XX", "1", "1", "a"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"GEOADD", "g", "1", "1", "a", "2"}) == "-ERR syntax error\r\n");
}

TEST_CASE("GEOADD refuses a bad place and changes nothing", "[geo]") {
  CommandHarness h;
  CHECK(h.Run({"GEOADD", "g", "1", "1", "ok", "200", "100", "bad"}) ==
        "-ERR invalid longitude,latitude pair 200.000000,100.000000\r\n");
  CHECK(h.Run({"GEOADD", "g", "x", "1", "a"}) == "-ERR value is not a valid float\r\n");
  CHECK(h.Run({"EXISTS", "g"}) == ":0\r\n");
}

TEST_CASE("GEOPOS, GEOHASH and GEODIST read places back", "[geo]") {
  CommandHarness h;
  h.Run({"GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"});
  CHECK(h.Run({"GEOPOS", "g", "Palermo", "nope"}) ==
        "*2\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n");
  CHECK(h.Run({"GEOHASH", "g", "Catania", "nope"}) == "*2\r\n$11\r\nsqdtr74hyu0\r\n$-1\r\n");
  CHECK(h.Run({"GEODIST", "g", "Palermo", "Catania", "km"}) == "$8\r\n166.2742\r\n");
  CHECK(h.Run({"GEODIST", "g", "Palermo", "nope"}) == "$-1\r\n");
  CHECK(h.Run({"GEODIST", "g", "Palermo", "Catania", "parsec"}) ==
        "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n");
}

TEST_CASE("searches sort, count and store as Redis's do", "[geo]") {
  CommandHarness h;
  h.Run({"GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"});
  CHECK(h.Run({"GEORADIUS", "g", "15", "37", "200", "km", "ASC"}) ==
        "*2\r\n$7\r\nCatania\r\n$7\r\nPalermo\r\n");
  CHECK(h.Run({"GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "1",
               "WITHDIST"}) == "*1\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n");
  CHECK(h.Run({"GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "10", "km",
               "STOREDIST"}) == ":1\r\n");
  CHECK(h.Run({"ZSCORE", "d", "Palermo"}) == "$1\r\n0\r\n");
  CHECK(h.Run({"GEORADIUS", "g", "0", "0", "1", "km", "STORE", "d"}) == ":0\r\n");
  CHECK(h.Run({"EXISTS", "d"}) == ":0\r\n");
  CHECK(h.Run({"GEORADIUS", "g", "15", "37", "1", "km", "ANY"}) ==
        "-ERR the ANY argument requires COUNT argument\r\n");
  CHECK(h.Run({"GEOSEARCH", "g", "BYRADIUS", "1", "km", "ASC", "DESC"}) ==
        "-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH\r\n");
  CHECK(h.Run({"GEORADIUSBYMEMBER", "g", "nope", "1", "km"}) ==
        "-ERR could not decode requested zset member\r\n");
}
