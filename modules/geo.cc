#include "modules/geo.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modules/args.h"
#include "modules/collection_common.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "modules/zsets.h"
#include "protocol/errors.h"
#include "storage/db.h"
#include "storage/geohash.h"
#include "storage/zset.h"

namespace firn {
namespace {

// ---- argument helpers ----

// Metres per unit: m, km, ft, mi (any case), or nullopt.
std::optional<double> UnitToMetres(std::string_view u) {
  if (EqualsNoCase(u, "m")) return 1;
  if (EqualsNoCase(u, "km")) return 1000;
  if (EqualsNoCase(u, "ft")) return 0.3048;
  if (EqualsNoCase(u, "mi")) return 1609.34;
  return std::nullopt;
}

bool ArgUnit(CommandContext& ctx, size_t i, double* metres) {
  std::optional<double> m = UnitToMetres(ctx.arg(i));
  if (!m) {
    ctx.Error(err::kGeoUnit);
    return false;
  }
  *metres = *m;
  return true;
}

bool ArgDouble(CommandContext& ctx, size_t i, double* out, std::string_view error) {
  if (!ParseDouble(ctx.arg(i), out)) {
    ctx.Error(error);
    return false;
  }
  return true;
}

// argv[i], argv[i + 1] as a longitude and latitude within Redis's limits.
bool ArgLonLat(CommandContext& ctx, size_t i, double* lon, double* lat) {
  if (!ArgDouble(ctx, i, lon, err::kNotFloat) || !ArgDouble(ctx, i + 1, lat, err::kNotFloat)) {
    return false;
  }
  if (*lon < geo::kLonMin || *lon > geo::kLonMax || *lat < geo::kLatMin || *lat > geo::kLatMax) {
    char x[400], y[400];
    std::snprintf(x, sizeof(x), "%f", *lon);
    std::snprintf(y, sizeof(y), "%f", *lat);
    ctx.Error(err::Format(err::kGeoInvalidPair, {x, y}));
    return false;
  }
  return true;
}

// argv[i] radius, argv[i + 1] unit.
bool ArgRadius(CommandContext& ctx, size_t i, double* radius, double* metres) {
  if (!ArgDouble(ctx, i, radius, err::kGeoNeedRadius)) return false;
  if (*radius < 0) {
    ctx.Error(err::kGeoNegativeRadius);
    return false;
  }
  return ArgUnit(ctx, i + 1, metres);
}

// argv[i] width, argv[i + 1] height, argv[i + 2] unit.
bool ArgBox(CommandContext& ctx, size_t i, double* width, double* height, double* metres) {
  if (!ArgDouble(ctx, i, width, err::kGeoNeedWidth) ||
      !ArgDouble(ctx, i + 1, height, err::kGeoNeedHeight)) {
    return false;
  }
  if (*height < 0 || *width < 0) {
    ctx.Error(err::kGeoNegativeBox);
    return false;
  }
  return ArgUnit(ctx, i + 2, metres);
}

// A distance as Redis prints it: four decimals, always a bulk string.
void ReplyDistance(CommandContext& ctx, double d) {
  char buf[400];
  const int n = std::snprintf(buf, sizeof(buf), "%.4f", d);
  ctx.reply.Bulk(std::string_view(buf, static_cast<size_t>(n)));
}

void ReplyPlace(CommandContext& ctx, const std::array<double, 2>& xy) {
  ctx.reply.Array(2);
  ctx.reply.HumanDouble(xy[0]);
  ctx.reply.HumanDouble(xy[1]);
}

bool FindGeoSet(CommandContext& ctx, std::string_view key, Entry** e) {
  return FindTypedOrReply(ctx, key, ValueType::kZSet, Lookup::kRead, e);
}

// ---- commands ----

// GEOADD key [NX|XX] [CH] longitude latitude member [...] -> as ZADD: members added (with CH,
// added or moved). Runs as the ZADD of the members' scores.
void GeoAdd(CommandContext& ctx) {
  bool nx = false, xx = false;
  size_t first = 2;
  for (; first < ctx.argc(); ++first) {
    const std::string_view a = ctx.arg(first);
    if (EqualsNoCase(a, "NX")) {
      nx = true;
    } else if (EqualsNoCase(a, "XX")) {
      xx = true;
    } else if (!EqualsNoCase(a, "CH")) {
      break;
    }
  }
  if ((ctx.argc() - first) % 3 != 0 || (nx && xx)) {
    ctx.Error(err::kSyntax);
    return;
  }
  const size_t places = (ctx.argc() - first) / 3;
  std::vector<std::string> scores(places);
  for (size_t p = 0; p < places; ++p) {
    double lon, lat;
    if (!ArgLonLat(ctx, first + p * 3, &lon, &lat)) return;
    scores[p] = std::to_string(*geo::ScoreOf(lon, lat));
  }
  std::vector<std::string_view> zadd;
  zadd.reserve(first + places * 2);
  zadd.push_back("zadd");
  for (size_t i = 1; i < first; ++i) zadd.push_back(ctx.arg(i));
  for (size_t p = 0; p < places; ++p) {
    zadd.push_back(scores[p]);
    zadd.push_back(ctx.arg(first + p * 3 + 2));
  }
  CommandContext sub{zadd, ctx.reply, ctx.engine, ctx.client, ctx.now_ms, ctx.command};
  RunZAdd(sub);
  ctx.failed = ctx.failed || sub.failed;
}

// GEODIST key member1 member2 [M|KM|FT|MI] -> the distance (4 decimals), or nil when either
// member is missing.
void GeoDist(CommandContext& ctx) {
  double metres = 1;
  if (ctx.argc() == 5) {
    if (!ArgUnit(ctx, 4, &metres)) return;
  } else if (ctx.argc() > 5) {
    ctx.Error(err::kSyntax);
    return;
  }
  Entry* e;
  if (!FindGeoSet(ctx, ctx.arg(1), &e)) return;
  std::optional<double> s1, s2;
  if (e != nullptr) {
    s1 = e->object_as<ZSet>()->Score(ctx.arg(2));
    s2 = e->object_as<ZSet>()->Score(ctx.arg(3));
  }
  if (!s1 || !s2) {
    ctx.reply.Null();
    return;
  }
  const std::array<double, 2> a = geo::PlaceOf(*s1), b = geo::PlaceOf(*s2);
  ReplyDistance(ctx, geo::Distance(a[0], a[1], b[0], b[1]) / metres);
}

// GEOHASH key [member ...] -> each member's 11-character geohash, nil for a missing one.
void GeoHash(CommandContext& ctx) {
  Entry* e;
  if (!FindGeoSet(ctx, ctx.arg(1), &e)) return;
  ctx.reply.Array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::optional<double> s;
    if (e != nullptr) s = e->object_as<ZSet>()->Score(ctx.arg(i));
    if (!s) {
      ctx.reply.Null();
      continue;
    }
    const std::array<char, 11> text = geo::GeohashText(*s);
    ctx.reply.Bulk(std::string_view(text.data(), text.size()));
  }
}

// GEOPOS key [member ...] -> [longitude, latitude] of each member, a nil array for a missing one.
void GeoPos(CommandContext& ctx) {
  Entry* e;
  if (!FindGeoSet(ctx, ctx.arg(1), &e)) return;
  ctx.reply.Array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::optional<double> s;
    if (e != nullptr) s = e->object_as<ZSet>()->Score(ctx.arg(i));
    if (!s) {
      ctx.reply.NullArray();
      continue;
    }
    ReplyPlace(ctx, geo::PlaceOf(*s));
  }
}

