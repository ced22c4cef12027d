// Geohash: the 52-bit interleaved cell numbers that GEOADD stores as sorted-set scores, and
// the geometry the GEO commands search with.
//
// Contract. A place (longitude, latitude) in degrees becomes a 52-bit integer, 26 bits of
// each coordinate interleaved, longitude in the odd bits; stored as a double it is exact, and
// it is the same number Redis stores, so a geo set moved between Firn and Redis (DUMP/RESTORE,
// a snapshot, GEOADD replayed) names the same places. Latitudes are limited to Web Mercator's
// +-85.05112878 degrees, longitudes to +-180, as in Redis. A search (SearchCells) returns the
// cell around the centre and its eight neighbours, at a precision fitted to the radius, with
// the useless ones cleared, exactly as Redis chooses them, so the members a search examines,
// and the order it finds them in, are the same as Redis's.
//
// Pure functions; no state, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace firn::geo {

inline constexpr double kLonMin = -180;
inline constexpr double kLonMax = 180;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
inline constexpr int kMaxStep = 26;  // bits per coordinate: 52 bits in all
inline constexpr double kEarthRadiusM = 6372797.560856;

struct Range {
  double min;
  double max;
};

// A cell: `step` bits per coordinate, interleaved into the low 2 * step bits. Zero (bits 0,
// step 0) means "no cell" (a neighbour a search leaves out).
struct Cell {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool IsZero() const { return bits == 0 && step == 0; }
};

struct Area {
  Range lon;
  Range lat;
};

// The cell of (lon, lat) at `step` within the given ranges; nullopt outside Redis's limits or
// the ranges. REQUIRES: 1 <= step <= 32.
std::optional<Cell> Encode(Range lon_range, Range lat_range, double lon, double lat, int step);
// The same within the WGS84 ranges GEOADD uses (latitude +-85.05112878).
std::optional<Cell> EncodeWgs84(double lon, double lat, int step);
// The area a cell covers; nullopt for the zero cell.
std::optional<Area> Decode(Range lon_range, Range lat_range, Cell cell);

// The sorted-set score of a place: its 26-step cell aligned to 52 bits. nullopt outside the
// limits.
std::optional<uint64_t> ScoreOf(double lon, double lat);
// The place a score stands for: the centre of its 26-step cell, clamped to the limits, as
// {longitude, latitude}. Scores that are not 52-bit integers decode as Redis decodes them
// (the double converted to an integer).
std::array<double, 2> PlaceOf(double score);
// A cell aligned to 52 bits (bits << (52 - 2 * step)), the score range it covers being
// [Align(c), Align(c with bits + 1)).
uint64_t Align52(Cell cell);

// The 11-character geohash (standard latitude range +-90) GEOHASH prints for a score.
std::array<char, 11> GeohashText(double score);

// Great-circle distance in metres (haversine on Redis's earth radius).
double Distance(double lon1, double lat1, double lon2, double lat2);
// Distance in metres along a meridian between two latitudes.
double LatDistance(double lat1, double lat2);

// What a search covers: a circle of radius_m, or a box width_m x height_m (metres), around
// (lon, lat).
struct Shape {
  double lon = 0;
  double lat = 0;
  bool box = false;
  double radius_m = 0;
  double width_m = 0;
  double height_m = 0;
};

// Whether (lon, lat) lies in shape; if so, its distance in metres from the centre.
std::optional<double> DistanceIfWithin(const Shape& shape, double lon, double lat);

// The cells a search of shape examines, in Redis's order: the centre's own cell, then north,
// south, east, west, north-east, north-west, south-east, south-west. Cleared neighbours are
// zero cells.
std::array<Cell, 9> SearchCells(const Shape& shape);

// Redis's choice of precision for a search of radius_m metres at latitude lat.
int StepsForRadius(double radius_m, double lat);

}  // namespace firn::geo
