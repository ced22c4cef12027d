// Hash: the value of a Redis hash key, a map from field to value (both byte strings).
//
// Contract. Small hashes are kept compact (one buffer of pairs in insertion order, Redis's
// "listpack"); a hash converts for good to a chained hash table ("hashtable") once it holds
// more than `max_compact_entries` fields or a field or value longer than `max_compact_value`
// bytes (Redis's hash-max-listpack-entries / -value). A compact buffer of at least
// `compress_min_bytes` and at most `compress_max_bytes` bytes is kept LZF-compressed when
// that saves a quarter of it; reads see it decompressed into a per-thread scratch buffer,
// and nothing outside this class can tell the two apart (order, replies, RDB encodings),
// except MemoryBytes. Views returned by Get, StoredField and Random and passed to
// ForEach/Scan callbacks stay valid until the next change to the hash or the next read of
// another compressed hash on the same thread.
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
    // A compact buffer of at least this many bytes is stored compressed when that saves a
    // quarter; 0 = never (a write leaves the hash uncompressed).
    size_t compress_min_bytes = 0;
    // ... and at most this many. A write to a compressed hash recompresses all of it (about
    // 12 instructions a byte): a compact hash may hold 512 pairs of up to 64 bytes, and
    // recompressing its 25 KB on every HSET cost 9,300 instructions a request on average
    // while redis-benchmark's HSET filled one (Redis: 10,700 in all, at -P 1). The saving
    // compression is for matters for the many small hashes.
    size_t compress_max_bytes = 1024;
  };
  using PairFn = std::function<void(std::string_view field, std::string_view value)>;

  Hash() = default;
  ~Hash();
  Hash(const Hash& other);  // a deep copy (COPY), same encoding
  Hash& operator=(const Hash&) = delete;

  size_t size() const;
  bool empty() const { return size() == 0; }
  bool compact() const { return bytes_ != kTable; }
  // Compact and held LZF-compressed (see compress_min_bytes).
  bool compressed() const { return compact() && (bytes_ & kCompressedBit) != 0; }
  // Bytes the structure holds, this object included.
  size_t MemoryBytes() const;

  // The value of field, or nullopt.
  std::optional<std::string_view> Get(std::string_view field) const;
  // The hash's own copy of field, or nullopt. In a table its bytes stay put until the field
  // is deleted (values of an unchanged size are rewritten in place), so it may be referenced.
  std::optional<std::string_view> StoredField(std::string_view field) const;
  // Sets field to value; returns whether the field is new. May convert to the table, and
  // compresses or decompresses a compact hash as limits.compress_min_bytes says.
  bool Set(std::string_view field, std::string_view value, const Limits& limits);
  // Removes field; returns whether it was there. Compresses as Set does (the first form
  // with default Limits, so it leaves the hash plain).
  bool Delete(std::string_view field);
  bool Delete(std::string_view field, const Limits& limits);
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
  // Flags in bytes_ of a compact hash, whose buffer is under 2^30 bytes: compressed, or
  // plain after a compression attempt that saved too little (retried now and then).
  static constexpr uint32_t kCompressedBit = uint32_t{1} << 31;
  static constexpr uint32_t kPlainHintBit = uint32_t{1} << 30;
  static constexpr uint32_t kBytesMask = kPlainHintBit - 1;
  struct Plain {
    const char* p;
    size_t n;
  };
  Table* table() const { return static_cast<Table*>(data_); }
  char* buf() const { return static_cast<char*>(data_); }
  // The stored buffer's bytes (compressed or not). REQUIRES: compact().
  size_t stored() const { return bytes_ & kBytesMask; }
  // The pairs of a compact hash, decompressed into the thread's scratch buffer if need be.
  Plain Pairs() const;
  // Decompresses a compressed hash for good; no-op otherwise.
  void Inflate();
  // Before a change: a compact hash made plain with its flags cleared. Returns whether its
  // last compression attempt saved too little.
  bool BeginWrite();
  // After a change: compresses a plain compact hash when limits ask for it and that saves
  // a quarter; `hinted` (BeginWrite's answer, unless the write added a field) paces the
  // attempts on incompressible hashes.
  void Deflate(const Limits& limits, bool hinted);
  bool SetPlain(std::string_view field, std::string_view value, const Limits& limits);
  bool DeletePlain(std::string_view field);
  static Node* MakeNode(std::string_view field, std::string_view value);
  void ToTable();
  void Rehash(size_t buckets);
  Node** FindSlot(std::string_view field, uint64_t hash) const;
  // Compact form: offset of field's pair in the pairs at p (n bytes), or -1.
  static int64_t CompactFind(const char* p, size_t n, std::string_view field);

  // 16 bytes in all, as a small hash is one of many: compact, data_ is the pair buffer
  // (nullptr when empty) of stored() bytes holding count_ pairs, each [field: varint
  // length << 1 and the bytes, or varint id << 1 | 1 of a shared name][varint value
  // length][value], or when compressed [varint length of those pairs][their LZF form];
  // a table, data_ is its Table and bytes_ is kTable.
  void* data_ = nullptr;
  uint32_t count_ = 0;
  uint32_t bytes_ = 0;
};

}  // namespace firn
