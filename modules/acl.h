// ACL: users, their rules, and the permission check admission runs for every command.
//
// A user is a name, an on/off switch, passwords kept only as SHA-256 digests (or nopass), and
// one or more selectors. A selector says which commands may run (a bit per command-table row,
// subcommands included, plus optional allowed first arguments for a row without
// subcommands), which keys may be read or written (glob patterns with R, W or RW rights, or
// every key) and which pub/sub channels may be used. The first selector is the user's root
// one, which the rules outside parentheses change; "(...)" adds another. A command is allowed
// when one selector allows the command, all its keys and all its channels; otherwise the
// refusal reported is the most specific one (channel, then key, then command), as Redis does.
//
// Rules are Redis 7.0's language, word for word (ACL SETUSER, the aclfile, `user` lines).
// Command rules are not kept as text: ACL LIST and GETUSER describe the resulting rights
// afresh, in the fewest category rules that come close and the single commands left over,
// as Redis 7.0 does (acl.cc explains how). Rules may also name the Redis 7.0 commands Firn
// does not have ("-debug", "+cluster|info"), so Redis's aclfiles load; such a bit is kept and
// described, and nothing runs under it.
//
// The default user exists always and starts "on nopass ~* &* +@all"; requirepass is its
// password. A client starts as the default user, authenticated if that user is on and nopass.
// Users are shared with the clients authenticated as them (shared_ptr): a SETUSER changes
// what those clients may do at once; a deleted user's clients are closed.
//
// The check costs one flag test for a user whose root selector allows everything (the
// default user unless rules were set), so SET/GET pay nothing more.
//
// Thread-safety: loop thread only, as the rest of the engine.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace firn {

struct Command;
class CommandTable;

