// Redis's argument documentation for COMMAND DOCS (redis-cli builds its argument hints from
// it at startup), with each command's complexity and deprecation, and the ACL categories and
// tips COMMAND INFO reports. The tables in
// command_docs.cc are generated from redis-server 7.0's own COMMAND DOCS by
// tools/gen_command_docs.py; the command table stays the only list of what exists, and a
// command's summary, group and version come from its row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace firn {

// One argument. A command's arguments are stored as a tree in preorder: an entry's
// sub-arguments (of a "block" or "oneof") are the `descendants` entries that follow it.
struct DocArg {
  static constexpr uint8_t kOptional = 1, kMultiple = 2, kMultipleToken = 4;

  std::string_view name;
  std::string_view type;     // key, string, integer, double, pattern, unix-time, pure-token,
                             // oneof, block
  std::string_view token;    // "" if none
  std::string_view display;  // display_text, "" if none
  int key_spec_index;        // -1 if none
  uint8_t flags;
  uint16_t descendants;
};

struct CommandDoc {
  std::string_view name;  // "set", "config|get"
  std::string_view complexity;
  std::string_view doc_flags;  // space-separated: "deprecated", "syscmd"
  std::string_view deprecated_since;
  std::string_view replaced_by;
  std::string_view acl_categories;  // space-separated: "@read @string @fast"
  std::string_view tips;            // space-separated: "nondeterministic_output"
  const DocArg* args;               // preorder, args_size entries in all
  size_t args_size;
};

// The documentation of name (lowercase; "container|sub" for a subcommand), or nullptr.
const CommandDoc* FindCommandDoc(std::string_view name);

}  // namespace firn
