#include "storage/stream_rdb.h"

#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/rdb.h"
#include "storage/stream.h"
#include "tests/unit/hex.h"

namespace rdb = firn::rdb;
using firn::Stream;
using firn::StreamFields;
using firn::StreamId;

namespace {

std::string Encode(const Stream& s) {
  std::string out;
  rdb::EncodeStream(s, &out);
  return out;
}

std::unique_ptr<Stream> Decode(std::string_view object) {
  return std::unique_ptr<Stream>(rdb::DecodeStream(object));
}

// redis-server 7.0.15's DUMP of a stream (the object: version and CRC cut off) built with
// stream-node-max-entries 3:
//   XADD t i-(i%2) name n<i> n <i*1000>   for i in 1..7;  XADD t 9-0 other x
//   XDEL t 2-0 5-1;  XGROUP CREATE t g1 0;  XGROUP CREATE t g2 $
//   XREADGROUP GROUP g1 alice COUNT 3 STREAMS t >;  XREADGROUP GROUP g1 bob COUNT 2 STREAMS t >
//   XCLAIM t g1 bob 0 1-1 TIME 1700000000000 RETRYCOUNT 5
const char* kRedisStream =
    "130310000000000000000100000000000000014046460000001800020101010201846e616d6505816e0200010"
    "20100010001826e3103c3e802050103010101dfff02826e3203c7d0020501020102010001826e3303cbb80205"
    "01ff10000000000000000400000000000000004047470000001800020101010201846e616d6505816e0200010"
    "20100010001826e3403cfa0020501030101010101826e3503f18813030501020102010001826e3603f1701703"
    "0501ff10000000000000000700000000000000013d3d0000001300020100010201846e616d6505816e0200010"
    "20100010001826e3703f1581b03050100010201dfff020101856f74686572068178020601ff06090001010501"
    "0802026731070181ffffffffffffffff050000000000000001000000000000000100"
    "68e5cf8b0100000500000000000000030000000000000001f56a5b32a201000001000000000000000400000000"
    "00000000f56a5b32a201000001000000000000000600000000000000005e6b5b32a2010000010000000000000"
    "00700000000000000015e6b5b32a2010000010205616c696365f56a5b32a20100000200000000000000030000"
    "0000000000010000000000000004000000000000000003626f62c56b5b32a2010000030000000000000001000"
    "00000000000010000000000000006000000000000000000000000000000070000000000000001026732090081"
    "ffffffffffffffff0000";

// Redis 5's DUMP from unit/type/stream-cgroups (type 15, the listpack LZF-compressed):
// six entries 1-0..6-0 "data" a..f, 3-0 deleted, groups g1 (c11 read four) and g2, then
// XTRIM MAXLEN = 2. Version and CRC cut off.
const char* kRedis5Stream =
    "0f011000000000000000010000000000000000c3404a4057165700000023000201040101018464617461050001"
    "03010020010381610204200a0001400a0062600a0002400a0063600a4022018164200a4039200a0065600a0005"
    "400a0066200a00ff02060002026731050004000000000000000100000000000000003ef783437a010000010000"
    "00000000000200000000000000003ef783437a01000001000000000000000400000000000000003ef783437a01"
    "000001000000000000000500000000000000003ef783437a0100000101036331313ef783437a01000004000000"
    "000000000100000000000000000000000000000002000000000000000000000000000000040000000000000000"
    "0000000000000005000000000000000002673200000000";

std::vector<std::pair<StreamId, std::vector<std::string>>> Entries(const Stream& s) {
  std::vector<std::pair<StreamId, std::vector<std::string>>> out;
  s.Range({}, StreamId::Max(), 0, false, [&](StreamId id, const StreamFields& fields) {
    std::vector<std::string> flat;
    for (const auto& [f, v] : fields) {
      flat.emplace_back(f);
      flat.emplace_back(v);
    }
    out.emplace_back(id, flat);
    return true;
  });
  return out;
}

// A stream with several nodes, deleted entries, differing field sets, two groups, PELs.
std::unique_ptr<Stream> Sample() {
  auto s = std::make_unique<Stream>();
  const Stream::Limits limits{.max_node_entries = 4, .max_node_bytes = 4096};
  for (uint64_t i = 1; i <= 30; ++i) {
    const std::string v = std::to_string(i * 37);
    if (i % 5 == 0) {
      s->Append({1000 + i, i}, {{"other", v}, {"big", std::string(100, 'x')}}, limits);
    } else {
      s->Append({1000 + i, i}, {{"f", v}, {"g", "-12345678901"}}, limits);
    }
  }
  for (uint64_t i : {3, 7, 8, 21, 22, 23, 24}) REQUIRE(s->Delete({1000 + i, i}));
  Stream::Group* g = s->CreateGroup("g1", {1010, 10}, 10);
  bool created;
  Stream::Consumer* a = Stream::LookupOrCreateConsumer(g, "alice", 111, &created);
  Stream::Consumer* b = Stream::LookupOrCreateConsumer(g, "12", 222, &created);
  for (uint64_t i : {1, 2, 4, 9}) {
    auto p = std::make_unique<Stream::Pending>();
    p->delivery_time_ms = 5000 + static_cast<int64_t>(i);
    p->delivery_count = i;
    p->consumer = i % 2 ? a : b;
    p->consumer->pel.emplace(StreamId{1000 + i, i}, p.get());
    g->pel.emplace(StreamId{1000 + i, i}, std::move(p));
  }
  s->CreateGroup("g2", {}, -1);
  return s;
}

}  // namespace

