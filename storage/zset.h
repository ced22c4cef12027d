// ZSet: the value of a Redis sorted set key, members (byte strings) ordered by a double score,
// ties broken by the member's bytes.
//
// Contract. A sorted set of at most `max_compact_entries` members, none longer than
// `max_compact_value` bytes, is one contiguous buffer in score order (Redis's "listpack");
// past either limit it converts for good to a B+ tree with a member index ("skiplist", the
// name Redis reports for its own big encoding). On the tree, insert, delete, score lookup,
// rank and positional access are O(log n); a range is O(log n) to find plus O(1) a member
// walked. On the compact form every operation is O(size), bounded by the entry limit.
// Positions and member views stay valid until the next change to the set (lookups may move
// the member index's resize on, which moves no record).
//
// Not thread-safe: the event-loop thread owns every value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace firn {

class ZSet {
 public:
  struct Item {
    double score;
    std::string_view member;
  };
  // A position in score order; Valid() is false past either end.
  struct Pos {
    const void* leaf = nullptr;
    uint32_t index = 0;
    size_t rank = 0;
    bool Valid() const { return leaf != nullptr; }
  };
  // Redis's zset-max-listpack-entries / -value.
  struct Limits {
    size_t max_compact_entries = 128;
    size_t max_compact_value = 64;
  };

  ZSet() = default;
  ~ZSet();
  ZSet(const ZSet& other);  // a deep copy (COPY), same encoding
  ZSet& operator=(const ZSet&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool compact() const { return big_ == nullptr; }
  // Bytes the structure holds, this object included.
  size_t MemoryBytes() const;

  std::optional<double> Score(std::string_view member) const;
  // Adds member with score, or moves it to score; returns whether it is new. May convert
  // to the tree.
  bool Set(std::string_view member, double score, const Limits& limits);
  bool Set(std::string_view member, double score) { return Set(member, score, Limits()); }
  // Removes member; returns whether it was there. member may view the set's own copy (an
  // Item's member), which is invalid afterwards.
  bool Remove(std::string_view member);
  // 0-based rank of member in ascending order, or nullopt.
  std::optional<size_t> Rank(std::string_view member) const;
  // Converts to the tree now if it would hold more than `entries` members or a member of
  // `longest` bytes (a command that creates a set of known size, as Redis does).
  void ConvertIfBeyond(size_t entries, size_t longest, const Limits& limits);

  // The position of rank r (invalid when r >= size()).
  Pos AtRank(size_t r) const;
  // The first position whose item satisfies pred, where pred is false for a prefix of the
  // order and true after it (invalid if none).
  Pos FirstWhere(const std::function<bool(const Item&)>& pred) const;
  Item Get(const Pos& p) const;
  Pos Next(const Pos& p) const;
  Pos Prev(const Pos& p) const;

  // Calls fn on every item in ascending order.
  void ForEach(const std::function<void(const Item&)>& fn) const;
  // One SCAN step: a compact set is reported whole (next cursor 0); a tree's members in the
  // order of their hash, the cursor a hash value, so a member present for the whole
  // iteration is reported at least once across resizes. Returns the next cursor, 0 at the
  // end.
  uint64_t Scan(uint64_t cursor, size_t count, const std::function<void(const Item&)>& fn) const;

  // Member-index slots visited by resizes so far (migration steps and whole rehashes): a
  // count of work, so tests can bound what one operation costs. 0 for a compact set.
  size_t IndexWork() const;
  // Whether the member index is between two arrays (a resize in progress).
  bool IndexMigrating() const;

  // The tree's parts (defined in zset.cc).
  struct Node;
  struct Leaf;
  struct Inner;
  struct Big;

 private:
  void ToTree();

  // Compact: size_ entries in buf_bytes_ bytes, ascending (see zset.cc for the format).
  char* buf_ = nullptr;
  uint32_t buf_bytes_ = 0;
  uint32_t pad_ = 0;
  size_t size_ = 0;
  Big* big_ = nullptr;  // the tree and its index, once converted
};

}  // namespace firn