// Redis's ACL categories, in Redis's order (ACL CAT lists them so).
inline constexpr std::string_view kAclCategoryNames[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
inline constexpr size_t kAclCategoryCount = std::size(kAclCategoryNames);

struct AclSelector {
  static constexpr uint8_t kRead = 1, kWrite = 2;
  struct KeyPattern {
    std::string pattern;
    uint8_t perms = kRead | kWrite;
  };

  bool all_commands = false;  // +@all was the last whole-table rule
  bool all_keys = false;      // ~* / allkeys
  bool all_channels = false;  // &* / allchannels
  // Bit per ACL command id: Command::acl_id for Firn's rows, then the Redis-only commands.
  std::vector<uint64_t> allowed;
  // For a row without subcommands: first arguments allowed although the row is not
  // ("+select|0"), by command id, as given, in the order added.
  std::map<uint16_t, std::vector<std::string>> first_args;
  std::vector<KeyPattern> keys;
  std::vector<std::string> channels;

  bool Allows(uint16_t id) const { return (allowed[id >> 6] >> (id & 63)) & 1; }
  bool Unrestricted() const { return all_commands && all_keys && all_channels; }
};

struct AclUser {
  std::string name;
  bool enabled = false;
  bool nopass = false;
  // Redis's sanitize-payload / skip-sanitize-payload flags (shown, not acted on: RESTORE
  // always checks its payload).
  enum class Sanitize : uint8_t { kUnset, kSanitize, kSkip } sanitize = Sanitize::kUnset;
  std::vector<std::string> passwords;  // lowercase hex SHA-256 digests, in order added
  std::vector<AclSelector> selectors;  // [0]: the root selector
  // The root selector allows every command, key and channel (the admission fast path).
  bool unrestricted = false;
};

// Why a command was refused (the order matters: a higher value is the more specific refusal).
enum class AclDenial : uint8_t { kNone = 0, kCommand = 1, kKey = 2, kAuth = 3, kChannel = 4 };

struct AclVerdict {
  AclDenial denial = AclDenial::kNone;
  size_t arg = 0;  // for kKey/kChannel: the argv index of the refused key or channel
};

struct AclLogEntry {
  uint64_t count = 1;
  std::string reason;   // "command", "key", "channel", "auth"
  std::string context;  // "toplevel", "multi", "lua"
  std::string object;   // the command's full name, the key, the channel, or "AUTH"
  std::string username;
  int64_t created_ms = 0;
  std::string client_info;  // the client's CLIENT LIST line
};

class Acl {
 public:
  // REQUIRES: table outlives this object and keeps its rows.
  explicit Acl(const CommandTable& table);

  std::shared_ptr<AclUser> Find(std::string_view name) const;
  const std::shared_ptr<AclUser>& default_user() const { return default_user_; }
  // Whether the default user may run anything (admission's one test for its clients).
  bool default_unrestricted() const { return default_user_->unrestricted; }
  // Every user, by name.
  const std::map<std::string, std::shared_ptr<AclUser>, std::less<>>& users() const {
    return users_;
  }

  // Applies rules to user name (created "off resetchannels -@all" if missing), all or
  // nothing: returns nullopt once applied, or the error reply text (without "-").
  std::optional<std::string> SetUser(std::string_view name,
                                     std::span<const std::string_view> rules);
  // Removes a user (never "default"); returns it (to close its clients), or nullptr.
  std::shared_ptr<AclUser> DeleteUser(std::string_view name);
  // Replaces every user at once from `user ...` lines (an aclfile's contents). Returns
  // nullopt, or the error text naming the line; on error nothing changes. The default user
  // keeps its object (clients authenticated as it stay so) and takes the file's rules, or
  // its initial rules when the file does not name it. *replaced gets the users that were
  // dropped or replaced, whose clients should be closed.
  std::optional<std::string> Load(std::string_view text,
                                  std::vector<std::shared_ptr<AclUser>>* replaced);
  // The whole user table as an aclfile (one `user` line per user, by name).
  std::string Save() const;
  // requirepass: the default user's only password ("" = nopass).
  void SetDefaultPassword(std::string_view password);

  // Whether password opens user (on, and nopass or a matching digest; digests compared in
  // constant time).
  static bool CheckPassword(const AclUser& user, std::string_view password);

  // May user run cmd (the resolved row: a subcommand's own) with argv?
  AclVerdict Check(const AclUser& user, const Command& cmd,
                   const std::vector<std::string_view>& argv) const;

  // ACL LIST's line for user ("user NAME on nopass ~* &* +@all").
  std::string Describe(const AclUser& user) const;
  std::string DescribeKeys(const AclSelector& s) const;
  std::string DescribeChannels(const AclSelector& s, bool with_reset) const;
  // The command rights of s as rules ("-@all +@read -keys"), as Redis 7.0 words them; the
  // rules, applied to a fresh selector, give s's bits and first arguments again.
  std::string DescribeCommands(const AclSelector& s) const;

  // The categories (indexes into kAclCategoryNames) of command id, as a bit mask.
  uint32_t categories(uint16_t id) const { return rows_[id].categories; }
  const CommandTable& table() const { return table_; }

  // The ACL log, newest first, bounded by max_len (acllog-max-len).
  void LogDenial(AclLogEntry entry, size_t max_len);
  const std::deque<AclLogEntry>& log() const { return log_; }
  void ResetLog() { log_.clear(); }

 private:
  std::optional<std::string> ApplyUserRule(AclUser* u, std::string_view rule) const;
  std::optional<std::string> ApplySelectorRule(AclSelector* s, std::string_view rule) const;
  AclSelector NewSelector() const;
  void ResetUser(AclUser* u) const;
  // Makes *u the default user as at start-up ("on nopass ~* &* +@all", no sanitize flag).
  void InitDefaultUser(AclUser* u) const;
  struct CommandTarget;
  std::optional<std::string> ResolveTarget(std::string_view rule, CommandTarget* t) const;
  void ApplyTarget(AclSelector* s, const CommandTarget& t, bool allow) const;
  std::optional<std::string> ApplyCommandRule(AclSelector* s, std::string_view rule) const;
  // The ACL id of a command or subcommand by full name ("config|get"), or -1.
  int FindRow(std::string_view name) const;
  void DescribeRow(const AclSelector& s, uint16_t id, std::vector<uint64_t>* fake,
                   std::string* out) const;
  AclDenial CheckSelector(const AclSelector& s, const Command& cmd,
                          const std::vector<std::string_view>& argv, size_t* arg) const;
  void UpdateUnrestricted(AclUser* u) const;

  // What the ACL knows of a command id: Firn's rows first (the same ids as Command::acl_id),
  // then Redis 7.0.15's commands that Firn lacks, which rules may name but nothing runs.
  struct Row {
    std::string_view name;    // full name, lowercase ("config|get")
    uint32_t categories = 0;  // bit per kAclCategoryNames index
    bool in_redis = false;    // one of Redis 7.0.15's commands (counted by DescribeCommands)
    bool top_level = true;    // not a subcommand
    std::vector<uint16_t> subcommands;  // a container's, by name
  };

  const CommandTable& table_;
  std::vector<Row> rows_;                                         // by ACL id
  std::vector<uint16_t> top_level_;                               // top-level ids, by name
  std::map<std::string_view, uint16_t, std::less<>> redis_only_;  // Redis-only ids by name
  // By category: the ids a category rule sets or clears (a container's subcommands with it,
  // as Redis), and the Redis 7.0.15 ids that carry the category (what DescribeCommands counts).
  std::vector<std::vector<uint16_t>> category_targets_;
  std::vector<std::vector<uint16_t>> category_counted_;
  std::map<std::string, std::shared_ptr<AclUser>, std::less<>> users_;
  std::shared_ptr<AclUser> default_user_;
  std::deque<AclLogEntry> log_;
};

// SHA-256 of text, lowercase hex (libcrypto).
std::string Sha256Hex(std::string_view text);

}  // namespace firn
