// The part of each command's metadata that dispatch does not need: its key specs, the ACL
// categories its flags do not imply, its tips, and the documentation COMMAND DOCS serves
// (redis-cli builds its argument hints from it at startup). The command rows (name, arity,
// flags, legacy key range, group, version, summary) stay in the family files; the command table
// binds each row to its entry here by name (Command::meta), and the table test checks that
// every row has an entry, every entry a row, and that they agree (key specs against flags and
// the legacy range, ACL categories against flags).
//
// command_docs.cc is maintained by hand. For commands Redis also has, the argument names and
// structure, key specs and tips are Redis 7.0's, since clients read them
// (tests/integration/test_command_meta.py compares COMMAND INFO with redis-server's); the
// summaries and complexities are Firn's own words.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "modules/command.h"

namespace firn {

// One argument. A command's arguments are stored as a tree in preorder: an entry's
// sub-arguments (of a "block" or "oneof") are the `descendants` entries that follow it.
struct DocArg {
  static constexpr uint8_t kOptional = 1, kMultiple = 2, kMultipleToken = 4;
  // The token is the empty string (MIGRATE's ""), not absent. Not a COMMAND DOCS flag.
  static constexpr uint8_t kEmptyToken = 8;

  std::string_view name;
  std::string_view type;     // key, string, integer, double, pattern, unix-time, pure-token,
                             // oneof, block
  std::string_view token;    // "" if none
  std::string_view display;  // display_text, "" if none
  int key_spec_index;        // -1 if none
  uint8_t flags;
  uint16_t descendants;
  std::string_view deprecated_since = {};  // "" if not deprecated
};

struct CommandMeta {
  std::string_view name;        // "set", "config|get"
  std::string_view complexity;  // "" if not stated
  std::string_view doc_flags;   // space-separated: "deprecated", "syscmd"
  std::string_view deprecated_since;
  std::string_view replaced_by;
  std::string_view acl;   // categories beyond the implied ones (AclCategories): "@dangerous"
  std::string_view tips;  // space-separated: "nondeterministic_output"
  std::span<const KeyRule> key_specs;
  std::span<const DocArg> args;  // preorder
  // For key specs flagged kKeyVariableFlags: the flags a given command line gives its keys
  // (COMMAND GETKEYSANDFLAGS reports these); nullptr: the spec's flags.
  uint16_t (*line_key_flags)(const std::vector<std::string_view>& argv, uint16_t flags) = nullptr;
  // For commands with an unknown key spec: the keys of a command line (argv[0] the command's
  // name) as {index into argv, key flags}, as Redis's getkeys procedures find them; nullptr:
  // the specs alone.
  std::vector<std::pair<size_t, uint16_t>> (*line_keys)(
      const std::vector<std::string_view>& argv) = nullptr;
};

// The entry for name (lowercase; "container|sub" for a subcommand), or nullptr.
const CommandMeta* FindCommandMeta(std::string_view name);

// Every entry, sorted by name.
std::span<const CommandMeta> AllCommandMeta();

// COMMAND INFO's ACL categories, in Redis's order: those the flags imply (write -> @write,
// readonly -> @read, admin -> @admin @dangerous, pubsub -> @pubsub, blocking -> @blocking,
// fast -> @fast, otherwise @slow), the group's (string -> @string, generic -> @keyspace, ...;
// not for a container of subcommands), and the entry's extra ones.
std::vector<std::string_view> AclCategories(const Command& c);

// The legacy (first, last, step) triple Redis derives from key specs: the first key of the
// first spec to the last key of the last one, when every spec is an index/range spec with
// the same step (a keyword or keynum spec, or differing steps, stop at the specs before it).
KeySpec LegacyRange(std::span<const KeyRule> specs);

// Whether COMMAND INFO calls the command's keys movable: a spec that is not index/range.
bool HasMovableKeys(std::span<const KeyRule> specs);

// The indexes into argv (argv[0] is the command name) of the keys the specs find, in spec
// order, as COMMAND GETKEYS lists them. Indexes past the end are left out.
std::vector<size_t> KeyPositions(std::span<const KeyRule> specs, size_t argc,
                                 const std::vector<std::string_view>& argv);

}  // namespace firn
