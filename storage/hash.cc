// Hash: a compact pair buffer for small hashes, a chained hash table for the rest.
//
// What. A new hash is one malloc'd buffer of (field, value) pairs in insertion order, each
// string preceded by its LEB128 length, searched linearly: the shape and the behaviour of
// Redis's listpack encoding, HGETALL order included. A field name of up to 32 bytes is kept
// once for the process in a shared table and stored in the pair as a 1-2 byte id (see
// FieldNames below): hashes of one application repeat the same names. A buffer of at least
// hash-compress-min-bytes is kept compressed when that saves a quarter of it (see
// Compression below). Past hash-max-listpack-entries fields, or once a field or value is
// longer than hash-max-listpack-value bytes, it converts for good to a chained table of
// power-of-two size whose nodes hold the field and value inline after a 16-byte header
// (next pointer, two lengths); a table is never compressed.
//
// Why. Most hashes in a cache or a job queue (an RQ job: a dozen short fields) are small, and
// for them a linear scan of a few hundred contiguous bytes beats hashing, with 2 bytes of
// overhead a pair, and the names shared: an RQ job's ten field names are 94 bytes in every
// Redis listpack, 10 here (100,000 such hashes, bench/workloads/collections.py hashes-rq).
// For big hashes Redis spends a 24-byte dictEntry plus two sds headers (3-9
// bytes each) and a malloc per string, per field, plus 8 bytes of bucket; a node here is one
// allocation with 16 bytes of header and, at load factor 1, 8 bytes of bucket.
//
// The Hash object itself is 16 bytes (a jemalloc size class of its own): one pointer, to the
// pair buffer or to the table's state, and two 32-bit words, the pair count and the buffer's
// bytes (all ones for a table). A hash is usually one of many small ones, so each byte of
// its header is paid 100,000 times over in a cache of hashes.
//
// Compression. Cached objects repeat themselves: the same status words, timestamps with a
// common prefix, ids and URLs that share most of their bytes, values copied from field to
// field. A compact buffer of at least hash-compress-min-bytes (256) bytes and at most 1 KiB
// (Limits::compress_max_bytes: a write recompresses the whole buffer) is compressed
// with LZF (liblzf, what Redis's RDB files and list nodes use: no entropy stage, so it
// decompresses at memory speed) and kept so when the compressed form,
// a varint of the plain length included, is at most 3/4 of the plain pairs; otherwise it
// stays plain and the write is flagged, and a flagged hash retries when a field is added
// and otherwise on one write in 16 (kRetryPlainEvery), not on every value it rewrites.
// Reads decompress into a scratch buffer of the thread (Scratch
// below: no allocation once it has grown, and the last hash read stays decompressed, so
// HMGET's fields and HRANDFIELD's draws pay once); a write decompresses into a buffer of
// its own, changes it as a plain hash and recompresses it, once per command for HSET and
// HDEL of many fields (modules/hashes.cc compresses only on the last). The pairs' format,
// their order and every encoding written from them (RDB, DUMP) are those of the plain
// hash: only MemoryBytes can tell. Figures (bench/workloads/collections.py): 100,000
// hashes of f0..f9 with one 32-byte value hold 340 bytes of pairs each, under 80 compressed
// (an 80-byte allocation instead of 384): RSS 136 bytes a hash against Redis's 528
// (0.26x; 0.84x plain); an RQ job's 113 bytes do not compress by a quarter and stay plain.
// Under callgrind (redis-benchmark -P 16 on 10,000 such hashes) HGET costs about 2,710
// instructions a request (1,740 plain; Redis 4,960), HGETALL 5,230 (4,260 plain; Redis
// 15,060), but HSET of a new 32-byte value 7,830 (2,170 plain; Redis 5,570): lzf_compress
// spends about 4,400 instructions on the 360 bytes of pairs, so a write-heavy cache of such
// hashes may prefer hash-compress-min-bytes 0. The threshold keeps that cost off small
// hashes: under 256 bytes a quarter saves at most 64 bytes, less than the keyspace entry
// itself, and most small hashes (a job, a session) are there. 0 turns compression off; a
// write then leaves the hash plain.
//
// Invariants. Compact: the buffer holds exactly count_ pairs in stored() (< 2^30) bytes,
// plainly or, with kCompressedBit, as [varint plain length][LZF of the pairs]; no field twice;
// kPlainHintBit only on a plain buffer. Table: every node is in the chain of bucket
// (XXH3(field) & mask), size nodes in all, size <= buckets except transiently, node_bytes
// the sum of their allocations.
//
// Cost. Compact: O(size) per lookup, bounded by the entry limit; an insert appends, a value
// update memmoves the buffer's tail; a compressed hash adds one decompression per read of
// another hash since, and a decompression and a compression per write. Table: O(1)
// expected. The table doubles when size exceeds the bucket count and halves when it falls
// under an eighth, rehashing at once: O(size) then, amortized O(1). (Redis rehashes
// incrementally; a hash big enough for that pause to matter is rare, and the keyspace
// itself does rehash incrementally.)
//
// Tunables. hash-max-listpack-entries (512) and hash-max-listpack-value (64 bytes), Redis's
// names and defaults; hash-compress-min-bytes (256 bytes, Firn's own; 0 = off).
#include "storage/hash.h"

