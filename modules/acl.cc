// ACL users, rules and the permission check (modules/acl.h).
//
// Describing command rights. A selector keeps one bit per command (and subcommand), plus the
// first arguments "+select|0" allows; the rules that set them are not kept. ACL LIST, GETUSER
// and the aclfile describe the bits afresh, as Redis 7.0 does, so that Firn's text is Redis's
// for the same rules ("+@read -@dangerous +@read" is "-@all +@read", since no read command is
// dangerous) and a saved file reloads to the same text:
//
//   1. Start from "+@all" if the last whole-table rule was +@all / allcommands (the user then
//      gets the commands added later too), else from "-@all". A scratch bitmap ("fake")
//      starts all set or all clear to match; a copy of the user's bits ("temp") is the work
//      still to describe.
//   2. Greedily pick categories: among those not yet used, one whose commands mostly agree
//      with temp in the direction we add or remove (same > diff: for "-@all", more of its
//      commands allowed than not), the fewest disagreeing first, then the most agreeing,
//      then the earliest in Redis's order. Emit "+@cat" (or "-@cat"), apply it to fake, and
//      apply the opposite to temp, so the commands it covered no longer count for the next
//      pick. Stop when no category qualifies.
//   3. Walk every command by name and emit "+cmd" / "-cmd" where fake still differs from the
//      user's bits (a whole command sets its subcommands in fake too), then its subcommands
//      ("+config|get"), then, for a command not allowed, its allowed first arguments.
//
// The counts of step 2 run over Redis 7.0.15's command table (modules/acl_redis_commands.inc),
// not Firn's: Firn lacks some commands (CLUSTER, DEBUG, ...) and adds its own (CL.THROTTLE,
// RL.*), and either would change which categories win. Redis's commands that Firn lacks get
// ACL ids of their own past Firn's, set by category rules and by name, so the picks and the
// leftover rules are Redis's. Step 3's order is by name; Redis's follows its hash table and
// differs from run to run. Cost: about 21 x 21 category counts over ~370 ids per selector
// described, paid by ACL LIST, GETUSER and SAVE only.
#include "modules/acl.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>

#include "modules/args.h"
#include "modules/command_docs.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"

namespace firn {

namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

bool IsDigestText(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whether s holds whitespace (isspace) or a NUL: not allowed in user names and key or channel
// patterns, since an aclfile line or ACL LIST splits on them.
bool HasSpaceOrNul(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c == '\0' || std::isspace(static_cast<unsigned char>(c));
  });
}

std::string RuleError(std::string_view rule, std::string_view why) {
  return err::Format(err::kAclSetUserModifier, {rule, why});
}

// The category index of name ("read"), or -1.
int CategoryIndex(std::string_view name) {
  for (size_t i = 0; i < kAclCategoryCount; ++i) {
    if (EqualsNoCase(kAclCategoryNames[i], name)) return static_cast<int>(i);
  }
  return -1;
}

// Redis 7.0.15's commands and subcommands with their categories (space-separated, no '@').
struct RedisCommand {
  std::string_view name;
  std::string_view categories;
};
constexpr RedisCommand kRedisCommands[] = {
#include "modules/acl_redis_commands.inc"
};

uint32_t CategoryMask(std::string_view words) {
  uint32_t mask = 0;
  size_t i = 0;
  while (i < words.size()) {
    size_t j = words.find(' ', i);
    if (j == std::string_view::npos) j = words.size();
    const int cat = CategoryIndex(words.substr(i, j - i));
    if (cat >= 0) mask |= 1u << cat;
    i = j + 1;
  }
  return mask;
}

bool BitSet(const std::vector<uint64_t>& bits, uint16_t id) {
  return (bits[id >> 6] >> (id & 63)) & 1;
}

void SetBit(std::vector<uint64_t>* bits, uint16_t id, bool on) {
  const uint64_t bit = uint64_t{1} << (id & 63);
  (*bits)[id >> 6] = on ? ((*bits)[id >> 6] | bit) : ((*bits)[id >> 6] & ~bit);
}

