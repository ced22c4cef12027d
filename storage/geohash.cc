// Geohash cells and the search geometry of the GEO commands.
//
// What it does. A place is stored in a sorted set under a score that numbers its cell on a
// 2^26 x 2^26 grid laid over longitude [-180, 180] and latitude [-85.05112878, 85.05112878]
// (the band Web Mercator can draw). The two 26-bit cell coordinates are interleaved, latitude
// in the even bits and longitude in the odd ones, so the score is a Z-order (Morton) number:
// cells that share a prefix of their score share a larger enclosing cell, and every enclosing
// cell at precision `step` is one contiguous score range. A search therefore becomes a few
// ZRANGEBYSCORE-like walks instead of a scan of the set.
//
// Why this design over the obvious one (a scan computing every member's distance, or an
// R-tree beside the set). A geo set must be an ordinary sorted set with Redis's exact scores:
// clients ZRANGE it, ZREM from it, move it to Redis with DUMP/RESTORE and expect the same
// places. And for the results to match Redis's byte for byte (which members, in what order
// when no sort is asked for, which ones COUNT ANY stops at) the search has to examine the
// same cells in the same order. So everything here follows Redis's geohash.c and
// geohash_helper.c step for step; only the code is ours.
//
// The search (SearchCells). Redis picks the precision at which one cell is about the size
// of the search radius (StepsForRadius: halve the world's Mercator width until it is below
// the radius, minus two steps for safety, minus one or two more towards the poles), takes the
// cell around the centre and its eight neighbours, lowers the precision once more if a
// neighbour does not reach the edge of the search's bounding box, then clears the neighbours
// that lie wholly outside that box. Each remaining cell is a score range [Align52(c),
// Align52(c + 1)); the commands walk it in score order and keep the members inside the shape.
//
// Invariants. A score is always < 2^52 for a place GEOADD accepted; decoding returns the
// centre of its 26-step cell (error at most ~0.6 m), clamped to the limits.
//
// Cost. Encoding and decoding are O(1) bit spreading; a search examines at most nine score
// ranges, O(log n) each to find plus the members they hold.
//
// Tunables: none. kEarthRadiusM (6372797.560856 m) and the Mercator width (20037726.37 m) are
// Redis's constants, kept so distances print the same to the fourth decimal.
#include "storage/geohash.h"

#include <cmath>

namespace firn::geo {
namespace {

constexpr double kMercatorMax = 20037726.37;
constexpr double kDegToRad = M_PI / 180.0;

double DegToRad(double deg) { return deg * kDegToRad; }
double RadToDeg(double rad) { return rad / kDegToRad; }

constexpr Range kWgsLon{kLonMin, kLonMax};
constexpr Range kWgsLat{kLatMin, kLatMax};

// Spreads the 32 bits of v over the even bits of a 64-bit word.
uint64_t Spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & 0x5555555555555555ULL;
  return x;
}

// The inverse of Spread: the even bits of x packed into 32 bits.
uint32_t Compact(uint64_t x) {
  x &= 0x5555555555555555ULL;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return static_cast<uint32_t>(x);
}

// Moves a cell one column east (d > 0) or west (d < 0): add or subtract one in the odd
// (longitude) bits only, wrapping around the world.
Cell MoveLon(Cell c, int d) {
  const int shift = 64 - c.step * 2;
  uint64_t x = c.bits & 0xAAAAAAAAAAAAAAAAULL;
  const uint64_t y = c.bits & 0x5555555555555555ULL;
  const uint64_t fill = 0x5555555555555555ULL >> shift;  // the other bits, set: carries pass
  if (d > 0) {
    x = x + (fill + 1);
  } else {
    x = (x | fill) - (fill + 1);
  }
  x &= 0xAAAAAAAAAAAAAAAAULL >> shift;
  c.bits = x | y;
  return c;
}

// Moves a cell one row north (d > 0) or south (d < 0), in the even (latitude) bits.
Cell MoveLat(Cell c, int d) {
  const int shift = 64 - c.step * 2;
  const uint64_t x = c.bits & 0xAAAAAAAAAAAAAAAAULL;
  uint64_t y = c.bits & 0x5555555555555555ULL;
  const uint64_t fill = 0xAAAAAAAAAAAAAAAAULL >> shift;
  if (d > 0) {
    y = y + (fill + 1);
  } else {
    y = (y | fill) - (fill + 1);
  }
  y &= 0x5555555555555555ULL >> shift;
  c.bits = x | y;
  return c;
}

// The search's bounding box {min lon, min lat, max lon, max lat}. The longitude spread is
// taken at the box edge nearer the pole, where meridians are closest.
std::array<double, 4> BoundingBox(const Shape& s) {
  const double half_h = s.box ? s.height_m / 2 : s.radius_m;
  const double half_w = s.box ? s.width_m / 2 : s.radius_m;
  const double lat_delta = RadToDeg(half_h / kEarthRadiusM);
  const double lon_delta_top = RadToDeg(half_w / kEarthRadiusM / std::cos(DegToRad(s.lat + lat_delta)));
  const double lon_delta_bottom =
      RadToDeg(half_w / kEarthRadiusM / std::cos(DegToRad(s.lat - lat_delta)));
  const bool south = s.lat < 0;
  return {south ? s.lon - lon_delta_bottom : s.lon - lon_delta_top, s.lat - lat_delta,
          south ? s.lon + lon_delta_bottom : s.lon + lon_delta_top, s.lat + lat_delta};
}

struct Neighbourhood {
  Cell centre;
  Area area;
  std::array<Cell, 8> around;  // N, S, E, W, NE, NW, SE, SW
};

Neighbourhood Around(double lon, double lat, int step) {
  Neighbourhood n;
  n.centre = Encode(kWgsLon, kWgsLat, lon, lat, step).value_or(Cell{0, static_cast<uint8_t>(step)});
  n.area = Decode(kWgsLon, kWgsLat, n.centre).value_or(Area{});
  const Cell c = n.centre;
  n.around = {MoveLat(c, 1),
              MoveLat(c, -1),
              MoveLon(c, 1),
              MoveLon(c, -1),
              MoveLat(MoveLon(c, 1), 1),
              MoveLat(MoveLon(c, -1), 1),
              MoveLat(MoveLon(c, 1), -1),
              MoveLat(MoveLon(c, -1), -1)};
  return n;
}

}  // namespace