#include <lzf.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <new>
#include <string>
#include <vector>

#include "storage/dict.h"
#include "storage/memory.h"
#include "storage/varint.h"

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

// --- field names shared by compact hashes ---
//
// A compact pair's field is either literal, [LEB128 (length << 1)][bytes], or a name from a
// table shared by every compact hash of the process, [LEB128 (id << 1 | 1)]: an id below 64
// takes one byte, below 8192 two. Hashes of one application share their field names (an RQ
// job's `status`, `created_at`, `description` ...; a cached object's attributes), so a name
// kept once saves its bytes in every hash that uses it.
//
// The table only grows: the first kMaxNames distinct names of at most kMaxNameBytes bytes
// stored in a compact hash are entered and kept for the life of the process (at most about
// 8192 * 80 bytes, 650 KB); later and longer names stay literal. So a name is stored by id
// in every hash if it is in the table and literally in every hash if it is not, and a lookup
// decides which once, before it walks the pairs. The table is touched only on the event-loop
// thread (storing and reading pairs); freeing a hash (which the background freer may do)
// never touches it, and forked children (snapshots) read their own copy.
constexpr size_t kMaxNames = 8192;
constexpr size_t kMaxNameBytes = 32;
constexpr size_t kNameSlots = 16384;  // open addressing, load <= 1/2

class FieldNames {
 public:
  // The id of name, or -1 when it is not in the table.
  int32_t Find(std::string_view name) const {
    if (name.size() > kMaxNameBytes || names_.empty()) return -1;
    for (size_t i = HashKey(name) & (kNameSlots - 1);; i = (i + 1) & (kNameSlots - 1)) {
      const uint16_t s = slots_[i];
      if (s == 0) return -1;
      if (views_[s - 1] == name) return s - 1;
    }
  }
  // The id of name, entering it when there is room; -1 when it stays literal.
  int32_t FindOrAdd(std::string_view name) {
    if (name.size() > kMaxNameBytes) return -1;
    size_t i = HashKey(name) & (kNameSlots - 1);
    for (;; i = (i + 1) & (kNameSlots - 1)) {
      const uint16_t s = slots_[i];
      if (s == 0) break;
      if (views_[s - 1] == name) return s - 1;
    }
    if (names_.size() >= kMaxNames) return -1;
    if (views_.empty()) views_.reserve(kMaxNames);
    names_.emplace_back(name);  // a deque: names already entered never move
    views_.push_back(names_.back());
    slots_[i] = static_cast<uint16_t>(names_.size());
    return static_cast<int32_t>(names_.size() - 1);
  }
  std::string_view Name(size_t id) const { return views_[id]; }

 private:
  std::deque<std::string> names_;
  std::vector<std::string_view> views_;  // by id, into names_: one load to resolve an id
  uint16_t slots_[kNameSlots] = {};
};

// A namespace-scope object rather than a function's static: resolving an id on every pair
// read should not test an initialization guard.
FieldNames g_names;

FieldNames& Names() { return g_names; }

// The field at p, and the byte after it.
[[gnu::always_inline]] inline const char* ReadField(const char* p, std::string_view* field) {
  size_t tag;
  p = GetVarint(p, &tag);
  if (tag & 1) {
    *field = Names().Name(tag >> 1);
    return p;
  }
  *field = {p, tag >> 1};
  return p + (tag >> 1);
}

// The pair at p: its field, value, and the byte after it.
[[gnu::always_inline]] inline const char* ReadPair(const char* p, std::string_view* field, std::string_view* value) {
  size_t n;
  p = ReadField(p, field);
  p = GetVarint(p, &n);
  *value = {p, n};
  return p + n;
}

