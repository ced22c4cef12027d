#include "storage/rdb.h"

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/entry.h"
#include "storage/hash.h"
#include "storage/keyspace.h"
#include "storage/list.h"
#include "storage/set.h"
#include "storage/zset.h"
#include "tests/unit/hex.h"

namespace rdb = firn::rdb;
using firn::Entry;
using firn::Hash;
using firn::List;
using firn::Set;
using firn::ZSet;

namespace {

std::string Hex(std::string_view bytes) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

// Payloads redis-server 7.0.15 answered to DUMP.
const char* kRedisString = "000568656c6c6f0a006372df766534200a";  // "hello"
const char* kRedisInt = "00c139300a009d94ea2793fc08b9";            // "12345"
// RPUSH l a b 1 300 -5 70000
const char* kRedisList =
    "1201021a1a00000006008161028162020101c12c02dffb02f270110104ff0a00426d0f0aacc7fce0";
// HSET h f1 v1 f2 2
const char* kRedisHash = "10151500000004008266310382763103826632030201ff0a005c5ea813feec1ff5";
// SADD si 1 2 -3
const char* kRedisIntset = "0b0e0200000003000000fdff010002000a00d1b78ed9bc07c27f";
// SADD ss a b
const char* kRedisSet = "0202016101620a00fe642125eb033d0d";
// ZADD z 1 a 2.5 b -0.1 c
const char* kRedisZSet =
    "11c3242d0e2d0000000600816302942d302e3130e005000f3115816102010181620283322e3504ff0a009508e6"
    "1f133eadfb";
// SET big <100 x then 50 y>
const char* kRedisBig = "00c30e4096017878e059000079e026000179790a002a7e93cbb037944e";

std::string_view Object(const std::string& payload) {
  auto obj = rdb::VerifyDumpPayload(payload);
  REQUIRE(obj.has_value());
  return *obj;
}

std::vector<std::string> Elements(const List& l) {
  std::vector<std::string> out;
  for (List::Cursor c = l.CursorAt(0); c.Valid(); c.Next()) out.emplace_back(c.Get());
  return out;
}

}  // namespace

TEST_CASE("crc64 is Redis's: 123456789 gives e9c6d914c4b8d9ca", "[rdb]") {
  CHECK(rdb::Crc64(0, "123456789") == 0xe9c6d914c4b8d9caULL);
  std::string long_input(1000, 'a');
  for (size_t i = 0; i < long_input.size(); ++i) long_input[i] = static_cast<char>(i * 7);
  CHECK(rdb::Crc64(rdb::Crc64(0, std::string_view(long_input).substr(0, 333)),
                   std::string_view(long_input).substr(333)) == rdb::Crc64(0, long_input));
}

TEST_CASE("lengths use the 6, 14, 32 and 64-bit forms", "[rdb]") {
  for (uint64_t n : {0ull, 63ull, 64ull, 16383ull, 16384ull, 0xffffffffull, 0x100000000ull}) {
    std::string out;
    rdb::PutLength(&out, n);
    CHECK(out.size() == (n < 64 ? 1 : n < 16384 ? 2 : n <= 0xffffffffull ? 5 : 9));
    rdb::Reader r(out);
    uint64_t back;
    REQUIRE(r.Length(&back));
    CHECK(back == n);
    CHECK(r.done());
  }
}

TEST_CASE("strings are integer-encoded, LZF-compressed or raw, and read back", "[rdb]") {
  for (std::string s : {std::string("12345"), std::string("-1"), std::string("2147483647"),
                        std::string("2147483648"), std::string("007"), std::string(""),
                        std::string(100, 'x') + std::string(50, 'y'), std::string("hello")}) {
    std::string out;
    rdb::PutString(&out, s);
    rdb::Reader r(out);
    std::string scratch;
    std::string_view back;
    REQUIRE(r.String(&scratch, &back));
    CHECK(back == s);
    CHECK(r.done());
  }
  std::string out;
  rdb::PutString(&out, "12345");
  CHECK(Hex(out) == "c13930");
  rdb::SetCompression(false);
  out.clear();
  rdb::PutString(&out, std::string(100, 'x'));
  CHECK(out.size() == 102);
  rdb::SetCompression(true);
}

