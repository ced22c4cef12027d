#include "storage/stream.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using firn::ParseStreamId;
using firn::Stream;
using firn::StreamFields;
using firn::StreamId;

namespace {

std::vector<StreamId> Ids(const Stream& s, StreamId start = {}, StreamId end = StreamId::Max(),
                          size_t count = 0, bool reverse = false) {
  std::vector<StreamId> out;
  s.Range(start, end, count, reverse, [&](StreamId id, const StreamFields&) {
    out.push_back(id);
    return true;
  });
  return out;
}

void Fill(Stream* s, uint64_t n, const Stream::Limits& limits = {}) {
  for (uint64_t i = 1; i <= n; ++i) {
    const std::string v = std::to_string(i);
    s->Append({i, i % 3}, {{"f1", v}, {"f2", "x"}}, limits);
  }
}

}  // namespace

TEST_CASE("ids parse as Redis reads them and format back", "[stream]") {
  StreamId id;
  bool seq_given = true;
  CHECK(ParseStreamId("5-3", 0, &id, &seq_given));
  CHECK(id == StreamId{5, 3});
  CHECK(seq_given);
  CHECK(ParseStreamId("7", 99, &id, &seq_given));
  CHECK(id == StreamId{7, 99});
  CHECK_FALSE(seq_given);
  CHECK_FALSE(ParseStreamId("1-2-3", 0, &id));
  CHECK_FALSE(ParseStreamId("18446744073709551616", 0, &id));
  CHECK_FALSE(ParseStreamId("", 0, &id));
  CHECK(StreamId{18446744073709551615ull, 0}.ToString() == "18446744073709551615-0");
  StreamId next;
  CHECK_FALSE(StreamId::Max().Incr(&next));
  CHECK(StreamId{1, UINT64_MAX}.Incr(&next));
  CHECK(next == StreamId{2, 0});
  CHECK_FALSE(StreamId{}.Decr(&next));
}

TEST_CASE("entries are read back in order, forwards and backwards, across nodes", "[stream]") {
  Stream s;
  Fill(&s, 1000, {.max_node_entries = 7, .max_node_bytes = 0});
  CHECK(s.length() == 1000);
  CHECK(s.node_count() == (1000 + 6) / 7);
  const std::vector<StreamId> all = Ids(s);
  REQUIRE(all.size() == 1000);
  for (size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1] < all[i]);
  const std::vector<StreamId> back = Ids(s, {}, StreamId::Max(), 0, true);
  CHECK(std::vector<StreamId>(back.rbegin(), back.rend()) == all);
  CHECK(Ids(s, {500, 0}, {503, UINT64_MAX}) ==
        std::vector<StreamId>{{500, 2}, {501, 0}, {502, 1}, {503, 2}});
  CHECK(Ids(s, {500, 0}, StreamId::Max(), 2, true) ==
        std::vector<StreamId>{{1000, 1}, {999, 0}});
  // Fields come back as written, shared names or not.
  s.Append({2000, 0}, {{"other", "1"}}, {});
  s.Range({2000, 0}, {2000, 0}, 0, false, [](StreamId, const StreamFields& f) {
    CHECK(f == StreamFields{{"other", "1"}});
    return true;
  });
}

TEST_CASE("deleting entries keeps the rest and frees emptied nodes", "[stream]") {
  Stream s;
  Fill(&s, 20, {.max_node_entries = 5, .max_node_bytes = 0});
  CHECK(s.Delete({1, 1}));
  CHECK_FALSE(s.Delete({1, 1}));
  CHECK_FALSE(s.Delete({1, 0}));
  CHECK(s.first_id() == StreamId{2, 2});
  CHECK(s.max_deleted_id() == StreamId{1, 1});
  for (uint64_t i = 2; i <= 5; ++i) CHECK(s.Delete({i, i % 3}));
  CHECK(s.node_count() == 3);
  CHECK(s.length() == 15);
  CHECK(Ids(s).front() == StreamId{6, 0});
  CHECK(s.Contains({7, 1}));
  CHECK_FALSE(s.Contains({3, 0}));
}

TEST_CASE("trimming follows Redis: whole nodes when approximate, exact otherwise", "[stream]") {
  Stream s;
  Fill(&s, 100, {.max_node_entries = 10, .max_node_bytes = 0});
  CHECK(s.TrimHead({.maxlen = 55, .approx = true}) == 40);
  CHECK(s.length() == 60);
  CHECK(s.TrimHead({.maxlen = 55}) == 5);
  CHECK(s.first_id() == StreamId{46, 1});
  CHECK(s.TrimHead({.by_minid = true, .minid = {80, 0}}) == 34);
  CHECK(s.first_id() == StreamId{80, 2});
  // The partly trimmed node has one live entry left: it fits the limit; the next ten do not.
  CHECK(s.TrimHead({.maxlen = 0, .approx = true, .limit = 5}) == 1);
  CHECK(s.TrimHead({.maxlen = 0}) == 20);
  CHECK(s.length() == 0);
  CHECK(s.first_id() == StreamId{});
  CHECK(s.last_id() == StreamId{100, 1});
  CHECK(s.entries_added() == 100);
}

TEST_CASE("a copy has its own entries, groups and pending lists", "[stream]") {
  Stream s;
  Fill(&s, 3);
  Stream::Group* g = s.CreateGroup("g", {}, -1);
  REQUIRE(g != nullptr);
  CHECK(s.CreateGroup("g", {}, -1) == nullptr);
  bool created;
  Stream::Consumer* c = Stream::LookupOrCreateConsumer(g, "alice", 10, &created);
  CHECK(created);
  auto p = std::make_unique<Stream::Pending>();
  p->consumer = c;
  c->pel.emplace(StreamId{1, 1}, p.get());
  g->pel.emplace(StreamId{1, 1}, std::move(p));
  Stream copy(s);
  Stream::Group* cg = copy.FindGroup("g");
  REQUIRE(cg != nullptr);
  CHECK(cg != g);
  CHECK(cg->pel.size() == 1);
  CHECK(cg->pel.begin()->second->consumer == Stream::FindConsumer(cg, "alice"));
  CHECK(Stream::DeleteConsumer(cg, "alice") == 1);
  CHECK(cg->pel.empty());
  CHECK(g->pel.size() == 1);
  CHECK(Ids(copy) == Ids(s));
}

TEST_CASE("entries-read and lag follow Redis 7.0's estimates", "[stream]") {
  Stream s;
  Fill(&s, 5);
  Stream::Group g;
  g.entries_read = -1;
  CHECK(s.Lag(g) == 5);  // last id 0-0 is before the first entry: nothing read
  g.last_id = {5, 2};
  CHECK(s.Lag(g) == 0);
  s.Delete({3, 0});
  g.last_id = {2, 2};
  CHECK_FALSE(s.Lag(g).has_value());  // a tombstone ahead: unknown
  CHECK(s.EstimateEntriesRead({5, 2}) == 5);
  CHECK(s.EstimateEntriesRead({9, 0}) == -1);
}

TEST_CASE("three small fields cost fewer bytes an entry than Redis's listpacks", "[stream]") {
  Stream s;
  for (uint64_t i = 0; i < 10000; ++i) {
    s.Append({1700000000000 + i / 4, i % 4},
             {{"a", std::to_string(i % 1000)}, {"b", "xy"}, {"c", "z"}}, {});
  }
  // Redis 7.0 spends about 30 bytes an entry of this shape in its listpacks alone.
  CHECK(s.MemoryBytes() / s.length() < 25);
}