// Splits "a b  c" on spaces.
std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Joins rules that make one selector ("(~x*" "+get)") into one; an unclosed one is an error.
std::optional<std::string> MergeSelectorArgs(std::span<const std::string_view> rules,
                                             std::vector<std::string>* out) {
  for (size_t i = 0; i < rules.size(); ++i) {
    std::string_view r = rules[i];
    if (r.empty() || r.front() != '(' || r.back() == ')') {
      out->emplace_back(r);
      continue;
    }
    std::string merged(r);
    size_t j = i + 1;
    for (; j < rules.size(); ++j) {
      merged += ' ';
      merged.append(rules[j]);
      if (!rules[j].empty() && rules[j].back() == ')') break;
    }
    if (j == rules.size()) return err::Format(err::kAclUnmatchedParenthesis, {r});
    out->push_back(std::move(merged));
    i = j;
  }
  return std::nullopt;
}

}  // namespace

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::string hex(2 * SHA256_DIGEST_LENGTH, '0');
  for (size_t i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    hex[2 * i] = kHexDigits[digest[i] >> 4];
    hex[2 * i + 1] = kHexDigits[digest[i] & 15];
  }
  return hex;
}

Acl::Acl(const CommandTable& table) : table_(table) {
  const std::vector<const Command*>& commands = table.by_id();
  rows_.resize(commands.size());
  for (size_t id = 0; id < commands.size(); ++id) {
    Row& row = rows_[id];
    row.name = commands[id]->name;
    for (std::string_view cat : AclCategories(*commands[id])) {
      const int i = CategoryIndex(cat.substr(1));
      if (i >= 0) row.categories |= 1u << i;
    }
    for (const Command& sub : commands[id]->subcommands) {
      row.subcommands.push_back(sub.acl_id);
      rows_[sub.acl_id].top_level = false;
    }
  }
  // Redis's commands: Firn's own rows are marked, the others get ids past Firn's (the list is
  // sorted, so a container comes before its subcommands).
  for (const RedisCommand& rc : kRedisCommands) {
    const int found = FindRow(rc.name);
    if (found >= 0) {
      rows_[static_cast<size_t>(found)].in_redis = true;
      continue;
    }
    const auto id = static_cast<uint16_t>(rows_.size());
    Row row;
    row.name = rc.name;
    row.categories = CategoryMask(rc.categories);
    row.in_redis = true;
    const size_t bar = rc.name.find('|');
    if (bar != std::string_view::npos) {
      const int parent = FindRow(rc.name.substr(0, bar));
      if (parent < 0) continue;  // not in a sorted list
      row.top_level = false;
      rows_[static_cast<size_t>(parent)].subcommands.push_back(id);
    }
    rows_.push_back(std::move(row));
    redis_only_.emplace(rc.name, id);
  }
  for (size_t id = 0; id < rows_.size(); ++id) {
    Row& row = rows_[id];
    if (row.top_level) top_level_.push_back(static_cast<uint16_t>(id));
    std::sort(row.subcommands.begin(), row.subcommands.end(),
              [&](uint16_t a, uint16_t b) { return rows_[a].name < rows_[b].name; });
  }
  std::sort(top_level_.begin(), top_level_.end(),
            [&](uint16_t a, uint16_t b) { return rows_[a].name < rows_[b].name; });
  category_targets_.resize(kAclCategoryCount);
  category_counted_.resize(kAclCategoryCount);
  for (size_t cat = 0; cat < kAclCategoryCount; ++cat) {
    for (size_t id = 0; id < rows_.size(); ++id) {
      const Row& row = rows_[id];
      if (!(row.categories & (1u << cat))) continue;
      if (row.in_redis) category_counted_[cat].push_back(static_cast<uint16_t>(id));
      // A container's category reaches its subcommands too, as Redis's does.
      category_targets_[cat].push_back(static_cast<uint16_t>(id));
      for (uint16_t sub : row.subcommands) category_targets_[cat].push_back(sub);
    }
  }
  default_user_ = std::make_shared<AclUser>();
  InitDefaultUser(default_user_.get());
  users_.emplace("default", default_user_);
}

