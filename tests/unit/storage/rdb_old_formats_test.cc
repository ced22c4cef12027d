// The encodings Redis 2.6 to 6.2 wrote (ziplists, zipmaps, quicklists of ziplists, text
// scores, the plain list) and the files of RDB versions 6 to 9. Every blob here is built by
// hand from the format's description, byte by byte, independently of the decoder.
#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "modules/hashes.h"
#include "modules/lists.h"
#include "modules/sets.h"
#include "modules/zsets.h"
#include "storage/entry.h"
#include "storage/hash.h"
#include "storage/keyspace.h"
#include "storage/list.h"
#include "storage/rdb.h"
#include "storage/set.h"
#include "storage/zset.h"

namespace rdb = firn::rdb;
using firn::Entry;
using firn::Hash;
using firn::List;
using firn::ZSet;

namespace {

// DecodeEntry and LoadSnapshot reach the decoders through the TypeOps rows the command
// families register.
void RegisterTypes() {
  (void)firn::HashCommands();
  (void)firn::ListCommands();
  (void)firn::SetCommands();
  (void)firn::ZSetCommands();
}

void LE(std::string* out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

bool AsInt(const std::string& s, int64_t* v) {
  if (s.empty() || s.size() > 20) return false;
  size_t used = 0;
  try {
    *v = std::stoll(s, &used);
  } catch (...) {
    return false;
  }
  return used == s.size() && std::to_string(*v) == s;
}

// One ziplist entry's encoding and payload (no prevlen), the smallest form as Redis chose it.
std::string ZlBody(const std::string& s) {
  std::string out;
  int64_t v;
  if (AsInt(s, &v)) {
    if (v >= 0 && v <= 12) {
      out.push_back(static_cast<char>(0xf1 + v));
    } else if (v >= INT8_MIN && v <= INT8_MAX) {
      out.push_back(static_cast<char>(0xfe));
      LE(&out, static_cast<uint64_t>(v), 1);
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
      out.push_back(static_cast<char>(0xc0));
      LE(&out, static_cast<uint64_t>(v), 2);
    } else if (v >= -(1 << 23) && v < (1 << 23)) {
      out.push_back(static_cast<char>(0xf0));
      LE(&out, static_cast<uint64_t>(v), 3);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      out.push_back(static_cast<char>(0xd0));
      LE(&out, static_cast<uint64_t>(v), 4);
    } else {
      out.push_back(static_cast<char>(0xe0));
      LE(&out, static_cast<uint64_t>(v), 8);
    }
    return out;
  }
  if (s.size() < 64) {
    out.push_back(static_cast<char>(s.size()));
  } else if (s.size() < 16384) {
    out.push_back(static_cast<char>(0x40 | (s.size() >> 8)));
    out.push_back(static_cast<char>(s.size() & 0xff));
  } else {
    out.push_back(static_cast<char>(0x80));
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((s.size() >> (8 * i)) & 0xff));
  }
  return out + s;
}

struct ZiplistOptions {
  bool big_prevlen_always = false;  // 5-byte prevlens even for small entries (Redis allows it)
  int count = -1;                   // zllen to declare; -1: the real count
};

std::string Ziplist(const std::vector<std::string>& items, ZiplistOptions opt = {}) {
  std::string body;
  size_t prev = 0, tail = 10;
  for (const std::string& s : items) {
    std::string entry;
    if (prev >= 254 || opt.big_prevlen_always) {
      entry.push_back(static_cast<char>(0xfe));
      LE(&entry, prev, 4);
    } else {
      entry.push_back(static_cast<char>(prev));
    }
    entry += ZlBody(s);
    tail = 10 + body.size();
    body += entry;
    prev = entry.size();
  }
  std::string zl;
  LE(&zl, 10 + body.size() + 1, 4);
  LE(&zl, tail, 4);
  LE(&zl, opt.count >= 0 ? static_cast<uint64_t>(opt.count) : items.size(), 2);
  zl += body;
  zl.push_back(static_cast<char>(0xff));
  return zl;
}

// A zipmap: [count][len field len free value <free bytes>]... 0xff.
std::string Zipmap(const std::vector<std::pair<std::string, std::string>>& pairs, int free = 0,
                   int count = -1) {
  auto len = [](std::string* out, size_t n) {
    if (n < 254) {
      out->push_back(static_cast<char>(n));
    } else {
      out->push_back(static_cast<char>(254));
      LE(out, n, 4);
    }
  };
  std::string zm(1, static_cast<char>(count >= 0 ? count : pairs.size()));
  for (const auto& [f, v] : pairs) {
    len(&zm, f.size());
    zm += f;
    len(&zm, v.size());
    zm.push_back(static_cast<char>(free));
    zm += v;
    zm += std::string(static_cast<size_t>(free), '\0');
  }
  zm.push_back(static_cast<char>(0xff));
  return zm;
}

std::string RawString(const std::string& s) {
  std::string out;
  rdb::PutLength(&out, s.size());
  return out + s;
}

std::string Object(uint8_t type, const std::string& payload) {
  return std::string(1, static_cast<char>(type)) + payload;
}

std::vector<std::string> Elements(const List& l) {
  std::vector<std::string> out;
  for (List::Cursor c = l.CursorAt(0); c.Valid(); c.Next()) out.emplace_back(c.Get());
  return out;
}

const std::vector<std::string> kMixed = {
    "a", "0", "12", "13", "-1", "127", "-128", "128", "32767", "-32768", "32768",
    "8388607", "-8388608", "8388608", "2147483647", "-2147483648", "2147483648",
    "9223372036854775807", "-9223372036854775808", "007", "", std::string(63, 'x'),
    std::string(64, 'y'), std::string(300, 'z'), std::string(16384, 'w'), "tail"};

}  // namespace

