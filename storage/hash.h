// Hash: the value of a Redis hash key, a map from field to value (both byte strings).
//
// Contract. Small hashes are kept compact (one buffer of pairs in insertion order, Redis's
// "listpack"); a hash converts for good to a chained hash table ("hashtable") once it holds
// more than `max_compact_entries` fields or a field or value longer than `max_compact_value`
// bytes (Redis's hash-max-listpack-entries / -value). Views returned by Get and passed to
// ForEach/Scan callbacks stay valid until the next change to the hash.
//
// Not thread-safe: the event-loop thread owns every value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace firn {

class Hash {
 public:
  struct Limits {
    size_t max_compact_entries = 512;
    size_t max_compact_value = 64;
  };
  using PairFn = std::function<void(std::string_view field, std::string_view value)>;

  Hash() = default;
  ~Hash();
  Hash(const Hash& other);  // a deep copy (COPY), same encoding
  Hash& operator=(const Hash&) = delete;

  size_t size() const;
  bool empty() const { return size() == 0; }
  bool compact() const { return bytes_ != kTable; }
  // Bytes the structure holds, this object included.
  size_t MemoryBytes() const;

  // The value of field, or nullopt.
  std::optional<std::string_view> Get(std::string_view field) const;
  // The hash's own copy of field, or nullopt. In a table its bytes stay put until the field
  // is deleted (values of an unchanged size are rewritten in place), so it may be referenced.
  std::optional<std::string_view> StoredField(std::string_view field) const;
  // Sets field to value; returns whether the field is new. May convert to the table.
  bool Set(std::string_view field, std::string_view value, const Limits& limits);
  // Removes field; returns whether it was there.
  bool Delete(std::string_view field);
  // Converts to the table now if a field or value of `longest` bytes would make it (HSET
  // checks its arguments before it writes, as Redis does).
  void ConvertIfLonger(size_t longest, const Limits& limits);

  // Every pair: compact hashes in insertion order, tables in bucket order.
  void ForEach(const PairFn& fn) const;
  // One step of a SCAN over the pairs (Redis's reverse-binary cursor on the table, so a
  // field present for the whole iteration is reported at least once across resizes). A
  // compact hash is reported whole in one step. Returns the next cursor, 0 at the end.
  uint64_t Scan(uint64_t cursor, size_t count, const PairFn& fn) const;
  // A pair chosen from `random` (roughly uniform). REQUIRES: !empty().
  void Random(uint64_t random, std::string_view* field, std::string_view* value) const;

 private:
  struct Node;
  struct Table {
    Node** buckets;  // power-of-two array of chains
    size_t mask;
    size_t node_bytes;  // sum of node allocations
    size_t size;
  };
  static constexpr uint32_t kTable = UINT32_MAX;  // bytes_ of a hash that is a table
  Table* table() const { return static_cast<Table*>(data_); }
  char* buf() const { return static_cast<char*>(data_); }
  static Node* MakeNode(std::string_view field, std::string_view value);
  void ToTable();
  void Rehash(size_t buckets);
  Node** FindSlot(std::string_view field, uint64_t hash) const;
  // Compact form: offset of field's pair in buf_, or -1.
  int64_t CompactFind(std::string_view field) const;

  // 16 bytes in all, as a small hash is one of many: compact, data_ is the pair buffer
  // (nullptr when empty) of bytes_ bytes holding count_ pairs, each [field: varint
  // length << 1 and the bytes, or varint id << 1 | 1 of a shared name][varint value
  // length][value]; a table, data_ is its Table and bytes_ is kTable.
  void* data_ = nullptr;
  uint32_t count_ = 0;
  uint32_t bytes_ = 0;
};

}  // namespace firn
