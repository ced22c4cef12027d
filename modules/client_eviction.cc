#include "modules/client_eviction.h"

#include <algorithm>
#include <string>

#include "conf/config.h"
#include "modules/client.h"

namespace firn {

size_t MultiMemory(const ClientInfo& c) {
  size_t multi = 0;
  for (const auto& q : c.queued) {
    for (const std::string& a : q) multi += a.size();
  }
  return multi;
}

size_t ClientMemory(const ClientInfo& c) {
  return sizeof(ClientInfo) + c.query_buffer_bytes + c.query_buffer_free + c.output_buffer_bytes +
         MultiMemory(c);
}

uint64_t ClientEvictionLimit(const Config& cfg) {
  const std::string& v = cfg.maxmemory_clients;
  if (v.empty()) return 0;
  uint64_t limit = 0;
  if (v.back() == '%') {
    const uint64_t pct = std::stoull(v.substr(0, v.size() - 1));
    limit = cfg.maxmemory / 100 * pct + cfg.maxmemory % 100 * pct / 100;
    if (cfg.maxmemory == 0) return 0;
  } else {
    limit = std::stoull(v);
  }
  // As Redis, never below 128 KiB, so a tiny setting cannot cut every client off.
  return limit == 0 ? 0 : std::max<uint64_t>(limit, kMinClientEvictionLimit);
}

namespace {
uint64_t evicted_clients = 0;
}  // namespace

uint64_t EvictedClients() { return evicted_clients; }
void CountEvictedClient() { ++evicted_clients; }
void ResetEvictedClients() { evicted_clients = 0; }

std::vector<uint64_t> ChooseClientsToEvict(std::vector<ClientMemoryUse> clients, uint64_t limit) {
  std::vector<uint64_t> out;
  if (limit == 0) return out;
  uint64_t total = 0;
  for (const ClientMemoryUse& c : clients) total += c.bytes;
  if (total < limit) return out;
  std::sort(clients.begin(), clients.end(), [](const ClientMemoryUse& a, const ClientMemoryUse& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.id < b.id;
  });
  for (const ClientMemoryUse& c : clients) {
    if (total < limit) break;
    if (!c.evictable) continue;
    out.push_back(c.id);
    total -= c.bytes;
  }
  return out;
}

}  // namespace firn