TEST_CASE("ziplist lists (type 10) decode every integer and string encoding", "[rdb][old]") {
  std::unique_ptr<List> l(rdb::DecodeList(Object(rdb::kTypeListZiplist, RawString(Ziplist(kMixed)))));
  REQUIRE(l);
  CHECK(Elements(*l) == kMixed);
  // 5-byte prevlens on small entries (left by Redis's cascade updates) and an uncounted zllen.
  l.reset(rdb::DecodeList(Object(rdb::kTypeListZiplist,
                                 RawString(Ziplist({"a", "b", "1"}, {.big_prevlen_always = true,
                                                                    .count = 65535})))));
  REQUIRE(l);
  CHECK(Elements(*l) == std::vector<std::string>{"a", "b", "1"});
}

TEST_CASE("quicklists of ziplists (type 14) join their nodes and skip empty ones", "[rdb][old]") {
  std::string payload;
  rdb::PutLength(&payload, 3);
  payload += RawString(Ziplist({"a", "b"}));
  payload += RawString(Ziplist({}));
  std::string compressed;
  rdb::PutString(&compressed, Ziplist(std::vector<std::string>(40, "same element")));
  CHECK(static_cast<uint8_t>(compressed[0]) == 0xc3);  // LZF, as Redis compressed nodes
  payload += compressed;
  const std::string obj = Object(rdb::kTypeListQuicklist, payload);
  std::unique_ptr<List> l(rdb::DecodeList(obj));
  REQUIRE(l);
  CHECK(l->size() == 42);
  CHECK(Elements(*l)[1] == "b");
  CHECK(Elements(*l)[41] == "same element");
  CHECK(rdb::ObjectLength(obj) == obj.size());
}

TEST_CASE("ziplist and zipmap hashes (types 13 and 9) decode; big ones stay whole", "[rdb][old]") {
  std::vector<std::string> flat;
  for (int i = 0; i < 5; ++i) {
    flat.push_back("f" + std::to_string(i));
    flat.push_back(i == 4 ? std::string(500, 'v') : std::to_string(i * 1000));
  }
  std::unique_ptr<Hash> h(rdb::DecodeHash(Object(rdb::kTypeHashZiplist, RawString(Ziplist(flat)))));
  REQUIRE(h);
  CHECK(h->size() == 5);
  CHECK(h->Get("f3") == "3000");
  CHECK(h->Get("f4") == std::string(500, 'v'));

  const std::string zm = Zipmap({{"name", "firn"}, {"n", "42"}, {std::string(300, 'k'), "big"}}, 3);
  h.reset(rdb::DecodeHash(Object(rdb::kTypeHashZipmap, RawString(zm))));
  REQUIRE(h);
  CHECK(h->size() == 3);
  CHECK(h->Get("name") == "firn");
  CHECK(h->Get(std::string(300, 'k')) == "big");
  // 254 in the count byte: count unknown, the pairs are counted.
  h.reset(rdb::DecodeHash(Object(rdb::kTypeHashZipmap, RawString(Zipmap({{"a", "1"}}, 0, 254)))));
  REQUIRE(h);
  CHECK(h->Get("a") == "1");
}

