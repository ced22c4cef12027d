// Hash: a compact pair buffer for small hashes, a chained hash table for the rest.
//
// What. A new hash is one malloc'd buffer of (field, value) pairs in insertion order, each
// string preceded by its LEB128 length, searched linearly: the shape and the behaviour of
// Redis's listpack encoding, HGETALL order included. Past hash-max-listpack-entries fields, or
// once a field or value is longer than hash-max-listpack-value bytes, it converts for good to
// a chained table of power-of-two size whose nodes hold the field and value inline after a
// 16-byte header (next pointer, two lengths).
//
// Why. Most hashes in a cache or a job queue (an RQ job: a dozen short fields) are small, and
// for them a linear scan of a few hundred contiguous bytes beats hashing, with 2 bytes of
// overhead a pair. For big hashes Redis spends a 24-byte dictEntry plus two sds headers (3-9
// bytes each) and a malloc per string, per field, plus 8 bytes of bucket; a node here is one
// allocation with 16 bytes of header and, at load factor 1, 8 bytes of bucket.
//
// Invariants. Compact: buf_ holds exactly size_ pairs in buf_bytes_ bytes, no field twice.
// Table: every node is in the chain of bucket (XXH3(field) & mask_), size_ nodes in all,
// size_ <= buckets except transiently, node_bytes_ the sum of their allocations.
//
// Cost. Compact: O(size) per lookup, bounded by the entry limit; an insert appends, a value
// update memmoves the buffer's tail. Table: O(1) expected. The table doubles when size
// exceeds the bucket count and halves when it falls under an eighth, rehashing at once:
// O(size) then, amortized O(1). (Redis rehashes incrementally; a hash big enough for that
// pause to matter is rare, and the keyspace itself does rehash incrementally.)
//
// Tunables. hash-max-listpack-entries (512) and hash-max-listpack-value (64 bytes), Redis's
// names and defaults.
#include "storage/hash.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "storage/dict.h"

namespace firn {

struct Hash::Node {
  Node* next;
  uint32_t field_len;
  uint32_t value_len;
  const char* field() const { return reinterpret_cast<const char*>(this + 1); }
  char* field() { return reinterpret_cast<char*>(this + 1); }
  std::string_view field_view() const { return {field(), field_len}; }
  std::string_view value_view() const { return {field() + field_len, value_len}; }
  size_t bytes() const { return sizeof(Node) + field_len + value_len; }
};

namespace {

size_t VarintSize(size_t n) {
  size_t s = 1;
  while (n >= 128) {
    n >>= 7;
    ++s;
  }
  return s;
}

char* PutVarint(char* p, size_t n) {
  while (n >= 128) {
    *p++ = static_cast<char>((n & 127) | 128);
    n >>= 7;
  }
  *p++ = static_cast<char>(n);
  return p;
}

const char* GetVarint(const char* p, size_t* n) {
  *n = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<unsigned char>(*p++);
    *n |= static_cast<size_t>(b & 127) << shift;
    if ((b & 128) == 0) return p;
  }
}

// The pair at p: its field, value, and the byte after it.
const char* ReadPair(const char* p, std::string_view* field, std::string_view* value) {
  size_t n;
  p = GetVarint(p, &n);
  *field = {p, n};
  p = GetVarint(p + n, &n);
  *value = {p, n};
  return p + n;
}

size_t PairBytes(size_t field_len, size_t value_len) {
  return VarintSize(field_len) + field_len + VarintSize(value_len) + value_len;
}

void* Allocate(size_t bytes) {
  void* p = std::malloc(bytes);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* Reallocate(void* old, size_t bytes) {
  void* p = std::realloc(old, bytes);
  if (p == nullptr && bytes != 0) throw std::bad_alloc();
  return p;
}

uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
  return __builtin_bswap64(v);
}

}  // namespace

Hash::Node* Hash::MakeNode(std::string_view field, std::string_view value) {
  auto* n = static_cast<Hash::Node*>(Allocate(sizeof(Hash::Node) + field.size() + value.size()));
  n->next = nullptr;
  n->field_len = static_cast<uint32_t>(field.size());
  n->value_len = static_cast<uint32_t>(value.size());
  std::memcpy(n->field(), field.data(), field.size());
  if (!value.empty()) std::memcpy(n->field() + field.size(), value.data(), value.size());
  return n;
}

Hash::~Hash() {
  std::free(buf_);
  if (buckets_ != nullptr) {
    for (size_t b = 0; b <= mask_; ++b) {
      for (Node* n = buckets_[b]; n != nullptr;) {
        Node* next = n->next;
        std::free(n);
        n = next;
      }
    }
    std::free(buckets_);
  }
}

Hash::Hash(const Hash& other) : size_(other.size_) {
  if (other.compact()) {
    if (other.buf_bytes_ > 0) {
      buf_ = static_cast<char*>(Allocate(other.buf_bytes_));
      std::memcpy(buf_, other.buf_, other.buf_bytes_);
      buf_bytes_ = other.buf_bytes_;
    }
    return;
  }
  mask_ = other.mask_;
  buckets_ = static_cast<Node**>(Allocate((mask_ + 1) * sizeof(Node*)));
  for (size_t b = 0; b <= mask_; ++b) {
    Node** tail = &buckets_[b];
    for (const Node* n = other.buckets_[b]; n != nullptr; n = n->next) {
      *tail = MakeNode(n->field_view(), n->value_view());
      tail = &(*tail)->next;
    }
    *tail = nullptr;
  }
  node_bytes_ = other.node_bytes_;
}