// ---- the searches: GEORADIUS, GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH(STORE) ----

enum SearchForm : uint8_t {
  kFromCoords = 1,   // GEORADIUS[_RO] key lon lat radius unit ...
  kFromMember = 2,   // GEORADIUSBYMEMBER[_RO] key member radius unit ...
  kSearch = 4,       // GEOSEARCH key FROMMEMBER|FROMLONLAT BYRADIUS|BYBOX ...
  kSearchStore = 8,  // GEOSEARCHSTORE dst src ...
  kNoStore = 16,     // the _RO forms
};

struct Found {
  double dist_m;
  double score;
  std::string_view member;
  std::array<double, 2> xy;
};

// The members of z inside shape, cell by cell in SearchCells' order, in score order within
// a cell; stops once `limit` (0: none) are found.
std::vector<Found> MembersWithin(const ZSet& z, const geo::Shape& shape, size_t limit) {
  std::vector<Found> out;
  const std::array<geo::Cell, 9> cells = geo::SearchCells(shape);
  int last = -1;
  for (int i = 0; i < 9; ++i) {
    const geo::Cell c = cells[static_cast<size_t>(i)];
    if (c.IsZero()) continue;
    // A huge radius can make neighbours coincide: each range is walked once.
    if (last > 0 && c.bits == cells[static_cast<size_t>(last)].bits &&
        c.step == cells[static_cast<size_t>(last)].step) {
      continue;
    }
    if (limit != 0 && out.size() >= limit) break;
    const double min = static_cast<double>(geo::Align52(c));
    const double max = static_cast<double>(geo::Align52(geo::Cell{c.bits + 1, c.step}));
    for (ZSet::Pos p = z.FirstWhere([&](const ZSet::Item& it) { return it.score >= min; });
         p.Valid(); p = z.Next(p)) {
      const ZSet::Item it = z.Get(p);
      if (it.score >= max) break;
      const std::array<double, 2> xy = geo::PlaceOf(it.score);
      std::optional<double> d = geo::DistanceIfWithin(shape, xy[0], xy[1]);
      if (!d) continue;
      out.push_back({*d, it.score, it.member, xy});
      if (limit != 0 && out.size() >= limit) break;
    }
    last = i;
  }
  return out;
}