TEST_CASE("ziplist sorted sets (type 12) and text scores (type 3) decode", "[rdb][old]") {
  std::unique_ptr<ZSet> z(rdb::DecodeZSet(Object(
      rdb::kTypeZSetZiplist, RawString(Ziplist({"a", "-inf", "b", "1", "c", "2.5", "d", "300000",
                                               "e", "inf"})))));
  REQUIRE(z);
  CHECK(z->size() == 5);
  CHECK(z->Score("c") == 2.5);
  CHECK(z->Score("d") == 300000);
  CHECK(std::isinf(*z->Score("a")));
  std::string p;
  rdb::PutLength(&p, 3);
  p += RawString("x") + std::string(1, '\x03') + "1.5";
  p += RawString("y") + std::string(1, '\xfe');  // +inf
  p += RawString("w") + std::string(1, '\xff');  // -inf
  z.reset(rdb::DecodeZSet(Object(rdb::kTypeZSet, p)));
  REQUIRE(z);
  CHECK(z->Score("x") == 1.5);
  CHECK(*z->Score("y") > 0);
  CHECK(*z->Score("w") < 0);
  std::string nan_score;
  rdb::PutLength(&nan_score, 1);
  nan_score += RawString("x") + std::string(1, '\xfd');
  CHECK(rdb::DecodeZSet(Object(rdb::kTypeZSet, nan_score)) == nullptr);
}

TEST_CASE("malformed ziplists and zipmaps are refused before use", "[rdb][old]") {
  const std::string good = Ziplist({"a", "bb", "300"});
  auto list_of = [](const std::string& zl) {
    return std::unique_ptr<List>(rdb::DecodeList(Object(rdb::kTypeListZiplist, RawString(zl))));
  };
  REQUIRE(list_of(good));
  std::string bad = good;
  bad[0] ^= 1;  // zlbytes
  CHECK_FALSE(list_of(bad));
  bad = good;
  bad[4] ^= 1;  // zltail
  CHECK_FALSE(list_of(bad));
  CHECK_FALSE(list_of(Ziplist({"a", "bb", "300"}, {.count = 2})));  // zllen
  bad = good;
  bad.back() = '\xfe';  // end byte
  CHECK_FALSE(list_of(bad));
  bad = good;
  bad[10 + 3] = 7;  // the second entry's prevlen
  CHECK_FALSE(list_of(bad));
  bad = good;
  bad[11] = '\xc1';  // an encoding byte Redis never writes
  CHECK_FALSE(list_of(bad));
  bad = good;
  bad[11] = 0x3f;  // a string running past the end
  CHECK_FALSE(list_of(bad));
  bad = good;
  bad[10] = '\xff';  // an end byte where an entry starts
  CHECK_FALSE(list_of(bad));
  // Hashes and sorted sets: pairs only, no duplicates, numeric scores.
  CHECK(rdb::DecodeHash(Object(rdb::kTypeHashZiplist, RawString(Ziplist({"f", "v", "g"})))) ==
        nullptr);
  CHECK(rdb::DecodeHash(Object(rdb::kTypeHashZiplist,
                               RawString(Ziplist({"f", "v", "f", "w"})))) == nullptr);
  CHECK(rdb::DecodeZSet(Object(rdb::kTypeZSetZiplist, RawString(Ziplist({"m", "x1"})))) ==
        nullptr);
  CHECK(rdb::DecodeZSet(Object(rdb::kTypeZSetZiplist,
                               RawString(Ziplist({"m", "1", "m", "2"})))) == nullptr);
  // Zipmaps: count byte, duplicates, free bytes past the end, a missing terminator, empty.
  auto hash_of = [](const std::string& zm) {
    return std::unique_ptr<Hash>(rdb::DecodeHash(Object(rdb::kTypeHashZipmap, RawString(zm))));
  };
  REQUIRE(hash_of(Zipmap({{"a", "1"}, {"b", "2"}})));
  CHECK_FALSE(hash_of(Zipmap({{"a", "1"}, {"b", "2"}}, 0, 3)));
  CHECK_FALSE(hash_of(Zipmap({{"a", "1"}, {"a", "2"}})));
  std::string zm = Zipmap({{"a", "1"}}, 2);
  zm.erase(zm.size() - 2, 1);  // one free byte fewer than declared
  CHECK_FALSE(hash_of(zm));
  zm = Zipmap({{"a", "1"}});
  zm.pop_back();
  CHECK_FALSE(hash_of(zm));
  CHECK_FALSE(hash_of(std::string("\x00\xff", 2)));
}

