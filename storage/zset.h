// ZSet: the value of a Redis sorted set key, members (byte strings) ordered by a double score,
// ties broken by the member's bytes.
//
// Contract. Insert, delete, score lookup, rank and positional access are O(log n); a range is
// O(log n) to find plus O(1) a member walked. Positions and member views stay valid until the
// next change to the set.
//
// Not thread-safe: the event-loop thread owns every value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "storage/hash.h"

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

  ZSet();
  ~ZSet();
  ZSet(const ZSet& other);
  ZSet& operator=(const ZSet&) = delete;

  size_t size() const { return dict_.size(); }
  bool empty() const { return size() == 0; }
  size_t MemoryBytes() const;

  std::optional<double> Score(std::string_view member) const;
  // Adds member with score, or moves it to score; returns whether it is new.
  bool Set(std::string_view member, double score);
  bool Remove(std::string_view member);
  // 0-based rank of member in ascending order, or nullopt.
  std::optional<size_t> Rank(std::string_view member) const;

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
  // One SCAN step over the members in table order (see Hash::Scan); returns the next cursor.
  uint64_t Scan(uint64_t cursor, size_t count, const std::function<void(const Item&)>& fn) const;

  // The tree's nodes (defined in zset.cc).
  struct Node;
  struct Leaf;
  struct Inner;

 private:
  Node* InsertRec(Node* n, const Item& it);
  bool EraseRec(Node* n, const Item& it);
  void FreeRec(Node* n);

  Hash dict_;  // member -> score (8 bytes), always a table: its nodes own the member bytes
  Node* root_;
};

}  // namespace firn