void Acl::InitDefaultUser(AclUser* u) const {
  *u = AclUser{};
  u->name = "default";
  ResetUser(u);
  for (std::string_view r : {"on", "nopass", "~*", "&*", "+@all"}) ApplyUserRule(u, r);
  UpdateUnrestricted(u);
}

AclSelector Acl::NewSelector() const {
  AclSelector s;
  s.allowed.assign((rows_.size() + 63) / 64, 0);
  return s;
}

int Acl::FindRow(std::string_view name) const {
  const size_t bar = name.find('|');
  if (const Command* c = table_.Find(name.substr(0, bar))) {
    if (bar == std::string_view::npos) return c->acl_id;
    for (const Command& sub : c->subcommands) {
      if (EqualsNoCase(sub.name, name)) return sub.acl_id;
    }
    return -1;
  }
  const std::string lower = Lower(name);
  auto it = redis_only_.find(lower);
  return it == redis_only_.end() ? -1 : it->second;
}

void Acl::ResetUser(AclUser* u) const {
  u->enabled = false;
  u->nopass = false;
  u->passwords.clear();
  u->selectors.clear();
  u->selectors.push_back(NewSelector());
}

std::shared_ptr<AclUser> Acl::Find(std::string_view name) const {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

std::optional<std::string> Acl::ApplySelectorRule(AclSelector* s, std::string_view rule) const {
  if (EqualsNoCase(rule, "allkeys") || rule == "~*") {
    s->all_keys = true;
    s->keys.clear();
  } else if (EqualsNoCase(rule, "resetkeys")) {
    s->all_keys = false;
    s->keys.clear();
  } else if (rule.front() == '~' || rule.front() == '%') {
    uint8_t perms = 0;
    std::string_view pattern;
    if (rule.front() == '~') {
      perms = AclSelector::kRead | AclSelector::kWrite;
      pattern = rule.substr(1);
    } else {
      size_t i = 1;
      for (; i < rule.size() && rule[i] != '~'; ++i) {
        const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(rule[i])));
        if (c == 'R') {
          perms |= AclSelector::kRead;
        } else if (c == 'W') {
          perms |= AclSelector::kWrite;
        } else {
          return RuleError(rule, err::kAclSyntaxError);
        }
      }
      if (i == rule.size() || perms == 0) return RuleError(rule, err::kAclSyntaxError);
      pattern = rule.substr(i + 1);
    }
    if (s->all_keys) return RuleError(rule, err::kAclKeyPatternAfterAll);
    if (HasSpaceOrNul(pattern)) return RuleError(rule, err::kAclSyntaxError);
    if (pattern == "*" && perms == (AclSelector::kRead | AclSelector::kWrite)) {
      s->all_keys = true;
      s->keys.clear();
      return std::nullopt;
    }
    for (AclSelector::KeyPattern& p : s->keys) {
      if (p.pattern == pattern) {
        p.perms |= perms;
        return std::nullopt;
      }
    }
    s->keys.push_back({std::string(pattern), perms});
  } else if (EqualsNoCase(rule, "allchannels") || rule == "&*") {
    s->all_channels = true;
    s->channels.clear();
  } else if (EqualsNoCase(rule, "resetchannels")) {
    s->all_channels = false;
    s->channels.clear();
  } else if (rule.front() == '&') {
    if (s->all_channels) return RuleError(rule, err::kAclChannelPatternAfterAll);
    std::string_view pattern = rule.substr(1);
    if (HasSpaceOrNul(pattern)) return RuleError(rule, err::kAclSyntaxError);
    if (std::find(s->channels.begin(), s->channels.end(), pattern) == s->channels.end()) {
      s->channels.emplace_back(pattern);
    }
  } else if (EqualsNoCase(rule, "allcommands") || EqualsNoCase(rule, "+@all")) {
    std::fill(s->allowed.begin(), s->allowed.end(), ~uint64_t{0});
    s->all_commands = true;
    s->first_args.clear();
  } else if (EqualsNoCase(rule, "nocommands") || EqualsNoCase(rule, "-@all")) {
    std::fill(s->allowed.begin(), s->allowed.end(), 0);
    s->all_commands = false;
    s->first_args.clear();
  } else if (rule.front() == '+' || rule.front() == '-') {
    return ApplyCommandRule(s, rule);
  } else {
    return RuleError(rule, err::kAclSyntaxError);
  }
  return std::nullopt;
}

