// Compact hashes kept compressed (Hash::Limits::compress_min_bytes): every operation on
// a compressed hash answers as on a plain one, and the stored form is what the class says.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/hash.h"
#include "storage/rdb.h"

using firn::Hash;

namespace {

const std::string kValue = "0123456789abcdef0123456789ABCDEF";  // the bench row's value

Hash::Limits Compressing(size_t min_bytes = 256) {
  Hash::Limits l;
  l.compress_min_bytes = min_bytes;
  return l;
}

std::vector<std::pair<std::string, std::string>> Pairs(const Hash& h) {
  std::vector<std::pair<std::string, std::string>> out;
  h.ForEach([&](std::string_view f, std::string_view v) { out.emplace_back(f, v); });
  return out;
}

// The bench row's hash: f0..f9, every value the same 32 bytes (340 bytes of pairs).
void FillTen(Hash* h, const Hash::Limits& limits) {
  for (int i = 0; i < 10; ++i) h->Set("f" + std::to_string(i), kValue, limits);
}

std::string Encoded(const Hash& h) {
  std::string out;
  firn::rdb::EncodeHash(h, &out);
  return out;
}

// Bytes of pairs a plain compact hash holds.
size_t PlainBytes(const Hash& h) {
  REQUIRE_FALSE(h.compressed());
  return h.MemoryBytes() - sizeof(Hash);
}

std::string Incompressible(std::mt19937* rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>((*rng)() & 0xff);
  return s;
}

}  // namespace

TEST_CASE("a compact hash over the threshold is stored compressed and reads the same",
          "[hash][hash-compress]") {
  Hash plain, packed;
  FillTen(&plain, Hash::Limits{});
  FillTen(&packed, Compressing());
  CHECK_FALSE(plain.compressed());
  CHECK(packed.compressed());
  CHECK(packed.compact());
  CHECK(PlainBytes(plain) == 340);
  // 340 bytes of pairs in under a quarter of that: one value and nine back-references.
  CHECK(packed.MemoryBytes() < sizeof(Hash) + 340 / 4);
  CHECK(packed.size() == 10);
  CHECK(Pairs(packed) == Pairs(plain));  // insertion order kept
  for (int i = 0; i < 10; ++i) {
    const std::string f = "f" + std::to_string(i);
    CHECK(packed.Get(f) == kValue);
    CHECK(packed.StoredField(f) == f);
  }
  CHECK_FALSE(packed.Get("f10").has_value());
  CHECK_FALSE(packed.StoredField("").has_value());
  std::vector<std::pair<std::string, std::string>> scanned;
  CHECK(packed.Scan(0, 1, [&](std::string_view f, std::string_view v) {
    scanned.emplace_back(f, v);
  }) == 0);
  CHECK(scanned == Pairs(plain));
  std::set<std::string> drawn;
  for (uint64_t r = 0; r < 40; ++r) {
    std::string_view f, v;
    packed.Random(r, &f, &v);
    CHECK(v == kValue);
    drawn.emplace(f);
  }
  CHECK(drawn.size() == 10);
  // The RDB/DUMP form is Redis's plain listpack, byte for byte the plain hash's.
  CHECK(Encoded(packed) == Encoded(plain));
}

TEST_CASE("writes to a compressed hash decompress, change and recompress",
          "[hash][hash-compress]") {
  const Hash::Limits limits = Compressing();
  Hash h;
  FillTen(&h, limits);
  REQUIRE(h.compressed());
  std::map<std::string, std::string> model;
  for (int i = 0; i < 10; ++i) model["f" + std::to_string(i)] = kValue;
  auto check = [&] {
    std::map<std::string, std::string> got;
    for (const auto& [f, v] : Pairs(h)) got.emplace(f, v);
    CHECK(got == model);
    CHECK(h.size() == model.size());
  };
  SECTION("a value of the same size") {
    CHECK_FALSE(h.Set("f3", std::string(32, 'z'), limits));
    model["f3"] = std::string(32, 'z');
    CHECK(h.compressed());
  }
  SECTION("a longer and a shorter value") {
    CHECK_FALSE(h.Set("f4", kValue + kValue.substr(0, 20), limits));
    CHECK_FALSE(h.Set("f5", "s", limits));
    model["f4"] = kValue + kValue.substr(0, 20);
    model["f5"] = "s";
    CHECK(h.compressed());
  }
  SECTION("a new field") {
    CHECK(h.Set("new", kValue, limits));
    model["new"] = kValue;
    CHECK(Pairs(h).back().first == "new");
    CHECK(h.compressed());
  }
  SECTION("deletes, and a delete of a missing field") {
    const size_t before = h.MemoryBytes();
    CHECK_FALSE(h.Delete("nope", limits));
    CHECK(h.compressed());
    CHECK(h.MemoryBytes() == before);
    CHECK(h.Delete("f0", limits));
    CHECK(h.Delete("f9", limits));
    model.erase("f0");
    model.erase("f9");
    CHECK(h.compressed());  // 272 bytes of pairs left
  }
  SECTION("a write with compression off leaves it plain") {
    CHECK_FALSE(h.Set("f1", kValue, Hash::Limits{}));
    CHECK_FALSE(h.compressed());
    CHECK(h.compact());
  }
  SECTION("deleting every field empties it") {
    for (int i = 0; i < 10; ++i) CHECK(h.Delete("f" + std::to_string(i), limits));
    model.clear();
    CHECK(h.empty());
    CHECK_FALSE(h.compressed());
    CHECK(h.MemoryBytes() == sizeof(Hash));
  }
  check();
}

