// The value slot: inline bytes or an owned object, and the TypeOps row every out-of-line value
// is freed, copied, measured and serialized through. A probe type installed in the kHash row
// counts the calls, so the tests see exactly which operations the entry and Db delegate.
#include "storage/value.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "storage/db.h"
#include "storage/entry.h"
#include "storage/rdb.h"
#include "storage/keyspace.h"
#include "storage/ratelimit.h"

namespace firn {
namespace {

constexpr int64_t kNow = 1'000'000;

// A collection stand-in: a vector of strings, and counters of what the table was asked.
struct Probe {
  std::vector<std::string> items;
};

struct ProbeCalls {
  int frees = 0;
  int copies = 0;
  int memory = 0;
  int encodings = 0;
  int serializes = 0;
};
ProbeCalls g_calls;

std::string_view ProbeEncoding(const Entry&) {
  ++g_calls.encodings;
  return "probe-encoding";
}
void ProbeFree(void* object) {
  ++g_calls.frees;
  delete static_cast<Probe*>(object);
}
void* ProbeCopy(const void* object) {
  ++g_calls.copies;
  return new Probe(*static_cast<const Probe*>(object));
}
size_t ProbeMemory(const Entry& e) {
  ++g_calls.memory;
  return 1000 + e.object_as<Probe>()->items.size();
}
void ProbeSerialize(const Entry& e, std::string* out) {
  ++g_calls.serializes;
  for (const std::string& s : e.object_as<Probe>()->items) out->append(s).push_back(',');
}
Entry* ProbeDeserialize(std::string_view key, std::string_view payload, int64_t expire_ms) {
  Probe* p = new Probe;
  while (!payload.empty()) {
    size_t comma = payload.find(',');
    if (comma == std::string_view::npos) {
      delete p;
      return nullptr;
    }
    p->items.emplace_back(payload.substr(0, comma));
    payload.remove_prefix(comma + 1);
  }
  return Entry::MakeObject(key, ValueType::kHash, p, expire_ms);
}

const TypeOps kProbeOps = {
    .name = "probe",
    .encoding = ProbeEncoding,
    .free_object = ProbeFree,
    .copy_object = ProbeCopy,
    .memory_usage = ProbeMemory,
    .serialize = ProbeSerialize,
    .deserialize = ProbeDeserialize,
};

// Installs the probe as the kHash row for one test.
struct ProbeRow {
  ProbeRow() : previous(RegisterTypeOps(ValueType::kHash, &kProbeOps)) { g_calls = {}; }
  ~ProbeRow() { RegisterTypeOps(ValueType::kHash, previous); }
  const TypeOps* previous;
};

Probe* MakeProbe(std::initializer_list<const char*> items) {
  Probe* p = new Probe;
  for (const char* s : items) p->items.emplace_back(s);
  return p;
}

}  // namespace

TEST_CASE("a key:N string with a 32-byte value is one 56-byte inline entry", "[value]") {
  Entry* e = Entry::Make("key:123456", ValueType::kString, std::string(32, 'v'), -1);
  CHECK_FALSE(e->has_object());
  // header 12 + two 1-byte lengths + 10 key bytes + 32 value bytes, the value last.
  const char* base = reinterpret_cast<const char*>(e);
  CHECK(e->key().data() - base == 14);
  CHECK(e->value().data() + e->value().size() - base == 56);
  CHECK(e->AllocatedBytes() <= 64);
  Entry::Free(e);
}

TEST_CASE("a collection value is freed through its operations table", "[value]") {
  ProbeRow row;
  Keyspace ks(1);
  Db& db = ks.db(0);
  db.PutObject("h", ValueType::kHash, MakeProbe({"a", "b"}), -1, kNow);
  CHECK(db.Find("h", kNow)->object_as<Probe>()->items.size() == 2);
  CHECK(g_calls.frees == 0);
  CHECK(db.Delete("h", kNow));
  CHECK(g_calls.frees == 1);

  // Overwritten by a string, expired, flushed: each frees the object once.
  db.PutObject("h", ValueType::kHash, MakeProbe({"a"}), -1, kNow);
  db.Put("h", ValueType::kString, "now a string", -1, kNow);
  CHECK(g_calls.frees == 2);
  db.PutObject("t", ValueType::kHash, MakeProbe({"a"}), kNow + 10, kNow);
  CHECK(db.Find("t", kNow + 10) == nullptr);
  CHECK(g_calls.frees == 3);
  db.PutObject("x", ValueType::kHash, MakeProbe({}), -1, kNow);
  db.PutObject("y", ValueType::kHash, MakeProbe({}), -1, kNow);
  db.Clear();
  CHECK(g_calls.frees == 5);
}

TEST_CASE("changing an object's expiry or key moves it, never copies or frees it", "[value]") {
  ProbeRow row;
  Keyspace ks(1);
  Db& db = ks.db(0);
  Probe* p = MakeProbe({"a"});
  Entry* e = db.PutObject("h", ValueType::kHash, p, -1, kNow);
  e = db.SetExpire(e, kNow + 1000);
  CHECK(e->expire_ms() == kNow + 1000);
  CHECK(e->object() == p);
  e = db.SetExpire(e, Entry::kNoExpire);
  CHECK(e->object() == p);
  Entry* renamed = Entry::Rehome(db.Detach(e), "h2", 5);
  db.Adopt(renamed);
  CHECK(db.Find("h2", 0)->object() == p);
  CHECK(g_calls.copies == 0);
  CHECK(g_calls.frees == 0);
}

TEST_CASE("copying a collection goes through its table and gives an independent value", "[value]") {
  ProbeRow row;
  Entry* e = Entry::MakeObject("h", ValueType::kHash, MakeProbe({"a", "b"}), 77);
  Entry* c = Entry::Clone(e, "copy");
  CHECK(g_calls.copies == 1);
  CHECK(c->key() == "copy");
  CHECK(c->expire_ms() == 77);
  CHECK(c->type() == ValueType::kHash);
  REQUIRE(c->object() != e->object());
  c->object_as<Probe>()->items.push_back("c");
  CHECK(e->object_as<Probe>()->items.size() == 2);
  Entry::Free(e);
  Entry::Free(c);
  CHECK(g_calls.frees == 2);
}

TEST_CASE("type name, encoding, memory usage and serialization come from the table", "[value]") {
  ProbeRow row;
  Entry* e = Entry::MakeObject("h", ValueType::kHash, MakeProbe({"x", "yz"}), -1);
  const TypeOps& ops = TypeOpsOf(e->type());
  CHECK(ops.name == "probe");
  CHECK(ops.encoding(*e) == "probe-encoding");
  CHECK(ops.memory_usage(*e) == 1002);
  CHECK(g_calls.memory == 1);
  std::string payload;
  ops.serialize(*e, &payload);
  CHECK(payload == "x,yz,");
  Entry* back = ops.deserialize("h", payload, 9);
  REQUIRE(back != nullptr);
  CHECK(back->object_as<Probe>()->items == e->object_as<Probe>()->items);
  CHECK(back->expire_ms() == 9);
  CHECK(ops.deserialize("h", "no comma", -1) == nullptr);
  Entry::Free(e);
  Entry::Free(back);
}

TEST_CASE("strings and limiters have their own rows", "[value]") {
  Entry* small = Entry::Make("k", ValueType::kString, "12345", -1);
  Entry* text = Entry::Make("k", ValueType::kString, "hello", -1);
  Entry* long_text = Entry::Make("k", ValueType::kString, std::string(45, 'a'), -1);
  const TypeOps& s = TypeOpsOf(ValueType::kString);
  CHECK(s.name == "string");
  CHECK(s.encoding(*small) == "int");
  CHECK(s.encoding(*text) == "embstr");
  CHECK(s.encoding(*long_text) == "raw");
  CHECK(s.memory_usage(*text) == 0);  // inline: nothing outside the entry
  std::string payload;
  s.serialize(*text, &payload);
  Entry* back = s.deserialize("k2", payload, -1);
  CHECK(back->value() == "hello");
  CHECK(TypeOpsOf(ValueType::kRateLimit).name == "ratelimit");
  for (Entry* e : {small, text, long_text, back}) Entry::Free(e);
}

TEST_CASE("integers in canonical form only are \"int\"", "[value]") {
  for (const char* s : {"0", "-1", "9223372036854775807", "-9223372036854775808", "42"}) {
    CHECK(IsCanonicalInt64(s));
  }
  for (const char* s : {"", "-", "01", "-0", "+1", " 1", "1 ", "9223372036854775808",
                        "-9223372036854775809", "1a", "123456789012345678901"}) {
    CHECK_FALSE(IsCanonicalInt64(s));
  }
}

TEST_CASE("typed lookups answer WRONGTYPE in one place", "[value]") {
  Keyspace ks(1);
  Db& db = ks.db(0);
  db.Put("s", ValueType::kString, "v", -1, kNow);
  db.Put("rl", ValueType::kRateLimit, "b", -1, kNow);
  OpResult<Entry*> hit = db.FindTyped("s", ValueType::kString, kNow);
  REQUIRE(hit.ok());
  CHECK((*hit)->value() == "v");
  CHECK(db.FindTyped("rl", ValueType::kString, kNow).status() == OpStatus::kWrongType);
  CHECK(db.FindTyped("nope", ValueType::kString, kNow).status() == OpStatus::kNotFound);
  // Reads count a wrong-type key as a hit and a missing one as a miss, as Redis does.
  db.FindTypedForRead("rl", ValueType::kString, kNow);
  db.FindTypedForRead("nope", ValueType::kString, kNow);
  CHECK(ks.stats().keyspace_hits == 1);
  CHECK(ks.stats().keyspace_misses == 1);
  db.FindTypedForWrite("s", ValueType::kString, kNow);
  CHECK(ks.stats().keyspace_hits == 1);
}

TEST_CASE("appends grow a string in place: total bytes copied stay linear", "[value]") {
  Keyspace ks(1);
  Db& db = ks.db(0);
  Entry* e = db.Put("s", ValueType::kString, "start", -1, kNow);
  const std::string chunk(1024, 'x');
  constexpr int kAppends = 4000;
  // Every move of the bytes shows as a new data pointer; at most the old size was copied.
  uint64_t copied = 0;
  int moves = 0;
  const char* data = e->value().data();
  size_t size = e->value().size();
  for (int i = 0; i < kAppends; ++i) {
    e = db.AppendBytes(e, chunk);
    if (e->value().data() != data) {
      copied += size;
      ++moves;
      data = e->value().data();
    }
    size = e->value().size();
  }
  const uint64_t final_size = 5 + uint64_t{kAppends} * chunk.size();
  CHECK(e->value().size() == final_size);
  CHECK(e->value().substr(0, 5) == "start");
  CHECK(e->value().substr(final_size - 1024) == chunk);
  CHECK(e->edited());
  CHECK(e->has_object());
  // A copy of the whole value per append would be ~kAppends^2 / 2 KB (8 GB here).
  CHECK(copied <= 3 * final_size);
  CHECK(moves <= 40);
  CHECK(db.Find("s", kNow) == e);
}

TEST_CASE("in-place writes pad with zeroes and keep the expiry", "[value]") {
  Keyspace ks(1);
  Db& db = ks.db(0);
  Entry* e = db.Put("s", ValueType::kString, "abc", kNow + 500, kNow);
  e = db.WriteBytes(e, 1, "XY");
  CHECK(e->value() == "aXY");
  e = db.WriteBytes(e, 6, "Z");
  CHECK(e->value() == std::string("aXY\0\0\0Z", 7));
  CHECK(e->expire_ms() == kNow + 500);
  CHECK(db.expires() == 1);
  // Dropping the expiry of an out-of-line string keeps its buffer.
  const char* data = e->value().data();
  e = db.SetExpire(e, Entry::kNoExpire);
  CHECK(e->value().data() == data);
  CHECK(db.expires() == 0);
  // A new value is a new inline string again.
  e = db.Put("s", ValueType::kString, "fresh", -1, kNow);
  CHECK_FALSE(e->has_object());
  CHECK_FALSE(e->edited());
  CHECK(e->value() == "fresh");
}

TEST_CASE("a big string lives out of line, so relinking it copies nothing", "[value]") {
  Keyspace ks(1);
  Db& db = ks.db(0);
  const std::string big(kMaxInlineStringBytes * 4, 'b');
  Entry* e = db.Put("big", ValueType::kString, big, -1, kNow);
  CHECK(e->has_object());
  CHECK(e->value() == big);
  const char* data = e->value().data();
  e = db.SetExpire(e, kNow + 100);
  CHECK(e->value().data() == data);
  Entry* copy = Entry::Clone(e, "other");
  CHECK(copy->value() == big);
  CHECK(copy->value().data() != data);
  CHECK(TypeOpsOf(ValueType::kString).memory_usage(*copy) >= big.size());
  Entry::Free(copy);
}

TEST_CASE("an out-of-line window log is copied, measured and serialized by its row", "[value]") {
  WindowLog* log = new WindowLog;
  const WindowParams p{1000, 60000};
  bool had = false;
  for (int64_t t = 0; t < 500; ++t) {
    REQUIRE(log->Decide(had, p, 1, kNow + t * 3, true).write == LimiterWrite::kStore);
    had = true;
  }
  Entry* e = Entry::MakeObject("w", ValueType::kRateLimit, log, kNow + 60000);
  const TypeOps& ops = TypeOpsOf(ValueType::kRateLimit);
  CHECK(ops.encoding(*e) == "ratelimit");
  CHECK(ops.memory_usage(*e) >= log->EncodedBytes());
  std::string payload;
  ops.serialize(*e, &payload);
  CHECK(firn::rdb::DecodeLimiter(payload)->size() == log->EncodedBytes());  // an RDB object
  Entry* back = ops.deserialize("w", payload, kNow + 60000);
  REQUIRE(back != nullptr);
  CHECK_FALSE(back->has_object());  // inline bytes until the next decision moves them out
  LimiterReply from_bytes, from_log;
  REQUIRE(LimiterPeek(back->value(), kNow + 1500, &from_bytes));
  from_log = log->Decide(true, p, 1, kNow + 1500, false).reply;
  CHECK(from_bytes.remaining == from_log.remaining);
  CHECK(from_bytes.reset_after == from_log.reset_after);
  Entry* copy = Entry::Clone(e, "w2");
  REQUIRE(copy->object() != e->object());
  copy->object_as<WindowLog>()->Decide(true, p, 10, kNow + 1600, true);
  CHECK(log->Decide(true, p, 1, kNow + 1600, false).reply.remaining == 500);
  CHECK(ops.deserialize("w", "not a limiter", -1) == nullptr);
  for (Entry* x : {e, back, copy}) Entry::Free(x);
}

}  // namespace firn