// What a command rule ("+get", "-config|set", "+@read", "+select|0") names.
struct Acl::CommandTarget {
  std::vector<uint16_t> ids;  // the ids whose bit the rule sets or clears
  int first_arg_id = -1;      // "+select|0": the command...
  std::string first_arg;      // ...and its allowed first argument, as given
};

// Resolves as Redis 7.0 does: "+a|b" splits at the last '|' (a first argument of a command
// without subcommands, or a subcommand), "-a|b" must name a subcommand.
std::optional<std::string> Acl::ResolveTarget(std::string_view rule, CommandTarget* t) const {
  const std::string_view word = rule.substr(1);
  if (word.size() > 1 && word[0] == '@') {
    const int cat = CategoryIndex(word.substr(1));
    if (cat < 0) return RuleError(rule, err::kAclUnknownCommandOrCategory);
    t->ids = category_targets_[static_cast<size_t>(cat)];
    return std::nullopt;
  }
  const size_t bar = word.rfind('|');
  if (bar == std::string_view::npos || rule.front() == '-') {
    const int id = FindRow(word);
    if (id < 0) return RuleError(rule, err::kAclUnknownCommandOrCategory);
    t->ids.push_back(static_cast<uint16_t>(id));
    for (uint16_t sub : rows_[static_cast<size_t>(id)].subcommands) t->ids.push_back(sub);
    return std::nullopt;
  }
  const int base = FindRow(word.substr(0, bar));
  if (base < 0) return RuleError(rule, err::kAclUnknownCommandOrCategory);
  const Row& row = rows_[static_cast<size_t>(base)];
  if (!row.top_level) return RuleError(rule, err::kAclFirstArgOfSubcommand);
  if (bar + 1 == word.size()) return RuleError(rule, err::kAclSyntaxError);
  if (row.subcommands.empty()) {
    t->first_arg_id = base;
    t->first_arg.assign(word.substr(bar + 1));
    return std::nullopt;
  }
  const int sub = FindRow(word);
  if (sub < 0) return RuleError(rule, err::kAclUnknownCommandOrCategory);
  t->ids.push_back(static_cast<uint16_t>(sub));
  return std::nullopt;
}

void Acl::ApplyTarget(AclSelector* s, const CommandTarget& t, bool allow) const {
  if (t.first_arg_id >= 0) {
    std::vector<std::string>& args = s->first_args[static_cast<uint16_t>(t.first_arg_id)];
    const bool known = std::any_of(args.begin(), args.end(), [&](const std::string& a) {
      return EqualsNoCase(a, t.first_arg);
    });
    if (!known) args.push_back(t.first_arg);
    return;
  }
  for (uint16_t id : t.ids) {
    SetBit(&s->allowed, id, allow);
    s->first_args.erase(id);
  }
}

std::optional<std::string> Acl::ApplyCommandRule(AclSelector* s, std::string_view rule) const {
  CommandTarget t;
  if (std::optional<std::string> e = ResolveTarget(rule, &t)) return e;
  ApplyTarget(s, t, rule.front() == '+');
  return std::nullopt;
}