TEST_CASE("the compression threshold counts the bytes of plain pairs", "[hash][hash-compress]") {
  Hash probe;
  FillTen(&probe, Hash::Limits{});
  const size_t n = PlainBytes(probe);  // 340
  for (const size_t min_bytes : {n - 1, n, n + 1}) {
    INFO(min_bytes);
    Hash h;
    FillTen(&h, Compressing(min_bytes));
    CHECK(h.compressed() == (min_bytes <= n));
  }
  // Under the threshold after a delete: plain again; back over it: compressed again.
  Hash h;
  FillTen(&h, Compressing(n));
  REQUIRE(h.compressed());
  CHECK(h.Delete("f0", Compressing(n)));
  CHECK_FALSE(h.compressed());
  CHECK(h.Set("f0", kValue, Compressing(n)));
  CHECK(h.compressed());
  // A threshold of 1 byte still never compresses what cannot save a quarter.
  Hash tiny;
  tiny.Set("a", "b", Compressing(1));
  CHECK_FALSE(tiny.compressed());
  CHECK(tiny.Get("a") == "b");
}

TEST_CASE("incompressible values stay plain, and stay right across retries",
          "[hash][hash-compress]") {
  std::mt19937 rng(5);
  const Hash::Limits limits = Compressing(64);
  Hash h;
  std::map<std::string, std::string> model;
  for (int i = 0; i < 20; ++i) {
    const std::string f = "r" + std::to_string(i);
    model[f] = Incompressible(&rng, 40);
    h.Set(f, model[f], limits);
    CHECK_FALSE(h.compressed());
  }
  // Many rewrites of values, some of which retry the compression (one in 16).
  for (int i = 0; i < 100; ++i) {
    const std::string f = "r" + std::to_string(i % 20);
    model[f] = Incompressible(&rng, 40);
    CHECK_FALSE(h.Set(f, model[f], limits));
    CHECK_FALSE(h.compressed());
  }
  // Made compressible, it compresses within one retry period.
  bool compressed = false;
  for (int i = 0; i < 40 && !compressed; ++i) {
    const std::string f = "r" + std::to_string(i % 20);
    model[f] = std::string(40, 'c');
    h.Set(f, model[f], limits);
    compressed = h.compressed();
  }
  CHECK(compressed);
  std::map<std::string, std::string> got;
  for (const auto& [f, v] : Pairs(h)) got.emplace(f, v);
  CHECK(got == model);
}

TEST_CASE("a compressed hash converts to the table by entries or by a long value",
          "[hash][hash-compress]") {
  Hash::Limits limits = Compressing();
  limits.max_compact_entries = 12;
  Hash by_count, by_length, by_check;
  for (Hash* h : {&by_count, &by_length, &by_check}) {
    FillTen(h, limits);
    REQUIRE(h->compressed());
  }
  by_count.Set("f10", kValue, limits);
  by_count.Set("f11", kValue, limits);
  CHECK(by_count.compressed());
  by_count.Set("f12", kValue, limits);
  CHECK_FALSE(by_count.compact());
  CHECK_FALSE(by_count.compressed());
  CHECK(by_count.size() == 13);
  by_length.Set("f3", std::string(65, 'x'), limits);
  CHECK_FALSE(by_length.compact());
  CHECK(by_length.Get("f3") == std::string(65, 'x'));
  CHECK(by_length.Get("f9") == kValue);
  by_check.ConvertIfLonger(100, limits);
  CHECK_FALSE(by_check.compact());
  CHECK(by_check.size() == 10);
  for (int i = 0; i < 10; ++i) CHECK(by_check.Get("f" + std::to_string(i)) == kValue);
  // The table is never compressed, whatever its size.
  for (int i = 0; i < 100; ++i) by_check.Set("g" + std::to_string(i), kValue, limits);
  CHECK_FALSE(by_check.compressed());
}

