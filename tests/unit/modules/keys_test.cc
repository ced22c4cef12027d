// Generic key commands through Dispatch, with a fake clock, compared as raw RESP. Expected
// replies and error texts were taken from redis-server 7.0.15.
#include "modules/keys.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <climits>
#include <set>
#include <string>
#include <vector>

#include "storage/db.h"
#include "tests/unit/command_harness.h"

using firn::Config;
using firn::EvictionPolicy;
using firn::ValueType;
using firn::testing::CommandHarness;

namespace {

std::string Int(int64_t n) { return ":" + std::to_string(n) + "\r\n"; }
std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
std::string Err(std::string_view s) { return "-" + std::string(s) + "\r\n"; }
const std::string kOk = "+OK\r\n";
const std::string kNil = "$-1\r\n";
const std::string kSyntaxErr = "-ERR syntax error\r\n";
const std::string kNotInt = "-ERR value is not an integer or out of range\r\n";

// A SCAN reply decoded: the next cursor and the keys.
struct ScanPage {
  std::string cursor;
  std::vector<std::string> keys;
};

// Reads "$n\r\n<n bytes>\r\n" at *pos.
std::string ReadBulk(const std::string& r, size_t* pos) {
  REQUIRE(r[*pos] == '$');
  size_t eol = r.find("\r\n", *pos);
  size_t n = std::stoul(r.substr(*pos + 1, eol - *pos - 1));
  std::string s = r.substr(eol + 2, n);
  *pos = eol + 2 + n + 2;
  return s;
}

// Reads "*n\r\n" at *pos and returns n.
size_t ReadArrayHeader(const std::string& r, size_t* pos) {
  REQUIRE(r[*pos] == '*');
  size_t eol = r.find("\r\n", *pos);
  size_t n = std::stoul(r.substr(*pos + 1, eol - *pos - 1));
  *pos = eol + 2;
  return n;
}

std::vector<std::string> ReadBulkArray(const std::string& r, size_t* pos) {
  size_t n = ReadArrayHeader(r, pos);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(ReadBulk(r, pos));
  return out;
}

ScanPage ParseScan(const std::string& r) {
  size_t pos = 0;
  REQUIRE(ReadArrayHeader(r, &pos) == 2);
  ScanPage page;
  page.cursor = ReadBulk(r, &pos);
  page.keys = ReadBulkArray(r, &pos);
  REQUIRE(pos == r.size());
  return page;
}

std::set<std::string> AsSet(const std::string& array_reply) {
  size_t pos = 0;
  std::vector<std::string> v = ReadBulkArray(array_reply, &pos);
  REQUIRE(pos == array_reply.size());
  return {v.begin(), v.end()};
}

// Sets many keys in one MSET.
void MSet(CommandHarness& h, const std::vector<std::string>& keys) {
  std::vector<std::string> argv{"MSET"};
  for (const std::string& k : keys) {
    argv.push_back(k);
    argv.push_back("v");
  }
  REQUIRE(h.Run(argv) == kOk);
}

void Del(CommandHarness& h, const std::vector<std::string>& keys) {
  std::vector<std::string> argv{"DEL"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  h.Run(argv);
}

std::vector<std::string> Names(const std::string& prefix, int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

}  // namespace

TEST_CASE("DEL and UNLINK count the keys they delete, each key once", "[keys]") {
  CommandHarness h;
  h.Run({"MSET", "a", "1", "b", "2", "c", "3"});
  CHECK(h.Run({"DEL", "a", "a", "missing"}) == Int(1));
  CHECK(h.Run({"DEL", "a"}) == Int(0));
  CHECK(h.Run({"UNLINK", "b", "c", "missing", "b"}) == Int(2));
  CHECK(h.Run({"UNLINK", "b"}) == Int(0));
  CHECK(h.engine.keyspace.db(0).size() == 0);
  CHECK(h.Run({"DEL"}) == Err("ERR wrong number of arguments for 'del' command"));
  CHECK(h.Run({"UNLINK"}) == Err("ERR wrong number of arguments for 'unlink' command"));
}

TEST_CASE("DEL does not count an expired key as deleted", "[keys]") {
  CommandHarness h;
  h.Run({"SET", "k", "v", "PX", "100"});
  h.now_ms += 100;
  CHECK(h.Run({"DEL", "k"}) == Int(0));
  CHECK(h.engine.keyspace.stats().expired_keys == 1);
}

TEST_CASE("EXISTS counts a repeated key each time and counts keyspace hits", "[keys]") {
  CommandHarness h;
  h.Run({"MSET", "a", "1", "b", "2"});
  CHECK(h.Run({"EXISTS", "a"}) == Int(1));
  CHECK(h.Run({"EXISTS", "a", "a", "a"}) == Int(3));
  CHECK(h.Run({"EXISTS", "a", "b", "missing", "b"}) == Int(3));
  CHECK(h.Run({"EXISTS", "missing"}) == Int(0));
  CHECK(h.engine.keyspace.stats().keyspace_hits == 7);
  CHECK(h.engine.keyspace.stats().keyspace_misses == 2);
}

TEST_CASE("TOUCH counts existing keys and marks them used", "[keys]") {
  CommandHarness h;
  h.Run({"SET", "a", "1"});
  h.now_ms += 10000;
  CHECK(h.Run({"OBJECT", "IDLETIME", "a"}) == Int(10));
  CHECK(h.Run({"TOUCH", "a", "missing", "a"}) == Int(2));
  CHECK(h.Run({"OBJECT", "IDLETIME", "a"}) == Int(0));
  CHECK(h.Run({"TOUCH", "missing"}) == Int(0));
}

TEST_CASE("TYPE names strings, rate limiters and missing keys", "[keys]") {
  CommandHarness h;
  h.Run({"SET", "s", "v"});
  h.engine.keyspace.db(0).Put("rl", ValueType::kRateLimit, "state", -1, h.now_ms);
  CHECK(h.Run({"TYPE", "s"}) == "+string\r\n");
  CHECK(h.Run({"TYPE", "rl"}) == "+ratelimit\r\n");
  CHECK(h.Run({"TYPE", "missing"}) == "+none\r\n");
  CHECK(h.Run({"TYPE", "a", "b"}) == Err("ERR wrong number of arguments for 'type' command"));
}

TEST_CASE("a key whose expiry equals now is already expired", "[keys][expire]") {
  CommandHarness h;
  h.Run({"SET", "k", "v", "PX", "1000"});
  h.now_ms += 999;
  CHECK(h.Run({"PTTL", "k"}) == Int(1));
  CHECK(h.Run({"EXISTS", "k"}) == Int(1));
  h.now_ms += 1;
  CHECK(h.Run({"EXISTS", "k"}) == Int(0));
  CHECK(h.Run({"TTL", "k"}) == Int(-2));

  h.Run({"SET", "j", "v"});
  CHECK(h.Run({"PEXPIREAT", "j", std::to_string(h.now_ms)}) == Int(1));  // deleted at once
  CHECK(h.Run({"EXISTS", "j"}) == Int(0));
  h.Run({"SET", "j", "v"});
  CHECK(h.Run({"PEXPIREAT", "j", std::to_string(h.now_ms + 1)}) == Int(1));
  CHECK(h.Run({"PTTL", "j"}) == Int(1));
}

TEST_CASE("EXPIRE family sets relative and absolute expiries", "[keys][expire]") {
  CommandHarness h;
  const int64_t now = h.now_ms;
  CHECK(h.Run({"EXPIRE", "missing", "10"}) == Int(0));
  CHECK(h.Run({"PEXPIRE", "missing", "10"}) == Int(0));
  CHECK(h.Run({"EXPIREAT", "missing", "10"}) == Int(0));
  CHECK(h.Run({"PEXPIREAT", "missing", "10"}) == Int(0));
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"EXPIRE", "k", "100"}) == Int(1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(now + 100000));
  CHECK(h.Run({"PEXPIRE", "k", "1500"}) == Int(1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(now + 1500));
  CHECK(h.Run({"EXPIREAT", "k", std::to_string(now / 1000 + 50)}) == Int(1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int((now / 1000 + 50) * 1000));
  CHECK(h.Run({"PEXPIREAT", "k", std::to_string(now + 2000123)}) == Int(1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(now + 2000123));
  CHECK(h.Run({"EXPIRETIME", "k"}) == Int((now + 2000123 + 500) / 1000));
  CHECK(h.Run({"GET", "k"}) == Bulk("v"));
}

TEST_CASE("EXPIRE with a time in the past deletes the key and answers 1", "[keys][expire]") {
  CommandHarness h;
  for (auto args : std::vector<std::vector<std::string>>{{"EXPIRE", "k", "0"},
                                                          {"EXPIRE", "k", "-10"},
                                                          {"PEXPIRE", "k", "-1"},
                                                          {"EXPIREAT", "k", "1"},
                                                          {"PEXPIREAT", "k", "0"},
                                                          {"EXPIREAT", "k", "-1"},
                                                          {"PEXPIRE", "k", "-9223372036854775808"}}) {
    h.Run({"SET", "k", "v"});
    CHECK(h.Run(args) == Int(1));
    CHECK(h.Run({"EXISTS", "k"}) == Int(0));
  }
  CHECK(h.engine.keyspace.stats().expired_keys == 0);  // a deletion, not an expiry
}

TEST_CASE("EXPIRE rejects times that overflow and non-integers", "[keys][expire]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"EXPIRE", "k", "9223372036854775807"}) ==
        Err("ERR invalid expire time in 'expire' command"));
  CHECK(h.Run({"EXPIRE", "k", "-9223372036854775808"}) ==
        Err("ERR invalid expire time in 'expire' command"));
  CHECK(h.Run({"EXPIRE", "k", "9223372036854775"}) ==
        Err("ERR invalid expire time in 'expire' command"));  // fits in ms, not after adding now
  CHECK(h.Run({"PEXPIRE", "k", "9223372036854775807"}) ==
        Err("ERR invalid expire time in 'pexpire' command"));
  CHECK(h.Run({"EXPIREAT", "k", "9223372036854776"}) ==
        Err("ERR invalid expire time in 'expireat' command"));
  CHECK(h.Run({"EXPIRE", "k", "abc"}) == kNotInt);
  CHECK(h.Run({"EXPIRE", "k", "1.5"}) == kNotInt);
  CHECK(h.Run({"EXPIRE", "k", ""}) == kNotInt);
  CHECK(h.Run({"PEXPIRE", "k", "9999999999999999999"}) == kNotInt);
  CHECK(h.Run({"TTL", "k"}) == Int(-1));
  // The absolute forms take the largest times.
  CHECK(h.Run({"EXPIREAT", "k", "9223372036854775"}) == Int(1));
  CHECK(h.Run({"EXPIRETIME", "k"}) == Int(9223372036854775));
  CHECK(h.Run({"PEXPIREAT", "k", "9223372036854775807"}) == Int(1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(INT64_MAX));
  CHECK(h.Run({"EXPIRETIME", "k"}) == Int(9223372036854776));  // rounded without overflow
  CHECK(h.Run({"EXPIRE", "k"}) == Err("ERR wrong number of arguments for 'expire' command"));
}

TEST_CASE("EXPIRE NX XX GT LT follow Redis 7, no TTL counting as infinite", "[keys][expire]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"EXPIRE", "k", "100", "XX"}) == Int(0));
  CHECK(h.Run({"EXPIRE", "k", "100", "GT"}) == Int(0));
  CHECK(h.Run({"TTL", "k"}) == Int(-1));
  CHECK(h.Run({"EXPIRE", "k", "100", "LT"}) == Int(1));
  CHECK(h.Run({"PERSIST", "k"}) == Int(1));
  CHECK(h.Run({"EXPIRE", "k", "100", "NX"}) == Int(1));
  CHECK(h.Run({"EXPIRE", "k", "200", "NX"}) == Int(0));
  CHECK(h.Run({"TTL", "k"}) == Int(100));
  CHECK(h.Run({"EXPIRE", "k", "300", "XX"}) == Int(1));
  CHECK(h.Run({"EXPIRE", "k", "200", "GT"}) == Int(0));
  CHECK(h.Run({"EXPIRE", "k", "300", "GT"}) == Int(0));  // equal is not greater
  CHECK(h.Run({"EXPIRE", "k", "400", "gt"}) == Int(1));
  CHECK(h.Run({"EXPIRE", "k", "500", "LT"}) == Int(0));
  CHECK(h.Run({"EXPIRE", "k", "400", "LT"}) == Int(0));  // equal is not less
  CHECK(h.Run({"EXPIRE", "k", "50", "lt"}) == Int(1));
  CHECK(h.Run({"EXPIRE", "k", "100", "XX", "GT"}) == Int(1));
  CHECK(h.Run({"EXPIRE", "k", "70", "XX", "LT", "XX"}) == Int(1));
  CHECK(h.Run({"TTL", "k"}) == Int(70));
  // A past time under a condition that holds still deletes.
  CHECK(h.Run({"EXPIRE", "k", "-1", "LT"}) == Int(1));
  CHECK(h.Run({"EXISTS", "k"}) == Int(0));
  CHECK(h.Run({"EXPIRE", "missing", "10", "NX"}) == Int(0));
}

TEST_CASE("EXPIRE option errors: unknown word first, then conflicts, before the number",
          "[keys][expire]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  const std::string nx_conflict =
      Err("ERR NX and XX, GT or LT options at the same time are not compatible");
  const std::string gt_lt = Err("ERR GT and LT options at the same time are not compatible");
  for (const char* cmd : {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"}) {
    CHECK(h.Run({cmd, "k", "100", "NX", "XX"}) == nx_conflict);
    CHECK(h.Run({cmd, "k", "100", "NX", "GT"}) == nx_conflict);
    CHECK(h.Run({cmd, "k", "100", "LT", "NX"}) == nx_conflict);
    CHECK(h.Run({cmd, "k", "100", "NX", "XX", "GT", "LT"}) == nx_conflict);
    CHECK(h.Run({cmd, "k", "100", "GT", "LT"}) == gt_lt);
    CHECK(h.Run({cmd, "k", "100", "FOO"}) == Err("ERR Unsupported option FOO"));
    CHECK(h.Run({cmd, "k", "100", "NX", "foo"}) == Err("ERR Unsupported option foo"));
    CHECK(h.Run({cmd, "k", "abc", "nx", "xx"}) == nx_conflict);
    CHECK(h.Run({cmd, "k", "abc", "bar"}) == Err("ERR Unsupported option bar"));
    CHECK(h.Run({cmd, "missing", "100", "GT", "LT"}) == gt_lt);
  }
  CHECK(h.Run({"TTL", "k"}) == Int(-1));
}

TEST_CASE("TTL rounds to the nearest second; PTTL is exact", "[keys][expire]") {
  CommandHarness h;
  CHECK(h.Run({"TTL", "missing"}) == Int(-2));
  CHECK(h.Run({"PTTL", "missing"}) == Int(-2));
  CHECK(h.Run({"EXPIRETIME", "missing"}) == Int(-2));
  CHECK(h.Run({"PEXPIRETIME", "missing"}) == Int(-2));
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"TTL", "k"}) == Int(-1));
  CHECK(h.Run({"PTTL", "k"}) == Int(-1));
  CHECK(h.Run({"EXPIRETIME", "k"}) == Int(-1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(-1));
  h.Run({"PEXPIRE", "k", "1499"});
  CHECK(h.Run({"TTL", "k"}) == Int(1));
  CHECK(h.Run({"PTTL", "k"}) == Int(1499));
  h.Run({"PEXPIRE", "k", "1500"});
  CHECK(h.Run({"TTL", "k"}) == Int(2));
  h.Run({"PEXPIRE", "k", "499"});
  CHECK(h.Run({"TTL", "k"}) == Int(0));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(h.now_ms + 499));
  h.Run({"PEXPIREAT", "k", "9223372036854775300"});
  CHECK(h.Run({"EXPIRETIME", "k"}) == Int(9223372036854775));
}

TEST_CASE("PERSIST removes an expiry and says whether there was one", "[keys][expire]") {
  CommandHarness h;
  CHECK(h.Run({"PERSIST", "missing"}) == Int(0));
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"PERSIST", "k"}) == Int(0));
  h.Run({"EXPIRE", "k", "100"});
  CHECK(h.Run({"PERSIST", "k"}) == Int(1));
  CHECK(h.Run({"TTL", "k"}) == Int(-1));
  CHECK(h.engine.keyspace.db(0).expires() == 0);
  h.now_ms += 200000;
  CHECK(h.Run({"GET", "k"}) == Bulk("v"));
}

