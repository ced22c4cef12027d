// LazyFreer: a queue and one background thread that frees what the event loop hands it.
//
// What. The loop unlinks a value from its database (so no command can see it again), then
// passes the entry, or a whole flushed table, to the freer; the thread pops jobs in order and
// frees them through the same Entry::Free the loop would have called. Only values that cost
// more than kThreshold (64) allocations to free go to the thread, as Redis's lazyfree decides
// by its free effort: a compact hash of 500 fields is one buffer and is freed at once.
//
// Why. Freeing a 1M-member set or hash is a million free() calls, tens of milliseconds during
// which every other client waits. Redis moves that work to a bio thread for UNLINK and the
// ASYNC flushes; so does Firn. The thread allocates nothing of the keyspace's.
//
// Memory accounting. used_memory is the loop thread's jemalloc counters (allocated minus
// deallocated, storage/memory.h); blocks freed here are counted on this thread's counters,
// so the thread registers them as a helper and used_memory adds the helper's (negative)
// balance: a value freed in the background leaves used_memory when it is freed, not never.
// jemalloc's thread cache would otherwise keep up to a few MiB of the freed small blocks
// parked on this thread, out of the loop's reach; the cache is flushed after every job, and
// a big job's dirty pages are returned to the system (ReleaseFreedPages) so RSS follows.
//
// Cost. One mutex lock per queued value on the loop (only for big values); the thread sleeps
// on a condition variable when the queue is empty.
#include "storage/lazyfree.h"

#include <thread>

#include "storage/dict.h"
#include "storage/entry.h"
#include "storage/memory.h"
#include "storage/value.h"

namespace firn {

size_t FreeEffort(const Entry& e) {
  if (!e.has_object()) return 1;
  const TypeOps& ops = TypeOpsOf(e.type());
  return ops.free_effort != nullptr ? ops.free_effort(e) : 1;
}

LazyFreer& LazyFreer::Instance() {
  static LazyFreer* freer = new LazyFreer();  // never destroyed: its thread may be running
  return *freer;
}

bool LazyFreer::FreeEntry(Entry* e) {
  if (FreeEffort(*e) <= kThreshold) {
    Entry::Free(e);
    return false;
  }
  Push({e, nullptr});
  return true;
}

void LazyFreer::FreeDict(Dict* d) {
  if (d->size() == 0) {
    delete d;
    return;
  }
  Push({nullptr, d});
}

void LazyFreer::Push(Job job) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_) {
    started_ = true;
    std::thread([this] { Run(); }).detach();
  }
  queue_.push_back(job);
  pending_.fetch_add(1, std::memory_order_relaxed);
  ready_.notify_one();
}

void LazyFreer::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void LazyFreer::Run() {
  RegisterHelperThreadForMemoryAccounting();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    ready_.wait(lock, [this] { return !queue_.empty(); });
    const Job job = queue_.front();
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    if (job.entry != nullptr) {
      Entry::Free(job.entry);
    } else {
      delete job.dict;
    }
    FlushThreadCache();
    lock.lock();
    busy_ = false;
    pending_.fetch_sub(1, std::memory_order_relaxed);
    freed_.fetch_add(1, std::memory_order_relaxed);
    if (queue_.empty()) {
      lock.unlock();
      ReleaseFreedPages();
      lock.lock();
      if (queue_.empty()) idle_.notify_all();
    }
  }
}

}  // namespace firn
