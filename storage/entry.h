// Entry: one key and its value in a single allocation.
//
// Layout (byte offsets from the start of the allocation):
//
//   0   Entry* next        hash-chain link (the table is chained; see dict.h)
//   8   uint8  type_flags  low 4 bits ValueType, bit 4 set when an expiry is present, bit 5
//                          set when the string was edited in place (APPEND, SETRANGE), which
//                          Redis reports as the "raw" encoding whatever its length
//   9   uint8  evict_meta  eviction metadata (CLOCK reference bits / LFU log counter)
//   10  uint16 access_s    coarse access clock in seconds, mod 65536 (OBJECT IDLETIME)
//   12  [int64 expire_ms]  absolute Unix time in ms, only when the expiry bit is set
//   ..  varint key_len, varint value_len (LEB128, 1 byte each below 128)
//   ..  key bytes, value bytes
//
// So "key:123456" with a 32-byte value takes 12 + 2 + 10 + 32 = 56 bytes, one 64-byte jemalloc
// size class, and the same key with a TTL still fits in 64. Redis spends a 24-byte dictEntry,
// a 16-byte robj and two sds headers on the same pair, plus a second dict entry for the TTL.
// The price: a value whose size changes is a new allocation (the caller relinks it), and the
// expiry is read with memcpy because it is not aligned.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace firn {

enum class ValueType : uint8_t {
  kString = 0,
  kRateLimit = 1,  // RL.BUCKET / RL.WINDOW state; the value bytes start with a subtype tag
};

class Entry {
 public:
  static constexpr int64_t kNoExpire = -1;

  // Allocates an entry holding copies of key and value. expire_ms < 0: no expiry.
  static Entry* Make(std::string_view key, ValueType type, std::string_view value,
                     int64_t expire_ms);
  // Allocates a copy of e with a different value and/or expiry (key, type and metadata kept).
  static Entry* Remake(const Entry* e, std::string_view value, int64_t expire_ms);
  static void Free(Entry* e);
  // Bytes the allocation takes (as jemalloc rounds it).
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
    type_flags_ = static_cast<uint8_t>(edited ? type_flags_ | kEditedBit : type_flags_ & ~kEditedBit);
  }

  std::string_view key() const;
  std::string_view value() const;
  // Mutable view of the value bytes, for in-place updates of the same length.
  char* mutable_value();

  uint8_t evict_meta() const { return evict_meta_; }
  void set_evict_meta(uint8_t m) { evict_meta_ = m; }
  uint16_t access_s() const { return access_s_; }
  void set_access_s(uint16_t s) { access_s_ = s; }

 private:
  static constexpr uint8_t kExpireBit = 0x10;
  static constexpr uint8_t kEditedBit = 0x20;

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
