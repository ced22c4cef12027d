// The command table's row type and what a handler sees when it runs.
//
// A command family (strings.cc, keys.cc, ...) exports one function returning its rows; the
// table is assembled in command_table.cc, the only list of what exists: dispatch, COMMAND and
// COMMAND DOCS all read it. The dispatcher checks existence, arity, authentication, OOM and
// flags once, so a handler only parses its arguments, runs one storage operation and sends
// exactly one reply.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply.h"

namespace firn {

class Keyspace;
class Db;
struct Config;
struct Engine;
struct ClientInfo;

// Redis's command flags (COMMAND INFO reports them by these names).
enum CommandFlag : uint32_t {
  kWrite = 1u << 0,
  kReadOnly = 1u << 1,
  kDenyOom = 1u << 2,
  kFast = 1u << 3,
  kAdmin = 1u << 4,
  kNoAuth = 1u << 5,      // allowed before AUTH
  kLoading = 1u << 6,
  kStale = 1u << 7,
  kNoScript = 1u << 8,
  kSkipMonitor = 1u << 9,
  kSkipSlowlog = 1u << 10,
  kAllowBusy = 1u << 11,
  kNoMulti = 1u << 12,  // refused inside MULTI, and the EXEC then aborts (SHUTDOWN, SAVE...)
  kRandom = 1u << 13,   // non-deterministic output (COMMAND INFO "random" hint)
  kPubSub = 1u << 14,
  kBlocking = 1u << 15,
  // Reported by COMMAND INFO only, for clients that read them; dispatch does not act on them.
  kNoAsyncLoading = 1u << 16,  // Redis's no_async_loading (Firn never loads in the background)
  kNoMandatoryKeys = 1u << 17,  // Redis's no_mandatory_keys: may take no keys (EVAL, FCALL)
};

// COMMAND INFO's legacy key positions: argv[first], argv[first+step], ... up to argv[last]
// (last < 0 counts from the end, -1 being the last argument). first == 0: no keys. Redis
// derives this triple from the key specs (KeyRule below); so does Firn's table test, which
// checks every row's `.keys` against its key specs.
struct KeySpec {
  int first = 0;
  int last = 0;
  int step = 0;
};

// A key spec's flags, as COMMAND INFO names them. Exactly one of RO/RW/OW/RM says what the
// command does with the key's value (read only, read and write, overwrite, remove); the
// optional ACCESS/UPDATE/INSERT/DELETE say what happens to the user's data.
enum KeyFlag : uint16_t {
  kKeyRO = 1u << 0,
  kKeyRW = 1u << 1,
  kKeyOW = 1u << 2,
  kKeyRM = 1u << 3,
  kKeyAccess = 1u << 4,  // the value is returned or copied, or its metadata read
  kKeyUpdate = 1u << 5,  // the value is changed in place, or replaced
  kKeyInsert = 1u << 6,  // data is added without touching what is there
  kKeyDelete = 1u << 7,  // data is removed
  kKeyNotKey = 1u << 8,
  kKeyIncomplete = 1u << 9,
  kKeyVariableFlags = 1u << 10,  // the flags depend on the other arguments (SET ... GET)
};

// One Redis 7 key specification: where the search for keys begins (at an argument index, or
// after a keyword found from an index), then how the keys are found from there (a range, or
// a count argument). COMMAND INFO reports these; COMMAND GETKEYS (and later ACL key checks)
// follow them.
struct KeyRule {
  uint16_t flags = 0;
  // begin_search. Index form: the argument where the search starts. Keyword form (`keyword`
  // set): the index the search for the keyword starts from (negative: from the end, searching
  // backwards); the keys begin after the keyword.
  int index = 0;
  std::string_view keyword;
  // find_keys. Range form: the last key, relative to the first (-1: the last argument, -2 the
  // one before...), every `key_step`-th argument, and with last_key -1, `limit` > 1 keeps only
  // the first 1/limit of them. Keynum form (`keynum`): the argument `keynum_index` after the
  // start holds the number of keys, which begin `first_key` after the start.
  bool keynum = false;
  int last_key = 0;
  int key_step = 1;
  int limit = 0;
  int keynum_index = 0;
  int first_key = 0;
  // Redis's "unknown" begin_search and find_keys: the keys cannot be found from the spec
  // (SORT's BY/GET patterns and STORE); COMMAND GETKEYS then asks the command's own finder
  // (CommandMeta::line_keys).
  bool unknown = false;
  std::string_view notes;  // "" if none
};

struct CommandMeta;  // command_docs.h

struct CommandContext;
using Handler = void (*)(CommandContext& ctx);

// Per-command counters for INFO commandstats and metrics. Written by the loop thread only.
struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
  // firn_command_duration_seconds buckets (upper bounds in kLatencyBucketsUs) and overflow.
  static constexpr int kBuckets = 12;
  uint64_t latency_buckets[kBuckets + 1] = {};
};
inline constexpr int64_t kLatencyBucketsUs[CommandStats::kBuckets] = {
    5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 100000};

struct Command {
  std::string_view name;  // lowercase, as Redis prints it
  int arity = 0;          // +n: exactly n arguments with the name; -n: at least n
  uint32_t flags = 0;
  KeySpec keys;
  Handler run = nullptr;
  // For COMMAND DOCS (redis-cli's hints) and COMMAND INFO.
  std::string_view group;    // "string", "generic", "connection", "server", ...
  std::string_view since;    // Redis version that introduced it
  std::string_view summary;
  std::string_view syntax;   // argument synopsis, e.g. "key value [NX | XX]"
  // Subcommands ("config|get"), for COMMAND output and per-subcommand stats.
  std::vector<Command> subcommands;
  mutable CommandStats stats;
  // Key specs, extra ACL categories, tips and argument tree (command_docs.h), bound by the
  // command table by name; never null for a command in the table.
  const CommandMeta* meta = nullptr;
  // The row's index in CommandTable::by_id() (subcommands included), which ACL selectors
  // keep a bit for; set by the command table.
  uint16_t acl_id = 0;

  // Whether argc arguments (the name included) fit the arity.
  bool ArityFits(size_t argc) const {
    return arity > 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
  }
};

// What a handler sees: its arguments, the reply builder, the selected database, the clock of
// this event-loop iteration, the calling client and the engine.
struct CommandContext {
  const std::vector<std::string_view>& argv;
  ReplyBuilder& reply;
  Engine& engine;
  ClientInfo& client;
  int64_t now_ms;
  const Command* command;

  Db& db();
  Keyspace& keyspace();
  const Config& config();
  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
  // Sends an error and marks the call failed (INFO commandstats failed_calls).
  void Error(std::string_view message);
  bool failed = false;
};

}  // namespace firn
