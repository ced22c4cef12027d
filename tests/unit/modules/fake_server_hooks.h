// A stand-in for the server layer in command tests: a list of clients the test owns, and a
// record of what commands asked of the server (kills, shutdown, config changes).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modules/engine.h"

namespace firn::testing {

class FakeServerHooks : public ServerHooks {
 public:
  // The clients, in connection order; the test keeps them alive.
  std::vector<ClientInfo*> clients;
  bool shutdown_requested = false;
  std::vector<std::string> config_changes;
  std::vector<uint64_t> killed_ids;

  void ForEachClient(const std::function<void(const ClientInfo&)>& fn) override {
    for (ClientInfo* c : clients) fn(*c);
  }
  size_t KillClients(const std::function<bool(const ClientInfo&)>& pred) override {
    size_t n = 0;
    for (ClientInfo* c : clients) {
      if (c->close_after_reply || !pred(*c)) continue;
      c->close_after_reply = true;
      killed_ids.push_back(c->id);
      ++n;
    }
    return n;
  }
  void RequestShutdown() override { shutdown_requested = true; }
  // Settings whose change the fake server refuses, with the reason it gives.
  std::vector<std::pair<std::string, std::string>> refusals;

  std::optional<std::string> ConfigChanged(std::string_view name) override {
    config_changes.emplace_back(name);
    for (const auto& [refused, reason] : refusals) {
      if (refused == name) return reason;
    }
    return std::nullopt;
  }
};

}  // namespace firn::testing
