// The value slot's type table and the out-of-line byte buffer.
//
// Why a table of function pointers rather than a virtual base class for every value: an
// inline string has no object at all (its bytes sit in the entry), so there is nothing to hold
// a vtable pointer; the entry's 4-bit type picks the row instead, and an inline value costs
// nothing extra. A row is consulted only off the hot path (freeing an out-of-line object,
// COPY, TYPE, OBJECT ENCODING, MEMORY USAGE, serialization); GET and SET never read it.
//
// The byte buffer grows geometrically (doubling below 1 MiB, then by half), as Redis's sds
// grows greedily on APPEND (sdsMakeRoomFor), except that Redis adds a fixed 1 MiB beyond
// 1 MiB, which keeps growing a 100 MB string by appends quadratic; a factor of 1.5 keeps the
// total bytes copied by n appends within a constant times the final size, at the price of up
// to a third of the buffer unused.
#include "storage/value.h"

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>

#include "storage/entry.h"
#include "storage/memory.h"
#include "storage/ratelimit.h"
#include "storage/rdb.h"

namespace firn {

// --- ByteBuffer ---

ByteBuffer* ByteBuffer::Make(std::string_view bytes, size_t capacity) {
  if (capacity < bytes.size()) capacity = bytes.size();
  void* mem = std::malloc(sizeof(ByteBuffer) + capacity);
  if (mem == nullptr) throw std::bad_alloc();
  ByteBuffer* b = new (mem) ByteBuffer();
  b->size_ = bytes.size();
  b->capacity_ = capacity;
  if (!bytes.empty()) std::memcpy(b->data(), bytes.data(), bytes.size());
  return b;
}

void ByteBuffer::Free(ByteBuffer* b) { std::free(b); }

ByteBuffer* ByteBuffer::Resize(ByteBuffer* b, size_t n) {
  constexpr size_t kDoubleBelow = size_t{1} << 20;
  if (n > b->capacity_) {
    const size_t cap = b->capacity_;
    size_t grown = cap < kDoubleBelow ? cap * 2 : cap + cap / 2;
    if (grown < n) grown = n;
    void* mem = std::realloc(b, sizeof(ByteBuffer) + grown);
    if (mem == nullptr) throw std::bad_alloc();
    b = static_cast<ByteBuffer*>(mem);
    b->capacity_ = grown;
  }
  if (n > b->size_) std::memset(b->data() + b->size_, 0, n - b->size_);
  b->size_ = n;
  return b;
}

size_t ByteBuffer::AllocatedBytes() const { return AllocationSize(this); }

bool IsCanonicalInt64(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative) i = 1;
  if (i == s.size()) return false;
  if (s[i] == '0') return s.size() == 1;  // "0" only: no leading zeroes, no "-0"
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  return negative ? v <= uint64_t{1} << 63 : v <= (uint64_t{1} << 63) - 1;
}

// --- strings ---

namespace {

// The longest string Redis keeps as "embstr" (OBJ_ENCODING_EMBSTR_SIZE_LIMIT).
constexpr size_t kEmbstrMaxBytes = 44;

// Redis's encoding name: "raw" once APPEND or SETRANGE edited the string in place, else "int"
// when it reads back as an int64 in canonical form, "embstr" up to 44 bytes, "raw" beyond.
std::string_view StringEncoding(const Entry& e) {
  if (e.edited()) return "raw";
  std::string_view v = e.value();
  if (IsCanonicalInt64(v)) return "int";
  return v.size() <= kEmbstrMaxBytes ? "embstr" : "raw";
}

void StringFree(void* object) { ByteBuffer::Free(static_cast<ByteBuffer*>(object)); }

void* StringCopy(const void* object) {
  const ByteBuffer* b = static_cast<const ByteBuffer*>(object);
  return ByteBuffer::Make(b->view(), b->size());
}

size_t StringMemory(const Entry& e) {
  return e.has_object() ? e.object_as<ByteBuffer>()->AllocatedBytes() : 0;
}

// Serialized form: Redis's RDB object (storage/rdb.h), type 0.
void StringSerialize(const Entry& e, std::string* out) { rdb::EncodeString(e.value(), out); }

Entry* StringDeserialize(std::string_view key, std::string_view payload, int64_t expire_ms) {
  std::optional<std::string> v = rdb::DecodeString(payload);
  return v ? Entry::Make(key, ValueType::kString, *v, expire_ms) : nullptr;
}

constexpr TypeOps kStringOps = {
    .name = "string",
    .encoding = StringEncoding,
    .free_object = StringFree,
    .copy_object = StringCopy,
    .memory_usage = StringMemory,
    .serialize = StringSerialize,
    .deserialize = StringDeserialize,
};

// The rows, by ValueType. The collection families register theirs (RegisterTypeOps).
const TypeOps* g_type_ops[kValueTypeCount] = {&kStringOps, &kRateLimitOps};

}  // namespace

const TypeOps& TypeOpsOf(ValueType type) {
  const TypeOps* ops = g_type_ops[static_cast<size_t>(type)];
  assert(ops != nullptr);
  return *ops;
}

bool HasTypeOps(ValueType type) {
  return static_cast<size_t>(type) < kValueTypeCount &&
         g_type_ops[static_cast<size_t>(type)] != nullptr;
}

const TypeOps* RegisterTypeOps(ValueType type, const TypeOps* ops) {
  const TypeOps* previous = g_type_ops[static_cast<size_t>(type)];
  g_type_ops[static_cast<size_t>(type)] = ops;
  return previous;
}

}  // namespace firn