void SearchCommand(CommandContext& ctx, uint32_t form) {
  const size_t src_at = (form & kSearchStore) ? 2 : 1;
  Entry* e;
  if (!FindGeoSet(ctx, ctx.arg(src_at), &e)) return;
  const ZSet* z = e != nullptr ? e->object_as<ZSet>() : nullptr;

  geo::Shape shape;
  double metres = 1;  // per unit of the search's distances
  size_t base;
  std::string_view store_key;
  bool store = false, store_dist = false;
  if (form & kFromCoords) {
    base = 6;
    if (!ArgLonLat(ctx, 2, &shape.lon, &shape.lat)) return;
    if (!ArgRadius(ctx, 4, &shape.radius_m, &metres)) return;
  } else if (form & kFromMember) {
    base = 5;
    // Without the key, Redis reads neither the member nor the radius.
    if (z != nullptr) {
      std::optional<double> s = z->Score(ctx.arg(2));
      if (!s) {
        ctx.Error(err::kGeoNoMember);
        return;
      }
      const std::array<double, 2> xy = geo::PlaceOf(*s);
      shape.lon = xy[0];
      shape.lat = xy[1];
      if (!ArgRadius(ctx, 3, &shape.radius_m, &metres)) return;
    }
  } else {
    base = 2;
    if (form & kSearchStore) {
      base = 3;
      store = true;
      store_key = ctx.arg(1);
    }
  }

  bool with_dist = false, with_hash = false, with_coord = false, any = false;
  bool from_member = false, from_lonlat = false, by_radius = false, by_box = false;
  enum { kUnsorted, kAsc, kDesc } sort = kUnsorted;
  int64_t count = 0;
  const bool search = form & kSearch;
  for (size_t i = base; i < ctx.argc(); ++i) {
    const std::string_view a = ctx.arg(i);
    const size_t left = ctx.argc() - i - 1;
    if (EqualsNoCase(a, "WITHDIST")) {
      with_dist = true;
    } else if (EqualsNoCase(a, "WITHHASH")) {
      with_hash = true;
    } else if (EqualsNoCase(a, "WITHCOORD")) {
      with_coord = true;
    } else if (EqualsNoCase(a, "ANY")) {
      any = true;
    } else if (EqualsNoCase(a, "ASC")) {
      sort = kAsc;
    } else if (EqualsNoCase(a, "DESC")) {
      sort = kDesc;
    } else if (EqualsNoCase(a, "COUNT") && left >= 1) {
      if (!ArgInt(ctx, i + 1, &count)) return;
      if (count <= 0) {
        ctx.Error(err::kGeoCountPositive);
        return;
      }
      ++i;
    } else if ((EqualsNoCase(a, "STORE") || EqualsNoCase(a, "STOREDIST")) && left >= 1 &&
               !(form & kNoStore) && !search) {
      store = true;
      store_dist = EqualsNoCase(a, "STOREDIST");
      store_key = ctx.arg(++i);
    } else if (EqualsNoCase(a, "STOREDIST") && (form & kSearchStore)) {
      store_dist = true;
    } else if (EqualsNoCase(a, "FROMMEMBER") && left >= 1 && search && !from_lonlat) {
      if (z != nullptr) {
        std::optional<double> s = z->Score(ctx.arg(i + 1));
        if (!s) {
          ctx.Error(err::kGeoNoMember);
          return;
        }
        const std::array<double, 2> xy = geo::PlaceOf(*s);
        shape.lon = xy[0];
        shape.lat = xy[1];
      }
      from_member = true;
      ++i;
    } else if (EqualsNoCase(a, "FROMLONLAT") && left >= 2 && search && !from_member) {
      if (!ArgLonLat(ctx, i + 1, &shape.lon, &shape.lat)) return;
      from_lonlat = true;
      i += 2;
    } else if (EqualsNoCase(a, "BYRADIUS") && left >= 2 && search && !by_box) {
      if (!ArgRadius(ctx, i + 1, &shape.radius_m, &metres)) return;
      shape.box = false;
      by_radius = true;
      i += 2;
    } else if (EqualsNoCase(a, "BYBOX") && left >= 3 && search && !by_radius) {
      if (!ArgBox(ctx, i + 1, &shape.width_m, &shape.height_m, &metres)) return;
      shape.box = true;
      by_box = true;
      i += 3;
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  }
  if (store && (with_dist || with_hash || with_coord)) {
    ctx.Error(err::Format(err::kGeoStoreWith, {(form & kSearchStore) ? "GEOSEARCHSTORE"
                                                                     : "STORE option in GEORADIUS"}));
    return;
  }
  if (search && !from_member && !from_lonlat) {
    ctx.Error(err::Format(err::kGeoOneFrom, {ctx.arg(0)}));
    return;
  }
  if (search && !by_radius && !by_box) {
    ctx.Error(err::Format(err::kGeoOneBy, {ctx.arg(0)}));
    return;
  }
  if (any && count == 0) {
    ctx.Error(err::kGeoAnyNeedsCount);
    return;
  }
  if (z == nullptr) {
    if (store) {
      ctx.db().Delete(store_key, ctx.now_ms);
      ctx.reply.Int(0);
    } else {
      ctx.reply.Array(0);
    }
    return;
  }
  // The closest N need an order; ANY takes the first N found as they come.
  if (count != 0 && sort == kUnsorted && !any) sort = kAsc;

  // The shape in metres.
  shape.radius_m *= metres;
  shape.width_m *= metres;
  shape.height_m *= metres;
  std::vector<Found> found = MembersWithin(*z, shape, any ? static_cast<size_t>(count) : 0);
  if (sort == kAsc) {
    std::stable_sort(found.begin(), found.end(),
                     [](const Found& a, const Found& b) { return a.dist_m < b.dist_m; });
  } else if (sort == kDesc) {
    std::stable_sort(found.begin(), found.end(),
                     [](const Found& a, const Found& b) { return a.dist_m > b.dist_m; });
  }
  if (count != 0 && found.size() > static_cast<uint64_t>(count)) {
    found.resize(static_cast<size_t>(count));
  }

  if (!store) {
    const size_t options = with_dist + with_hash + with_coord;
    ctx.reply.Array(found.size());
    for (const Found& f : found) {
      if (options != 0) ctx.reply.Array(options + 1);
      ctx.reply.Bulk(f.member);
      if (with_dist) ReplyDistance(ctx, f.dist_m / metres);
      if (with_hash) ctx.reply.Int(static_cast<int64_t>(f.score));
      if (with_coord) ReplyPlace(ctx, f.xy);
    }
    return;
  }
  if (found.empty()) {
    ctx.db().Delete(store_key, ctx.now_ms);
    ctx.reply.Int(0);
    return;
  }
  // Built before the store: the members are views into the source, which may be the target.
  auto result = std::make_unique<ZSet>();
  for (const Found& f : found) result->Set(f.member, store_dist ? f.dist_m / metres : f.score);
  const size_t stored = found.size();
  ctx.db().PutObject(store_key, ValueType::kZSet, result.release(), Entry::kNoExpire, ctx.now_ms);
  ctx.reply.Int(static_cast<int64_t>(stored));
}

// GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH]
//   [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key] -> the members within radius
//   (each with the asked extras), or with STORE the number stored.
void GeoRadius(CommandContext& ctx) { SearchCommand(ctx, kFromCoords); }
void GeoRadiusRo(CommandContext& ctx) { SearchCommand(ctx, kFromCoords | kNoStore); }
// GEORADIUSBYMEMBER key member radius unit [...]: the same, around a member.
void GeoRadiusByMember(CommandContext& ctx) { SearchCommand(ctx, kFromMember); }
void GeoRadiusByMemberRo(CommandContext& ctx) { SearchCommand(ctx, kFromMember | kNoStore); }
// GEOSEARCH key FROMMEMBER member|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit
//   [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH] -> the members within.
void GeoSearch(CommandContext& ctx) { SearchCommand(ctx, kSearch); }
// GEOSEARCHSTORE dst src ... [STOREDIST] -> the number of members stored in dst.
void GeoSearchStore(CommandContext& ctx) { SearchCommand(ctx, kSearch | kSearchStore); }

constexpr uint32_t kWriteOom = kWrite | kDenyOom;

}  // namespace

