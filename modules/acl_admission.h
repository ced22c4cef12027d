// ACL at the engine's level: the ACL command family, the check admission (and EXEC and
// scripts) run, the ACL log entries they make, and the users configured at start.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modules/acl.h"
#include "modules/command.h"

namespace firn {

struct Engine;
struct ClientInfo;

std::vector<Command> AclCommands();

// The user client acts as (the default user when none was set).
const AclUser& UserOf(const Engine& engine, const ClientInfo& client);
// Whether a new client is authenticated at once: the default user is on and nopass.
bool DefaultUserOpen(const Engine& engine);

// Where a refusal happens: a command sent by the client, queued in MULTI, re-checked by
// EXEC, or run by a script. Each has its own reply text and ACL log context.
enum class AclContext : uint8_t { kTopLevel, kMulti, kExec, kScript };

// The client an ACL log entry describes when it is not the one running the command (a
// script's caller, which ran `cmd` with `argv`).
struct AclLogAs {
  ClientInfo* client;
  const Command* cmd;
  const std::vector<std::string_view>* argv;
};

// Whether client's user may run cmd with argv; if not, logs the refusal and returns the error
// reply text.
std::optional<std::string> AclRefusal(Engine& engine, ClientInfo& client, const Command& cmd,
                                      const std::vector<std::string_view>& argv,
                                      AclContext context, int64_t now_ms,
                                      const AclLogAs* log_as = nullptr);

// Adds an ACL log entry for client, which was running cmd with argv.
void LogAclDenial(Engine& engine, ClientInfo& client, const Command& cmd,
                  const std::vector<std::string_view>& argv, AclDenial denial,
                  std::string object, std::string_view context, std::string_view username,
                  int64_t now_ms);

// Reads engine.config.aclfile into the user table (all or nothing); *replaced gets the users
// whose clients should close. Returns nullopt or the error reply text.
std::optional<std::string> LoadAclFile(Engine& engine,
                                       std::vector<std::shared_ptr<AclUser>>* replaced);

// At start, the aclfile's users (requirepass was applied when the engine was made). Returns
// nullopt or why the server must not start.
std::optional<std::string> ApplyConfiguredUsers(Engine& engine);

}  // namespace firn