TEST_CASE("RENAME moves value and expiry and replaces the destination", "[keys][rename]") {
  CommandHarness h;
  CHECK(h.Run({"RENAME", "missing", "x"}) == Err("ERR no such key"));
  CHECK(h.Run({"RENAMENX", "missing", "x"}) == Err("ERR no such key"));
  CHECK(h.Run({"RENAME", "missing", "missing"}) == Err("ERR no such key"));
  h.Run({"SET", "a", "1"});
  CHECK(h.Run({"RENAME", "a", "a"}) == kOk);
  CHECK(h.Run({"RENAMENX", "a", "a"}) == Int(0));
  CHECK(h.Run({"RENAME", "a", "b"}) == kOk);
  CHECK(h.Run({"EXISTS", "a"}) == Int(0));
  CHECK(h.Run({"GET", "b"}) == Bulk("1"));
  h.Run({"SET", "c", "3", "PX", "100000"});
  CHECK(h.Run({"RENAME", "c", "b"}) == kOk);
  CHECK(h.Run({"GET", "b"}) == Bulk("3"));
  CHECK(h.Run({"PTTL", "b"}) == Int(100000));
  h.Run({"SET", "e", "5"});
  CHECK(h.Run({"RENAME", "e", "b"}) == kOk);  // the destination's TTL goes with it
  CHECK(h.Run({"TTL", "b"}) == Int(-1));
  CHECK(h.engine.keyspace.db(0).expires() == 0);
  CHECK(h.engine.keyspace.db(0).size() == 1);
  CHECK(h.Run({"RENAME", "g"}) == Err("ERR wrong number of arguments for 'rename' command"));
}