TEST_CASE("redis-server's stream payload decodes and encodes back to the same bytes",
          "[stream_rdb]") {
  const std::string object = Unhex(kRedisStream);
  std::unique_ptr<Stream> s = Decode(object);
  REQUIRE(s != nullptr);
  CHECK(s->length() == 6);
  CHECK(s->node_count() == 3);
  CHECK(s->last_id() == StreamId{9, 0});
  CHECK(s->first_id() == StreamId{1, 1});
  CHECK(s->max_deleted_id() == StreamId{5, 1});
  CHECK(s->entries_added() == 8);
  const auto entries = Entries(*s);
  REQUIRE(entries.size() == 6);
  CHECK(entries[1].first == StreamId{3, 1});
  CHECK(entries[1].second == std::vector<std::string>{"name", "n3", "n", "3000"});
  CHECK(entries[5].second == std::vector<std::string>{"other", "x"});
  Stream::Group* g1 = s->FindGroup("g1");
  REQUIRE(g1 != nullptr);
  CHECK(g1->entries_read == -1);
  CHECK(g1->pel.size() == 5);
  CHECK(g1->pel.at({1, 1})->delivery_time_ms == 1700000000000);
  CHECK(g1->pel.at({1, 1})->delivery_count == 5);
  CHECK(g1->pel.at({1, 1})->consumer->name == "bob");
  CHECK(Stream::FindConsumer(g1, "alice")->pel.size() == 2);
  CHECK(Encode(*s) == object);
}

TEST_CASE("Redis 5's stream payload (type 15) loads with 7.0's derived counters",
          "[stream_rdb]") {
  std::unique_ptr<Stream> s = Decode(Unhex(kRedis5Stream));
  REQUIRE(s != nullptr);
  CHECK(s->length() == 2);
  CHECK(s->entries_added() == 2);
  CHECK(s->max_deleted_id() == StreamId{});
  CHECK(s->first_id() == StreamId{5, 0});
  CHECK(s->FindGroup("g1")->entries_read == 1);
  CHECK(s->FindGroup("g2")->entries_read == 0);
  CHECK(s->FindGroup("g1")->pel.size() == 4);
  // Written back as type 19, which reads back the same.
  const std::string again = Encode(*s);
  CHECK(static_cast<uint8_t>(again[0]) == rdb::kTypeStreamListpacks2);
  std::unique_ptr<Stream> t = Decode(again);
  REQUIRE(t != nullptr);
  CHECK(Encode(*t) == again);
}

TEST_CASE("a stream round-trips: entries, deletions, node layout, groups, PELs",
          "[stream_rdb]") {
  std::unique_ptr<Stream> s = Sample();
  const std::string object = Encode(*s);
  std::unique_ptr<Stream> t = Decode(object);
  REQUIRE(t != nullptr);
  CHECK(Entries(*t) == Entries(*s));
  CHECK(t->node_count() == s->node_count());
  CHECK(t->length() == s->length());
  CHECK(t->max_deleted_id() == s->max_deleted_id());
  CHECK(t->entries_added() == s->entries_added());
  CHECK(t->FindGroup("g2")->entries_read == -1);
  Stream::Group* g = t->FindGroup("g1");
  CHECK(g->pel.size() == 4);
  CHECK(Stream::FindConsumer(g, "12")->pel.size() == 2);
  CHECK(Stream::FindConsumer(g, "12")->seen_time_ms == 222);
  CHECK(g->pel.at({1009, 9})->delivery_count == 9);
  CHECK(Encode(*t) == object);
  // Appending after a load closes nodes where the original stream does.
  const Stream::Limits limits{.max_node_entries = 4, .max_node_bytes = 4096};
  for (uint64_t i = 31; i <= 45; ++i) {
    s->Append({1000 + i, 0}, {{"f", "v"}}, limits);
    t->Append({1000 + i, 0}, {{"f", "v"}}, limits);
  }
  CHECK(Encode(*t) == Encode(*s));
}