std::optional<std::string> Acl::ApplyUserRule(AclUser* u, std::string_view rule) const {
  if (rule.empty()) return RuleError(rule, err::kAclSyntaxError);
  if (EqualsNoCase(rule, "on")) {
    u->enabled = true;
  } else if (EqualsNoCase(rule, "off")) {
    u->enabled = false;
  } else if (EqualsNoCase(rule, "nopass")) {
    u->nopass = true;
    u->passwords.clear();
  } else if (EqualsNoCase(rule, "resetpass")) {
    u->nopass = false;
    u->passwords.clear();
  } else if (EqualsNoCase(rule, "skip-sanitize-payload")) {
    u->sanitize = AclUser::Sanitize::kSkip;
  } else if (EqualsNoCase(rule, "sanitize-payload")) {
    u->sanitize = AclUser::Sanitize::kSanitize;
  } else if (EqualsNoCase(rule, "clearselectors")) {
    u->selectors.resize(1);
  } else if (EqualsNoCase(rule, "reset")) {
    ResetUser(u);
    u->sanitize = AclUser::Sanitize::kSanitize;
  } else if (rule.front() == '>' || rule.front() == '#') {
    std::string digest;
    if (rule.front() == '>') {
      digest = Sha256Hex(rule.substr(1));
    } else {
      if (!IsDigestText(rule.substr(1))) return RuleError(rule, err::kAclBadPasswordHash);
      digest.assign(rule.substr(1));
    }
    if (std::find(u->passwords.begin(), u->passwords.end(), digest) == u->passwords.end()) {
      u->passwords.push_back(std::move(digest));
    }
    u->nopass = false;
  } else if (rule.front() == '<' || rule.front() == '!') {
    std::string digest;
    if (rule.front() == '<') {
      digest = Sha256Hex(rule.substr(1));
    } else {
      if (!IsDigestText(rule.substr(1))) return RuleError(rule, err::kAclBadPasswordHash);
      digest.assign(rule.substr(1));
    }
    auto it = std::find(u->passwords.begin(), u->passwords.end(), digest);
    if (it == u->passwords.end()) return RuleError(rule, err::kAclNoSuchPassword);
    u->passwords.erase(it);
  } else if (rule.front() == '(' && rule.back() == ')' && rule.size() >= 2) {
    AclSelector s = NewSelector();
    for (std::string_view r : SplitSpaces(rule.substr(1, rule.size() - 2))) {
      if (std::optional<std::string> e = ApplySelectorRule(&s, r))
        return RuleError(rule, err::kAclSyntaxError);
    }
    u->selectors.push_back(std::move(s));
  } else {
    return ApplySelectorRule(&u->selectors.front(), rule);
  }
  return std::nullopt;
}

void Acl::UpdateUnrestricted(AclUser* u) const {
  const AclSelector& s = u->selectors.front();
  bool all_bits = true;
  const size_t n = table_.by_id().size();
  for (size_t id = 0; id < n && all_bits; ++id) all_bits = s.Allows(static_cast<uint16_t>(id));
  u->unrestricted = all_bits && s.all_keys && s.all_channels;
}

std::optional<std::string> Acl::SetUser(std::string_view name,
                                        std::span<const std::string_view> rules) {
  if (HasSpaceOrNul(name)) return std::string(err::kAclUsernameSpaces);
  std::vector<std::string> merged;
  if (std::optional<std::string> e = MergeSelectorArgs(rules, &merged)) return e;
  std::shared_ptr<AclUser> existing = Find(name);
  AclUser copy;
  if (existing != nullptr) {
    copy = *existing;
  } else {
    copy.name.assign(name);
    ResetUser(&copy);
  }
  for (const std::string& r : merged) {
    if (std::optional<std::string> e = ApplyUserRule(&copy, r)) return e;
  }
  UpdateUnrestricted(&copy);
  if (existing != nullptr) {
    *existing = std::move(copy);
  } else {
    users_.emplace(std::string(name), std::make_shared<AclUser>(std::move(copy)));
  }
  return std::nullopt;
}

