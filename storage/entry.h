// Entry: one key and its value in a single allocation.
//
// Layout (byte offsets from the start of the allocation):
//
//   0   Entry* next        hash-chain link (the table is chained; see dict.h)
//   8   uint8  type_flags  low 4 bits ValueType, bit 4 set when an expiry is present, bit 5
//                          set when the string was edited in place (APPEND, SETRANGE), which
//                          Redis reports as the "raw" encoding whatever its length, bit 6 set
//                          when the value slot holds a pointer to an out-of-line object
//   9   uint8  evict_meta  eviction metadata (CLOCK reference bits / LFU log counter)
//   10  uint16 access_s    coarse access clock in seconds, mod 65536 (OBJECT IDLETIME)
//   12  [int64 expire_ms]  absolute Unix time in ms, only when the expiry bit is set
//   ..  varint key_len, varint value_len (LEB128, 1 byte each below 128)
//   ..  key bytes, value bytes (the slot: inline bytes, or an 8-byte object pointer with
//       bit 6 set, value_len 8)
//
// So "key:123456" with a 32-byte value takes 12 + 2 + 10 + 32 = 56 bytes, one 64-byte jemalloc
// size class, and the same key with a TTL still fits in 64. Redis spends a 24-byte dictEntry,
// a 16-byte robj and two sds headers on the same pair, plus a second dict entry for the TTL.
// The price: an inline value whose size changes is a new allocation (the caller relinks it),
// and the expiry is read with memcpy because it is not aligned. Values that change size often
// or are big live out of line (storage/value.h): the entry then holds a pointer, and freeing,
// copying and measuring it go through the type's TypeOps row.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "storage/value.h"

namespace firn {

class Entry {
 public:
  static constexpr int64_t kNoExpire = -1;

  // Allocates an entry holding copies of key and value. expire_ms < 0: no expiry. A string
  // of kMaxInlineStringBytes or more goes out of line, in a ByteBuffer.
  static Entry* Make(std::string_view key, ValueType type, std::string_view value,
                     int64_t expire_ms);
  // Allocates an entry whose slot owns object, an out-of-line object of type (freed through
  // TypeOpsOf(type) with the entry). REQUIRES: the type has a TypeOps row.
  static Entry* MakeObject(std::string_view key, ValueType type, void* object, int64_t expire_ms);
  // Allocates a copy of e with a different value and/or expiry (key, type and metadata kept).
  // e's own slot is untouched: the caller frees e as usual.
  static Entry* Remake(const Entry* e, std::string_view value, int64_t expire_ms);
  // Allocates an entry for key with expire_ms that takes over old's value slot (an object
  // moves, it is not copied) and metadata (eviction bits, access clock, edited flag), then
  // frees old's allocation but not its value. old is invalid afterwards. For expiry changes
  // that change the entry's shape, and RENAME.
  static Entry* Rehome(Entry* old, std::string_view key, int64_t expire_ms);
  // A deep copy of e under key (the object copied through its TypeOps), with e's expiry and
  // edited flag; fresh eviction metadata (COPY).
  static Entry* Clone(const Entry* e, std::string_view key);
  // Frees e and, through its type's TypeOps, the object its slot owns.
  static void Free(Entry* e);
  // Bytes the entry's own allocation takes (as jemalloc rounds it); an out-of-line object is
  // not included (TypeOps::memory_usage reports it).
  size_t AllocatedBytes() const;

  Entry* next() const {
    Entry* n;
    std::memcpy(&n, next_, sizeof(n));
    return n;
  }
  void set_next(Entry* n) { std::memcpy(next_, &n, sizeof(n)); }

  ValueType type() const { return static_cast<ValueType>(type_flags_ & 0x0f); }
  bool has_expire() const { return (type_flags_ & kExpireBit) != 0; }
  int64_t expire_ms() const {
    if (!has_expire()) return kNoExpire;
    int64_t v;
    std::memcpy(&v, Body(), sizeof(v));
    return v;
  }
  // REQUIRES: has_expire(). Changing the expiry of an entry that has one needs no realloc.
  void set_expire_ms(int64_t ms) { std::memcpy(Body(), &ms, sizeof(ms)); }
  bool IsExpired(int64_t now_ms) const { return has_expire() && expire_ms() <= now_ms; }

  // Whether the value was last written by an in-place edit (OBJECT ENCODING "raw").
  bool edited() const { return (type_flags_ & kEditedBit) != 0; }
  void set_edited(bool edited) {
    type_flags_ =
        static_cast<uint8_t>(edited ? type_flags_ | kEditedBit : type_flags_ & ~kEditedBit);
  }

  // Whether the slot holds a pointer to an out-of-line object.
  bool has_object() const { return (type_flags_ & kObjectBit) != 0; }
  // Whether value() applies: inline bytes, or a string's out-of-line ByteBuffer.
  bool has_bytes() const { return !has_object() || type() == ValueType::kString; }
  // The out-of-line object. REQUIRES: has_object().
  void* object() const;
  template <typename T>
  T* object_as() const {
    return static_cast<T*>(object());
  }
  // Replaces the object pointer (the old object is neither freed nor returned: the caller
  // moved or resized it). REQUIRES: has_object().
  void set_object(void* object);

  std::string_view key() const;
  // The value bytes: inline, or a string's ByteBuffer. REQUIRES: has_bytes().
  std::string_view value() const;
  // Mutable view of the value bytes, for in-place updates of the same length.
  // REQUIRES: has_bytes().
  char* mutable_value();

  uint8_t evict_meta() const { return evict_meta_; }
  void set_evict_meta(uint8_t m) { evict_meta_ = m; }
  uint16_t access_s() const { return access_s_; }
  void set_access_s(uint16_t s) { access_s_ = s; }

 private:
  static constexpr uint8_t kExpireBit = 0x10;
  static constexpr uint8_t kEditedBit = 0x20;
  static constexpr uint8_t kObjectBit = 0x40;

  static Entry* Allocate(std::string_view key, ValueType type, std::string_view slot,
                         int64_t expire_ms, bool object);
  // The slot's bytes as stored (for an object, the 8 pointer bytes).
  std::string_view Slot() const;

  Entry() = default;
  const char* Body() const { return reinterpret_cast<const char*>(this) + sizeof(Entry); }
  char* Body() { return reinterpret_cast<char*>(this) + sizeof(Entry); }
  // Start of the varint lengths.
  const char* Lengths() const { return Body() + (has_expire() ? 8 : 0); }

  // The link is kept as bytes so the header packs to 12 bytes with no padding.
  unsigned char next_[sizeof(Entry*)];
  uint8_t type_flags_;
  uint8_t evict_meta_;
  uint16_t access_s_;
};
static_assert(sizeof(Entry) == 12, "the entry header is 12 bytes");

}  // namespace firn