TEST_CASE("a copy of a compressed hash is compressed and independent", "[hash][hash-compress]") {
  const Hash::Limits limits = Compressing();
  auto original = std::make_unique<Hash>();
  FillTen(original.get(), limits);
  Hash copy(*original);
  CHECK(copy.compressed());
  CHECK(copy.MemoryBytes() == original->MemoryBytes());
  CHECK(Pairs(copy) == Pairs(*original));
  copy.Set("f0", "changed", limits);
  CHECK(original->Get("f0") == kValue);
  CHECK(copy.Get("f0") == "changed");
  original.reset();
  CHECK(copy.Get("f1") == kValue);
  CHECK(copy.size() == 10);
}

TEST_CASE("reads of several compressed hashes do not mix their contents",
          "[hash][hash-compress]") {
  const Hash::Limits limits = Compressing(64);
  std::vector<std::unique_ptr<Hash>> hashes;
  for (int k = 0; k < 8; ++k) {
    auto h = std::make_unique<Hash>();
    for (int i = 0; i < 10; ++i) h->Set("f" + std::to_string(i), std::string(30, 'a' + k), limits);
    REQUIRE(h->compressed());
    hashes.push_back(std::move(h));
  }
  for (int round = 0; round < 3; ++round) {
    for (int k = 0; k < 8; ++k) {
      CHECK(hashes[k]->Get("f" + std::to_string(round))->at(0) == 'a' + k);
      CHECK(hashes[k]->Get("f9")->at(0) == 'a' + k);  // the same hash twice in a row
    }
  }
  // A hash destroyed and another built in its place (often at the same addresses) is read
  // afresh.
  for (int k = 0; k < 8; ++k) {
    CHECK(hashes[k]->Get("f0")->at(0) == 'a' + k);
    hashes[k] = std::make_unique<Hash>();
    for (int i = 0; i < 10; ++i) hashes[k]->Set("f" + std::to_string(i), std::string(30, 'A' + k), limits);
    CHECK(hashes[k]->Get("f0")->at(0) == 'A' + k);
  }
}

TEST_CASE("compressed hashes of odd sizes", "[hash][hash-compress]") {
  // Plain sizes around the one-, two- and three-byte lengths of the compressed form's
  // header, and one past the scratch buffers' shrink size, read back whole. Field names
  // over 32 bytes stay literal, so the test enters no names in the shared table.
  const std::string prefix = "a-field-name-longer-than-32-bytes-";
  for (const size_t fields : {3, 4, 5, 60, 400, 500, 2000, 40000}) {
    INFO(fields);
    Hash::Limits limits = Compressing(32);
    limits.max_compact_entries = 100000;
    limits.compress_max_bytes = SIZE_MAX;  // the 3-byte header of a buffer over 16 KiB
    Hash::Limits building = limits;  // plain until the last pair, as HSET of many pairs
    building.compress_min_bytes = 0;
    Hash h;
    for (size_t i = 0; i < fields; ++i) {
      h.Set(prefix + std::to_string(i), std::string(10 + i % 40, static_cast<char>('a' + i % 7)),
            i + 1 < fields ? building : limits);
    }
    REQUIRE(h.compact());
    CHECK(h.compressed());
    CHECK(h.size() == fields);
    size_t i = 0;
    h.ForEach([&](std::string_view f, std::string_view v) {
      CHECK(f == prefix + std::to_string(i));
      CHECK(v == std::string(10 + i % 40, static_cast<char>('a' + i % 7)));
      ++i;
    });
    CHECK(i == fields);
    CHECK(h.Get(prefix + std::to_string(fields - 1)).has_value());
    // Another compressing hash written pair by pair while this one is walked.
    Hash rebuilt;
    size_t left = fields;
    h.ForEach([&](std::string_view f, std::string_view v) {
      rebuilt.Set(f, v, --left == 0 || fields < 100 ? limits : building);
    });
    CHECK(rebuilt.compressed());
    CHECK(Encoded(rebuilt) == Encoded(h));
  }
  // Empty values and an empty field name in a compressed hash.
  Hash h;
  for (int i = 0; i < 20; ++i) h.Set(prefix + std::to_string(i), "", Compressing(32));
  h.Set("", std::string(50, 'q'), Compressing(32));
  CHECK(h.compressed());
  CHECK(h.Get("") == std::string(50, 'q'));
  CHECK(h.Get(prefix + "7") == "");
}