std::shared_ptr<AclUser> Acl::DeleteUser(std::string_view name) {
  if (name == "default") return nullptr;
  auto it = users_.find(name);
  if (it == users_.end()) return nullptr;
  std::shared_ptr<AclUser> u = it->second;
  users_.erase(it);
  return u;
}

void Acl::SetDefaultPassword(std::string_view password) {
  AclUser& u = *default_user_;
  u.passwords.clear();
  if (password.empty()) {
    u.nopass = true;
  } else {
    u.nopass = false;
    u.passwords.push_back(Sha256Hex(password));
  }
}

bool Acl::CheckPassword(const AclUser& user, std::string_view password) {
  const std::string digest = Sha256Hex(password);
  bool match = false;
  for (const std::string& p : user.passwords) {
    // Every digest is compared in full, so the time does not tell how much matched.
    match |= CRYPTO_memcmp(p.data(), digest.data(), digest.size()) == 0;
  }
  return user.enabled && (user.nopass || match);
}

AclDenial Acl::CheckSelector(const AclSelector& s, const Command& cmd,
                             const std::vector<std::string_view>& argv, size_t* arg) const {
  // AUTH and HELLO (no-auth commands) are never refused for the command itself.
  if (!s.Allows(cmd.acl_id) && !(cmd.flags & kNoAuth)) {
    auto it = s.first_args.find(cmd.acl_id);
    bool ok = false;
    if (it != s.first_args.end() && argv.size() > 1) {
      for (const std::string& a : it->second) ok |= EqualsNoCase(a, argv[1]);
    }
    if (!ok) return AclDenial::kCommand;
  }
  if (!s.all_keys && cmd.meta != nullptr && !cmd.meta->key_specs.empty()) {
    // Whether the selector's key patterns allow argv[pos] for a key spec's flags.
    auto allowed = [&](size_t pos, uint16_t flags) {
      uint8_t need = 0;
      if (flags & kKeyAccess) need |= AclSelector::kRead;
      if (flags & (kKeyInsert | kKeyDelete | kKeyUpdate)) need |= AclSelector::kWrite;
      for (const AclSelector::KeyPattern& p : s.keys) {
        if ((p.perms & need) == need && GlobMatch(p.pattern, argv[pos])) return true;
      }
      return false;
    };
    if (cmd.meta->line_keys != nullptr) {
      // The specs cannot find these keys (SORT's STORE, MIGRATE's KEYS): the command's own
      // finder does, as Redis's getkeys procedures serve its ACL check.
      for (const auto& [pos, flags] : cmd.meta->line_keys(argv)) {
        if (pos < argv.size() && !allowed(pos, flags)) {
          *arg = pos;
          return AclDenial::kKey;
        }
      }
    } else {
      for (const KeyRule& spec : cmd.meta->key_specs) {
        uint16_t flags = spec.flags;
        if ((flags & kKeyVariableFlags) && cmd.meta->line_key_flags != nullptr) {
          flags = cmd.meta->line_key_flags(argv, flags);
        }
        for (size_t pos : KeyPositions(std::span<const KeyRule>(&spec, 1), argv.size(), argv)) {
          if (!allowed(pos, flags)) {
            *arg = pos;
            return AclDenial::kKey;
          }
        }
      }
    }
  }
  if (!s.all_channels && (cmd.flags & kPubSub)) {
    // The channels of PUBLISH/SPUBLISH (argv[1]) and (S|P)SUBSCRIBE (all arguments); a
    // PSUBSCRIBE pattern must be one of the user's patterns, literally.
    const std::string_view name = cmd.name;
    size_t first = 1, last = 0;
    bool pattern = false;
    if (name == "publish" || name == "spublish") {
      last = 1;
    } else if (name == "subscribe" || name == "ssubscribe" || name == "psubscribe") {
      last = argv.size() - 1;
      pattern = name == "psubscribe";
    }
    for (size_t i = first; i <= last && i < argv.size(); ++i) {
      bool ok = false;
      for (const std::string& p : s.channels) {
        ok = pattern ? p == argv[i] : GlobMatch(p, argv[i]);
        if (ok) break;
      }
      if (!ok) {
        *arg = i;
        return AclDenial::kChannel;
      }
    }
  }
  return AclDenial::kNone;
}

