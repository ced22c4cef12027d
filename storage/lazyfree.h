// LazyFreer: frees big values on a background thread (UNLINK, FLUSHALL/FLUSHDB ASYNC, and DEL
// under lazyfree-lazy-user-del), so the event loop does not stall for the milliseconds a
// million-member collection takes to free.
//
// Contract. FreeEntry(e) takes ownership of an entry already unlinked from its database:
// when freeing it takes more than kThreshold allocations (its type's TypeOps::free_effort)
// it is queued for the background thread, else it is freed at once. FreeDict(d) takes a
// whole table of entries (a flushed database) and always queues it when non-empty. Queued
// values are freed in the order queued; nothing else may reference them.
//
// Thread-safety. FreeEntry, FreeDict, pending() and freed() may be called from any thread;
// the entries handed over are touched by the background thread only. One freer (and one
// thread, started on first use) serves the process.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

namespace firn {

class Entry;
class Dict;

class LazyFreer {
 public:
  // Redis's LAZYFREE_THRESHOLD: values of at most this many allocations are freed inline,
  // where queueing would cost more than freeing.
  static constexpr size_t kThreshold = 64;

  // The process's freer.
  static LazyFreer& Instance();

  // Frees e now or in the background (see above); returns whether it was queued.
  bool FreeEntry(Entry* e);
  // Frees every entry of d, and d, in the background.
  void FreeDict(Dict* d);
  // Blocks until everything queued so far is freed (tests, shutdown).
  void Drain();

  // Values queued and not freed yet (INFO lazyfree_pending_objects).
  size_t pending() const { return pending_.load(std::memory_order_relaxed); }
  // Values freed in the background so far (INFO lazyfreed_objects).
  uint64_t freed() const { return freed_.load(std::memory_order_relaxed); }
  // CONFIG RESETSTAT: freed() counts from zero again.
  void ResetFreed() { freed_.store(0, std::memory_order_relaxed); }

 private:
  LazyFreer() = default;
  struct Job {
    Entry* entry;
    Dict* dict;
  };
  void Push(Job job);
  void Run();

  std::mutex mu_;
  std::condition_variable ready_;
  std::condition_variable idle_;
  std::deque<Job> queue_;
  bool started_ = false;
  bool busy_ = false;
  std::atomic<size_t> pending_{0};
  std::atomic<uint64_t> freed_{0};
};

// Allocations freeing e's value takes (TypeOps::free_effort, 1 when the type has none).
size_t FreeEffort(const Entry& e);

}  // namespace firn
