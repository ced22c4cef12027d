// Memory accounting on jemalloc's own figures.
//
// maxmemory is enforced on what the allocator reports, not on estimates. The cheap figure,
// read on the write path, is the event-loop thread's allocated minus deallocated bytes
// (jemalloc keeps both as per-thread counters we can read through a pointer: two loads). Every
// allocation of the keyspace happens on that thread, so the difference is the dataset plus
// the loop's own buffers, and allocations of helper threads (the metrics endpoint) stay out. The full picture (stats.allocated, resident, ...) needs an epoch refresh
// and is read only for INFO and metrics.
//
// Builds without jemalloc (the sanitizer build: ASan brings its own allocator) fall back to
// glibc's mallinfo2, which is slower and approximate but keeps the same interface.
#pragma once

#include <cstddef>
#include <cstdint>

namespace firn {

struct MemoryStats {
  // used_memory: UsedMemoryBytes(), the figure maxmemory is enforced on.
  uint64_t allocated = 0;
  uint64_t allocator_allocated = 0;  // jemalloc's stats.allocated, every thread included
  uint64_t active = 0;     // bytes in active pages
  uint64_t resident = 0;   // bytes resident in the allocator's mappings
  uint64_t rss = 0;        // the process's resident set (used_memory_rss), from /proc
};

// Binds the accounting to the calling thread: the event-loop thread, which makes every
// keyspace allocation. Called once at startup (the Engine's constructor); until then the
// first caller of UsedMemoryBytes is bound.
void BindMemoryAccountingToThisThread();
// Adds the calling thread's net allocations to UsedMemoryBytes: for the one helper thread
// that frees keyspace values (storage/lazyfree.h), whose frees would otherwise never leave
// used_memory. The thread must live as long as the process.
void RegisterHelperThreadForMemoryAccounting();
// Returns the calling thread's cached free blocks to the shared arenas.
void FlushThreadCache();
// The bound thread's net allocations in bytes, plus the helper's (two loads; readable from any thread, e.g.
// the metrics exporter's, as a momentary value). This is used_memory.
int64_t UsedMemoryBytes();
// Allocator-wide statistics (refreshes jemalloc's epoch; not for the hot path).
MemoryStats ReadMemoryStats();
// Returns the allocator's unused dirty pages to the system now (jemalloc otherwise keeps them
// resident for its decay time, 10 s). For after freeing a large block (a big collection's
// old index, a value freed in the background): O(dirty pages) madvise calls, so not per
// command.
void ReleaseFreedPages();
// The usable size of an allocation.
size_t AllocationSize(const void* p);
// Name of the allocator for INFO ("jemalloc-5.3.0" or "libc").
const char* AllocatorName();

}  // namespace firn
