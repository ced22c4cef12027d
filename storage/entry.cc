#include "storage/entry.h"

#include <cassert>
#include <cstdlib>
#include <new>

#include "storage/memory.h"

namespace firn {
namespace {

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

const char* GetVarint(const char* p, uint64_t* v) {
  uint64_t result = 0;
  int shift = 0;
  while (true) {
    uint8_t byte = static_cast<uint8_t>(*p++);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
    shift += 7;
  }
  *v = result;
  return p;
}

}  // namespace

Entry* Entry::Make(std::string_view key, ValueType type, std::string_view value,
                   int64_t expire_ms) {
  const bool expires = expire_ms >= 0;
  size_t size = sizeof(Entry) + (expires ? 8 : 0) + VarintSize(key.size()) +
                VarintSize(value.size()) + key.size() + value.size();
  void* mem = std::malloc(size);
  if (mem == nullptr) throw std::bad_alloc();
  Entry* e = new (mem) Entry();
  e->set_next(nullptr);
  e->type_flags_ = static_cast<uint8_t>(type) | (expires ? kExpireBit : 0);
  e->evict_meta_ = 0;
  e->access_s_ = 0;
  char* p = e->Body();
  if (expires) {
    std::memcpy(p, &expire_ms, 8);
    p += 8;
  }
  p = PutVarint(p, key.size());
  p = PutVarint(p, value.size());
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  if (!value.empty()) std::memcpy(p + key.size(), value.data(), value.size());
  return e;
}

Entry* Entry::Remake(const Entry* old, std::string_view value, int64_t expire_ms) {
  Entry* e = Make(old->key(), old->type(), value, expire_ms);
  e->evict_meta_ = old->evict_meta_;
  e->access_s_ = old->access_s_;
  e->set_edited(old->edited());
  return e;
}

void Entry::Free(Entry* e) { std::free(e); }

size_t Entry::AllocatedBytes() const { return AllocationSize(this); }

std::string_view Entry::key() const {
  uint64_t klen, vlen;
  const char* p = GetVarint(GetVarint(Lengths(), &klen), &vlen);
  return {p, klen};
}

std::string_view Entry::value() const {
  uint64_t klen, vlen;
  const char* p = GetVarint(GetVarint(Lengths(), &klen), &vlen);
  return {p + klen, vlen};
}

char* Entry::mutable_value() { return const_cast<char*>(value().data()); }

}  // namespace firn
