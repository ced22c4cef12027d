// Set: the value of a Redis set key, a collection of distinct byte strings.
//
// Contract. A set whose members are all integers (canonical decimal within int64) and that
// has at most `max_intset_entries` members is kept as a sorted array of integers of the
// smallest width that holds them all (Redis's "intset"); any other set is a hash table
// ("hashtable"), and never converts back. Views passed to ForEach/Scan callbacks stay valid
// until the callback returns.
//
// Not thread-safe: the event-loop thread owns every value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "storage/hash.h"

namespace firn {

class Set {
 public:
  using MemberFn = std::function<void(std::string_view member)>;

  Set() = default;
  ~Set();
  Set(const Set& other);
  Set& operator=(const Set&) = delete;

  size_t size() const { return table_ ? table_->size() : count_; }
  bool empty() const { return size() == 0; }
  bool intset() const { return table_ == nullptr; }
  size_t MemoryBytes() const;

  // Adds member; returns whether it is new. May convert to the table.
  bool Add(std::string_view member, size_t max_intset_entries);
  bool Remove(std::string_view member);
  bool Contains(std::string_view member) const;

  // Every member: an intset in ascending order, a table in bucket order.
  void ForEach(const MemberFn& fn) const;
  // One SCAN step (an intset whole, cursor 0 next); see Hash::Scan.
  uint64_t Scan(uint64_t cursor, size_t count, const MemberFn& fn) const;
  // A member chosen from `random`. REQUIRES: !empty().
  std::string Random(uint64_t random) const;

 private:
  int64_t At(size_t i) const;
  // Index of v, or of where it would go (*found tells which).
  size_t Search(int64_t v, bool* found) const;
  void Widen(uint32_t width);
  void ToTable();

  // Intset: count_ integers of width_ bytes each, ascending, in ints_ (malloc'd to size).
  char* ints_ = nullptr;
  uint32_t width_ = 2;
  uint32_t count_ = 0;
  std::unique_ptr<Hash> table_;  // members as fields with empty values
};

}  // namespace firn