TEST_CASE("old-format objects survive every truncation and random flips", "[rdb][old]") {
  std::vector<std::string> objects = {
      Object(rdb::kTypeListZiplist, RawString(Ziplist(kMixed))),
      Object(rdb::kTypeHashZiplist, RawString(Ziplist({"f", "1", "g", std::string(300, 'x')}))),
      Object(rdb::kTypeZSetZiplist, RawString(Ziplist({"m", "1", "n", "2.5"}))),
      Object(rdb::kTypeHashZipmap, RawString(Zipmap({{"a", "1"}, {std::string(260, 'b'), "2"}}, 2))),
  };
  std::string ql;
  rdb::PutLength(&ql, 2);
  ql += RawString(Ziplist({"a", "b"})) + RawString(Ziplist({"c"}));
  objects.push_back(Object(rdb::kTypeListQuicklist, ql));
  RegisterTypes();
  std::mt19937 rng(7);
  for (const std::string& obj : objects) {
    REQUIRE(rdb::ObjectLength(obj) == obj.size());
    std::unique_ptr<Entry, void (*)(Entry*)> e(rdb::DecodeEntry("k", obj, -1), Entry::Free);
    REQUIRE(e);
    for (size_t n = 0; n < obj.size(); ++n) {
      Entry* cut = rdb::DecodeEntry("k", obj.substr(0, n), -1);
      CHECK(cut == nullptr);
      if (cut != nullptr) Entry::Free(cut);
    }
    for (int t = 0; t < 2000; ++t) {
      std::string bad = obj;
      bad[1 + rng() % (bad.size() - 1)] ^= static_cast<char>(1 + rng() % 255);
      Entry* d = rdb::DecodeEntry("k", bad, -1);
      if (d != nullptr) Entry::Free(d);
      (void)rdb::ObjectLength(bad);
      (void)rdb::IsEmptyObject(bad);
    }
  }
}

namespace {

// An RDB file of the given version around body (the records after the magic), with EOF and,
// from version 5, the CRC64.
std::string File(int version, const std::string& body) {
  char magic[10];
  std::snprintf(magic, sizeof(magic), "REDIS%04d", version);
  std::string f = std::string(magic) + body + "\xff";
  if (version >= 5) LE(&f, rdb::Crc64(0, f), 8);
  return f;
}

std::string Key(uint8_t type, const std::string& key, const std::string& payload) {
  return std::string(1, static_cast<char>(type)) + RawString(key) + payload;
}

}  // namespace

TEST_CASE("an RDB version 6 file (Redis 2.8): seconds expiry, ziplists, no aux", "[rdb][old]") {
  RegisterTypes();
  firn::Keyspace ks(16);
  std::string body = "\xfe";
  body.push_back('\0');
  body += "\xfd";
  LE(&body, 2000000000ull, 4);  // EXPIRETIME in seconds (year 2033)
  body += Key(rdb::kTypeHashZiplist, "h", RawString(Ziplist({"f", "v"})));
  body += Key(rdb::kTypeListZiplist, "l", RawString(Ziplist({"1", "2", "three"})));
  body += Key(rdb::kTypeZSetZiplist, "z", RawString(Ziplist({"m", "1.5"})));
  body += Key(rdb::kTypeHashZipmap, "zm", RawString(Zipmap({{"k", "v"}})));
  body += Key(rdb::kTypeListZiplist, "empty", RawString(Ziplist({})));
  body += Key(rdb::kTypeString, "s", RawString("plain"));
  body += "\xfd";
  LE(&body, 0xffffff00ull, 4);  // a negative time_t: long expired, dropped as by Redis
  body += Key(rdb::kTypeString, "past", RawString("gone"));
  rdb::LoadResult res = rdb::LoadSnapshot(ks, File(6, body), {.now_ms = 1000});
  REQUIRE(res.ok);
  CHECK(res.keys_loaded == 5);
  CHECK(res.keys_expired == 1);
  CHECK(res.empty_keys_skipped == 1);
  Entry* h = ks.db(0).Find("h", 1000);
  REQUIRE(h != nullptr);
  CHECK(h->expire_ms() == 2000000000000LL);
  CHECK(ks.db(0).Find("s", 1000)->has_expire() == false);
  CHECK(ks.db(0).Find("empty", 1000) == nullptr);
}

