// Client eviction (Redis 7.0's maxmemory-clients): when the clients together use more memory
// than the limit, the ones using the most are disconnected first, until the rest fit.
//
// What a client uses is what CLIENT LIST's tot-mem shows (ClientMemory): its state, its query
// buffer (read and free part), its unsent output and its queued MULTI commands. The total
// counts every normal and pub/sub client, those flagged CLIENT NO-EVICT included; those are
// never chosen. The server checks once per event-loop iteration, after the replies were
// written (so output the socket took is not held against anyone), and counts each eviction in
// INFO stats evicted_clients.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace firn {

struct ClientInfo;
struct Config;

// tot-mem without the running command's arguments (those are added by CLIENT LIST for the
// caller only). REQUIRES: client's buffer figures are current (ClientOutputOwner).
size_t ClientMemory(const ClientInfo& client);
// The bytes of the commands client queued in MULTI (CLIENT LIST's multi-mem).
size_t MultiMemory(const ClientInfo& client);

inline constexpr uint64_t kMinClientEvictionLimit = 128 * 1024;

// maxmemory-clients in bytes for cfg: the stored bytes, or its percentage of maxmemory (0 when
// maxmemory is 0), raised to kMinClientEvictionLimit. 0: eviction off.
uint64_t ClientEvictionLimit(const Config& cfg);

struct ClientMemoryUse {
  uint64_t id;
  size_t bytes;
  bool evictable;  // not CLIENT NO-EVICT
};

// The clients to close, biggest first (ties by id, oldest first), so that the rest use less
// than limit; stops early when only unevictable clients are left. limit 0: none.
std::vector<uint64_t> ChooseClientsToEvict(std::vector<ClientMemoryUse> clients, uint64_t limit);

// INFO stats evicted_clients: the clients closed by eviction since start or CONFIG RESETSTAT.
// One count per process (one server per process), kept here rather than in ServerStats.
uint64_t EvictedClients();
void CountEvictedClient();
void ResetEvictedClients();

}  // namespace firn