// A field as stored: its tag (see above) and whether its bytes follow the tag.
struct StoredName {
  size_t tag;
  bool literal;
};

StoredName NameFor(std::string_view field, int32_t id) {
  if (id >= 0) return {static_cast<size_t>(id) << 1 | 1, false};
  return {field.size() << 1, true};
}

size_t PairBytes(std::string_view field, StoredName name, size_t value_len) {
  return VarintSize(name.tag) + (name.literal ? field.size() : 0) + VarintSize(value_len) +
         value_len;
}

char* PutPair(char* p, std::string_view field, StoredName name, std::string_view value) {
  p = PutVarint(p, name.tag);
  if (name.literal && !field.empty()) std::memcpy(p, field.data(), field.size());
  if (name.literal) p += field.size();
  p = PutVarint(p, value.size());
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  return p + value.size();
}

// A compact buffer stays under this many bytes (its length shares 32 bits with two flags);
// a hash that would grow past it converts to the table whatever the limits say.
constexpr size_t kMaxCompactBytes = size_t{1} << 30;
// An old bucket array at least this big is handed back to the system as soon as it is freed.
constexpr size_t kReleaseAfterBytes = size_t{1} << 20;

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

// --- the scratch buffers compressed hashes are read and written through ---
//
// One set per thread (in practice the event loop's; tests may use others), constant-
// initialized so that reaching it tests no guard. `plain` holds the pairs of the compressed
// hash last read on this thread: `owner`, whose compressed buffer was then `data`. A later
// read of the same hash reuses them (HMGET's fields, HRANDFIELD's draws) with no work. The
// pair (owner, data) identifies the contents only while that buffer lives, so the cache is
// dropped whenever the owner decompresses for a change or is destroyed on this thread, and
// whenever any hash installs a new compressed buffer: a hash freed on the background thread
// and a new one built at the same addresses can only become compressed here, through that
// install. `packed` receives lzf_compress's output before it is copied to a buffer of its own
// size.
struct Scratch {
  const void* owner;
  const void* data;
  char* plain;
  size_t plain_cap;
  size_t plain_len;
  char* packed;
  size_t packed_cap;
  uint32_t plain_writes;  // writes to hashes that failed to compress, to pace retries
};
thread_local Scratch t_scratch = {};

// A scratch buffer grown to hold need bytes; one that a big hash grew past kShrinkAbove
// is cut back when a small one needs it (its old contents are dead by then).
constexpr size_t kShrinkAbove = size_t{1} << 20;

char* Reserve(char** p, size_t* cap, size_t need) {
  if (need > *cap || (*cap > kShrinkAbove && need <= kShrinkAbove / 16)) {
    const size_t want = need < 256 ? 256 : need;
    void* q = std::realloc(*p, want);
    if (q == nullptr) throw std::bad_alloc();
    *p = static_cast<char*>(q);
    *cap = want;
  }
  return *p;
}

// A plain hash whose compression saved too little is tried again when a field is added and
// on one other write in this many (its values may have changed since), so an incompressible
// hash whose values are rewritten does not pay lzf_compress on every write.
constexpr uint32_t kRetryPlainEvery = 16;

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
  if (!field.empty()) std::memcpy(n->field(), field.data(), field.size());
  if (!value.empty()) std::memcpy(n->field() + field.size(), value.data(), value.size());
  return n;
}

Hash::~Hash() {
  if (compact()) {
    if (t_scratch.owner == this) t_scratch.owner = nullptr;
    std::free(data_);
    return;
  }
  Table* t = table();
  for (size_t b = 0; b <= t->mask; ++b) {
    for (Node* n = t->buckets[b]; n != nullptr;) {
      Node* next = n->next;
      std::free(n);
      n = next;
    }
  }
  std::free(t->buckets);
  delete t;
}

Hash::Hash(const Hash& other) : count_(other.count_), bytes_(other.bytes_) {
  if (other.compact()) {
    if (other.stored() > 0) {
      data_ = Allocate(other.stored());
      std::memcpy(data_, other.data_, other.stored());
      if (compressed()) t_scratch.owner = nullptr;  // a new compressed buffer (see Scratch)
    }
    return;
  }
  const Table* from = other.table();
  auto* t = new Table{nullptr, from->mask, from->node_bytes, from->size};
  data_ = t;
  t->buckets = static_cast<Node**>(Allocate((t->mask + 1) * sizeof(Node*)));
  for (size_t b = 0; b <= t->mask; ++b) {
    Node** tail = &t->buckets[b];
    for (const Node* n = from->buckets[b]; n != nullptr; n = n->next) {
      *tail = MakeNode(n->field_view(), n->value_view());
      tail = &(*tail)->next;
    }
    *tail = nullptr;
  }
}