TEST_CASE("DUMP payloads match redis-server's bytes for strings, lists, hashes, sets", "[rdb]") {
  Entry* s = firn::Entry::Make("s", firn::ValueType::kString, "hello", -1);
  CHECK(Hex(rdb::DumpPayload(*s)) == kRedisString);
  firn::Entry::Free(s);
  Entry* i = firn::Entry::Make("i", firn::ValueType::kString, "12345", -1);
  CHECK(Hex(rdb::DumpPayload(*i)) == kRedisInt);
  firn::Entry::Free(i);
  Entry* big = firn::Entry::Make("b", firn::ValueType::kString,
                                 std::string(100, 'x') + std::string(50, 'y'), -1);
  CHECK(Hex(rdb::DumpPayload(*big)) == kRedisBig);
  firn::Entry::Free(big);

  List l;
  for (const char* v : {"a", "b", "1", "300", "-5", "70000"}) l.PushBack(v);
  std::string obj;
  rdb::EncodeList(l, &obj);
  CHECK(Hex(obj) == std::string(kRedisList).substr(0, Hex(obj).size()));
  CHECK(Hex(obj).size() + 20 == std::string(kRedisList).size());

  Hash h;
  h.Set("f1", "v1", {});
  h.Set("f2", "2", {});
  obj.clear();
  rdb::EncodeHash(h, &obj);
  CHECK(Hex(obj) + std::string(kRedisHash).substr(Hex(obj).size()) == kRedisHash);

  Set si;
  for (const char* m : {"1", "2", "-3"}) si.Add(m, 512);
  obj.clear();
  rdb::EncodeSet(si, &obj);
  CHECK(Hex(obj) + std::string(kRedisIntset).substr(Hex(obj).size()) == kRedisIntset);

  ZSet z;
  z.Set("a", 1);
  z.Set("b", 2.5);
  z.Set("c", -0.1);
  obj.clear();
  rdb::EncodeZSet(z, &obj);
  CHECK(Hex(obj) + std::string(kRedisZSet).substr(Hex(obj).size()) == kRedisZSet);
}

TEST_CASE("redis-server's DUMP payloads decode to the same values", "[rdb]") {
  CHECK(rdb::DecodeString(Object(Unhex(kRedisString))) == "hello");
  CHECK(rdb::DecodeString(Object(Unhex(kRedisInt))) == "12345");
  CHECK(rdb::DecodeString(Object(Unhex(kRedisBig))) ==
        std::string(100, 'x') + std::string(50, 'y'));
  std::unique_ptr<List> l(rdb::DecodeList(Object(Unhex(kRedisList))));
  REQUIRE(l);
  CHECK(Elements(*l) == std::vector<std::string>{"a", "b", "1", "300", "-5", "70000"});
  std::unique_ptr<Hash> h(rdb::DecodeHash(Object(Unhex(kRedisHash))));
  REQUIRE(h);
  CHECK(h->Get("f1") == "v1");
  CHECK(h->Get("f2") == "2");
  std::unique_ptr<Set> si(rdb::DecodeSet(Object(Unhex(kRedisIntset))));
  REQUIRE(si);
  CHECK(si->size() == 3);
  CHECK(si->Contains("-3"));
  CHECK(si->intset());
  std::unique_ptr<Set> ss(rdb::DecodeSet(Object(Unhex(kRedisSet))));
  REQUIRE(ss);
  CHECK(ss->Contains("a"));
  CHECK(ss->Contains("b"));
  std::unique_ptr<ZSet> z(rdb::DecodeZSet(Object(Unhex(kRedisZSet))));
  REQUIRE(z);
  CHECK(z->Score("c") == -0.1);
  CHECK(z->Score("b") == 2.5);
  for (const char* p : {kRedisString, kRedisList, kRedisHash, kRedisIntset, kRedisZSet}) {
    std::string obj(Object(Unhex(p)));
    CHECK(rdb::ObjectLength(obj) == obj.size());
  }
}

TEST_CASE("listpack integers of every width and strings of every length round-trip", "[rdb]") {
  std::vector<std::string> items = {"0",      "127",     "128",    "-1",     "4095",
                                    "-4096",  "4096",    "32767",  "-32768", "8388607",
                                    "-8388608", "2147483647", "-2147483648",
                                    "9223372036854775807", "-9223372036854775808",
                                    "01",     "+1",      "",       std::string(63, 'a'),
                                    std::string(64, 'b'), std::string(4095, 'c'),
                                    std::string(4096, 'd'), std::string(20000, 'e')};
  rdb::ListpackWriter w;
  for (const std::string& s : items) w.Append(s);
  std::string lp = w.Finish();
  std::vector<std::string> back;
  REQUIRE(rdb::ForEachListpackElement(lp, [&](std::string_view e) {
    back.emplace_back(e);
    return true;
  }));
  CHECK(back == items);
}

TEST_CASE("large and plain forms: big hashes, sets, sorted sets and lists round-trip", "[rdb]") {
  Hash h;
  Set s;
  ZSet z;
  List l;
  for (int i = 0; i < 2000; ++i) {
    const std::string k = "member:" + std::to_string(i);
    h.Set(k, std::to_string(i * 3), {});
    s.Add(k, 512);
    z.Set(k, i * 0.5);
    l.PushBack(k);
  }
  std::string ho, so, zo, lo;
  rdb::EncodeHash(h, &ho);
  rdb::EncodeSet(s, &so);
  rdb::EncodeZSet(z, &zo);
  rdb::EncodeList(l, &lo);
  CHECK(static_cast<uint8_t>(ho[0]) == rdb::kTypeHash);
  CHECK(static_cast<uint8_t>(so[0]) == rdb::kTypeSet);
  CHECK(static_cast<uint8_t>(zo[0]) == rdb::kTypeZSet2);
  CHECK(static_cast<uint8_t>(lo[0]) == rdb::kTypeListQuicklist2);
  std::unique_ptr<Hash> h2(rdb::DecodeHash(ho));
  std::unique_ptr<Set> s2(rdb::DecodeSet(so));
  std::unique_ptr<ZSet> z2(rdb::DecodeZSet(zo));
  std::unique_ptr<List> l2(rdb::DecodeList(lo));
  REQUIRE(h2);
  REQUIRE(s2);
  REQUIRE(z2);
  REQUIRE(l2);
  CHECK(h2->size() == 2000);
  CHECK(h2->Get("member:1999") == "5997");
  CHECK(s2->size() == 2000);
  CHECK(z2->Score("member:7") == 3.5);
  CHECK(Elements(*l2) == Elements(l));
  for (const std::string* o : {&ho, &so, &zo, &lo}) CHECK(rdb::ObjectLength(*o) == o->size());
}

