#include "storage/hyperloglog.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

namespace hll = firn::hll;

namespace {

std::string Element(int i) { return "element:" + std::to_string(i); }

}  // namespace

TEST_CASE("an empty sketch is Redis's 18-byte sparse value with a zero cached count", "[hll]") {
  const std::string s = hll::MakeEmpty();
  CHECK(s == std::string("HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18));
  CHECK(hll::LooksLikeHll(s));
  uint64_t count = 99;
  CHECK(hll::CachedCount(s, &count));
  CHECK(count == 0);
  CHECK(hll::DecodeSparse(s) == "Z:16384");
}

TEST_CASE("MurmurHash64A matches Redis's for known inputs", "[hll]") {
  // Where redis-server 7.0.15's PFADD puts them (PFDEBUG GETREG): the hash, seed and
  // pattern rule all take part.
  const hll::Pattern a = hll::PatternOf("a");
  CHECK(a.index == 12711);
  CHECK(a.count == 2);
  const hll::Pattern longer = hll::PatternOf("hello world, a longer element");
  CHECK(longer.index == 8811);
  CHECK(longer.count == 1);
  // Every tail length takes its own path through the hash.
  for (int len = 0; len < 17; ++len) {
    const std::string s(static_cast<size_t>(len), 'x');
    CHECK(hll::MurmurHash64A(s, hll::kHashSeed) != hll::MurmurHash64A(s + "y", hll::kHashSeed));
  }
}

TEST_CASE("sketch validity follows Redis's header checks", "[hll]") {
  std::string s = hll::MakeEmpty();
  CHECK_FALSE(hll::LooksLikeHll(s.substr(0, 15)));
  std::string bad_magic = s;
  bad_magic[0] = 'X';
  CHECK_FALSE(hll::LooksLikeHll(bad_magic));
  std::string bad_encoding = s;
  bad_encoding[4] = 2;
  CHECK_FALSE(hll::LooksLikeHll(bad_encoding));
  std::string short_dense = s;
  short_dense[4] = 0;  // claims dense, but is not 12304 bytes
  CHECK_FALSE(hll::LooksLikeHll(short_dense));
  REQUIRE(hll::ToDense(&s));
  CHECK(s.size() == hll::kDenseBytes);
  CHECK(hll::LooksLikeHll(s));
}

TEST_CASE("sparse and dense sketches fed the same elements agree register by register", "[hll]") {
  std::string sparse = hll::MakeEmpty();
  std::string dense = hll::MakeEmpty();
  REQUIRE(hll::ToDense(&dense));
  for (int i = 0; i < 400; ++i) {
    CHECK(hll::Add(&sparse, Element(i), 1 << 20) != hll::Update::kCorrupt);
    CHECK(hll::Add(&dense, Element(i), 1 << 20) != hll::Update::kCorrupt);
  }
  REQUIRE_FALSE(hll::IsDense(sparse));
  bool corrupt = false;
  CHECK(hll::Estimate(sparse, &corrupt) == hll::Estimate(dense, &corrupt));
  CHECK_FALSE(corrupt);
  std::string converted = sparse;
  REQUIRE(hll::ToDense(&converted));
  CHECK(converted.substr(hll::kHeaderBytes) == dense.substr(hll::kHeaderBytes));
}

TEST_CASE("adding the same element twice changes nothing the second time", "[hll]") {
  std::string s = hll::MakeEmpty();
  CHECK(hll::Add(&s, "x", hll::kDefaultSparseMaxBytes) == hll::Update::kChanged);
  const std::string before = s;
  CHECK(hll::Add(&s, "x", hll::kDefaultSparseMaxBytes) == hll::Update::kUnchanged);
  CHECK(s == before);
}

TEST_CASE("a sparse sketch turns dense past hll-sparse-max-bytes", "[hll]") {
  std::string s = hll::MakeEmpty();
  int i = 0;
  while (!hll::IsDense(s) && i < 100000) {
    REQUIRE(hll::Add(&s, Element(i++), 200) != hll::Update::kCorrupt);
    if (!hll::IsDense(s)) CHECK(s.size() <= 200);
  }
  CHECK(hll::IsDense(s));
  CHECK(s.size() == hll::kDenseBytes);
}

TEST_CASE("a register above 32 forces the dense encoding", "[hll]") {
  std::string s = hll::MakeEmpty();
  CHECK(hll::Raise(&s, 5, 32, 3000) == hll::Update::kChanged);
  CHECK_FALSE(hll::IsDense(s));
  CHECK(hll::Raise(&s, 5, 33, 3000) == hll::Update::kChanged);
  CHECK(hll::IsDense(s));
  CHECK(hll::DenseRegister(s.data() + hll::kHeaderBytes, 5) == 33);
}

TEST_CASE("the estimate is within a few percent", "[hll]") {
  std::string s = hll::MakeEmpty();
  for (int i = 0; i < 50000; ++i) hll::Add(&s, Element(i), hll::kDefaultSparseMaxBytes);
  bool corrupt = false;
  const double estimate = static_cast<double>(hll::Estimate(s, &corrupt));
  CHECK(estimate > 50000 * 0.95);
  CHECK(estimate < 50000 * 1.05);
}

TEST_CASE("sparse runs must cover exactly 16384 registers", "[hll]") {
  const std::string header = hll::MakeEmpty().substr(0, hll::kHeaderBytes);
  auto corrupt_estimate = [&](std::string_view body) {
    bool corrupt = false;
    hll::Estimate(header + std::string(body), &corrupt);
    return corrupt;
  };
  CHECK_FALSE(corrupt_estimate(std::string("\x7f\xff", 2)));
  CHECK(corrupt_estimate(std::string("\x7f\xfe", 2)));      // one short
  CHECK(corrupt_estimate(std::string("\x7f\xff\x80", 3)));  // one past
  CHECK(corrupt_estimate(std::string("\x7f\xfe\x81", 3)));  // a run across the end
  CHECK(corrupt_estimate(""));
  uint8_t max[hll::kRegisters] = {};
  CHECK_FALSE(hll::MergeInto(max, header + std::string("\x7f\xff\x80", 3)));
  std::string past = header + std::string("\x7f\xff\x80", 3);
  CHECK_FALSE(hll::ToDense(&past));
  std::string empty = header;
  CHECK(hll::Raise(&empty, 0, 1, 3000) == hll::Update::kCorrupt);
}

TEST_CASE("the cached count is little-endian and its top bit marks it stale", "[hll]") {
  std::string s = hll::MakeEmpty();
  hll::StoreCount(s.data(), 0x0102030405060708ull);
  uint64_t count = 0;
  REQUIRE(hll::CachedCount(s, &count));
  CHECK(count == 0x0102030405060708ull);
  CHECK(s[8] == 0x08);
  hll::InvalidateCache(s.data());
  CHECK_FALSE(hll::CachedCount(s, &count));
}

TEST_CASE("PFSELFTEST's checks pass", "[hll]") { CHECK(hll::SelfTest().empty()); }