size_t Hash::MemoryBytes() const {
  return sizeof(Hash) + buf_bytes_ + (buckets_ ? (mask_ + 1) * sizeof(Node*) : 0) + node_bytes_;
}

int64_t Hash::CompactFind(std::string_view field) const {
  const char* p = buf_;
  const char* end = buf_ + buf_bytes_;
  while (p < end) {
    std::string_view f, v;
    const char* next = ReadPair(p, &f, &v);
    if (f == field) return p - buf_;
    p = next;
  }
  return -1;
}

Hash::Node** Hash::FindSlot(std::string_view field, uint64_t hash) const {
  Node** slot = &buckets_[hash & mask_];
  while (*slot != nullptr && (*slot)->field_view() != field) slot = &(*slot)->next;
  return slot;
}

std::optional<std::string_view> Hash::Get(std::string_view field) const {
  if (compact()) {
    const int64_t at = CompactFind(field);
    if (at < 0) return std::nullopt;
    std::string_view f, v;
    ReadPair(buf_ + at, &f, &v);
    return v;
  }
  Node* n = *FindSlot(field, HashKey(field));
  if (n == nullptr) return std::nullopt;
  return n->value_view();
}

std::optional<std::string_view> Hash::StoredField(std::string_view field) const {
  if (compact()) {
    const int64_t at = CompactFind(field);
    if (at < 0) return std::nullopt;
    std::string_view f, v;
    ReadPair(buf_ + at, &f, &v);
    return f;
  }
  const Node* n = *FindSlot(field, HashKey(field));
  if (n == nullptr) return std::nullopt;
  return n->field_view();
}

void Hash::ConvertIfLonger(size_t longest, const Limits& limits) {
  if (compact() && longest > limits.max_compact_value) ToTable();
}

bool Hash::Set(std::string_view field, std::string_view value, const Limits& limits) {
  ConvertIfLonger(field.size() > value.size() ? field.size() : value.size(), limits);
  if (compact()) {
    const int64_t at = CompactFind(field);
    if (at >= 0) {
      std::string_view f, old;
      const char* after = ReadPair(buf_ + at, &f, &old);
      const size_t value_at = static_cast<size_t>(old.data() - buf_) - VarintSize(old.size());
      const size_t old_bytes = static_cast<size_t>(after - buf_) - value_at;
      const size_t new_bytes = VarintSize(value.size()) + value.size();
      const size_t tail = buf_bytes_ - (value_at + old_bytes);
      if (new_bytes > old_bytes) {
        buf_ = static_cast<char*>(Reallocate(buf_, buf_bytes_ + new_bytes - old_bytes));
      }
      std::memmove(buf_ + value_at + new_bytes, buf_ + value_at + old_bytes, tail);
      char* p = PutVarint(buf_ + value_at, value.size());
      if (!value.empty()) std::memcpy(p, value.data(), value.size());
      buf_bytes_ = buf_bytes_ + new_bytes - old_bytes;
      if (new_bytes < old_bytes) buf_ = static_cast<char*>(Reallocate(buf_, buf_bytes_));
      return false;
    }
    const size_t add = PairBytes(field.size(), value.size());
    buf_ = static_cast<char*>(Reallocate(buf_, buf_bytes_ + add));
    char* p = PutVarint(buf_ + buf_bytes_, field.size());
    std::memcpy(p, field.data(), field.size());
    p = PutVarint(p + field.size(), value.size());
    if (!value.empty()) std::memcpy(p, value.data(), value.size());
    buf_bytes_ += add;
    ++size_;
    if (size_ > limits.max_compact_entries) ToTable();
    return true;
  }
  const uint64_t hash = HashKey(field);
  Node** slot = FindSlot(field, hash);
  if (*slot != nullptr) {
    Node* old = *slot;
    if (old->value_len == value.size()) {
      if (!value.empty()) std::memcpy(old->field() + old->field_len, value.data(), value.size());
      return false;
    }
    Node* fresh = MakeNode(field, value);
    fresh->next = old->next;
    node_bytes_ = node_bytes_ - old->bytes() + fresh->bytes();
    *slot = fresh;
    std::free(old);
    return false;
  }
  Node* n = MakeNode(field, value);
  *slot = n;
  node_bytes_ += n->bytes();
  ++size_;
  if (size_ > mask_ + 1) Rehash((mask_ + 1) * 2);
  return true;
}