std::vector<Command> GeoCommands() {
  return {
      {.name = "geoadd",
       .arity = -5,
       .flags = kWriteOom,
       .keys = {1, 1, 1},
       .run = GeoAdd,
       .group = "geo",
       .since = "3.2.0",
       .summary = "Adds places to a geo set, or moves them",
       .syntax = "key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]"},
      {.name = "geodist",
       .arity = -4,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = GeoDist,
       .group = "geo",
       .since = "3.2.0",
       .summary = "Returns the distance between two places",
       .syntax = "key member1 member2 [M|KM|FT|MI]"},
      {.name = "geohash",
       .arity = -2,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = GeoHash,
       .group = "geo",
       .since = "3.2.0",
       .summary = "Returns places as standard geohash strings",
       .syntax = "key [member [member ...]]"},
      {.name = "geopos",
       .arity = -2,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = GeoPos,
       .group = "geo",
       .since = "3.2.0",
       .summary = "Returns the longitude and latitude of places",
       .syntax = "key [member [member ...]]"},
      {.name = "georadius",
       .arity = -6,
       .flags = kWriteOom,
       .keys = {1, 1, 1},
       .run = GeoRadius,
       .group = "geo",
       .since = "3.2.0",
       .summary = "Finds the places within a radius of a point, and can store them",
       .syntax = "key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] "
                 "[COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]"},
      {.name = "georadius_ro",
       .arity = -6,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = GeoRadiusRo,
       .group = "geo",
       .since = "3.2.10",
       .summary = "Finds the places within a radius of a point",
       .syntax = "key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] "
                 "[COUNT count [ANY]] [ASC|DESC]"},
      {.name = "georadiusbymember",
       .arity = -5,
       .flags = kWriteOom,
       .keys = {1, 1, 1},
       .run = GeoRadiusByMember,
       .group = "geo",
       .since = "3.2.0",
       .summary = "Finds the places within a radius of a member, and can store them",
       .syntax = "key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] "
                 "[COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]"},
      {.name = "georadiusbymember_ro",
       .arity = -5,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = GeoRadiusByMemberRo,
       .group = "geo",
       .since = "3.2.10",
       .summary = "Finds the places within a radius of a member",
       .syntax = "key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] "
                 "[COUNT count [ANY]] [ASC|DESC]"},
      {.name = "geosearch",
       .arity = -7,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = GeoSearch,
       .group = "geo",
       .since = "6.2.0",
       .summary = "Finds the places within a circle or a box",
       .syntax = "key FROMMEMBER member|FROMLONLAT longitude latitude "
                 "BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI [ASC|DESC] "
                 "[COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]"},
      {.name = "geosearchstore",
       .arity = -8,
       .flags = kWriteOom,
       .keys = {1, 2, 1},
       .run = GeoSearchStore,
       .group = "geo",
       .since = "6.2.0",
       .summary = "Stores the places within a circle or a box in another key",
       .syntax = "destination source FROMMEMBER member|FROMLONLAT longitude latitude "
                 "BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI [ASC|DESC] "
                 "[COUNT count [ANY]] [STOREDIST]"},
  };
}

}  // namespace firn
