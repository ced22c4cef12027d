#include "storage/db.h"

#include <algorithm>
#include <vector>

#include "storage/evict.h"
#include "storage/lazyfree.h"

namespace firn {

Entry* Db::Find(std::string_view key, int64_t now_ms) {
  uint64_t hash = HashKey(key);
  Entry* e = dict_.Find(key, hash);
  if (e != nullptr && e->IsExpired(now_ms)) {
    if (stats_->expiry_paused) [[unlikely]] return nullptr;
    Unlink(e, hash);
    signal_->Fire(index_, key, KeyEvent::kExpired);
    Release(e, stats_->lazy_expire);
    ++stats_->expired_keys;
    return nullptr;
  }
  return e;
}

Entry* Db::FindReading(std::string_view key, int64_t now_ms) {
  uint64_t hash = HashKey(key);
  Entry* e = dict_.Find(key, hash);
  if (e == nullptr) {
    signal_->Hint(index_, key, KeyEvent::kMiss);  // keymiss, for keyspace notifications
    return nullptr;
  }
  if (e->IsExpired(now_ms)) {
    Unlink(e, hash);
    signal_->Fire(index_, key, KeyEvent::kExpired);
    Release(e, stats_->lazy_expire);
    ++stats_->expired_keys;
    signal_->Hint(index_, key, KeyEvent::kMiss);
    return nullptr;
  }
  return e;
}

Entry* Db::FindForInspect(std::string_view key, int64_t now_ms) {
  Entry* e = FindReading(key, now_ms);
  ++(e == nullptr ? stats_->keyspace_misses : stats_->keyspace_hits);
  return e;
}

Entry* Db::FindForRead(std::string_view key, int64_t now_ms) {
  Entry* e = FindForInspect(key, now_ms);
  if (e != nullptr) evictor_->Touch(e, now_ms);
  return e;
}

Entry* Db::FindForWrite(std::string_view key, int64_t now_ms) {
  Entry* e = Find(key, now_ms);
  if (e != nullptr) evictor_->Touch(e, now_ms);
  return e;
}

Entry* Db::Put(std::string_view key, ValueType type, std::string_view value, int64_t expire_ms,
               int64_t now_ms) {
  uint64_t hash = HashKey(key);
  Entry* old = dict_.Find(key, hash);
  if (old != nullptr && old->type() == type && !old->IsExpired(now_ms)) {
    Entry* e = Rewrite(old, value, expire_ms);
    e->set_edited(false);  // a new value, as Redis's new string object
    evictor_->Touch(e, now_ms);
    return e;  // Rewrite signalled
  }
  return Store(Entry::Make(key, type, value, expire_ms), hash, old, now_ms);
}

Entry* Db::PutObject(std::string_view key, ValueType type, void* object, int64_t expire_ms,
                     int64_t now_ms) {
  uint64_t hash = HashKey(key);
  return Store(Entry::MakeObject(key, type, object, expire_ms), hash, dict_.Find(key, hash),
               now_ms);
}

Entry* Db::Store(Entry* e, uint64_t hash, Entry* old, int64_t now_ms) {
  // A key whose expiry passed is replaced by a new one, as Redis expires it first.
  const bool created = old == nullptr || old->IsExpired(now_ms);
  if (old != nullptr) {
    evictor_->Touch(e, now_ms);
  } else {
    evictor_->Admit(e, now_ms);
  }
  if (old != nullptr) {
    if (old->IsExpired(now_ms)) ++stats_->expired_keys;
    Track(old, -1);
    dict_.Replace(old, e, hash);
    Release(old, old->IsExpired(now_ms) ? stats_->lazy_expire : stats_->lazy_server_del);
  } else {
    dict_.Insert(e, hash);
  }
  Track(e, +1);
  if (created) signal_->Hint(index_, e->key(), KeyEvent::kNew);
  signal_->FireFor(index_, e, KeyEvent::kWrite);
  return e;
}

void Db::Relink(Entry* old, Entry* fresh) {
  dict_.Replace(old, fresh, HashKey(fresh->key()));
  Track(old, -1);
  Track(fresh, +1);
}

Entry* Db::Rewrite(Entry* e, std::string_view value, int64_t expire_ms) {
  const bool want_expire = expire_ms >= 0;
  if (!e->has_object() && want_expire == e->has_expire()) [[likely]] {
    std::string_view current = e->value();
    if (value.size() == current.size()) {
      // Same shape: update in place, no allocation.
      if (value.data() != current.data() && !value.empty()) {
        std::memmove(const_cast<char*>(current.data()), value.data(), value.size());
      }
      if (want_expire) e->set_expire_ms(expire_ms);
      signal_->FireFor(index_, e, KeyEvent::kWrite);
      return e;
    }
  }
  Entry* fresh = Entry::Remake(e, value, expire_ms);
  Relink(e, fresh);
  Entry::Free(e);  // after Remake: value may point into e
  signal_->FireFor(index_, fresh, KeyEvent::kWrite);
  return fresh;
}

Entry* Db::SetExpire(Entry* e, int64_t expire_ms) {
  const bool want_expire = expire_ms >= 0;
  if (want_expire == e->has_expire()) {
    if (want_expire) e->set_expire_ms(expire_ms);
    signal_->FireFor(index_, e, KeyEvent::kWrite);
    return e;
  }
  // The expiry's 8 bytes come or go: a new shell around the same slot.
  uint64_t hash = HashKey(e->key());
  Track(e, -1);
  dict_.Remove(e->key(), hash);
  Entry* fresh = Entry::Rehome(e, e->key(), expire_ms);
  dict_.Insert(fresh, hash);
  Track(fresh, +1);
  signal_->FireFor(index_, fresh, KeyEvent::kWrite);
  return fresh;
}

Entry* Db::EditableBytes(Entry* e, size_t n) {
  if (!e->has_object()) {
    // First edit: move the bytes out of line, with room to grow.
    std::string_view v = e->value();
    const size_t room = n > v.size() ? n : v.size();
    ByteBuffer* b = ByteBuffer::Make(v, room < 32 ? 64 : room * 2);
    Entry* fresh = Entry::MakeObject(e->key(), e->type(), b, e->expire_ms());
    fresh->set_evict_meta(e->evict_meta());
    fresh->set_access_s(e->access_s());
    Relink(e, fresh);
    Entry::Free(e);
    e = fresh;
  }
  ByteBuffer* b = e->object_as<ByteBuffer>();
  ByteBuffer* resized = ByteBuffer::Resize(b, n);
  if (resized != b) e->set_object(resized);
  return e;
}

Entry* Db::AppendBytes(Entry* e, std::string_view tail) {
  const size_t old_size = e->value().size();
  e = EditableBytes(e, old_size + tail.size());
  if (!tail.empty()) std::memcpy(e->mutable_value() + old_size, tail.data(), tail.size());
  e->set_edited(true);
  signal_->FireFor(index_, e, KeyEvent::kWrite);
  return e;
}

Entry* Db::WriteBytes(Entry* e, size_t offset, std::string_view patch) {
  const size_t old_size = e->value().size();
  const size_t end = offset + patch.size();
  e = EditableBytes(e, end > old_size ? end : old_size);
  if (!patch.empty()) std::memcpy(e->mutable_value() + offset, patch.data(), patch.size());
  e->set_edited(true);
  signal_->FireFor(index_, e, KeyEvent::kWrite);
  return e;
}

bool Db::Delete(std::string_view key, int64_t now_ms, FreeMode mode) {
  Entry* e = Find(key, now_ms);
  if (e == nullptr) return false;
  Erase(e, KeyEvent::kDelete, mode);
  return true;
}

void Db::Unlink(Entry* e, uint64_t hash) {
  dict_.Remove(e->key(), hash);
  Track(e, -1);
}

void Db::Release(Entry* e, bool lazy) {
  if (lazy) {
    LazyFreer::Instance().FreeEntry(e);
  } else {
    Entry::Free(e);
  }
}

void Db::Erase(Entry* e, KeyEvent event, FreeMode mode) {
  Unlink(e, HashKey(e->key()));
  signal_->FireFor(index_, e, event);
  bool lazy = mode == FreeMode::kBackground;
  if (mode == FreeMode::kByPolicy) {
    lazy = event == KeyEvent::kExpired   ? stats_->lazy_expire
           : event == KeyEvent::kEvicted ? stats_->lazy_eviction
                                         : stats_->lazy_server_del;
  }
  Release(e, lazy);
}

Entry* Db::Detach(Entry* e) {
  Unlink(e, HashKey(e->key()));
  signal_->FireFor(index_, e, KeyEvent::kDelete);
  return e;
}

void Db::Adopt(Entry* e) {
  dict_.Insert(e, HashKey(e->key()));
  Track(e, +1);
  signal_->Hint(index_, e->key(), KeyEvent::kNew);
  signal_->FireFor(index_, e, KeyEvent::kWrite);
}

uint64_t Db::Scan(uint64_t cursor, int64_t now_ms, const std::function<void(Entry*)>& fn) const {
  return dict_.Scan(cursor, [&](Entry* e) {
    if (!e->IsExpired(now_ms)) fn(e);
  });
}

Entry* Db::Random(int64_t now_ms) {
  // Expired entries drawn are deleted and the draw repeats, as Redis's RANDOMKEY does: every
  // round either returns a live key or shrinks the table, so it ends.
  while (dict_.size() > 0) {
    Entry* e = dict_.Random([]() -> uint64_t {
      static uint64_t state = 0x9E3779B97F4A7C15ULL;
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      return state;
    });
    if (e == nullptr) return nullptr;
    if (!e->IsExpired(now_ms)) return e;
    Erase(e, KeyEvent::kExpired);
    ++stats_->expired_keys;
  }
  return nullptr;
}

Db::ExpireStep Db::ActiveExpire(int64_t now_ms, uint64_t* cursor, size_t max_buckets) {
  ExpireStep step;
  if (expires_ == 0) return step;
  std::vector<Entry*> expired;
  int64_t ttl_sum = 0;
  size_t ttl_count = 0;
  uint64_t c = *cursor;
  for (size_t i = 0; i < max_buckets; ++i) {
    c = dict_.Scan(c, [&](Entry* e) {
      if (!e->has_expire()) return;
      ++step.sampled;
      int64_t left = e->expire_ms() - now_ms;
      if (left <= 0) {
        expired.push_back(e);
      } else {
        ttl_sum += left;
        ++ttl_count;
        step.earliest_expire_ms = std::min(step.earliest_expire_ms, e->expire_ms());
      }
    });
    if (c == 0) break;
  }
  *cursor = c;
  for (Entry* e : expired) Erase(e, KeyEvent::kExpired);
  step.expired = expired.size();
  stats_->expired_keys += expired.size();
  if (ttl_count > 0) {
    // Running estimate, as Redis keeps: new samples weigh 2%.
    int64_t avg = ttl_sum / static_cast<int64_t>(ttl_count);
    avg_ttl_ms_ = avg_ttl_ms_ == 0 ? avg : (avg_ttl_ms_ / 50) * 49 + avg / 50;
  }
  if (expires_ == 0) avg_ttl_ms_ = 0;
  return step;
}

void Db::Cron(int rehash_steps) {
  if (dict_.rehashing()) {
    dict_.RehashSteps(rehash_steps);
  } else {
    dict_.MaybeShrink();
  }
}

void Db::Clear(bool lazy) {
  const bool had_keys = dict_.size() > 0;
  if (lazy && had_keys) {
    auto* old = new Dict();
    old->Swap(dict_);
    LazyFreer::Instance().FreeDict(old);
  } else {
    dict_.Clear();
  }
  expires_ = 0;
  avg_ttl_ms_ = 0;
  if (had_keys) signal_->Fire(index_, {}, KeyEvent::kFlush);
}

void Db::Swap(Db& other) {
  dict_.Swap(other.dict_);
  std::swap(expires_, other.expires_);
  std::swap(avg_ttl_ms_, other.avg_ttl_ms_);
  signal_->Fire(index_, {}, KeyEvent::kSwap);
  signal_->Fire(other.index_, {}, KeyEvent::kSwap);
}

}  // namespace firn
