// The value slot: what an entry's value is, and the one table that knows each type.
//
// An entry (storage/entry.h) holds its value in a slot that is either
//   - inline bytes, inside the entry's own allocation: small strings and limiter state, the
//     common case, so a `key:N` with a 32-byte value stays one 56-byte allocation; or
//   - an owning pointer to an out-of-line object (the entry's kObject bit is set): a
//     collection (hash, list, set, sorted set, stream), a string that was edited in place or
//     is big (a ByteBuffer below, with amortized growth), a long sliding-window log.
//
// Everything the engine does with a value without knowing its type (TYPE, OBJECT ENCODING,
// COPY, MEMORY USAGE, freeing, DUMP/snapshots/AOF rewrite) goes through the type's TypeOps
// row, so adding a type is adding a row, never a case in a switch spread through the
// commands. Not thread-safe: the event-loop thread owns every value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace firn {

enum class ValueType : uint8_t {
  kString = 0,
  kRateLimit = 1,  // RL.BUCKET / RL.WINDOW state; inline bytes start with a LimiterKind tag
  kHash = 2,
  kList = 3,
  kSet = 4,
  kZSet = 5,
  kStream = 6,
};
// One more than the largest ValueType; the entry keeps the type in 4 bits.
inline constexpr size_t kValueTypeCount = 7;

class Entry;

// One row per value type. Functions that take an Entry see a live entry of this type; those
// that take an object see the out-of-line object of such an entry (never called for an
// inline slot). Every function is required unless its comment says otherwise.
struct TypeOps {
  // TYPE's answer ("string", "hash", ...), also matched by SCAN ... TYPE.
  std::string_view name;
  // OBJECT ENCODING's answer for this value ("embstr", "listpack", ...).
  std::string_view (*encoding)(const Entry& e);
  // Frees an out-of-line object (Entry::Free calls it). nullptr: the type is always inline.
  void (*free_object)(void* object);
  // A deep copy of an out-of-line object, owned by the caller (COPY). nullptr: always inline.
  void* (*copy_object)(const void* object);
  // Bytes the value takes outside its entry's allocation (0 for an inline slot); MEMORY
  // USAGE adds them to the entry's own.
  size_t (*memory_usage)(const Entry& e);
  // Appends the value's payload to *out: self-contained bytes (no key, type or expiry) from
  // which deserialize rebuilds an equal value. For DUMP/RESTORE, snapshots and AOF rewrite.
  void (*serialize)(const Entry& e, std::string* out);
  // A new entry for key with expire_ms (< 0: none) holding the value serialize wrote, or
  // nullptr when payload does not decode. The caller owns the entry (Db::Adopt stores it).
  Entry* (*deserialize)(std::string_view key, std::string_view payload, int64_t expire_ms);
  // Optional: about how many allocations freeing the object takes (1 for a compact value,
  // the element count for a table or tree), which decides whether UNLINK frees it in the
  // background (storage/lazyfree.h). nullptr: 1.
  size_t (*free_effort)(const Entry& e) = nullptr;
};

// The row of a type. REQUIRES: the type has one (strings and limiters always do; the
// collection types once their family registers them).
const TypeOps& TypeOpsOf(ValueType type);
// Whether type has a row.
bool HasTypeOps(ValueType type);
// Installs ops as type's row (nullptr removes it) and returns the previous row. The
// collection families call this once at startup; tests use it to install probe types.
// REQUIRES: no live entry of type while its row changes.
const TypeOps* RegisterTypeOps(ValueType type, const TypeOps* ops);

// Bytes held out of line with amortized growth: the slot of a string edited in place
// (APPEND, SETRANGE) or too big to be worth copying when its entry is relinked. Growth is
// geometric (doubling up to 1 MiB, then by half), so n appends cost O(total bytes) copied.
// One allocation: this header, then the bytes.
class ByteBuffer {
 public:
  // A buffer holding a copy of bytes with room for at least capacity bytes.
  static ByteBuffer* Make(std::string_view bytes, size_t capacity);
  static void Free(ByteBuffer* b);
  // Sets the size to n, keeping the first min(n, size) bytes; new bytes are zero. Grows the
  // capacity geometrically when n exceeds it. Returns the buffer to use from now on (b is
  // invalid if it differs).
  static ByteBuffer* Resize(ByteBuffer* b, size_t n);

  std::string_view view() const { return {data(), size_}; }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  char* data() { return reinterpret_cast<char*>(this + 1); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  // Bytes the allocation takes (as the allocator rounds it).
  size_t AllocatedBytes() const;

 private:
  ByteBuffer() = default;
  uint64_t size_;
  uint64_t capacity_;
};

// Strings at least this long are stored out of line (a ByteBuffer of their exact size), so
// changing their expiry or renaming them relinks the entry without copying the bytes.
inline constexpr size_t kMaxInlineStringBytes = 16 * 1024;

// Whether s is an integer in canonical form that fits int64 (Redis's "int" encoding).
bool IsCanonicalInt64(std::string_view s);

}  // namespace firn
