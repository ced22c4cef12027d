#include "storage/geohash.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>

namespace geo = firn::geo;

TEST_CASE("a place's score is Redis's 52-bit interleaved cell number", "[geohash]") {
  // Palermo and Catania, as GEOADD scores them in Redis.
  CHECK(geo::ScoreOf(13.361389, 38.115556) == 3479099956230698ULL);
  CHECK(geo::ScoreOf(15.087269, 37.502669) == 3479447370796909ULL);
  CHECK(geo::ScoreOf(-180, -85.05112878) == 0u);
  CHECK(*geo::ScoreOf(0, 0) < (1ULL << 52));
}

TEST_CASE("places outside Redis's limits have no score", "[geohash]") {
  CHECK_FALSE(geo::ScoreOf(180.0001, 0));
  CHECK_FALSE(geo::ScoreOf(-180.0001, 0));
  CHECK_FALSE(geo::ScoreOf(0, 85.05112879));
  CHECK_FALSE(geo::ScoreOf(0, -86));
  CHECK(geo::ScoreOf(180, 85.05112878));
}

TEST_CASE("a score decodes to its cell's centre, within a metre of the place", "[geohash]") {
  const auto xy = geo::PlaceOf(3479099956230698.0);
  CHECK(std::fabs(xy[0] - 13.361389) < 1e-5);
  CHECK(std::fabs(xy[1] - 38.115556) < 1e-5);
  for (double lon : {-179.9, -45.5, 0.0, 12.34, 179.9}) {
    for (double lat : {-85.0, -10.1, 0.0, 45.0, 85.0}) {
      const auto back = geo::PlaceOf(static_cast<double>(*geo::ScoreOf(lon, lat)));
      CHECK(geo::Distance(lon, lat, back[0], back[1]) < 1.0);
    }
  }
}

TEST_CASE("GEOHASH text uses the standard latitude range and ends in 0", "[geohash]") {
  const auto text = geo::GeohashText(3479099956230698.0);
  CHECK(std::string(text.data(), text.size()) == "sqc8b49rny0");
  const auto catania = geo::GeohashText(3479447370796909.0);
  CHECK(std::string(catania.data(), catania.size()) == "sqdtr74hyu0");
}

TEST_CASE("distances are haversine on Redis's earth radius", "[geohash]") {
  CHECK(geo::Distance(0, 0, 0, 0) == 0);
  // Same meridian: the latitude-only form.
  CHECK(geo::Distance(10, 10, 10, 20) == geo::LatDistance(10, 20));
  CHECK(std::fabs(geo::Distance(13.361389, 38.115556, 15.087269, 37.502669) - 166274.15) < 1);
}

TEST_CASE("the search precision follows the radius and the latitude", "[geohash]") {
  CHECK(geo::StepsForRadius(0, 0) == 26);
  CHECK(geo::StepsForRadius(1, 0) == 24);
  CHECK(geo::StepsForRadius(1000, 0) == 14);
  CHECK(geo::StepsForRadius(1000, 70) == 13);
  CHECK(geo::StepsForRadius(1000, -85) == 12);
  CHECK(geo::StepsForRadius(1e8, 0) == 1);
}

TEST_CASE("a search covers every member of its shape with at most nine cells", "[geohash]") {
  geo::Shape s;
  s.lon = 15;
  s.lat = 37;
  s.radius_m = 100000;
  const auto cells = geo::SearchCells(s);
  REQUIRE_FALSE(cells[0].IsZero());
  // Catania lies within 100 km; its score falls in one of the cells examined.
  const uint64_t catania = *geo::ScoreOf(15.087269, 37.502669);
  bool covered = false;
  for (const geo::Cell& c : cells) {
    if (c.IsZero()) continue;
    const uint64_t lo = geo::Align52(c), hi = geo::Align52({c.bits + 1, c.step});
    covered = covered || (catania >= lo && catania < hi);
  }
  CHECK(covered);
  CHECK(geo::DistanceIfWithin(s, 15.087269, 37.502669));
  CHECK_FALSE(geo::DistanceIfWithin(s, 13.361389, 38.115556));
}

TEST_CASE("a box keeps what lies within half its width and height", "[geohash]") {
  geo::Shape s;
  s.box = true;
  s.width_m = 200000;
  s.height_m = 100000;
  CHECK(geo::DistanceIfWithin(s, 0.8, 0.0));
  CHECK_FALSE(geo::DistanceIfWithin(s, 0.0, 0.5));
  CHECK(geo::DistanceIfWithin(s, 0.0, 0.4));
}