size_t Hash::size() const { return compact() ? count_ : table()->size; }

size_t Hash::MemoryBytes() const {
  if (compact()) return sizeof(Hash) + stored();
  const Table* t = table();
  return sizeof(Hash) + sizeof(Table) + (t->mask + 1) * sizeof(Node*) + t->node_bytes;
}

namespace {

// The plain length of a compressed buffer, and where its tokens start.
size_t PlainLength(const char* packed, const char** tokens) {
  size_t raw;
  *tokens = GetVarint(packed, &raw);
  return raw;
}

// Decompresses the buffer into out (raw bytes, its plain length).
void Decompress(const char* packed, size_t stored, char* out, size_t raw) {
  const char* lzf;
  PlainLength(packed, &lzf);
  const auto lzf_bytes = static_cast<unsigned>(stored - static_cast<size_t>(lzf - packed));
  const unsigned got = lzf_decompress(lzf, lzf_bytes, out, static_cast<unsigned>(raw));
  if (got != raw) {
    // Only Hash writes these buffers: a mismatch is memory corruption.
    std::fprintf(stderr, "%s:%d: compressed hash buffer corrupted (%u of %zu bytes)\n",
                 __FILE__, __LINE__, got, raw);
    std::abort();
  }
}

}  // namespace

Hash::Plain Hash::Pairs() const {
  if ((bytes_ & kCompressedBit) == 0) return {buf(), stored()};
  Scratch& s = t_scratch;
  if (s.owner == this && s.data == data_) return {s.plain, s.plain_len};
  const char* tokens;
  const size_t raw = PlainLength(buf(), &tokens);
  Reserve(&s.plain, &s.plain_cap, raw);
  Decompress(buf(), stored(), s.plain, raw);
  s.owner = this;
  s.data = data_;
  s.plain_len = raw;
  return {s.plain, raw};
}

void Hash::Inflate() {
  if (!compressed()) return;
  // Into a buffer of its own, not through the scratch: a caller may be walking another
  // hash's pairs there (ForEach over one hash, writing each pair into another).
  Scratch& s = t_scratch;
  const char* tokens;
  const size_t raw = PlainLength(buf(), &tokens);
  char* b = static_cast<char*>(Allocate(raw));
  if (s.owner == this && s.data == data_) {
    std::memcpy(b, s.plain, raw);
  } else {
    Decompress(buf(), stored(), b, raw);
  }
  if (s.owner == this) s.owner = nullptr;  // its buffer is gone
  std::free(data_);
  data_ = b;
  bytes_ = static_cast<uint32_t>(raw);
}

bool Hash::BeginWrite() {
  if (!compact()) return false;
  Inflate();
  const bool hinted = (bytes_ & kPlainHintBit) != 0;
  bytes_ &= kBytesMask;
  return hinted;
}

void Hash::Deflate(const Limits& limits, bool hinted) {
  if (!compact() || limits.compress_min_bytes == 0 || stored() < limits.compress_min_bytes ||
      stored() > limits.compress_max_bytes)
    return;
  Scratch& s = t_scratch;
  if (hinted && ++s.plain_writes % kRetryPlainEvery != 0) {
    bytes_ |= kPlainHintBit;
    return;
  }
  // Kept compressed only when the whole buffer, length included, is at most 3/4 of the
  // plain pairs.
  const size_t n = stored();
  const size_t head = VarintSize(n);
  const size_t budget = n * 3 / 4;
  size_t packed = 0;
  if (budget > head) {
    Reserve(&s.packed, &s.packed_cap, budget - head);
    packed = lzf_compress(buf(), static_cast<unsigned>(n), s.packed,
                          static_cast<unsigned>(budget - head));
  }
  if (packed == 0) {
    bytes_ |= kPlainHintBit;
    return;
  }
  char* b = static_cast<char*>(Allocate(head + packed));
  std::memcpy(PutVarint(b, n), s.packed, packed);
  std::free(data_);
  s.owner = nullptr;  // a new compressed buffer (see Scratch)
  data_ = b;
  bytes_ = static_cast<uint32_t>(head + packed) | kCompressedBit;
}