std::optional<Cell> Encode(Range lon_range, Range lat_range, double lon, double lat, int step) {
  if (lon > kLonMax || lon < kLonMin || lat > kLatMax || lat < kLatMin) return std::nullopt;
  if (lat < lat_range.min || lat > lat_range.max || lon < lon_range.min || lon > lon_range.max) {
    return std::nullopt;
  }
  double lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min);
  lat_offset *= static_cast<double>(1ULL << step);
  lon_offset *= static_cast<double>(1ULL << step);
  Cell c;
  c.step = static_cast<uint8_t>(step);
  c.bits = Spread(static_cast<uint32_t>(lat_offset)) |
           (Spread(static_cast<uint32_t>(lon_offset)) << 1);
  return c;
}

std::optional<Cell> EncodeWgs84(double lon, double lat, int step) {
  return Encode(kWgsLon, kWgsLat, lon, lat, step);
}

std::optional<Area> Decode(Range lon_range, Range lat_range, Cell cell) {
  if (cell.IsZero()) return std::nullopt;
  const uint32_t ilat = Compact(cell.bits);
  const uint32_t ilon = Compact(cell.bits >> 1);
  // 1 / 2^step is exact, so multiplying by it gives the very bits dividing would.
  const double per_cell = 1.0 / static_cast<double>(1ULL << cell.step);
  const double lat_scale = lat_range.max - lat_range.min;
  const double lon_scale = lon_range.max - lon_range.min;
  // ilat + 1 in 32 bits, as the reference computes it.
  const uint32_t ilat_next = ilat + 1, ilon_next = ilon + 1;
  Area a;
  a.lat.min = lat_range.min + (ilat * per_cell) * lat_scale;
  a.lat.max = lat_range.min + (ilat_next * per_cell) * lat_scale;
  a.lon.min = lon_range.min + (ilon * per_cell) * lon_scale;
  a.lon.max = lon_range.min + (ilon_next * per_cell) * lon_scale;
  return a;
}

uint64_t Align52(Cell cell) { return cell.bits << (52 - cell.step * 2); }

std::optional<uint64_t> ScoreOf(double lon, double lat) {
  std::optional<Cell> c = EncodeWgs84(lon, lat, kMaxStep);
  if (!c) return std::nullopt;
  return Align52(*c);
}

std::array<double, 2> PlaceOf(double score) {
  // The reference converts the double to uint64_t; keep that for the scores a geo set can
  // hold and stay defined for the rest (negative: through int64, as x86-64 converts).
  uint64_t bits;
  if (!(score >= 0)) {
    bits = score > -9.2e18 ? static_cast<uint64_t>(static_cast<int64_t>(score)) : 0;
  } else if (score >= 1.8e19) {
    bits = 0;
  } else {
    bits = static_cast<uint64_t>(score);
  }
  // Decode() of the 26-step cell, written out: every search decodes each member it
  // examines, so this is the hot path. Same operations, so the same bits.
  constexpr double kPerCell = 1.0 / static_cast<double>(1ULL << kMaxStep);
  const uint32_t ilat = Compact(bits), ilon = Compact(bits >> 1);
  const uint32_t ilat_next = ilat + 1, ilon_next = ilon + 1;
  const double lat_min = kLatMin + (ilat * kPerCell) * (kLatMax - kLatMin);
  const double lat_max = kLatMin + (ilat_next * kPerCell) * (kLatMax - kLatMin);
  const double lon_min = kLonMin + (ilon * kPerCell) * (kLonMax - kLonMin);
  const double lon_max = kLonMin + (ilon_next * kPerCell) * (kLonMax - kLonMin);
  double lon = (lon_min + lon_max) / 2;
  double lat = (lat_min + lat_max) / 2;
  if (lon > kLonMax) lon = kLonMax;
  if (lon < kLonMin) lon = kLonMin;
  if (lat > kLatMax) lat = kLatMax;
  if (lat < kLatMin) lat = kLatMin;
  return {lon, lat};
}

