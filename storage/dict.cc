#include "storage/dict.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <utility>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace firn {
namespace {

Entry** AllocBuckets(size_t n) {
  void* mem = std::calloc(n, sizeof(Entry*));
  if (mem == nullptr) throw std::bad_alloc();
  return static_cast<Entry**>(mem);
}

size_t NextPow2(size_t n) {
  size_t s = 4;
  while (s < n) s <<= 1;
  return s;
}

uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
  v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
  return (v >> 32) | (v << 32);
}

// Points whatever linked to the removed entry (the bucket head or prev) at what follows it.
void Unchain(Entry** bucket, Entry* prev, Entry* following) {
  if (prev == nullptr) {
    *bucket = following;
  } else {
    prev->set_next(following);
  }
}

}  // namespace

uint64_t HashKey(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

Dict::~Dict() { Clear(); }

void Dict::Clear() {
  for (int t = 0; t < 2; ++t) {
    for (size_t i = 0; i < size_[t]; ++i) {
      Entry* e = table_[t][i];
      while (e != nullptr) {
        Entry* next = e->next();
        Entry::Free(e);
        e = next;
      }
    }
    std::free(table_[t]);
    table_[t] = nullptr;
    size_[t] = 0;
  }
  used_ = 0;
  rehash_idx_ = -1;
}

void Dict::Swap(Dict& other) {
  std::swap(table_, other.table_);
  std::swap(size_, other.size_);
  std::swap(used_, other.used_);
  std::swap(rehash_idx_, other.rehash_idx_);
}

Entry* Dict::Find(std::string_view key, uint64_t hash) {
  if (used_ == 0) return nullptr;
  StepIfRehashing();
  for (int t = 0; t < 2; ++t) {
    if (size_[t] == 0) continue;
    for (Entry* e = table_[t][hash & (size_[t] - 1)]; e != nullptr; e = e->next()) {
      if (e->key() == key) return e;
    }
    if (rehash_idx_ < 0) break;
  }
  return nullptr;
}

void Dict::Expand(size_t target) {
  size_t n = NextPow2(target);
  if (size_[0] == 0) {
    table_[0] = AllocBuckets(n);
    size_[0] = n;
    return;
  }
  if (rehashing() || n == size_[0]) return;
  table_[1] = AllocBuckets(n);
  size_[1] = n;
  rehash_idx_ = 0;
}

void Dict::Insert(Entry* e, uint64_t hash) {
  if (size_[0] == 0) Expand(kInitialSize);
  StepIfRehashing();
  if (!rehashing() && used_ >= size_[0] * kMaxLoadFactor) Expand(size_[0] * 2);
  int t = rehashing() ? 1 : 0;
  Entry** slot = &table_[t][hash & (size_[t] - 1)];
  e->set_next(*slot);
  *slot = e;
  ++used_;
}

Entry* Dict::Remove(std::string_view key, uint64_t hash) {
  if (used_ == 0) return nullptr;
  StepIfRehashing();
  for (int t = 0; t < 2; ++t) {
    if (size_[t] == 0) continue;
    Entry** bucket = &table_[t][hash & (size_[t] - 1)];
    Entry* prev = nullptr;
    for (Entry* e = *bucket; e != nullptr; prev = e, e = e->next()) {
      if (e->key() == key) {
        Unchain(bucket, prev, e->next());
        e->set_next(nullptr);
        --used_;
        return e;
      }
    }
    if (!rehashing()) break;
  }
  return nullptr;
}

Entry* Dict::Replace(Entry* old, Entry* fresh, uint64_t hash) {
  for (int t = 0; t < 2; ++t) {
    if (size_[t] == 0) continue;
    Entry** bucket = &table_[t][hash & (size_[t] - 1)];
    Entry* prev = nullptr;
    for (Entry* e = *bucket; e != nullptr; prev = e, e = e->next()) {
      if (e == old) {
        fresh->set_next(old->next());
        Unchain(bucket, prev, fresh);
        old->set_next(nullptr);
        return old;
      }
    }
  }
  return nullptr;
}

bool Dict::RehashSteps(int n) {
  if (!rehashing()) return false;
  int empty_visits = n * 10;
  while (n-- > 0 && used_ > 0) {
    while (static_cast<size_t>(rehash_idx_) < size_[0] && table_[0][rehash_idx_] == nullptr) {
      ++rehash_idx_;
      if (--empty_visits == 0) return true;
    }
    if (static_cast<size_t>(rehash_idx_) >= size_[0]) break;
    Entry* e = table_[0][rehash_idx_];
    while (e != nullptr) {
      Entry* next = e->next();
      Entry** slot = &table_[1][HashKey(e->key()) & (size_[1] - 1)];
      e->set_next(*slot);
      *slot = e;
      e = next;
    }
    table_[0][rehash_idx_] = nullptr;
    ++rehash_idx_;
  }
  FinishRehashIfDone();
  return rehashing();
}

void Dict::FinishRehashIfDone() {
  if (used_ != 0 && static_cast<size_t>(rehash_idx_) < size_[0]) return;
  std::free(table_[0]);
  table_[0] = table_[1];
  size_[0] = size_[1];
  table_[1] = nullptr;
  size_[1] = 0;
  rehash_idx_ = -1;
}

void Dict::MaybeShrink() {
  if (rehashing() || size_[0] <= kInitialSize) return;
  if (used_ * 8 >= size_[0]) return;
  size_t n = NextPow2(used_ == 0 ? kInitialSize : used_);
  if (n >= size_[0]) return;
  table_[1] = AllocBuckets(n);
  size_[1] = n;
  rehash_idx_ = 0;
}

uint64_t Dict::Scan(uint64_t v, const std::function<void(Entry*)>& fn) const {
  if (used_ == 0 || size_[0] == 0) return 0;
  auto emit = [&](Entry* e) {
    for (; e != nullptr; e = e->next()) fn(e);
  };
  if (!rehashing()) {
    uint64_t m0 = size_[0] - 1;
    emit(table_[0][v & m0]);
    v |= ~m0;
    v = ReverseBits(v);
    v++;
    v = ReverseBits(v);
    return v;
  }
  // Visit the small table's bucket, then every bucket of the large table that expands from it.
  int small = 0, large = 1;
  if (size_[small] > size_[large]) std::swap(small, large);
  uint64_t m0 = size_[small] - 1;
  uint64_t m1 = size_[large] - 1;
  emit(table_[small][v & m0]);
  do {
    emit(table_[large][v & m1]);
    v |= ~m1;
    v = ReverseBits(v);
    v++;
    v = ReverseBits(v);
  } while (v & (m0 ^ m1));
  return v;
}

size_t Dict::Sample(uint64_t random, Entry** out, size_t count) const {
  if (used_ == 0 || count == 0) return 0;
  size_t stored = 0;
  size_t max_steps = count * 10;
  const size_t largest = std::max(size_[0], size_[1]);
  size_t i = random & (largest - 1);
  size_t empty_run = 0;
  for (size_t step = 0; step < max_steps && stored < count; ++step) {
    for (int t = 0; t < 2 && stored < count; ++t) {
      if (size_[t] == 0) continue;
      // Buckets below the rehash index of table 0 are empty; skip them.
      if (t == 0 && rehashing() && static_cast<int64_t>(i & (size_[0] - 1)) < rehash_idx_) {
        continue;
      }
      Entry* e = table_[t][i & (size_[t] - 1)];
      if (e == nullptr) {
        // A long empty stretch: jump elsewhere, as Redis does after 5 empty buckets.
        if (++empty_run >= 5 && empty_run > count) {
          i = (random = random * 6364136223846793005ULL + 1442695040888963407ULL) >> 17;
          empty_run = 0;
        }
        continue;
      }
      empty_run = 0;
      for (; e != nullptr && stored < count; e = e->next()) out[stored++] = e;
    }
    i = (i + 1) & (largest - 1);
  }
  return stored;
}

Entry* Dict::Random(uint64_t (*rng)()) {
  if (used_ == 0) return nullptr;
  StepIfRehashing();
  Entry* head = nullptr;
  while (head == nullptr) {
    if (rehashing()) {
      // Buckets below rehash_idx_ in table 0 are empty: draw from the rest of both.
      size_t span = size_[0] + size_[1] - static_cast<size_t>(rehash_idx_);
      size_t i = static_cast<size_t>(rehash_idx_) + rng() % span;
      head = i >= size_[0] ? table_[1][i - size_[0]] : table_[0][i];
    } else {
      head = table_[0][rng() & (size_[0] - 1)];
    }
  }
  size_t len = 0;
  for (Entry* e = head; e != nullptr; e = e->next()) ++len;
  size_t pick = rng() % len;
  while (pick-- > 0) head = head->next();
  return head;
}

}  // namespace firn