int64_t Hash::CompactFind(const char* p, size_t bytes, std::string_view field) {
  // A name in the shared table is stored by id in every hash, any other literally: compare
  // tags, and bytes only for literal fields of the right length.
  const int32_t id = Names().Find(field);
  const size_t want = id >= 0 ? (static_cast<size_t>(id) << 1 | 1) : field.size() << 1;
  const char* const start = p;
  const char* end = p + bytes;
  while (p < end) {
    const char* at = p;
    size_t tag, n;
    p = GetVarint(p, &tag);
    const bool literal = (tag & 1) == 0;
    if (tag == want && (!literal || field.empty() || std::memcmp(p, field.data(), field.size()) == 0))
      return at - start;
    if (literal) p += tag >> 1;
    p = GetVarint(p, &n);
    p += n;
  }
  return -1;
}

Hash::Node** Hash::FindSlot(std::string_view field, uint64_t hash) const {
  Node** slot = &table()->buckets[hash & table()->mask];
  while (*slot != nullptr && (*slot)->field_view() != field) slot = &(*slot)->next;
  return slot;
}

std::optional<std::string_view> Hash::Get(std::string_view field) const {
  if (compact()) {
    const Plain pairs = Pairs();
    const int64_t at = CompactFind(pairs.p, pairs.n, field);
    if (at < 0) return std::nullopt;
    std::string_view f, v;
    ReadPair(pairs.p + at, &f, &v);
    return v;
  }
  Node* n = *FindSlot(field, HashKey(field));
  if (n == nullptr) return std::nullopt;
  return n->value_view();
}