std::array<char, 11> GeohashText(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  const std::array<double, 2> xy = PlaceOf(score);
  const Cell c = Encode({-180, 180}, {-90, 90}, xy[0], xy[1], kMaxStep).value_or(Cell{});
  std::array<char, 11> out;
  for (int i = 0; i < 11; ++i) {
    // 52 bits make ten full characters; the eleventh, which clients expect, is '0'.
    const int idx = i == 10 ? 0 : static_cast<int>((c.bits >> (52 - (i + 1) * 5)) & 0x1f);
    out[static_cast<size_t>(i)] = kAlphabet[idx];
  }
  return out;
}

double LatDistance(double lat1, double lat2) {
  return kEarthRadiusM * std::fabs(DegToRad(lat2) - DegToRad(lat1));
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  const double lon1r = DegToRad(lon1), lon2r = DegToRad(lon2);
  const double v = std::sin((lon2r - lon1r) / 2);
  if (v == 0.0) return LatDistance(lat1, lat2);  // same meridian: the cheap form
  const double lat1r = DegToRad(lat1), lat2r = DegToRad(lat2);
  const double u = std::sin((lat2r - lat1r) / 2);
  const double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusM * std::asin(std::sqrt(a));
}

std::optional<double> DistanceIfWithin(const Shape& s, double lon, double lat) {
  if (!s.box) {
    const double d = Distance(s.lon, s.lat, lon, lat);
    if (d > s.radius_m) return std::nullopt;
    return d;
  }
  // The latitude leg is the cheaper test, so it goes first.
  if (LatDistance(lat, s.lat) > s.height_m / 2) return std::nullopt;
  if (Distance(lon, lat, s.lon, lat) > s.width_m / 2) return std::nullopt;
  return Distance(s.lon, s.lat, lon, lat);
}

int StepsForRadius(double radius_m, double lat) {
  if (radius_m == 0) return kMaxStep;
  int step = 1;
  while (radius_m < kMercatorMax) {
    radius_m *= 2;
    ++step;
  }
  step -= 2;  // so the radius fits in most cases
  // Meridians converge towards the poles: cells there are narrower than at the equator.
  if (lat > 66 || lat < -66) {
    --step;
    if (lat > 80 || lat < -80) --step;
  }
  if (step < 1) step = 1;
  if (step > kMaxStep) step = kMaxStep;
  return step;
}

std::array<Cell, 9> SearchCells(const Shape& s) {
  const std::array<double, 4> bounds = BoundingBox(s);
  const double min_lon = bounds[0], min_lat = bounds[1], max_lon = bounds[2],
               max_lat = bounds[3];
  // A box's cells must reach its corners.
  const double radius_m =
      s.box ? std::sqrt((s.width_m / 2) * (s.width_m / 2) + (s.height_m / 2) * (s.height_m / 2))
            : s.radius_m;
  int steps = StepsForRadius(radius_m, s.lat);
  Neighbourhood n = Around(s.lon, s.lat, steps);

  // Near a cell's edge the estimated precision can leave a neighbour short of the box: then
  // one step coarser.
  bool decrease = false;
  {
    const Area north = Decode(kWgsLon, kWgsLat, n.around[0]).value_or(Area{});
    const Area south = Decode(kWgsLon, kWgsLat, n.around[1]).value_or(Area{});
    const Area east = Decode(kWgsLon, kWgsLat, n.around[2]).value_or(Area{});
    const Area west = Decode(kWgsLon, kWgsLat, n.around[3]).value_or(Area{});
    if (north.lat.max < max_lat) decrease = true;
    if (south.lat.min > min_lat) decrease = true;
    if (east.lon.max < max_lon) decrease = true;
    if (west.lon.min > min_lon) decrease = true;
  }
  if (steps > 1 && decrease) {
    --steps;
    n = Around(s.lon, s.lat, steps);
  }

  // Neighbours wholly outside the bounding box are not searched.
  enum { kN, kS, kE, kW, kNE, kNW, kSE, kSW };
  if (steps >= 2) {
    auto clear = [&](std::initializer_list<int> which) {
      for (int w : which) n.around[static_cast<size_t>(w)] = Cell{};
    };
    if (n.area.lat.min < min_lat) clear({kS, kSW, kSE});
    if (n.area.lat.max > max_lat) clear({kN, kNE, kNW});
    if (n.area.lon.min < min_lon) clear({kW, kSW, kNW});
    if (n.area.lon.max > max_lon) clear({kE, kSE, kNE});
  }
  return {n.centre,        n.around[kN],  n.around[kS],  n.around[kE], n.around[kW],
          n.around[kNE],   n.around[kNW], n.around[kSE], n.around[kSW]};
}

}  // namespace firn::geo
