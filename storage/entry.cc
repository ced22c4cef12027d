#include "storage/entry.h"

#include <cassert>
#include <cstdlib>
#include <new>

#include "storage/memory.h"
#include "storage/varint.h"

namespace firn {

Entry* Entry::Allocate(std::string_view key, ValueType type, std::string_view slot,
                       int64_t expire_ms, bool object) {
  const bool expires = expire_ms >= 0;
  size_t size = sizeof(Entry) + (expires ? 8 : 0) + VarintSize(key.size()) +
                VarintSize(slot.size()) + key.size() + slot.size();
  void* mem = std::malloc(size);
  if (mem == nullptr) throw std::bad_alloc();
  Entry* e = new (mem) Entry();
  e->set_next(nullptr);
  e->type_flags_ = static_cast<uint8_t>(static_cast<uint8_t>(type) | (expires ? kExpireBit : 0) |
                                        (object ? kObjectBit : 0));
  e->evict_meta_ = 0;
  e->access_s_ = 0;
  char* p = e->Body();
  if (expires) {
    std::memcpy(p, &expire_ms, 8);
    p += 8;
  }
  p = PutVarint(p, key.size());
  p = PutVarint(p, slot.size());
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  if (!slot.empty()) std::memcpy(p + key.size(), slot.data(), slot.size());
  return e;
}

Entry* Entry::Make(std::string_view key, ValueType type, std::string_view value,
                   int64_t expire_ms) {
  if (type == ValueType::kString && value.size() >= kMaxInlineStringBytes) [[unlikely]] {
    return MakeObject(key, type, ByteBuffer::Make(value, value.size()), expire_ms);
  }
  return Allocate(key, type, value, expire_ms, false);
}

Entry* Entry::MakeObject(std::string_view key, ValueType type, void* object, int64_t expire_ms) {
  char bytes[sizeof(object)];
  std::memcpy(bytes, &object, sizeof(object));
  return Allocate(key, type, std::string_view(bytes, sizeof(bytes)), expire_ms, true);
}

Entry* Entry::Remake(const Entry* old, std::string_view value, int64_t expire_ms) {
  Entry* e = Make(old->key(), old->type(), value, expire_ms);
  e->evict_meta_ = old->evict_meta_;
  e->access_s_ = old->access_s_;
  e->set_edited(old->edited());
  return e;
}

Entry* Entry::Rehome(Entry* old, std::string_view key, int64_t expire_ms) {
  Entry* e = Allocate(key, old->type(), old->Slot(), expire_ms, old->has_object());
  e->evict_meta_ = old->evict_meta_;
  e->access_s_ = old->access_s_;
  e->set_edited(old->edited());
  std::free(old);  // the slot (an object pointer or inline bytes) now lives in e
  return e;
}

Entry* Entry::Clone(const Entry* src, std::string_view key) {
  Entry* e;
  if (src->has_object()) {
    e = MakeObject(key, src->type(), TypeOpsOf(src->type()).copy_object(src->object()),
                   src->expire_ms());
  } else {
    e = Allocate(key, src->type(), src->Slot(), src->expire_ms(), false);
  }
  e->set_edited(src->edited());  // Redis's copy keeps the encoding ("raw" stays "raw")
  return e;
}

void Entry::Free(Entry* e) {
  if (e->has_object()) TypeOpsOf(e->type()).free_object(e->object());
  std::free(e);
}

size_t Entry::AllocatedBytes() const { return AllocationSize(this); }

std::string_view Entry::key() const {
  uint64_t klen, vlen;
  const char* p = GetVarint(GetVarint(Lengths(), &klen), &vlen);
  return {p, klen};
}

std::string_view Entry::Slot() const {
  uint64_t klen, vlen;
  const char* p = GetVarint(GetVarint(Lengths(), &klen), &vlen);
  return {p + klen, vlen};
}

void* Entry::object() const {
  assert(has_object());
  void* object;
  std::memcpy(&object, Slot().data(), sizeof(object));
  return object;
}

void Entry::set_object(void* object) {
  assert(has_object());
  std::memcpy(const_cast<char*>(Slot().data()), &object, sizeof(object));
}

std::string_view Entry::value() const {
  uint64_t klen, vlen;
  const char* p = GetVarint(GetVarint(Lengths(), &klen), &vlen);
  if (has_object()) [[unlikely]] {
    assert(type() == ValueType::kString);
    const ByteBuffer* b;
    std::memcpy(&b, p + klen, sizeof(b));
    return b->view();
  }
  return {p + klen, vlen};
}

char* Entry::mutable_value() { return const_cast<char*>(value().data()); }

}  // namespace firn