AclVerdict Acl::Check(const AclUser& user, const Command& cmd,
                      const std::vector<std::string_view>& argv) const {
  AclVerdict worst{AclDenial::kCommand, 0};
  for (const AclSelector& s : user.selectors) {
    size_t arg = 0;
    const AclDenial d = CheckSelector(s, cmd, argv, &arg);
    if (d == AclDenial::kNone) return {};
    if (d > worst.denial || (d == worst.denial && arg > worst.arg)) worst = {d, arg};
  }
  return worst;
}

std::string Acl::DescribeKeys(const AclSelector& s) const {
  if (s.all_keys) return "~*";
  std::string out;
  for (const AclSelector::KeyPattern& p : s.keys) {
    if (!out.empty()) out += ' ';
    if (p.perms == AclSelector::kRead) {
      out += "%R";
    } else if (p.perms == AclSelector::kWrite) {
      out += "%W";
    }
    out += '~';
    out += p.pattern;
  }
  return out;
}

std::string Acl::DescribeChannels(const AclSelector& s, bool with_reset) const {
  if (s.all_channels) return "&*";
  std::string out = with_reset ? "resetchannels" : "";
  for (const std::string& p : s.channels) {
    if (!out.empty()) out += ' ';
    out += '&';
    out += p;
  }
  return out;
}

// Step 3 of the description (top of this file) for id and its subcommands.
void Acl::DescribeRow(const AclSelector& s, uint16_t id, std::vector<uint64_t>* fake,
                      std::string* out) const {
  const Row& row = rows_[id];
  const bool allowed = s.Allows(id);
  if (allowed != BitSet(*fake, id)) {
    *out += allowed ? " +" : " -";
    out->append(row.name);
    SetBit(fake, id, allowed);
    for (uint16_t sub : row.subcommands) SetBit(fake, sub, allowed);
  }
  for (uint16_t sub : row.subcommands) DescribeRow(s, sub, fake, out);
  if (allowed) return;
  auto it = s.first_args.find(id);
  if (it == s.first_args.end()) return;
  for (const std::string& arg : it->second) {
    *out += " +";
    out->append(row.name);
    *out += '|';
    out->append(arg);
  }
}

std::string Acl::DescribeCommands(const AclSelector& s) const {
  // additive: start from "-@all" and add; otherwise from "+@all" and remove.
  const bool additive = !s.all_commands;
  std::string out = additive ? "-@all" : "+@all";
  std::vector<uint64_t> fake(s.allowed.size(), additive ? 0 : ~uint64_t{0});
  std::vector<uint64_t> temp = s.allowed;
  uint32_t used = 0;
  for (;;) {
    int best = -1;
    size_t min_diff = SIZE_MAX, max_same = 0;
    for (size_t cat = 0; cat < kAclCategoryCount; ++cat) {
      if (used & (1u << cat)) continue;
      size_t on = 0;
      for (uint16_t id : category_counted_[cat]) on += BitSet(temp, id);
      const size_t off = category_counted_[cat].size() - on;
      const size_t diff = additive ? off : on;
      const size_t same = additive ? on : off;
      if (same > diff && (diff < min_diff || (diff == min_diff && same > max_same))) {
        best = static_cast<int>(cat);
        min_diff = diff;
        max_same = same;
      }
    }
    if (best < 0) break;
    used |= 1u << best;
    for (uint16_t id : category_targets_[static_cast<size_t>(best)]) {
      SetBit(&fake, id, additive);
      SetBit(&temp, id, !additive);
    }
    out += additive ? " +@" : " -@";
    out.append(kAclCategoryNames[best]);
  }
  for (uint16_t id : top_level_) DescribeRow(s, id, &fake, &out);
  return out;
}

