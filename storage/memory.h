// Memory accounting on jemalloc's own figures.
//
// maxmemory is enforced on what the allocator reports, not on estimates. The cheap figure,
// read on the write path, is this thread's allocated minus deallocated bytes (jemalloc keeps
// both as per-thread counters we can read through a pointer: two loads). Every allocation of
// the keyspace happens on the event-loop thread, so that difference is the dataset plus the
// loop's own buffers. The full picture (stats.allocated, resident, ...) needs an epoch refresh
// and is read only for INFO and metrics.
//
// Builds without jemalloc (the sanitizer build: ASan brings its own allocator) fall back to
// glibc's mallinfo2, which is slower and approximate but keeps the same interface.
#pragma once

#include <cstddef>
#include <cstdint>

namespace firn {

struct MemoryStats {
  uint64_t allocated = 0;  // bytes in live allocations (used_memory)
  uint64_t active = 0;     // bytes in active pages
  uint64_t resident = 0;   // bytes resident in the allocator's mappings
  uint64_t rss = 0;        // the process's resident set (used_memory_rss), from /proc
};

// Bytes currently allocated by the calling thread's net allocations (cheap).
int64_t ThreadAllocatedBytes();
// Allocator-wide statistics (refreshes jemalloc's epoch; not for the hot path).
MemoryStats ReadMemoryStats();
// The usable size of an allocation.
size_t AllocationSize(const void* p);
// Name of the allocator for INFO ("jemalloc-5.3.0" or "libc").
const char* AllocatorName();

}  // namespace firn