bool Hash::Delete(std::string_view field) {
  if (compact()) {
    const int64_t at = CompactFind(field);
    if (at < 0) return false;
    std::string_view f, v;
    const char* after = ReadPair(buf_ + at, &f, &v);
    const size_t end = static_cast<size_t>(after - buf_);
    std::memmove(buf_ + at, buf_ + end, buf_bytes_ - end);
    buf_bytes_ -= end - static_cast<size_t>(at);
    --size_;
    if (buf_bytes_ == 0) {
      std::free(buf_);
      buf_ = nullptr;
    } else {
      buf_ = static_cast<char*>(Reallocate(buf_, buf_bytes_));
    }
    return true;
  }
  Node** slot = FindSlot(field, HashKey(field));
  Node* n = *slot;
  if (n == nullptr) return false;
  *slot = n->next;
  node_bytes_ -= n->bytes();
  std::free(n);
  --size_;
  if (mask_ + 1 > 4 && size_ * 8 < mask_ + 1) Rehash((mask_ + 1) / 2);
  return true;
}

void Hash::ToTable() {
  size_t buckets = 4;
  while (buckets < size_) buckets *= 2;
  buckets_ = static_cast<Node**>(Allocate(buckets * sizeof(Node*)));
  std::memset(buckets_, 0, buckets * sizeof(Node*));
  mask_ = buckets - 1;
  const char* p = buf_;
  const char* end = buf_ + buf_bytes_;
  while (p < end) {
    std::string_view f, v;
    p = ReadPair(p, &f, &v);
    Node* n = MakeNode(f, v);
    Node** slot = &buckets_[HashKey(f) & mask_];
    n->next = *slot;
    *slot = n;
    node_bytes_ += n->bytes();
  }
  std::free(buf_);
  buf_ = nullptr;
  buf_bytes_ = 0;
}

void Hash::Rehash(size_t buckets) {
  Node** fresh = static_cast<Node**>(Allocate(buckets * sizeof(Node*)));
  std::memset(fresh, 0, buckets * sizeof(Node*));
  for (size_t b = 0; b <= mask_; ++b) {
    for (Node* n = buckets_[b]; n != nullptr;) {
      Node* next = n->next;
      Node** slot = &fresh[HashKey(n->field_view()) & (buckets - 1)];
      n->next = *slot;
      *slot = n;
      n = next;
    }
  }
  std::free(buckets_);
  buckets_ = fresh;
  mask_ = buckets - 1;
}

void Hash::ForEach(const PairFn& fn) const {
  if (compact()) {
    const char* p = buf_;
    const char* end = buf_ + buf_bytes_;
    while (p < end) {
      std::string_view f, v;
      p = ReadPair(p, &f, &v);
      fn(f, v);
    }
    return;
  }
  for (size_t b = 0; b <= mask_; ++b) {
    for (const Node* n = buckets_[b]; n != nullptr; n = n->next)
      fn(n->field_view(), n->value_view());
  }
}

uint64_t Hash::Scan(uint64_t cursor, size_t count, const PairFn& fn) const {
  if (compact()) {
    ForEach(fn);
    return 0;
  }
  if (count == 0) count = 1;
  // Visit buckets in reverse-binary order until about count pairs were reported, Redis's
  // dictScan: a bucket's position in that order survives doubling and halving the table.
  size_t reported = 0;
  size_t steps = 0;
  const uint64_t m = mask_;
  do {
    for (const Node* n = buckets_[cursor & m]; n != nullptr; n = n->next) {
      fn(n->field_view(), n->value_view());
      ++reported;
    }
    cursor |= ~m;
    cursor = ReverseBits(cursor);
    ++cursor;
    cursor = ReverseBits(cursor);
  } while (cursor != 0 && reported < count && ++steps < count * 10);
  return cursor;
}

void Hash::Random(uint64_t random, std::string_view* field, std::string_view* value) const {
  if (compact()) {
    size_t skip = random % size_;
    const char* p = buf_;
    for (;;) {
      p = ReadPair(p, field, value);
      if (skip-- == 0) return;
    }
  }
  // Rejection sampling: a uniform (bucket, depth) pair, kept when the bucket's chain is that
  // deep, picks every node with the same probability (a random non-empty bucket and then a
  // random node of its chain would favour nodes of short chains). The table's load is at least
  // 1/8, so a try succeeds with probability >= 1/64; past kTries a node of a random non-empty
  // bucket is taken, so a node deeper than kDepth can still be reached.
  constexpr size_t kDepth = 8;
  constexpr int kTries = 512;
  uint64_t x = random;
  auto next = [&x] {  // splitmix64
    x += 0x9e3779b97f4a7c15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  for (int t = 0; t < kTries; ++t) {
    const uint64_t r = next();
    const Node* n = buckets_[r & mask_];
    for (size_t depth = (r >> 40) % kDepth; n != nullptr && depth > 0; --depth) n = n->next;
    if (n != nullptr) {
      *field = n->field_view();
      *value = n->value_view();
      return;
    }
  }
  for (;;) {
    const uint64_t r = next();
    const Node* n = buckets_[r & mask_];
    if (n == nullptr) continue;
    size_t len = 0;
    for (const Node* k = n; k != nullptr; k = k->next) ++len;
    for (size_t skip = (r >> 32) % len; skip > 0; --skip) n = n->next;
    *field = n->field_view();
    *value = n->value_view();
    return;
  }
}

}  // namespace firn