TEST_CASE("RENAMENX renames only onto a missing key", "[keys][rename]") {
  CommandHarness h;
  h.Run({"MSET", "a", "1", "b", "2"});
  CHECK(h.Run({"RENAMENX", "a", "b"}) == Int(0));
  CHECK(h.Run({"GET", "a"}) == Bulk("1"));
  CHECK(h.Run({"GET", "b"}) == Bulk("2"));
  CHECK(h.Run({"RENAMENX", "a", "c"}) == Int(1));
  CHECK(h.Run({"GET", "c"}) == Bulk("1"));
  CHECK(h.Run({"EXISTS", "a"}) == Int(0));
  // An expired destination does not exist.
  h.Run({"SET", "d", "x", "PX", "10"});
  h.now_ms += 10;
  CHECK(h.Run({"RENAMENX", "c", "d"}) == Int(1));
  CHECK(h.Run({"GET", "d"}) == Bulk("1"));
}

TEST_CASE("RENAME keeps the key's access time and works on rate limiters", "[keys][rename]") {
  CommandHarness h;
  h.Run({"SET", "a", "1"});
  h.now_ms += 7000;
  h.Run({"RENAME", "a", "b"});  // renaming marks the key used, as Redis's lookupKeyWrite
  h.now_ms += 5000;
  CHECK(h.Run({"OBJECT", "IDLETIME", "b"}) == Int(5));
  h.engine.keyspace.db(0).Put("rl", ValueType::kRateLimit, "state", h.now_ms + 5000, h.now_ms);
  CHECK(h.Run({"RENAME", "rl", "rl2"}) == kOk);
  CHECK(h.Run({"TYPE", "rl2"}) == "+ratelimit\r\n");
  CHECK(h.Run({"PTTL", "rl2"}) == Int(5000));
}