std::string Acl::Describe(const AclUser& u) const {
  std::string out = "user ";
  out += u.name;
  out += u.enabled ? " on" : " off";
  if (u.nopass) out += " nopass";
  if (u.sanitize == AclUser::Sanitize::kSkip) out += " skip-sanitize-payload";
  if (u.sanitize == AclUser::Sanitize::kSanitize) out += " sanitize-payload";
  for (const std::string& p : u.passwords) {
    out += " #";
    out += p;
  }
  auto selector = [&](const AclSelector& s) {
    std::string d;
    for (const std::string& part :
         {DescribeKeys(s), DescribeChannels(s, true), DescribeCommands(s)}) {
      if (part.empty()) continue;
      if (!d.empty()) d += ' ';
      d += part;
    }
    return d;
  };
  out += ' ';
  out += selector(u.selectors.front());
  for (size_t i = 1; i < u.selectors.size(); ++i) {
    out += " (";
    out += selector(u.selectors[i]);
    out += ')';
  }
  return out;
}

std::string Acl::Save() const {
  std::string out;
  for (const auto& [name, u] : users_) {
    out += Describe(*u);
    out += '\n';
  }
  return out;
}

std::optional<std::string> Acl::Load(std::string_view text,
                                     std::vector<std::shared_ptr<AclUser>>* replaced) {
  std::map<std::string, std::shared_ptr<AclUser>, std::less<>> fresh;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string_view> words = SplitSpaces(line);
    if (words.empty() || words[0].front() == '#') continue;
    const std::string where = std::to_string(line_no);
    if (words[0] != "user" || words.size() < 2) {
      return err::Format(err::kAclFileLineNotUser, {where});
    }
    if (fresh.count(words[1]) != 0)
      return err::Format(err::kAclFileDuplicateUser, {where, words[1]});
    if (HasSpaceOrNul(words[1])) {
      return err::Format(err::kAclFileLineError, {where, err::kAclUsernameSpaces.substr(4)});
    }
    std::vector<std::string> merged;
    if (std::optional<std::string> e =
            MergeSelectorArgs(std::span<const std::string_view>(words).subspan(2), &merged)) {
      return err::Format(err::kAclFileLineError, {where, *e});
    }
    auto u = std::make_shared<AclUser>();
    u->name.assign(words[1]);
    ResetUser(u.get());
    for (const std::string& r : merged) {
      if (std::optional<std::string> e = ApplyUserRule(u.get(), r)) {
        return err::Format(err::kAclFileLineError, {where, *e});
      }
    }
    UpdateUnrestricted(u.get());
    fresh.emplace(u->name, std::move(u));
  }
  // The default user keeps its object, so clients authenticated as it keep their session.
  auto d = fresh.find("default");
  if (d != fresh.end()) {
    *default_user_ = std::move(*d->second);
  } else {
    InitDefaultUser(default_user_.get());
  }
  fresh["default"] = default_user_;
  for (auto& [name, u] : users_) {
    if (u != default_user_) replaced->push_back(u);
  }
  users_ = std::move(fresh);
  return std::nullopt;
}

void Acl::LogDenial(AclLogEntry entry, size_t max_len) {
  constexpr int64_t kGroupingMs = 60000;
  constexpr size_t kScan = 10;
  for (size_t i = 0; i < log_.size() && i < kScan; ++i) {
    AclLogEntry& e = log_[i];
    if (e.reason == entry.reason && e.context == entry.context && e.object == entry.object &&
        e.username == entry.username && entry.created_ms - e.created_ms < kGroupingMs) {
      entry.count = e.count + 1;
      log_.erase(log_.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  log_.push_front(std::move(entry));
  while (log_.size() > max_len) log_.pop_back();
}

}  // namespace firn