TEST_CASE("an RDB version 9 file (Redis 5/6): aux, FREQ, IDLE, RESIZEDB, quicklist", "[rdb][old]") {
  RegisterTypes();
  firn::Keyspace ks(16);
  auto aux = [](const std::string& k, const std::string& v) {
    return std::string("\xfa") + RawString(k) + RawString(v);
  };
  std::string body = aux("redis-ver", "6.2.14") + aux("redis-bits", "64") +
                     aux("repl-id", std::string(40, 'a')) + aux("lua", "return 1");
  body += std::string("\xfe\x03\xfb\x02\x01", 5);
  body += std::string("\xf9\x05");  // FREQ
  std::string ql;
  rdb::PutLength(&ql, 1);
  ql += RawString(Ziplist({"x", "y"}));
  body += Key(rdb::kTypeListQuicklist, "q", ql);
  body += "\xf8";  // IDLE
  rdb::PutLength(&body, 1000);
  body += "\xfc";
  LE(&body, 5000000000000ull, 8);
  body += Key(rdb::kTypeZSet2, "z2", std::string("\x01\x01m", 3) + std::string(8, '\0'));
  rdb::LoadResult res = rdb::LoadSnapshot(ks, File(9, body), {.now_ms = 1000});
  REQUIRE(res.ok);
  CHECK(res.keys_loaded == 2);
  REQUIRE(ks.db(3).Find("q", 1000) != nullptr);
  CHECK(ks.db(3).Find("z2", 1000)->expire_ms() == 5000000000000LL);
  // A wrong checksum still fails, and a version past 10 is refused.
  std::string f = File(9, body);
  f.back() ^= 1;
  CHECK_FALSE(rdb::LoadSnapshot(ks, f, {}).ok);
  firn::Keyspace ks2(16);
  CHECK(rdb::LoadSnapshot(ks2, File(11, body), {}).error == "Can't handle RDB format version 11");
}

TEST_CASE("7.0-rc FUNCTION records load with their shebang line rebuilt", "[rdb][old]") {
  RegisterTypes();
  firn::Keyspace ks(16);
  std::string body = "\xf6" + RawString("mylib") + RawString("LUA");
  body.push_back('\x01');
  body += RawString("a description") +
          RawString("redis.register_function('f', function() return 1 end)");
  body += std::string("\xf5") + RawString("#!lua name=other\nreturn 1");
  std::vector<std::string> codes;
  rdb::LoadOptions opts;
  opts.on_function = [&](std::string_view code, std::string*) {
    codes.emplace_back(code);
    return true;
  };
  REQUIRE(rdb::LoadSnapshot(ks, File(10, body), opts).ok);
  REQUIRE(codes.size() == 2);
  CHECK(codes[0] == "#!LUA name=mylib\nredis.register_function('f', function() return 1 end)");
  CHECK(codes[1] == "#!lua name=other\nreturn 1");
}

TEST_CASE("empty objects are recognised only when well formed", "[rdb][old]") {
  CHECK(rdb::IsEmptyObject(Object(rdb::kTypeListZiplist, RawString(Ziplist({})))));
  CHECK(rdb::IsEmptyObject(Object(rdb::kTypeHashZiplist, RawString(Ziplist({})))));
  CHECK(rdb::IsEmptyObject(std::string("\x02\x00", 2)));  // a set of count 0
  std::string ql;
  rdb::PutLength(&ql, 2);
  ql += RawString(Ziplist({})) + RawString(Ziplist({}));
  CHECK(rdb::IsEmptyObject(Object(rdb::kTypeListQuicklist, ql)));
  CHECK_FALSE(rdb::IsEmptyObject(Object(rdb::kTypeListZiplist, RawString(Ziplist({"a"})))));
  std::string bad = Ziplist({});
  bad[4] = 11;  // zltail off
  CHECK_FALSE(rdb::IsEmptyObject(Object(rdb::kTypeListZiplist, RawString(bad))));
  CHECK_FALSE(rdb::IsEmptyObject(std::string("\x02\x00\x00", 3)));  // bytes left over
}