TEST_CASE("COPY duplicates a key with its expiry, within or across databases", "[keys][copy]") {
  CommandHarness h;
  CHECK(h.Run({"COPY", "missing", "x"}) == Int(0));
  h.Run({"SET", "a", "1", "EX", "100"});
  CHECK(h.Run({"COPY", "a", "b"}) == Int(1));
  CHECK(h.Run({"GET", "b"}) == Bulk("1"));
  CHECK(h.Run({"TTL", "b"}) == Int(100));
  h.Run({"SET", "c", "3"});
  CHECK(h.Run({"COPY", "a", "c"}) == Int(0));
  CHECK(h.Run({"GET", "c"}) == Bulk("3"));
  CHECK(h.Run({"COPY", "a", "c", "replace"}) == Int(1));
  CHECK(h.Run({"GET", "c"}) == Bulk("1"));
  CHECK(h.Run({"TTL", "c"}) == Int(100));
  // The copy is independent of its source.
  h.Run({"PERSIST", "c"});
  h.Run({"INCR", "c"});
  CHECK(h.Run({"GET", "a"}) == Bulk("1"));
  CHECK(h.Run({"TTL", "a"}) == Int(100));

  CHECK(h.Run({"COPY", "a", "a", "DB", "1"}) == Int(1));
  CHECK(h.Run({"COPY", "a", "a", "DB", "1"}) == Int(0));
  CHECK(h.Run({"COPY", "a", "a", "DB", "1", "REPLACE"}) == Int(1));
  CHECK(h.Run({"COPY", "a", "x", "db", "2", "db", "3"}) == Int(1));  // the last DB wins
  CHECK(h.engine.keyspace.db(1).size() == 1);
  CHECK(h.engine.keyspace.db(2).size() == 0);
  CHECK(h.engine.keyspace.db(3).size() == 1);
  h.client.db = 1;
  CHECK(h.Run({"TTL", "a"}) == Int(100));
}

TEST_CASE("COPY errors", "[keys][copy]") {
  CommandHarness h;
  h.Run({"SET", "a", "1"});
  const std::string same = Err("ERR source and destination objects are the same");
  CHECK(h.Run({"COPY", "a", "a"}) == same);
  CHECK(h.Run({"COPY", "a", "a", "DB", "0"}) == same);
  CHECK(h.Run({"COPY", "missing", "missing"}) == same);
  CHECK(h.Run({"COPY", "a", "x", "DB", "16"}) == Err("ERR DB index is out of range"));
  CHECK(h.Run({"COPY", "a", "x", "DB", "-1"}) == Err("ERR DB index is out of range"));
  CHECK(h.Run({"COPY", "a", "x", "DB", "abc"}) == kNotInt);
  CHECK(h.Run({"COPY", "a", "x", "DB", "1.5"}) == kNotInt);
  CHECK(h.Run({"COPY", "a", "x", "DB", "99999999999"}) ==
        Err("ERR value is out of range, value must between -2147483648 and 2147483647"));
  CHECK(h.Run({"COPY", "a", "x", "FOO"}) == kSyntaxErr);
  CHECK(h.Run({"COPY", "a", "x", "DB"}) == kSyntaxErr);
  CHECK(h.Run({"COPY", "a", "x", "REPLACE", "REPLACE"}) == Int(1));
  CHECK(h.Run({"COPY", "a"}) == Err("ERR wrong number of arguments for 'copy' command"));
}