std::optional<std::string_view> Hash::StoredField(std::string_view field) const {
  if (compact()) {
    const Plain pairs = Pairs();
    const int64_t at = CompactFind(pairs.p, pairs.n, field);
    if (at < 0) return std::nullopt;
    std::string_view f, v;
    ReadPair(pairs.p + at, &f, &v);
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
  const bool hinted = BeginWrite();
  const bool added = SetPlain(field, value, limits);
  Deflate(limits, hinted && !added);  // a hash that grows tries at once
  return added;
}

bool Hash::SetPlain(std::string_view field, std::string_view value, const Limits& limits) {
  ConvertIfLonger(field.size() > value.size() ? field.size() : value.size(), limits);
  if (compact()) {
    const int64_t at = CompactFind(buf(), bytes_, field);
    char* b = buf();
    if (at >= 0) {
      std::string_view f, old;
      const char* after = ReadPair(b + at, &f, &old);
      const size_t value_at = static_cast<size_t>(old.data() - b) - VarintSize(old.size());
      const size_t old_bytes = static_cast<size_t>(after - b) - value_at;
      const size_t new_bytes = VarintSize(value.size()) + value.size();
      const size_t tail = bytes_ - (value_at + old_bytes);
      const size_t total = bytes_ + new_bytes - old_bytes;
      if (total >= kMaxCompactBytes) {
        ToTable();
        return SetPlain(field, value, limits);
      }
      if (new_bytes > old_bytes) b = static_cast<char*>(Reallocate(b, total));
      std::memmove(b + value_at + new_bytes, b + value_at + old_bytes, tail);
      char* p = PutVarint(b + value_at, value.size());
      if (!value.empty()) std::memcpy(p, value.data(), value.size());
      if (new_bytes < old_bytes) b = static_cast<char*>(Reallocate(b, total));
      data_ = b;
      bytes_ = static_cast<uint32_t>(total);
      return false;
    }
    const StoredName name = NameFor(field, Names().FindOrAdd(field));
    const size_t add = PairBytes(field, name, value.size());
    if (bytes_ + add >= kMaxCompactBytes) {
      ToTable();
      return SetPlain(field, value, limits);
    }
    b = static_cast<char*>(Reallocate(b, bytes_ + add));
    PutPair(b + bytes_, field, name, value);
    data_ = b;
    bytes_ += static_cast<uint32_t>(add);
    ++count_;
    if (count_ > limits.max_compact_entries) ToTable();
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
    table()->node_bytes = table()->node_bytes - old->bytes() + fresh->bytes();
    *slot = fresh;
    std::free(old);
    return false;
  }
  Node* n = MakeNode(field, value);
  *slot = n;
  Table* t = table();
  t->node_bytes += n->bytes();
  ++t->size;
  if (t->size > t->mask + 1) Rehash((t->mask + 1) * 2);
  return true;
}

bool Hash::Delete(std::string_view field) { return Delete(field, Limits{}); }

bool Hash::Delete(std::string_view field, const Limits& limits) {
  if (compressed()) {
    const Plain pairs = Pairs();
    if (CompactFind(pairs.p, pairs.n, field) < 0) return false;  // nothing to recompress
  }
  const bool hinted = BeginWrite();
  const bool removed = DeletePlain(field);
  Deflate(limits, hinted);
  return removed;
}

bool Hash::DeletePlain(std::string_view field) {
  if (compact()) {
    const int64_t at = CompactFind(buf(), bytes_, field);
    if (at < 0) return false;
    std::string_view f, v;
    char* b = buf();
    const char* after = ReadPair(b + at, &f, &v);
    const size_t end = static_cast<size_t>(after - b);
    std::memmove(b + at, b + end, bytes_ - end);
    bytes_ -= static_cast<uint32_t>(end - static_cast<size_t>(at));
    --count_;
    if (bytes_ == 0) {
      std::free(b);
      data_ = nullptr;
    } else {
      data_ = Reallocate(b, bytes_);
    }
    return true;
  }
  Node** slot = FindSlot(field, HashKey(field));
  Node* n = *slot;
  if (n == nullptr) return false;
  *slot = n->next;
  Table* t = table();
  t->node_bytes -= n->bytes();
  std::free(n);
  --t->size;
  if (t->mask + 1 > 4 && t->size * 8 < t->mask + 1) Rehash((t->mask + 1) / 2);
  return true;
}

void Hash::ToTable() {
  BeginWrite();
  size_t buckets = 4;
  while (buckets < count_) buckets *= 2;
  auto* t = new Table{nullptr, buckets - 1, 0, count_};
  t->buckets = static_cast<Node**>(Allocate(buckets * sizeof(Node*)));
  std::memset(t->buckets, 0, buckets * sizeof(Node*));
  const char* p = buf();
  const char* end = p + bytes_;
  while (p < end) {
    std::string_view f, v;
    p = ReadPair(p, &f, &v);
    Node* n = MakeNode(f, v);
    Node** slot = &t->buckets[HashKey(f) & t->mask];
    n->next = *slot;
    *slot = n;
    t->node_bytes += n->bytes();
  }
  std::free(data_);
  data_ = t;
  count_ = 0;
  bytes_ = kTable;
}

void Hash::Rehash(size_t buckets) {
  Table* t = table();
  Node** fresh = static_cast<Node**>(Allocate(buckets * sizeof(Node*)));
  std::memset(fresh, 0, buckets * sizeof(Node*));
  for (size_t b = 0; b <= t->mask; ++b) {
    for (Node* n = t->buckets[b]; n != nullptr;) {
      Node* next = n->next;
      Node** slot = &fresh[HashKey(n->field_view()) & (buckets - 1)];
      n->next = *slot;
      *slot = n;
      n = next;
    }
  }
  const bool large = (t->mask + 1) * sizeof(Node*) >= kReleaseAfterBytes;
  std::free(t->buckets);
  if (large) ReleaseFreedPages();
  t->buckets = fresh;
  t->mask = buckets - 1;
}

void Hash::ForEach(const PairFn& fn) const {
  if (compact()) {
    const Plain pairs = Pairs();
    const char* p = pairs.p;
    const char* end = p + pairs.n;
    while (p < end) {
      std::string_view f, v;
      p = ReadPair(p, &f, &v);
      fn(f, v);
    }
    return;
  }
  const Table* t = table();
  for (size_t b = 0; b <= t->mask; ++b) {
    for (const Node* n = t->buckets[b]; n != nullptr; n = n->next)
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
  const uint64_t m = table()->mask;
  do {
    for (const Node* n = table()->buckets[cursor & m]; n != nullptr; n = n->next) {
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
    size_t skip = random % count_;
    const char* p = Pairs().p;
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
    const Node* n = table()->buckets[r & table()->mask];
    for (size_t depth = (r >> 40) % kDepth; n != nullptr && depth > 0; --depth) n = n->next;
    if (n != nullptr) {
      *field = n->field_view();
      *value = n->value_view();
      return;
    }
  }
  for (;;) {
    const uint64_t r = next();
    const Node* n = table()->buckets[r & table()->mask];
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