TEST_CASE("truncated or flipped payloads are refused, never a crash", "[rdb]") {
  std::vector<std::string> objects;
  for (const char* p : {kRedisString, kRedisList, kRedisHash, kRedisIntset, kRedisSet,
                        kRedisZSet, kRedisBig}) {
    objects.emplace_back(Object(Unhex(p)));
  }
  Hash h;
  for (int i = 0; i < 300; ++i) h.Set("f" + std::to_string(i), std::string(100, 'v'), {});
  objects.emplace_back();
  rdb::EncodeHash(h, &objects.back());
  std::mt19937 rng(42);
  size_t refused = 0;
  for (const std::string& obj : objects) {
    // Every truncation.
    for (size_t n = 0; n < obj.size(); ++n) {
      std::string cut = obj.substr(0, n);
      CHECK_FALSE(rdb::DecodeString(cut).has_value());
      (void)rdb::ObjectLength(cut);
      delete rdb::DecodeHash(cut);
      delete rdb::DecodeList(cut);
      delete rdb::DecodeSet(cut);
      delete rdb::DecodeZSet(cut);
    }
    // Random byte flips: decoding may succeed (a different valid value) or fail, safely.
    for (int t = 0; t < 300; ++t) {
      std::string bad = obj;
      bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
      std::unique_ptr<Hash> a(rdb::DecodeHash(bad));
      std::unique_ptr<List> b(rdb::DecodeList(bad));
      std::unique_ptr<Set> c(rdb::DecodeSet(bad));
      std::unique_ptr<ZSet> d(rdb::DecodeZSet(bad));
      if (!a && !b && !c && !d && !rdb::DecodeString(bad)) ++refused;
      (void)rdb::ObjectLength(bad);
    }
  }
  CHECK(refused > 0);
  // A payload with a wrong checksum or a newer version is refused as a whole.
  std::string p = Unhex(kRedisString);
  p[p.size() - 1] ^= 1;
  CHECK_FALSE(rdb::VerifyDumpPayload(p).has_value());
  p = Unhex(kRedisString);
  p[p.size() - 10] = 11;
  CHECK_FALSE(rdb::VerifyDumpPayload(p).has_value());
  CHECK_FALSE(rdb::VerifyDumpPayload("short").has_value());
}

TEST_CASE("a snapshot of strings with expiries loads back; a corrupt one is an error", "[rdb]") {
  firn::Keyspace ks(16);
  const int64_t now = 1700000000000;
  ks.db(0).Put("a", firn::ValueType::kString, "1", -1, now);
  ks.db(0).Put("b", firn::ValueType::kString, std::string(300, 'z'), now + 60000, now);
  ks.db(3).Put("c", firn::ValueType::kString, "hello", -1, now);
  std::string file;
  rdb::SaveOptions opts;
  opts.now_ms = now;
  auto n = rdb::WriteSnapshot(ks, opts, [&](std::string_view b) {
    file.append(b);
    return true;
  });
  REQUIRE(n == 3);
  CHECK(file.substr(0, 9) == "REDIS0010");
  firn::Keyspace back(16);
  rdb::LoadOptions lo;
  lo.now_ms = now;
  rdb::LoadResult r = rdb::LoadSnapshot(back, file, lo);
  REQUIRE(r.ok);
  CHECK(r.keys_loaded == 3);
  CHECK(back.db(0).Find("b", now)->expire_ms() == now + 60000);
  CHECK(back.db(3).Find("c", now)->value() == "hello");
  // Loaded after b's expiry: b is dropped and counted.
  firn::Keyspace later(16);
  lo.now_ms = now + 60000;
  r = rdb::LoadSnapshot(later, file, lo);
  REQUIRE(r.ok);
  CHECK(r.keys_expired == 1);
  CHECK(later.db(0).Find("b", now + 60000) == nullptr);
  // Every truncation fails cleanly, as does a flipped byte (the checksum).
  for (size_t cut = 0; cut < file.size(); ++cut) {
    firn::Keyspace k(16);
    CHECK_FALSE(rdb::LoadSnapshot(k, file.substr(0, cut), lo).ok);
  }
  std::string bad = file;
  bad[20] ^= 0x40;
  firn::Keyspace k(16);
  CHECK_FALSE(rdb::LoadSnapshot(k, bad, lo).ok);
}