TEST_CASE("MOVE moves a key with its expiry to another database", "[keys][move]") {
  CommandHarness h;
  h.Run({"SET", "k", "v", "EX", "100"});
  CHECK(h.Run({"MOVE", "k", "1"}) == Int(1));
  CHECK(h.Run({"EXISTS", "k"}) == Int(0));
  CHECK(h.Run({"MOVE", "k", "1"}) == Int(0));
  CHECK(h.engine.keyspace.db(0).expires() == 0);
  CHECK(h.engine.keyspace.db(1).expires() == 1);
  h.client.db = 1;
  CHECK(h.Run({"GET", "k"}) == Bulk("v"));
  CHECK(h.Run({"TTL", "k"}) == Int(100));
  h.client.db = 0;
  h.Run({"SET", "k", "other"});
  CHECK(h.Run({"MOVE", "k", "1"}) == Int(0));  // exists there
  CHECK(h.Run({"GET", "k"}) == Bulk("other"));
  CHECK(h.Run({"MOVE", "k", "0"}) == Err("ERR source and destination objects are the same"));
  CHECK(h.Run({"MOVE", "missing", "0"}) ==
        Err("ERR source and destination objects are the same"));
  CHECK(h.Run({"MOVE", "k", "16"}) == Err("ERR DB index is out of range"));
  CHECK(h.Run({"MOVE", "missing", "-1"}) == Err("ERR DB index is out of range"));
  CHECK(h.Run({"MOVE", "k", "abc"}) == kNotInt);
  CHECK(h.Run({"MOVE", "k", "99999999999"}) ==
        Err("ERR value is out of range, value must between -2147483648 and 2147483647"));
  CHECK(h.Run({"MOVE", "missing", "2"}) == Int(0));
}

TEST_CASE("KEYS matches glob patterns and skips expired keys", "[keys][keys-cmd]") {
  CommandHarness h;
  h.Run({"MSET", "hello", "1", "hallo", "1", "hxllo", "1", "hllo", "1", "user:1", "1",
         "user:22", "1", "h*llo", "1"});
  h.Run({"SET", "hullo", "1", "PX", "5"});
  CHECK(AsSet(h.Run({"KEYS", "h?llo"})) ==
        std::set<std::string>{"hello", "hallo", "hxllo", "h*llo", "hullo"});
  h.now_ms += 5;
  CHECK(AsSet(h.Run({"KEYS", "h?llo"})) ==
        std::set<std::string>{"hello", "hallo", "hxllo", "h*llo"});
  CHECK(AsSet(h.Run({"KEYS", "h[ae]llo"})) == std::set<std::string>{"hello", "hallo"});
  CHECK(AsSet(h.Run({"KEYS", "h\\*llo"})) == std::set<std::string>{"h*llo"});
  CHECK(AsSet(h.Run({"KEYS", "user:?"})) == std::set<std::string>{"user:1"});
  CHECK(AsSet(h.Run({"KEYS", "*"})).size() == 7);
  CHECK(h.Run({"KEYS", "nothing*"}) == "*0\r\n");
  CHECK(h.Run({"KEYS"}) == Err("ERR wrong number of arguments for 'keys' command"));
}

TEST_CASE("KEYS returns every key once while the table is mid-rehash", "[keys][keys-cmd]") {
  CommandHarness h;
  firn::Db& db = h.engine.keyspace.db(0);
  // Grow a table of thousands of keys until a doubling has just begun.
  int n = 0;
  while (true) {
    const bool was_rehashing = db.dict().rehashing();
    db.Put("k" + std::to_string(n++), ValueType::kString, "v", -1, h.now_ms);
    if (!was_rehashing && db.dict().rehashing() && n > 3000) break;
  }
  std::string reply = h.Run({"KEYS", "*"});
  REQUIRE(db.dict().rehashing());
  size_t pos = 0;
  CHECK(ReadBulkArray(reply, &pos).size() == static_cast<size_t>(n));
  CHECK(AsSet(reply).size() == static_cast<size_t>(n));
}

TEST_CASE("SCAN parses cursors as Redis's strtoul and rejects bad options", "[keys][scan]") {
  CommandHarness h;
  const std::string empty_page = "*2\r\n$1\r\n0\r\n*0\r\n";
  CHECK(h.Run({"SCAN", "0"}) == empty_page);
  CHECK(h.Run({"SCAN", ""}) == empty_page);
  CHECK(h.Run({"SCAN", "-1"}) == empty_page);
  CHECK(h.Run({"SCAN", "+5"}) == empty_page);
  CHECK(h.Run({"SCAN", "007"}) == empty_page);
  CHECK(h.Run({"SCAN", "18446744073709551615"}) == empty_page);
  const std::string invalid = Err("ERR invalid cursor");
  CHECK(h.Run({"SCAN", "18446744073709551616"}) == invalid);
  CHECK(h.Run({"SCAN", "abc"}) == invalid);
  CHECK(h.Run({"SCAN", " 1"}) == invalid);
  CHECK(h.Run({"SCAN", "1 "}) == invalid);
  CHECK(h.Run({"SCAN", "1.0"}) == invalid);
  CHECK(h.Run({"SCAN", "abc", "COUNT", "0"}) == invalid);  // the cursor is read first
  CHECK(h.Run({"SCAN", "0", "COUNT", "0"}) == kSyntaxErr);
  CHECK(h.Run({"SCAN", "0", "COUNT", "-1"}) == kSyntaxErr);
  CHECK(h.Run({"SCAN", "0", "COUNT", "abc"}) == kNotInt);
  CHECK(h.Run({"SCAN", "0", "COUNT", "10", "COUNT", "0"}) == kSyntaxErr);
  CHECK(h.Run({"SCAN", "0", "COUNT"}) == kSyntaxErr);
  CHECK(h.Run({"SCAN", "0", "MATCH"}) == kSyntaxErr);
  CHECK(h.Run({"SCAN", "0", "TYPE"}) == kSyntaxErr);
  CHECK(h.Run({"SCAN", "0", "FOO", "bar"}) == kSyntaxErr);
  CHECK(h.Run({"SCAN", "0", "match", "*", "count", "100", "type", "string"}) == empty_page);
  CHECK(h.Run({"SCAN"}) == Err("ERR wrong number of arguments for 'scan' command"));
}

