#include "storage/memory.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>

#ifndef FIRN_NO_JEMALLOC
#include <jemalloc/jemalloc.h>
#elif defined(__SANITIZE_ADDRESS__)
// From ASan's runtime (sanitizer/allocator_interface.h, not packaged with gcc here).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace firn {

#ifndef FIRN_NO_JEMALLOC

namespace {
// jemalloc's per-thread counters of the bound thread; plain 64-bit words.
const volatile uint64_t* g_allocated = nullptr;
const volatile uint64_t* g_deallocated = nullptr;
// The helper thread's (storage/lazyfree.cc), published once it runs.
std::atomic<const volatile uint64_t*> g_helper_allocated{nullptr};
std::atomic<const volatile uint64_t*> g_helper_deallocated{nullptr};
}  // namespace

void RegisterHelperThreadForMemoryAccounting() {
  uint64_t* allocated = nullptr;
  uint64_t* deallocated = nullptr;
  size_t len = sizeof(allocated);
  mallctl("thread.allocatedp", &allocated, &len, nullptr, 0);
  len = sizeof(deallocated);
  mallctl("thread.deallocatedp", &deallocated, &len, nullptr, 0);
  g_helper_allocated.store(allocated, std::memory_order_relaxed);
  g_helper_deallocated.store(deallocated, std::memory_order_release);
}

void FlushThreadCache() { mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0); }

void BindMemoryAccountingToThisThread() {
  uint64_t* allocated = nullptr;
  uint64_t* deallocated = nullptr;
  size_t len = sizeof(allocated);
  mallctl("thread.allocatedp", &allocated, &len, nullptr, 0);
  len = sizeof(deallocated);
  mallctl("thread.deallocatedp", &deallocated, &len, nullptr, 0);
  g_allocated = allocated;
  g_deallocated = deallocated;
}

int64_t UsedMemoryBytes() {
  if (g_allocated == nullptr) BindMemoryAccountingToThisThread();
  uint64_t net = *g_allocated - *g_deallocated;
  if (const volatile uint64_t* d = g_helper_deallocated.load(std::memory_order_acquire)) {
    net += *g_helper_allocated.load(std::memory_order_relaxed) - *d;  // wraps: a net free
  }
  return static_cast<int64_t>(net);
}

size_t AllocationSize(const void* p) { return malloc_usable_size(const_cast<void*>(p)); }

void ReleaseFreedPages() {
  // Flush this thread's cache first, so its freed blocks reach the arenas being purged.
  mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);
  char name[64];
  std::snprintf(name, sizeof(name), "arena.%u.purge", static_cast<unsigned>(MALLCTL_ARENAS_ALL));
  mallctl(name, nullptr, nullptr, nullptr, 0);
}

const char* AllocatorName() {
  static char name[64];
  if (name[0] == '\0') {
    const char* version = nullptr;
    size_t len = sizeof(version);
    if (mallctl("version", &version, &len, nullptr, 0) == 0 && version != nullptr) {
      std::snprintf(name, sizeof(name), "jemalloc-%.*s", 5, version);
    } else {
      std::snprintf(name, sizeof(name), "jemalloc");
    }
  }
  return name;
}

static uint64_t ReadSizeStat(const char* name) {
  size_t value = 0;
  size_t len = sizeof(value);
  if (mallctl(name, &value, &len, nullptr, 0) != 0) return 0;
  return value;
}

#else

void BindMemoryAccountingToThisThread() {}

void RegisterHelperThreadForMemoryAccounting() {}

void FlushThreadCache() {}

int64_t UsedMemoryBytes() {
#ifdef __SANITIZE_ADDRESS__
  // ASan's allocator replaces glibc's, whose mallinfo2 then reads zero.
  return static_cast<int64_t>(__sanitizer_get_current_allocated_bytes());
#else
  struct mallinfo2 mi = mallinfo2();
  return static_cast<int64_t>(mi.uordblks + mi.hblkhd);
#endif
}

size_t AllocationSize(const void* p) { return malloc_usable_size(const_cast<void*>(p)); }

void ReleaseFreedPages() { malloc_trim(0); }

const char* AllocatorName() { return "libc"; }

#endif

static uint64_t ReadRss() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long pages_total = 0, pages_resident = 0;
  int n = std::fscanf(f, "%lu %lu", &pages_total, &pages_resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<uint64_t>(pages_resident) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

MemoryStats ReadMemoryStats() {
  MemoryStats s;
#ifndef FIRN_NO_JEMALLOC
  uint64_t epoch = 1;
  size_t len = sizeof(epoch);
  mallctl("epoch", &epoch, &len, &epoch, len);
  s.allocator_allocated = ReadSizeStat("stats.allocated");
  s.allocated = static_cast<uint64_t>(std::max<int64_t>(0, UsedMemoryBytes()));
  s.active = ReadSizeStat("stats.active");
  s.resident = ReadSizeStat("stats.resident");
#else
  s.allocated = static_cast<uint64_t>(UsedMemoryBytes());
  s.allocator_allocated = s.allocated;
  s.active = s.allocated;
  s.resident = s.allocated;
#endif
  s.rss = ReadRss();
  return s;
}

}  // namespace firn