TEST_CASE("an empty stream with a group round-trips", "[stream_rdb]") {
  Stream s;
  s.set_last_id({5, 5});
  s.CreateGroup("g", {5, 5}, 0);
  std::unique_ptr<Stream> t = Decode(Encode(s));
  REQUIRE(t != nullptr);
  CHECK(t->length() == 0);
  CHECK(t->last_id() == StreamId{5, 5});
  CHECK(t->FindGroup("g") != nullptr);
}

TEST_CASE("nodes close where Redis closes its listpacks: by bytes and by entries",
          "[stream_rdb]") {
  // 4096-byte listpacks of entries with a 1000-byte value: a listpack of 4 such entries is
  // about 4060 bytes, and the next entry's 1001 raw bytes reach 4096, so it starts a node
  // (redis-server 7.0 splits 9 such XADDs into 3 nodes too).
  Stream s;
  const std::string big(1000, 'a');
  for (uint64_t i = 1; i <= 9; ++i) s.Append({i, 0}, {{"f", big}}, {});
  CHECK(s.node_count() == 3);
  Stream e;
  for (uint64_t i = 1; i <= 250; ++i) e.Append({i, 0}, {{"f", "v"}}, {});
  CHECK(e.node_count() == 3);  // 100 entries a node
}

TEST_CASE("inconsistent streams are refused", "[stream_rdb]") {
  const std::string good = Encode(*Sample());
  REQUIRE(Decode(good) != nullptr);

  SECTION("another type, or bytes left over") {
    std::string other = good;
    other[0] = static_cast<char>(rdb::kTypeHash);
    CHECK(Decode(other) == nullptr);
    CHECK(Decode(good + "x") == nullptr);
    CHECK(Decode("") == nullptr);
  }

  // Builds a one-node stream payload by hand: entries (id, deleted), last id, the group's
  // PEL ids and its consumers' PELs.
  struct Shape {
    StreamId master{1, 0};
    std::vector<std::pair<StreamId, bool>> entries{{{1, 0}, false}, {{2, 0}, false}};
    int64_t live = 2, deleted = 0;
    uint64_t length = 2;
    StreamId last{2, 0};
    std::vector<StreamId> pel{{1, 0}};
    std::vector<std::pair<std::string, std::vector<StreamId>>> consumers{{"c", {{1, 0}}}};
  };
  auto build = [](const Shape& sh) {
    std::string out(1, static_cast<char>(rdb::kTypeStreamListpacks2));
    rdb::PutLength(&out, 1);
    auto raw_id = [](std::string* o, StreamId id) {
      for (int i = 7; i >= 0; --i) o->push_back(static_cast<char>((id.ms >> (8 * i)) & 0xff));
      for (int i = 7; i >= 0; --i) o->push_back(static_cast<char>((id.seq >> (8 * i)) & 0xff));
    };
    std::string key;
    raw_id(&key, sh.master);
    rdb::PutString(&out, key);
    rdb::ListpackWriter lp;
    lp.AppendInteger(sh.live);
    lp.AppendInteger(sh.deleted);
    lp.AppendInteger(1);
    lp.Append("f");
    lp.AppendInteger(0);
    for (const auto& [id, del] : sh.entries) {
      lp.AppendInteger(2 | (del ? 1 : 0));
      lp.AppendInteger(static_cast<int64_t>(id.ms - sh.master.ms));
      lp.AppendInteger(static_cast<int64_t>(id.seq - sh.master.seq));
      lp.Append("v");
      lp.AppendInteger(4);
    }
    rdb::PutString(&out, lp.Finish());
    rdb::PutLength(&out, sh.length);
    for (uint64_t v : {sh.last.ms, sh.last.seq, uint64_t{1}, uint64_t{0}, uint64_t{0},
                       uint64_t{0}, uint64_t{2}}) {
      rdb::PutLength(&out, v);
    }
    rdb::PutLength(&out, 1);
    rdb::PutString(&out, "g");
    rdb::PutLength(&out, 2);
    rdb::PutLength(&out, 0);
    rdb::PutLength(&out, 2);
    rdb::PutLength(&out, sh.pel.size());
    for (StreamId id : sh.pel) {
      raw_id(&out, id);
      out.append(8, '\0');
      rdb::PutLength(&out, 1);
    }
    rdb::PutLength(&out, sh.consumers.size());
    for (const auto& [name, ids] : sh.consumers) {
      rdb::PutString(&out, name);
      out.append(8, '\0');
      rdb::PutLength(&out, ids.size());
      for (StreamId id : ids) raw_id(&out, id);
    }
    return out;
  };

  Shape ok;
  REQUIRE(Decode(build(ok)) != nullptr);

  SECTION("ids that do not grow, or sit below the node's master") {
    Shape s = ok;
    s.entries = {{{2, 0}, false}, {{2, 0}, false}};
    CHECK(Decode(build(s)) == nullptr);
    s.entries = {{{2, 0}, false}, {{1, 5}, false}};
    CHECK(Decode(build(s)) == nullptr);
    s.master = {1, 1};
    s.entries = {{{1, 0}, false}, {{2, 0}, false}};
    CHECK(Decode(build(s)) == nullptr);
  }
  SECTION("a last id below the last entry") {
    Shape s = ok;
    s.last = {1, 5};
    CHECK(Decode(build(s)) == nullptr);
  }
  SECTION("counters that do not add up") {
    Shape s = ok;
    s.length = 3;
    CHECK(Decode(build(s)) == nullptr);
    s = ok;
    s.live = 1;
    CHECK(Decode(build(s)) == nullptr);
    s = ok;
    s.entries[1].second = true;  // deleted, but the master says two live
    CHECK(Decode(build(s)) == nullptr);
    s.live = 0;
    s.deleted = 2;
    s.entries[0].second = true;
    s.length = 0;
    CHECK(Decode(build(s)) == nullptr);  // a node with nothing live
  }
  SECTION("PELs that disagree") {
    Shape s = ok;
    s.consumers = {{"c", {{2, 0}}}};  // not in the group's PEL
    CHECK(Decode(build(s)) == nullptr);
    s.consumers = {};  // a pending entry nobody owns
    CHECK(Decode(build(s)) == nullptr);
    s.consumers = {{"c", {{1, 0}}}, {"d", {{1, 0}}}};  // owned twice
    CHECK(Decode(build(s)) == nullptr);
    s.consumers = {{"c", {{1, 0}}}, {"c", {}}};  // a consumer twice
    CHECK(Decode(build(s)) == nullptr);
    s = ok;
    s.pel = {{1, 0}, {1, 0}};
    CHECK(Decode(build(s)) == nullptr);
  }
}