TEST_CASE("SCAN with MATCH, TYPE and COUNT", "[keys][scan]") {
  CommandHarness h;
  MSet(h, Names("user:", 0, 300));
  MSet(h, Names("other:", 0, 50));
  h.engine.keyspace.db(0).Put("rl:1", ValueType::kRateLimit, "s", -1, h.now_ms);
  auto scan_all = [&](std::vector<std::string> extra) {
    std::set<std::string> seen;
    std::string cursor = "0";
    int calls = 0;
    do {
      std::vector<std::string> argv{"SCAN", cursor};
      argv.insert(argv.end(), extra.begin(), extra.end());
      ScanPage page = ParseScan(h.Run(argv));
      seen.insert(page.keys.begin(), page.keys.end());
      cursor = page.cursor;
      REQUIRE(++calls < 10000);
    } while (cursor != "0");
    return seen;
  };
  CHECK(scan_all({}).size() == 351);
  CHECK(scan_all({"COUNT", "1"}).size() == 351);
  CHECK(scan_all({"MATCH", "user:*"}).size() == 300);
  CHECK(scan_all({"MATCH", "other:1?", "COUNT", "7"}).size() == 10);
  CHECK(scan_all({"TYPE", "string"}).size() == 350);
  CHECK(scan_all({"TYPE", "RateLimit"}) == std::set<std::string>{"rl:1"});
  CHECK(scan_all({"TYPE", "list"}).empty());
  CHECK(scan_all({"MATCH", "rl:*", "TYPE", "string"}).empty());

  // COUNT is a hint: a page holds about COUNT keys, and a large COUNT takes everything.
  ScanPage page = ParseScan(h.Run({"SCAN", "0", "COUNT", "10"}));
  CHECK(page.cursor != "0");
  CHECK(page.keys.size() >= 10);
  CHECK(page.keys.size() < 40);
  page = ParseScan(h.Run({"SCAN", "0", "COUNT", "100000"}));
  CHECK(page.cursor == "0");
  CHECK(page.keys.size() == 351);
  page = ParseScan(h.Run({"SCAN", "0", "COUNT", "9223372036854775807"}));
  CHECK(page.keys.size() == 351);
}

TEST_CASE("SCAN skips expired keys", "[keys][scan]") {
  CommandHarness h;
  h.Run({"SET", "live", "1"});
  h.Run({"SET", "dying", "1", "PX", "10"});
  h.now_ms += 10;
  ScanPage page = ParseScan(h.Run({"SCAN", "0", "COUNT", "100"}));
  CHECK(page.keys == std::vector<std::string>{"live"});
}

TEST_CASE("SCAN on a sparse table stops after COUNT*10 buckets", "[keys][scan]") {
  CommandHarness h;
  MSet(h, Names("k", 0, 10000));
  std::vector<std::string> drop = Names("k", 0, 9999);
  for (size_t i = 0; i < drop.size(); i += 500) {
    Del(h, std::vector<std::string>(drop.begin() + static_cast<long>(i),
                                    drop.begin() + static_cast<long>(std::min(i + 500, drop.size()))));
  }
  firn::Dict& dict = h.engine.keyspace.db(0).dict();
  while (dict.RehashSteps(100)) {
  }
  const size_t buckets = dict.buckets();
  REQUIRE(buckets >= 4096);
  // One key in thousands of buckets: a COUNT 1 call visits at most 11 buckets, so all but one
  // call find nothing.
  int empty_pages = 0, calls = 0;
  std::string cursor = "0";
  bool found = false;
  do {
    ScanPage page = ParseScan(h.Run({"SCAN", cursor, "COUNT", "1"}));
    if (page.keys.empty()) ++empty_pages;
    if (!page.keys.empty()) found = page.keys == std::vector<std::string>{"k9999"};
    cursor = page.cursor;
    ++calls;
  } while (cursor != "0");
  CHECK(found);
  CHECK(calls >= static_cast<int>(buckets / 11));
  CHECK(empty_pages == calls - 1);
}

TEST_CASE("SCAN returns every key present throughout while the keyspace grows by 10k",
          "[keys][scan]") {
  CommandHarness h;
  std::vector<std::string> initial = Names("base:", 0, 2000);
  MSet(h, initial);
  std::set<std::string> seen;
  std::string cursor = "0";
  int added = 0, calls = 0;
  do {
    ScanPage page = ParseScan(h.Run({"SCAN", cursor, "COUNT", "20"}));
    seen.insert(page.keys.begin(), page.keys.end());
    cursor = page.cursor;
    if (added < 10000) {
      MSet(h, Names("grow:", added, added + 250));
      added += 250;
    }
    REQUIRE(++calls < 50000);
  } while (cursor != "0");
  CHECK(added == 10000);
  for (const std::string& k : initial) REQUIRE(seen.count(k) == 1);
  CHECK(h.engine.keyspace.db(0).size() == 12000);
}