TEST_CASE("a compact hash past compress_max_bytes stays plain, and compresses again below it",
          "[hash][hash-compress]") {
  Hash::Limits limits = Compressing(32);
  REQUIRE(limits.compress_max_bytes == 1024);
  Hash h;
  int i = 0;
  for (; i < 10; ++i) h.Set("f" + std::to_string(i), std::string(40, 'v'), limits);
  CHECK(h.compressed());
  for (; i < 40; ++i) h.Set("f" + std::to_string(i), std::string(40, 'v'), limits);
  REQUIRE(h.compact());
  CHECK_FALSE(h.compressed());  // 40 pairs of 40-byte values: over 1 KiB
  CHECK(h.Get("f3") == std::string(40, 'v'));
  for (--i; i >= 10; --i) h.Delete("f" + std::to_string(i), limits);
  CHECK(h.compressed());
  CHECK(h.size() == 10);
  CHECK(h.Get("f9") == std::string(40, 'v'));
}

TEST_CASE("a DUMP payload of a compressed hash loads back the same hash", "[hash][hash-compress]") {
  Hash h;
  FillTen(&h, Compressing());
  const std::string payload = Encoded(h);
  std::unique_ptr<Hash> back(firn::rdb::DecodeHash(payload));
  REQUIRE(back != nullptr);
  CHECK(Pairs(*back) == Pairs(h));
  // A payload cut short or with a byte flipped in its lengths is refused, not loaded.
  CHECK(firn::rdb::DecodeHash(payload.substr(0, payload.size() - 1)) == nullptr);
  std::string broken = payload;
  broken[2] = static_cast<char>(0xff);
  std::unique_ptr<Hash> odd(firn::rdb::DecodeHash(broken));
  CHECK(odd == nullptr);
}

TEST_CASE("random operations on compressing hashes match a model", "[hash][hash-compress]") {
  for (const size_t min_bytes : {1, 64, 300}) {
    std::mt19937 rng(static_cast<uint32_t>(min_bytes));
    Hash::Limits limits = Compressing(min_bytes);
    limits.max_compact_entries = 40;
    Hash h;
    std::map<std::string, std::string> model;
    for (int step = 0; step < 5000; ++step) {
      const std::string field = "f" + std::to_string(rng() % 48);
      const int op = static_cast<int>(rng() % 5);
      if (op <= 1) {
        std::string value = rng() % 4 == 0 ? Incompressible(&rng, rng() % 30)
                                           : std::string(rng() % 40, 'a' + rng() % 3);
        REQUIRE(h.Set(field, value, limits) == (model.count(field) == 0));
        model[field] = value;
      } else if (op == 2) {
        REQUIRE(h.Delete(field, limits) == (model.erase(field) == 1));
      } else if (op == 3) {
        const auto got = h.Get(field);
        const auto it = model.find(field);
        REQUIRE(got.has_value() == (it != model.end()));
        if (got) REQUIRE(*got == it->second);
      } else {
        REQUIRE(h.size() == model.size());
        std::map<std::string, std::string> got;
        h.ForEach([&](std::string_view f, std::string_view v) { got.emplace(f, v); });
        REQUIRE(got == model);
      }
    }
  }
}

TEST_CASE("runs, short periods and long matches compress and read back", "[hash][hash-compress]") {
  // Matches that overlap what they copy (a distance shorter than the match), matches that
  // run to the last byte, and literal runs longer than one varint byte of length.
  std::mt19937 rng(9);
  for (const size_t period : {1, 2, 3, 7, 31, 64}) {
    for (const size_t fields : {1, 2, 9, 100}) {
      INFO(period << " " << fields);
      Hash::Limits limits = Compressing(16);
      std::string base = Incompressible(&rng, period);
      std::map<std::string, std::string> model;
      Hash h;
      for (size_t i = 0; i < fields; ++i) {
        std::string v;
        while (v.size() < 64) v += base;
        v.resize(20 + (i * 13) % 45);
        if (i % 3 == 1) v = Incompressible(&rng, 60);
        const std::string f = "p" + std::to_string(i);
        model[f] = v;
        h.Set(f, v, limits);
      }
      std::map<std::string, std::string> got;
      for (const auto& [f, v] : Pairs(h)) got.emplace(f, v);
      CHECK(got == model);
      if (period <= 3 && fields == 1) CHECK(h.compressed());  // 20 bytes of a run
    }
  }
  Hash bench;
  FillTen(&bench, Compressing());
  CHECK(bench.MemoryBytes() - sizeof(Hash) <= 80);  // 340 bytes of pairs
}
