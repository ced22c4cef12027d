// Set: a sorted integer array for small integer sets, a hash table for the rest.
//
// What. While every member is an integer and there are at most set-max-intset-entries of
// them, the set is Redis's intset: the integers sorted ascending in one buffer, each stored
// in 2, 4 or 8 bytes, the smallest width that holds every member (adding a wider one widens
// them all). Membership is a binary search; SMEMBERS is the array in order, as Redis answers.
// Past that, the members move to a chained hash table (storage/hash.h, with empty values:
// one 16-byte node header plus the member's bytes, and 8 bytes of bucket, per member).
//
// Why. Sets of ids (RQ's registries of job ids, tags as numbers) are the common small case:
// 10 small integers take 20 bytes instead of ten table nodes. Reusing the hash's table for
// the general case keeps one table implementation with one SCAN guarantee.
//
// Invariants. Intset: count_ values of width_ bytes, strictly ascending, every value needing
// at most width_ bytes, at most the limit in count. Table: exactly the members.
//
// Cost. Intset: O(log n) lookup, O(n) insert and remove (a memmove), bounded by the limit.
// Table: O(1) expected.
//
// Tunables. set-max-intset-entries (512), Redis's name and default.
#include "storage/set.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "storage/value.h"

namespace firn {
namespace {

uint32_t WidthOf(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

bool ParseMember(std::string_view s, int64_t* v) {
  if (!IsCanonicalInt64(s)) return false;
  uint64_t x = 0;
  const bool negative = s[0] == '-';
  for (size_t i = negative ? 1 : 0; i < s.size(); ++i)
    x = x * 10 + static_cast<uint64_t>(s[i] - '0');
  *v = negative ? static_cast<int64_t>(0 - x) : static_cast<int64_t>(x);
  return true;
}

std::string_view Format(int64_t v, char* buf) {
  char tmp[24];
  size_t n = 0;
  uint64_t x = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    tmp[n++] = static_cast<char>('0' + x % 10);
    x /= 10;
  } while (x != 0);
  size_t len = 0;
  if (v < 0) buf[len++] = '-';
  while (n > 0) buf[len++] = tmp[--n];
  return {buf, len};
}

constexpr Hash::Limits kTableOnly{.max_compact_entries = 0, .max_compact_value = 0};

char* Resized(char* p, size_t bytes) {
  if (bytes == 0) {
    std::free(p);
    return nullptr;
  }
  void* q = std::realloc(p, bytes);
  if (q == nullptr) throw std::bad_alloc();
  return static_cast<char*>(q);
}

}  // namespace

Set::~Set() { std::free(ints_); }

Set::Set(const Set& other) : width_(other.width_), count_(other.count_) {
  if (count_ > 0) {
    ints_ = Resized(nullptr, static_cast<size_t>(count_) * width_);
    if (count_ != 0) std::memcpy(ints_, other.ints_, static_cast<size_t>(count_) * width_);
  }
  if (other.table_) table_ = std::make_unique<Hash>(*other.table_);
}

size_t Set::MemoryBytes() const {
  if (table_) return sizeof(Set) + table_->MemoryBytes();
  return sizeof(Set) + static_cast<size_t>(count_) * width_;
}

int64_t Set::At(size_t i) const {
  const char* p = ints_ + i * width_;
  if (width_ == 2) {
    int16_t v;
    std::memcpy(&v, p, 2);
    return v;
  }
  if (width_ == 4) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  int64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

size_t Set::Search(int64_t v, bool* found) const {
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int64_t m = At(mid);
    if (m == v) {
      *found = true;
      return mid;
    }
    if (m < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *found = false;
  return lo;
}

void Set::Widen(uint32_t width) {
  char* wider = Resized(nullptr, static_cast<size_t>(count_) * width + width);
  for (size_t i = 0; i < count_; ++i) {
    const int64_t v = At(i);
    if (width == 4) {
      const auto w = static_cast<int32_t>(v);
      std::memcpy(wider + i * 4, &w, 4);
    } else {
      std::memcpy(wider + i * 8, &v, 8);
    }
  }
  std::free(ints_);
  ints_ = wider;
  width_ = width;
}

void Set::ToTable() {
  auto table = std::make_unique<Hash>();
  char buf[24];
  for (size_t i = 0; i < count_; ++i) table->Set(Format(At(i), buf), "", kTableOnly);
  table_ = std::move(table);
  std::free(ints_);
  ints_ = nullptr;
  count_ = 0;
}

bool Set::Add(std::string_view member, size_t max_intset_entries) {
  if (!table_) {
    int64_t v;
    if (ParseMember(member, &v)) {
      bool found;
      size_t at = Search(v, &found);
      if (found) return false;
      if (count_ + 1 <= max_intset_entries) {
        if (WidthOf(v) > width_) {
          Widen(WidthOf(v));
          at = Search(v, &found);
        }
        char bytes[8];
        if (width_ == 2) {
          const auto w = static_cast<int16_t>(v);
          std::memcpy(bytes, &w, 2);
        } else if (width_ == 4) {
          const auto w = static_cast<int32_t>(v);
          std::memcpy(bytes, &w, 4);
        } else {
          std::memcpy(bytes, &v, 8);
        }
        ints_ = Resized(ints_, (static_cast<size_t>(count_) + 1) * width_);
        std::memmove(ints_ + (at + 1) * width_, ints_ + at * width_, (count_ - at) * width_);
        std::memcpy(ints_ + at * width_, bytes, width_);
        ++count_;
        return true;
      }
    }
    ToTable();
  }
  return table_->Set(member, "", kTableOnly);
}

bool Set::Remove(std::string_view member) {
  if (table_) return table_->Delete(member);
  int64_t v;
  if (!ParseMember(member, &v)) return false;
  bool found;
  const size_t at = Search(v, &found);
  if (!found) return false;
  std::memmove(ints_ + at * width_, ints_ + (at + 1) * width_, (count_ - at - 1) * width_);
  --count_;
  ints_ = Resized(ints_, static_cast<size_t>(count_) * width_);
  return true;
}

bool Set::Contains(std::string_view member) const {
  if (table_) return table_->Get(member).has_value();
  int64_t v;
  if (!ParseMember(member, &v)) return false;
  bool found;
  Search(v, &found);
  return found;
}

void Set::ForEach(const MemberFn& fn) const {
  if (table_) {
    table_->ForEach([&](std::string_view f, std::string_view) { fn(f); });
    return;
  }
  char buf[24];
  for (size_t i = 0; i < count_; ++i) fn(Format(At(i), buf));
}

uint64_t Set::Scan(uint64_t cursor, size_t count, const MemberFn& fn) const {
  if (!table_) {
    ForEach(fn);
    return 0;
  }
  return table_->Scan(cursor, count, [&](std::string_view f, std::string_view) { fn(f); });
}

std::string Set::Random(uint64_t random) const {
  if (table_) {
    std::string_view f, v;
    table_->Random(random, &f, &v);
    return std::string(f);
  }
  char buf[24];
  return std::string(Format(At(random % count_), buf));
}

}  // namespace firn