TEST_CASE("SCAN returns every key present throughout while the table shrinks",
          "[keys][scan]") {
  CommandHarness h;
  firn::Db& db = h.engine.keyspace.db(0);
  // Fill until the table has just doubled (about 8k keys), so that once 90% are deleted it is
  // under an eighth full and the cron shrinks it, whatever load factor the table grows at.
  std::vector<std::string> all;
  while (true) {
    const bool was_rehashing = db.dict().rehashing();
    all.push_back("k" + std::to_string(all.size()));
    db.Put(all.back(), ValueType::kString, "v", -1, h.now_ms);
    if (!was_rehashing && db.dict().rehashing() && all.size() >= 8000) break;
  }
  while (db.dict().rehashing()) h.engine.keyspace.Cron();
  const size_t buckets_full = db.dict().buckets();
  // Delete 90%, keeping every tenth key.
  std::vector<std::string> drop, keep;
  for (size_t i = 0; i < all.size(); ++i) (i % 10 == 0 ? keep : drop).push_back(all[i]);
  for (size_t i = 0; i < drop.size(); i += 1000) {
    Del(h, std::vector<std::string>(drop.begin() + static_cast<long>(i),
                                    drop.begin() + static_cast<long>(std::min(i + 1000, drop.size()))));
  }
  REQUIRE(db.size() == keep.size());
  std::set<std::string> seen;
  std::string cursor = "0";
  bool saw_rehash = false;
  int calls = 0;
  do {
    ScanPage page = ParseScan(h.Run({"SCAN", cursor, "COUNT", "5"}));
    seen.insert(page.keys.begin(), page.keys.end());
    cursor = page.cursor;
    // The server's cron between commands: starts the shrink, then moves it along slowly.
    if (db.dict().rehashing()) {
      saw_rehash = true;
      db.Cron(1);
    } else {
      h.engine.keyspace.Cron();
    }
    REQUIRE(++calls < 50000);
  } while (cursor != "0");
  CHECK(saw_rehash);
  while (db.dict().rehashing()) h.engine.keyspace.Cron();
  CHECK(db.dict().buckets() < buckets_full);
  for (const std::string& k : keep) REQUIRE(seen.count(k) == 1);
}

TEST_CASE("RANDOMKEY returns live keys only, nil when empty", "[keys][randomkey]") {
  CommandHarness h;
  CHECK(h.Run({"RANDOMKEY"}) == kNil);
  h.Run({"SET", "only", "1"});
  CHECK(h.Run({"RANDOMKEY"}) == Bulk("only"));
  MSet(h, Names("k", 0, 50));
  for (int i = 0; i < 50; ++i) {
    std::string r = h.Run({"RANDOMKEY"});
    size_t pos = 0;
    std::string key = ReadBulk(r, &pos);
    REQUIRE((key == "only" || key.rfind("k", 0) == 0));
  }
  CHECK(h.Run({"RANDOMKEY", "x"}) ==
        Err("ERR wrong number of arguments for 'randomkey' command"));
  h.client.proto = firn::Proto::kResp3;
  h.engine.keyspace.db(0).Clear();
  CHECK(h.Run({"RANDOMKEY"}) == "_\r\n");
}

TEST_CASE("RANDOMKEY finds the live key among many expired ones", "[keys][randomkey]") {
  CommandHarness h;
  for (const std::string& k : Names("tmp", 0, 1000)) h.Run({"SET", k, "v", "PX", "50"});
  h.Run({"SET", "live", "1"});
  h.now_ms += 50;
  CHECK(h.Run({"RANDOMKEY"}) == Bulk("live"));
  h.Run({"PEXPIRE", "live", "1"});
  h.now_ms += 1;
  CHECK(h.Run({"RANDOMKEY"}) == kNil);
  CHECK(h.engine.keyspace.db(0).size() == 0);
}

TEST_CASE("OBJECT ENCODING reports Redis's string encodings", "[keys][object]") {
  CommandHarness h;
  auto encoding = [&](const std::string& value) {
    h.Run({"SET", "k", value});
    return h.Run({"OBJECT", "ENCODING", "k"});
  };
  for (const char* v : {"12345", "0", "-1", "9223372036854775807", "-9223372036854775808"}) {
    CHECK(encoding(v) == Bulk("int"));
  }
  for (const char* v : {"-0", "01", "+1", " 1", "1 ", "9223372036854775808", "1.5", "", "a",
                        "12345678901234567890", "0x10"}) {
    CHECK(encoding(v) == Bulk("embstr"));
  }
  CHECK(encoding(std::string(44, 'x')) == Bulk("embstr"));
  CHECK(encoding(std::string(45, 'x')) == Bulk("raw"));
  h.engine.keyspace.db(0).Put("rl", ValueType::kRateLimit, "s", -1, h.now_ms);
  CHECK(h.Run({"OBJECT", "ENCODING", "rl"}) == Bulk("ratelimit"));
  CHECK(h.Run({"OBJECT", "ENCODING", "missing"}) == kNil);
  h.client.proto = firn::Proto::kResp3;
  CHECK(h.Run({"OBJECT", "ENCODING", "missing"}) == "_\r\n");
}

TEST_CASE("RENAME, COPY and MOVE keep the raw encoding of an edited string",
          "[keys][object]") {
  CommandHarness h;
  h.Run({"SET", "k", "hello"});
  h.Run({"APPEND", "k", "!"});
  REQUIRE(h.Run({"OBJECT", "ENCODING", "k"}) == Bulk("raw"));
  CHECK(h.Run({"RENAME", "k", "k2"}) == kOk);
  CHECK(h.Run({"OBJECT", "ENCODING", "k2"}) == Bulk("raw"));
  CHECK(h.Run({"COPY", "k2", "k3"}) == Int(1));
  CHECK(h.Run({"OBJECT", "ENCODING", "k3"}) == Bulk("raw"));
  CHECK(h.Run({"MOVE", "k3", "1"}) == Int(1));
  h.client.db = 1;
  CHECK(h.Run({"OBJECT", "ENCODING", "k3"}) == Bulk("raw"));
  h.Run({"SET", "plain", "hello!"});
  CHECK(h.Run({"COPY", "plain", "p2"}) == Int(1));
  CHECK(h.Run({"OBJECT", "ENCODING", "p2"}) == Bulk("embstr"));
}