TEST_CASE("truncated and corrupted stream payloads are refused or load consistently",
          "[stream_rdb]") {
  std::vector<std::string> seeds = {Encode(*Sample()), Unhex(kRedisStream),
                                    Unhex(kRedis5Stream)};
  size_t refused = 0, loaded = 0;
  for (const std::string& seed : seeds) {
    for (size_t n = 0; n < seed.size(); ++n) {
      CHECK(Decode(seed.substr(0, n)) == nullptr);
    }
    std::mt19937_64 rng(seed.size());
    for (int trial = 0; trial < 3000; ++trial) {
      std::string bad = seed;
      const int flips = 1 + static_cast<int>(rng() % 3);
      for (int f = 0; f < flips; ++f) {
        const size_t at = rng() % bad.size();
        bad[at] = static_cast<char>(bad[at] ^ static_cast<char>(1 + rng() % 255));
      }
      std::unique_ptr<Stream> s = Decode(bad);
      if (s == nullptr) {
        ++refused;
        continue;
      }
      // Whatever loads is a consistent stream: it walks, encodes and decodes again.
      ++loaded;
      CHECK(Entries(*s).size() == s->length());
      std::unique_ptr<Stream> again = Decode(Encode(*s));
      REQUIRE(again != nullptr);
      CHECK(Entries(*again) == Entries(*s));
    }
  }
  CHECK(refused > loaded);
}
