// Fuzz target: the ACL rule language (modules/acl.h): ACL SETUSER rules and aclfile text.
//
// The first byte picks the parser: rules for one user (space-separated, as ACL SETUSER's
// arguments; the user named by the first word), or a whole aclfile for Load. Whatever is
// accepted must describe itself in rules that are accepted again: the table saved as an
// aclfile loads into a fresh Acl and saves to the same text. Each user is also checked
// against a few commands, so the selectors built are exercised.
#include "modules/acl.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "modules/command.h"
#include "modules/engine.h"
#include "tests/fuzz/common/resp_check.h"

using firn::fuzz::Require;

namespace {

const firn::CommandTable& Table() {
  static const firn::CommandTable* table = new firn::CommandTable();
  return *table;
}

// Two Acl objects serve every input (building one costs more than most inputs do), each
// emptied before use: an empty aclfile leaves only the initial default user, as a new Acl.
firn::Acl& Emptied(int which) {
  static firn::Acl* acls[2] = {new firn::Acl(Table()), new firn::Acl(Table())};
  std::vector<std::shared_ptr<firn::AclUser>> dropped;
  Require(!acls[which]->Load("", &dropped).has_value());
  return *acls[which];
}

void Exercise(const firn::Acl& acl) {
  static const std::vector<std::vector<std::string_view>> kCommands = {
      {"get", "cache:1"},     {"set", "k", "v"}, {"publish", "news", "m"}, {"subscribe", "ch"},
      {"config", "get", "x"}, {"select", "0"},   {"copy", "a", "b"},       {"flushall"}};
  for (const auto& [name, user] : acl.users()) {
    for (const auto& argv : kCommands) {
      const firn::Command* cmd = Table().Find(argv[0]);
      if (cmd == nullptr) continue;
      if (!cmd->subcommands.empty() && argv.size() > 1) {
        for (const firn::Command& sub : cmd->subcommands) {
          std::string_view n = sub.name.substr(sub.name.find('|') + 1);
          if (n == argv[1]) cmd = &sub;
        }
      }
      acl.Check(*user, *cmd, argv);
    }
    (void)acl.Describe(*user);
  }
}

// The saved table loads again, saves to the same text, and every selector reloaded grants
// the same commands and first arguments as the one described (as Redis's own check that its
// description rebuilds the bitmap).
void CheckRoundTrip(const firn::Acl& acl) {
  const std::string saved = acl.Save();
  firn::Acl& fresh = Emptied(1);
  std::vector<std::shared_ptr<firn::AclUser>> replaced;
  const std::optional<std::string> error = fresh.Load(saved, &replaced);
  Require(!error.has_value());
  Require(fresh.Save() == saved);
  for (const auto& [name, user] : acl.users()) {
    const std::shared_ptr<firn::AclUser> again = fresh.Find(name);
    Require(again != nullptr && again->selectors.size() == user->selectors.size());
    for (size_t i = 0; i < user->selectors.size(); ++i) {
      const firn::AclSelector& a = user->selectors[i];
      const firn::AclSelector& b = again->selectors[i];
      Require(a.allowed == b.allowed && a.all_commands == b.all_commands);
      for (const auto& [id, args] : b.first_args) {
        auto it = a.first_args.find(id);
        Require(it != a.first_args.end() && it->second == args);
      }
      for (const auto& [id, args] : a.first_args) {
        Require(a.Allows(id) || b.first_args.count(id) == 1);
      }
    }
  }
}

// Whether a selector's description holds a word ending in ')' before its last ("(~a)" from
// the rule "(~a))"): its aclfile line then ends the selector there, in Redis as here, so the
// table is not expected to load back.
bool SelectorEndsEarly(const firn::Acl& acl) {
  for (const auto& [name, user] : acl.users()) {
    for (size_t i = 1; i < user->selectors.size(); ++i) {
      const firn::AclSelector& s = user->selectors[i];
      std::string words =
          acl.DescribeKeys(s) + " " + acl.DescribeChannels(s, true) + " " + acl.DescribeCommands(s);
      if (words.find(") ") != std::string::npos) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 4096) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  firn::Acl& acl = Emptied(0);
  if (data[0] & 1) {
    std::vector<std::shared_ptr<firn::AclUser>> replaced;
    if (acl.Load(text, &replaced).has_value()) return 0;
  } else {
    std::vector<std::string_view> words;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find(' ', start);
      if (end == std::string_view::npos) end = text.size();
      if (end > start) words.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    if (words.empty()) return 0;
    const std::string_view name = words[0];
    std::span<const std::string_view> rules(words.data() + 1, words.size() - 1);
    if (acl.SetUser(name, rules).has_value()) return 0;
    // Redis takes a first argument with any bytes ("+get|a\nb"); its aclfile line then
    // splits there, in Redis as here. Such a table is not expected to load back.
    for (std::string_view w : rules) {
      if (w.find('|') != std::string_view::npos &&
          w.find_first_of("\r\n") != std::string_view::npos) {
        Exercise(acl);
        return 0;
      }
    }
  }
  Exercise(acl);
  if (!SelectorEndsEarly(acl)) CheckRoundTrip(acl);
  return 0;
}