TEST_CASE("OBJECT REFCOUNT reports shared small integers as Redis does", "[keys][object]") {
  CommandHarness h;
  h.Run({"MSET", "small", "100", "big", "10000", "s", "abc", "neg", "-1"});
  CHECK(h.Run({"OBJECT", "REFCOUNT", "small"}) == Int(INT_MAX));
  CHECK(h.Run({"OBJECT", "REFCOUNT", "big"}) == Int(1));
  CHECK(h.Run({"OBJECT", "REFCOUNT", "s"}) == Int(1));
  CHECK(h.Run({"OBJECT", "REFCOUNT", "neg"}) == Int(1));
  CHECK(h.Run({"OBJECT", "REFCOUNT", "missing"}) == kNil);
  // No sharing when maxmemory is set with an LRU or LFU policy.
  Config cfg;
  cfg.maxmemory = 1ull << 40;
  cfg.maxmemory_policy = EvictionPolicy::kAllKeysLru;
  CommandHarness lru(cfg);
  lru.Run({"SET", "small", "100"});
  CHECK(lru.Run({"OBJECT", "REFCOUNT", "small"}) == Int(1));
}

TEST_CASE("OBJECT IDLETIME and FREQ depend on the eviction policy", "[keys][object]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  h.now_ms += 3999;
  CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) == Int(3));
  CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) == Int(3));  // inspecting does not touch
  h.Run({"GET", "k"});
  CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) == Int(0));
  CHECK(h.Run({"OBJECT", "IDLETIME", "missing"}) == kNil);
  CHECK(h.Run({"OBJECT", "FREQ", "missing"}) == kNil);
  CHECK(h.Run({"OBJECT", "FREQ", "k"}) ==
        Err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
            "note that when switching between policies at runtime LRU and LFU data will take "
            "some time to adjust."));

  Config cfg;
  cfg.maxmemory_policy = EvictionPolicy::kAllKeysLfu;
  CommandHarness lfu(cfg);
  lfu.Run({"SET", "k", "v"});
  CHECK(lfu.Run({"OBJECT", "FREQ", "k"}) == Int(5));  // new keys start at LFU_INIT_VAL
  CHECK(lfu.Run({"OBJECT", "IDLETIME", "k"}) ==
        Err("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
            "when switching between policies at runtime LRU and LFU data will take some time "
            "to adjust."));
  CHECK(lfu.Run({"OBJECT", "IDLETIME", "missing"}) == kNil);
}

TEST_CASE("OBJECT HELP, unknown subcommands and arity", "[keys][object]") {
  CommandHarness h;
  std::string help = h.Run({"OBJECT", "HELP"});
  CHECK(help.rfind("*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
                   "+ENCODING <key>\r\n",
                   0) == 0);
  CHECK(help.size() > 500);
  CHECK(h.Run({"object", "help"}) == help);
  CHECK(h.Run({"OBJECT"}) == Err("ERR wrong number of arguments for 'object' command"));
  CHECK(h.Run({"OBJECT", "help", "x"}) ==
        Err("ERR wrong number of arguments for 'object|help' command"));
  CHECK(h.Run({"OBJECT", "encoding"}) ==
        Err("ERR wrong number of arguments for 'object|encoding' command"));
  CHECK(h.Run({"OBJECT", "encoding", "k", "x"}) ==
        Err("ERR wrong number of arguments for 'object|encoding' command"));
  CHECK(h.Run({"OBJECT", "foo"}) == Err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
  CHECK(h.Run({"OBJECT", "foo", "k"}) == Err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
}

TEST_CASE("key commands' rows carry Redis's arity, flags and key positions", "[keys][meta]") {
  CommandHarness h;
  struct Row {
    const char* name;
    int arity;
    uint32_t flags;
    int first, last, step;
  };
  using namespace firn;
  const Row rows[] = {
      {"del", -2, kWrite, 1, -1, 1},
      {"unlink", -2, kWrite | kFast, 1, -1, 1},
      {"exists", -2, kReadOnly | kFast, 1, -1, 1},
      {"touch", -2, kReadOnly | kFast, 1, -1, 1},
      {"type", 2, kReadOnly | kFast, 1, 1, 1},
      {"expire", -3, kWrite | kFast, 1, 1, 1},
      {"pexpireat", -3, kWrite | kFast, 1, 1, 1},
      {"ttl", 2, kReadOnly | kFast | kRandom, 1, 1, 1},
      {"pexpiretime", 2, kReadOnly | kFast, 1, 1, 1},
      {"persist", 2, kWrite | kFast, 1, 1, 1},
      {"rename", 3, kWrite, 1, 2, 1},
      {"renamenx", 3, kWrite | kFast, 1, 2, 1},
      {"copy", -3, kWrite | kDenyOom, 1, 2, 1},
      {"move", 3, kWrite | kFast, 1, 1, 1},
      {"keys", 2, kReadOnly, 0, 0, 0},
      {"scan", -2, kReadOnly | kRandom, 0, 0, 0},
      {"randomkey", 1, kReadOnly | kRandom, 0, 0, 0},
      {"object", -2, 0, 0, 0, 0},
  };
  for (const Row& r : rows) {
    INFO(r.name);
    const Command* c = h.engine.commands.Find(r.name);
    REQUIRE(c != nullptr);
    CHECK(c->arity == r.arity);
    CHECK(c->flags == r.flags);
    CHECK(c->keys.first == r.first);
    CHECK(c->keys.last == r.last);
    CHECK(c->keys.step == r.step);
    CHECK(c->group == "generic");
    CHECK_FALSE(c->summary.empty());
  }
  const Command* object = h.engine.commands.Find("object");
  REQUIRE(object->subcommands.size() == 5);
  for (const Command& sub : object->subcommands) {
    INFO(sub.name);
    if (sub.name == "object|help") {
      CHECK(sub.arity == 2);
      CHECK(sub.flags == (kLoading | kStale));
    } else {
      CHECK(sub.arity == 3);
      CHECK(sub.flags == (kReadOnly | kRandom));
      CHECK(sub.keys.first == 2);
      CHECK(sub.keys.last == 2);
    }
  }
}
