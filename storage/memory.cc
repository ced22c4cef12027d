#include "storage/memory.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>

#ifndef FIRN_NO_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace firn {

#ifndef FIRN_NO_JEMALLOC

int64_t ThreadAllocatedBytes() {
  // The pointers stay valid for the thread's life; look them up once per thread.
  thread_local uint64_t* allocated = nullptr;
  thread_local uint64_t* deallocated = nullptr;
  if (allocated == nullptr) {
    size_t len = sizeof(allocated);
    mallctl("thread.allocatedp", &allocated, &len, nullptr, 0);
    len = sizeof(deallocated);
    mallctl("thread.deallocatedp", &deallocated, &len, nullptr, 0);
  }
  return static_cast<int64_t>(*allocated - *deallocated);
}

size_t AllocationSize(const void* p) { return malloc_usable_size(const_cast<void*>(p)); }

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

int64_t ThreadAllocatedBytes() {
  struct mallinfo2 mi = mallinfo2();
  return static_cast<int64_t>(mi.uordblks + mi.hblkhd);
}

size_t AllocationSize(const void* p) { return malloc_usable_size(const_cast<void*>(p)); }

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
  s.allocated = ReadSizeStat("stats.allocated");
  s.active = ReadSizeStat("stats.active");
  s.resident = ReadSizeStat("stats.resident");
#else
  struct mallinfo2 mi = mallinfo2();
  s.allocated = mi.uordblks + mi.hblkhd;
  s.active = s.allocated;
  s.resident = s.allocated;
#endif
  s.rss = ReadRss();
  return s;
}

}  // namespace firn
