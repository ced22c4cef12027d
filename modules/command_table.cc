// The command table: the one list of every command Firn knows, assembled from the families.
#include <cctype>
#include <stdexcept>

#include "modules/acl_admission.h"
#include "modules/bitops.h"
#include "modules/command_docs.h"
#include "modules/common.h"
#include "modules/connection.h"
#include "modules/dispatch.h"
#include "modules/journal.h"
#include "modules/engine.h"
#include "modules/functions.h"
#include "modules/geo.h"
#include "modules/hashes.h"
#include "modules/hyperloglog.h"
#include "modules/keys.h"
#include "modules/lists.h"
#include "modules/memory.h"
#include "modules/migrate.h"
#include "modules/notify.h"
#include "modules/persist.h"
#include "modules/pubsub.h"
#include "modules/ratelimit.h"
#include "modules/scripting.h"
#include "modules/server.h"
#include "modules/sets.h"
#include "modules/slowlog.h"
#include "modules/sort.h"
#include "modules/streams.h"
#include "modules/strings.h"
#include "modules/transactions.h"
#include "modules/zsets.h"
#include "storage/memory.h"

namespace firn {

namespace {

void AddFamily(std::vector<Command>* all, std::vector<Command> family) {
  for (Command& c : family) all->push_back(std::move(c));
}

// Binds a row (and its subcommands) to its metadata entry. A row without one is a table
// error the table test reports (tests/unit/modules/command_table_test.cc); COMMAND then
// shows it with no key specs and no arguments.
void BindMeta(Command& c) {
  c.meta = FindCommandMeta(c.name);
  for (Command& sub : c.subcommands) BindMeta(sub);
}

}  // namespace

CommandTable::CommandTable() {
  AddFamily(&commands_, StringCommands());
  AddFamily(&commands_, KeyCommands());
  AddFamily(&commands_, ConnectionCommands());
  AddFamily(&commands_, ServerCommands());
  AddFamily(&commands_, TransactionCommands());
  AddFamily(&commands_, RateLimitCommands());
  AddFamily(&commands_, SlowLogCommands());
  AddFamily(&commands_, MemoryCommands());
  AddFamily(&commands_, JournalCommands());
  AddFamily(&commands_, ScriptingCommands());
  AddFamily(&commands_, FunctionCommands());
  AddFamily(&commands_, ListCommands());
  AddFamily(&commands_, HashCommands());
  AddFamily(&commands_, SetCommands());
  AddFamily(&commands_, ZSetCommands());
  AddFamily(&commands_, GeoCommands());
  AddFamily(&commands_, SortCommands());
  AddFamily(&commands_, StreamCommands());
  AddFamily(&commands_, PubSubCommands());
  AddFamily(&commands_, PersistCommands());
  AddFamily(&commands_, MigrateCommands());
  AddFamily(&commands_, AclCommands());
  AddFamily(&commands_, BitCommands());
  AddFamily(&commands_, HyperLogLogCommands());
  for (Command& c : commands_) BindMeta(c);
  for (Command& c : commands_) {
    c.acl_id = static_cast<uint16_t>(by_id_.size());
    by_id_.push_back(&c);
    for (Command& sub : c.subcommands) {
      sub.acl_id = static_cast<uint16_t>(by_id_.size());
      by_id_.push_back(&sub);
    }
  }
  index_.Build(commands_);
}

std::string CommandTable::Rename(const std::vector<std::string>& pairs) {
  std::vector<std::pair<std::string, std::string>> renames;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    std::string from, to;
    ToLower(pairs[i], &from);
    ToLower(pairs[i + 1] == "\"\"" ? std::string_view() : std::string_view(pairs[i + 1]), &to);
    if (index_.Find(from) == nullptr) return "Unknown command '" + pairs[i] + "' in rename-command";
    if (to.size() > CommandIndex::kMaxName) {
      return "Command name '" + pairs[i + 1] + "' in rename-command is too long";
    }
    renames.emplace_back(std::move(from), std::move(to));
  }
  if (pairs.size() % 2 != 0) return "rename-command takes pairs: old name, then new name";
  index_.Build(commands_, renames);
  return "";
}

void CommandTable::ResetStats() const {
  for (const Command& c : commands_) {
    c.stats = CommandStats{};
    for (const Command& sub : c.subcommands) sub.stats = CommandStats{};
  }
}

Engine::Engine(Config cfg) : config(std::move(cfg)), keyspace(config.databases) {
  // A startup setting: an unknown command name stops the start, as in Redis.
  if (!config.rename_command.empty()) {
    if (std::string error = commands.Rename(config.rename_command); !error.empty()) {
      throw std::runtime_error(error);
    }
  }
  BindMemoryAccountingToThisThread();
  ApplyEvictionSettings(*this);
  ApplyNotifySettings(*this);
  if (!config.requirepass.empty()) acl.SetDefaultPassword(config.requirepass);
  clients.set_on_remove([this](ClientInfo& client) { ReleaseClientState(*this, client); });
}

void ReleaseClientState(Engine& engine, ClientInfo& client) {
  engine.watches.Reset(client);
  engine.pubsub.Forget(client);
  ForgetBlockedClient(engine, client);
  engine.tracking.Disable(client);
}

}  // namespace firn
