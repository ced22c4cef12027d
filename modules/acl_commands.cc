// The ACL command and the pieces of admission that belong to ACL: the refusal replies, the
// log entries, and reading the aclfile. Texts and reply shapes are Redis 7.0's.
#include <openssl/rand.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "modules/acl.h"
#include "modules/acl_admission.h"
#include "modules/args.h"
#include "modules/common.h"
#include "modules/connection.h"
#include "modules/dispatch.h"
#include "modules/engine.h"
#include "modules/pubsub.h"
#include "protocol/errors.h"

namespace firn {

namespace {

std::string_view ReasonName(AclDenial d) {
  switch (d) {
    case AclDenial::kCommand:
      return "command";
    case AclDenial::kKey:
      return "key";
    case AclDenial::kChannel:
      return "channel";
    case AclDenial::kAuth:
      return "auth";
    case AclDenial::kNone:
      break;
  }
  return "";
}

// A command's full name as Redis prints it ("config|get").
std::string_view FullName(const Command& cmd) { return cmd.name; }

// Closes the clients authenticated as any of users (not the caller until after its reply).
void CloseClientsOf(CommandContext& ctx, const std::vector<std::shared_ptr<AclUser>>& users) {
  if (users.empty()) return;
  auto pred = [&](const ClientInfo& c) {
    for (const auto& u : users) {
      if (c.user == u) return true;
    }
    return false;
  };
  if (ctx.engine.hooks != nullptr) {
    ctx.engine.hooks->KillClients(pred);
  } else if (pred(ctx.client)) {
    ctx.client.close_after_reply = true;
  }
}

// ---- ACL subcommands ----

// A user's channel patterns over all its selectors; *all when one allows every channel.
std::vector<std::string> ChannelPatterns(const AclUser& u, bool* all) {
  std::vector<std::string> out;
  *all = false;
  for (const AclSelector& s : u.selectors) {
    *all = *all || s.all_channels;
    out.insert(out.end(), s.channels.begin(), s.channels.end());
  }
  return out;
}

// As Redis 7.0 after ACL SETUSER changed user u (whose channel patterns were `before`, or all
// channels): unless the new patterns allow every channel the old ones did, the clients
// authenticated as u with a subscription no selector allows any more are closed (the caller
// after its reply). A channel must match a pattern; a PSUBSCRIBE pattern must equal one.
void CloseRevokedSubscribers(CommandContext& ctx, const std::shared_ptr<AclUser>& u,
                             const std::vector<std::string>& before, bool before_all) {
  bool all = false;
  const std::vector<std::string> now = ChannelPatterns(*u, &all);
  if (all) return;
  auto kept = [&](const std::string& p) { return std::find(now.begin(), now.end(), p) != now.end(); };
  if (!before_all && std::all_of(before.begin(), before.end(), kept)) return;
  const PubSub& pubsub = ctx.engine.pubsub;
  const bool is_default = u == ctx.engine.acl.default_user();
  auto revoked = [&](const ClientInfo& c) {
    if (!c.subscribed || !(c.user == u || (is_default && c.user == nullptr))) return false;
    for (const std::string& p : pubsub.Subscriptions(c, PubSub::kPattern)) {
      if (!kept(p)) return true;
    }
    for (PubSub::Kind kind : {PubSub::kChannel, PubSub::kShard}) {
      for (const std::string& ch : pubsub.Subscriptions(c, kind)) {
        if (std::none_of(now.begin(), now.end(), [&](const std::string& p) { return GlobMatch(p, ch); })) {
          return true;
        }
      }
    }
    return false;
  };
  if (ctx.engine.hooks != nullptr) {
    ctx.engine.hooks->KillClients(revoked);
  } else if (revoked(ctx.client)) {
    ctx.client.close_after_reply = true;
  }
}

// ACL SETUSER username [rule ...] -> OK, or the first bad rule's error (nothing changed).
void AclSetUser(CommandContext& ctx) {
  std::vector<std::string_view> rules(ctx.argv.begin() + 3, ctx.argv.end());
  const std::shared_ptr<AclUser> existing = ctx.engine.acl.Find(ctx.arg(2));
  bool before_all = false;
  std::vector<std::string> before;
  if (existing != nullptr) before = ChannelPatterns(*existing, &before_all);
  if (std::optional<std::string> e = ctx.engine.acl.SetUser(ctx.arg(2), rules)) {
    ctx.Error(*e);
    return;
  }
  ctx.reply.Ok();
  if (existing != nullptr) CloseRevokedSubscribers(ctx, existing, before, before_all);
}

// ACL GETUSER username -> a map: flags, passwords, commands, keys, channels, selectors; or
// nil for an unknown user.
void AclGetUser(CommandContext& ctx) {
  const Acl& acl = ctx.engine.acl;
  std::shared_ptr<AclUser> u = acl.Find(ctx.arg(2));
  ReplyBuilder& r = ctx.reply;
  if (u == nullptr) {
    r.Null();
    return;
  }
  r.Map(6);
  r.Bulk("flags");
  const bool sanitize_flag = u->sanitize != AclUser::Sanitize::kUnset;
  r.Set(1 + (u->nopass ? 1 : 0) + (sanitize_flag ? 1 : 0));
  r.Bulk(u->enabled ? "on" : "off");
  if (u->nopass) r.Bulk("nopass");
  if (u->sanitize == AclUser::Sanitize::kSkip) r.Bulk("skip-sanitize-payload");
  if (u->sanitize == AclUser::Sanitize::kSanitize) r.Bulk("sanitize-payload");
  r.Bulk("passwords");
  r.Array(u->passwords.size());
  for (const std::string& p : u->passwords) r.Bulk(p);
  const AclSelector& root = u->selectors.front();
  r.Bulk("commands");
  r.Bulk(acl.DescribeCommands(root));
  r.Bulk("keys");
  r.Bulk(acl.DescribeKeys(root));
  r.Bulk("channels");
  r.Bulk(acl.DescribeChannels(root, false));
  r.Bulk("selectors");
  r.Array(u->selectors.size() - 1);
  for (size_t i = 1; i < u->selectors.size(); ++i) {
    const AclSelector& s = u->selectors[i];
    r.Map(3);
    r.Bulk("commands");
    r.Bulk(acl.DescribeCommands(s));
    r.Bulk("keys");
    r.Bulk(acl.DescribeKeys(s));
    r.Bulk("channels");
    r.Bulk(acl.DescribeChannels(s, false));
  }
}

// ACL DELUSER username [username ...] -> how many users were removed; their clients close.
void AclDelUser(CommandContext& ctx) {
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (ctx.arg(i) == "default") {
      ctx.Error(err::kAclDefaultUndeletable);
      return;
    }
  }
  std::vector<std::shared_ptr<AclUser>> removed;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (std::shared_ptr<AclUser> u = ctx.engine.acl.DeleteUser(ctx.arg(i))) removed.push_back(u);
  }
  CloseClientsOf(ctx, removed);
  ctx.reply.Int(static_cast<int64_t>(removed.size()));
}

// ACL LIST -> one `user ...` line per user, by name.
void AclList(CommandContext& ctx) {
  const Acl& acl = ctx.engine.acl;
  ctx.reply.Array(acl.users().size());
  for (const auto& [name, u] : acl.users()) ctx.reply.Bulk(acl.Describe(*u));
}

// ACL USERS -> the user names, sorted.
void AclUsers(CommandContext& ctx) {
  const Acl& acl = ctx.engine.acl;
  ctx.reply.Array(acl.users().size());
  for (const auto& [name, u] : acl.users()) ctx.reply.Bulk(name);
}

// ACL WHOAMI -> the caller's user name.
void AclWhoAmI(CommandContext& ctx) {
  ctx.reply.Bulk(ctx.client.user != nullptr ? std::string_view(ctx.client.user->name) : "default");
}

// ACL CAT [category] -> the category names, or the commands (full names) in one.
void AclCat(CommandContext& ctx) {
  const Acl& acl = ctx.engine.acl;
  if (ctx.argc() == 2) {
    ctx.reply.Array(kAclCategoryCount);
    for (std::string_view name : kAclCategoryNames) ctx.reply.Bulk(name);
    return;
  }
  if (ctx.argc() > 3) {
    ctx.Error(WrongArityError(ctx.command->name));
    return;
  }
  int cat = -1;
  for (size_t i = 0; i < kAclCategoryCount; ++i) {
    if (EqualsNoCase(kAclCategoryNames[i], ctx.arg(2))) cat = static_cast<int>(i);
  }
  if (cat < 0) {
    ctx.Error(err::Format(err::kAclUnknownCategory, {ctx.arg(2)}));
    return;
  }
  std::vector<std::string_view> names;
  const std::vector<const Command*>& rows = ctx.engine.commands.by_id();
  for (size_t id = 0; id < rows.size(); ++id) {
    if (acl.categories(static_cast<uint16_t>(id)) & (1u << cat)) names.push_back(rows[id]->name);
  }
  ctx.reply.Array(names.size());
  for (std::string_view n : names) ctx.reply.Bulk(n);
}

// ACL GENPASS [bits] -> bits (default 256) of randomness from libcrypto, as hex digits.
void AclGenPass(CommandContext& ctx) {
  int64_t bits = 256;
  if (ctx.argc() > 3) {
    ctx.Error(WrongArityError(ctx.command->name));
    return;
  }
  if (ctx.argc() == 3 && !ParseInt64(ctx.arg(2), &bits)) {
    ctx.Error(err::kNotInteger);
    return;
  }
  if (bits <= 0 || bits > 4096) {
    ctx.Error(err::kAclGenpassBits);
    return;
  }
  const size_t chars = static_cast<size_t>((bits + 3) / 4);
  std::string raw((chars + 1) / 2, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(chars + 1);
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  out.resize(chars);
  ctx.reply.Bulk(out);
}

// ACL DRYRUN username command [arg ...] -> OK, or why the user may not run it (a bulk
// string, not an error).
void AclDryRun(CommandContext& ctx) {
  const Acl& acl = ctx.engine.acl;
  std::shared_ptr<AclUser> u = acl.Find(ctx.arg(2));
  if (u == nullptr) {
    ctx.Error(err::Format(err::kAclNoSuchUser, {ctx.arg(2)}));
    return;
  }
  std::vector<std::string_view> argv(ctx.argv.begin() + 3, ctx.argv.end());
  const Command* cmd = ResolveCommand(ctx.engine.commands, argv);
  if (cmd == nullptr) {
    ctx.Error(err::Format(err::kAclNoSuchCommand, {argv[0]}));
    return;
  }
  if (!cmd->ArityFits(argv.size())) {
    ctx.Error(WrongArityError(cmd->name));
    return;
  }
  const AclVerdict v = acl.Check(*u, *cmd, argv);
  switch (v.denial) {
    case AclDenial::kNone:
      ctx.reply.Ok();
      return;
    case AclDenial::kKey:
      ctx.reply.Bulk(err::Format(err::kAclDryRunKey, {argv[v.arg]}));
      return;
    case AclDenial::kChannel:
      ctx.reply.Bulk(err::Format(err::kAclDryRunChannel, {argv[v.arg]}));
      return;
    default:
      ctx.reply.Bulk(err::Format(err::kAclDryRunCommand, {FullName(*cmd)}));
  }
}

// ACL LOG [count | RESET] -> the newest count entries (default 10), or OK after RESET.
void AclLog(CommandContext& ctx) {
  Acl& acl = ctx.engine.acl;
  int64_t count = 10;
  if (ctx.argc() > 3) {
    ctx.Error(WrongArityError(ctx.command->name));
    return;
  }
  if (ctx.argc() == 3) {
    if (EqualsNoCase(ctx.arg(2), "RESET")) {
      acl.ResetLog();
      ctx.reply.Ok();
      return;
    }
    if (!ParseInt64(ctx.arg(2), &count)) {
      ctx.Error(err::kNotInteger);
      return;
    }
    count = std::max<int64_t>(count, 0);
  }
  const auto& log = acl.log();
  const size_t n = std::min(log.size(), static_cast<size_t>(count));
  ReplyBuilder& r = ctx.reply;
  r.Array(n);
  for (size_t i = 0; i < n; ++i) {
    const AclLogEntry& e = log[i];
    r.Map(7);
    r.Bulk("count");
    r.Int(static_cast<int64_t>(e.count));
    r.Bulk("reason");
    r.Bulk(e.reason);
    r.Bulk("context");
    r.Bulk(e.context);
    r.Bulk("object");
    r.Bulk(e.object);
    r.Bulk("username");
    r.Bulk(e.username);
    r.Bulk("age-seconds");
    r.Double(static_cast<double>(ctx.now_ms - e.created_ms) / 1000.0);
    r.Bulk("client-info");
    r.Bulk(e.client_info);
  }
}

// ACL SAVE -> OK once the aclfile holds every user (written aside, then renamed over it).
void AclSave(CommandContext& ctx) {
  const std::string& path = ctx.config().aclfile;
  if (path.empty()) {
    ctx.Error(err::kAclNoFile);
    return;
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << ctx.engine.acl.Save();
    out.flush();
    if (!out) {
      ctx.Error(err::kAclFileUnwritable);
      return;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    ctx.Error(err::kAclFileUnwritable);
    return;
  }
  ctx.reply.Ok();
}

// ACL LOAD -> OK once the aclfile replaced every user (the clients of dropped or replaced
// users are closed), or the file's first error with nothing changed.
void AclLoad(CommandContext& ctx) {
  if (ctx.config().aclfile.empty()) {
    ctx.Error(err::kAclNoFile);
    return;
  }
  std::vector<std::shared_ptr<AclUser>> replaced;
  if (std::optional<std::string> e = LoadAclFile(ctx.engine, &replaced)) {
    ctx.Error(*e);
    return;
  }
  CloseClientsOf(ctx, replaced);
  ctx.reply.Ok();
}

// ACL HELP -> the subcommands, as status lines.
void AclHelp(CommandContext& ctx) {
  ReplyLines(ctx, {
      "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Returns whether the user can execute the given command without executing the command.",
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username.",
      "HELP",
      "    Print this help.",
  });
}

constexpr uint32_t kAclAdmin = kAdmin | kNoScript | kLoading | kStale;
constexpr uint32_t kAclPlain = kNoScript | kLoading | kStale;

// clang-format off
std::vector<Command> AclSubcommands() {
  return {
      {.name = "acl|cat", .arity = -2, .flags = kAclPlain, .run = AclCat, .group = "server",
       .since = "6.0.0", .summary = "Lists the ACL categories, or the commands in one.",
       .syntax = "[categoryname]"},
      {.name = "acl|deluser", .arity = -3, .flags = kAclAdmin, .run = AclDelUser,
       .group = "server", .since = "6.0.0",
       .summary = "Removes users and closes their connections.",
       .syntax = "username [username ...]"},
      {.name = "acl|dryrun", .arity = -4, .flags = kAclAdmin, .run = AclDryRun,
       .group = "server", .since = "7.0.0",
       .summary = "Answers whether a user may run a command, without running it.",
       .syntax = "username command [arg [arg ...]]"},
      {.name = "acl|genpass", .arity = -2, .flags = kAclPlain, .run = AclGenPass,
       .group = "server", .since = "6.0.0", .summary = "Answers a random password.",
       .syntax = "[bits]"},
      {.name = "acl|getuser", .arity = 3, .flags = kAclAdmin, .run = AclGetUser,
       .group = "server", .since = "6.0.0", .summary = "Answers a user's rules.",
       .syntax = "username"},
      {.name = "acl|help", .arity = 2, .flags = kLoading | kStale, .run = AclHelp,
       .group = "server", .since = "6.0.0", .summary = "Lists the ACL subcommands.",
       .syntax = ""},
      {.name = "acl|list", .arity = 2, .flags = kAclAdmin, .run = AclList, .group = "server",
       .since = "6.0.0", .summary = "Answers every user's rules as aclfile lines.",
       .syntax = ""},
      {.name = "acl|load", .arity = 2, .flags = kAclAdmin, .run = AclLoad, .group = "server",
       .since = "6.0.0", .summary = "Replaces the users with the aclfile's.", .syntax = ""},
      {.name = "acl|log", .arity = -2, .flags = kAclAdmin, .run = AclLog, .group = "server",
       .since = "6.0.0", .summary = "Answers the latest refusals and failed logins.",
       .syntax = "[count|RESET]"},
      {.name = "acl|save", .arity = 2, .flags = kAclAdmin, .run = AclSave, .group = "server",
       .since = "6.0.0", .summary = "Writes the users to the aclfile.", .syntax = ""},
      {.name = "acl|setuser", .arity = -3, .flags = kAclAdmin, .run = AclSetUser,
       .group = "server", .since = "6.0.0", .summary = "Creates a user or changes its rules.",
       .syntax = "username [rule [rule ...]]"},
      {.name = "acl|users", .arity = 2, .flags = kAclAdmin, .run = AclUsers, .group = "server",
       .since = "6.0.0", .summary = "Answers the user names.", .syntax = ""},
      {.name = "acl|whoami", .arity = 2, .flags = kAclPlain, .run = AclWhoAmI,
       .group = "server", .since = "6.0.0", .summary = "Answers this connection's user name.",
       .syntax = ""},
  };
}
// clang-format on

}  // namespace

std::optional<std::string> LoadAclFile(Engine& engine,
                                       std::vector<std::shared_ptr<AclUser>>* replaced) {
  const std::string& path = engine.config.aclfile;
  std::ifstream in(path);
  if (!in) return err::Format(err::kAclFileUnreadable, {path, std::strerror(errno)});
  std::stringstream text;
  text << in.rdbuf();
  return engine.acl.Load(text.str(), replaced);
}

std::optional<std::string> ApplyConfiguredUsers(Engine& engine) {
  const Config& cfg = engine.config;
  if (cfg.aclfile.empty()) return std::nullopt;
  std::vector<std::shared_ptr<AclUser>> replaced;
  return LoadAclFile(engine, &replaced);
}

std::optional<std::string> AclRefusal(Engine& engine, ClientInfo& client, const Command& cmd,
                                      const std::vector<std::string_view>& argv,
                                      AclContext context, int64_t now_ms, const AclLogAs* log_as) {
  const AclUser& user = UserOf(engine, client);
  const AclVerdict v = engine.acl.Check(user, cmd, argv);
  if (v.denial == AclDenial::kNone) return std::nullopt;
  const bool key = v.denial == AclDenial::kKey, channel = v.denial == AclDenial::kChannel;
  std::string object(key || channel ? argv[v.arg] : FullName(cmd));
  std::string reply;
  switch (context) {
    case AclContext::kScript:
      reply = key ? err::kScriptNoPermKey : channel ? err::kScriptNoPermChannel
                                                    : err::kScriptNoPermCommand;
      break;
    case AclContext::kExec:
      reply = err::Format(err::kNoPermAclChangedInMulti,
                          {key       ? err::kAclChangedKeyReason
                           : channel ? err::kAclChangedChannelReason
                                     : err::kAclChangedCommandReason});
      break;
    default:
      reply = key ? std::string(err::kNoPermKey)
              : channel ? std::string(err::kNoPermChannel)
                        : err::Format(err::kNoPermCommand, {FullName(cmd)});
  }
  const std::string_view log_context = context == AclContext::kScript ? "lua"
                                       : context == AclContext::kTopLevel ? "toplevel"
                                                                          : "multi";
  if (log_as != nullptr) {
    LogAclDenial(engine, *log_as->client, *log_as->cmd, *log_as->argv, v.denial,
                 std::move(object), log_context, user.name, now_ms);
  } else {
    LogAclDenial(engine, client, cmd, argv, v.denial, std::move(object), log_context, user.name,
                 now_ms);
  }
  return reply;
}

void LogAclDenial(Engine& engine, ClientInfo& client, const Command& cmd,
                  const std::vector<std::string_view>& argv, AclDenial denial,
                  std::string object, std::string_view context, std::string_view username,
                  int64_t now_ms) {
  std::string unused_out;
  ReplyBuilder unused(&unused_out, client.proto);
  CommandContext ctx{argv, unused, engine, client, now_ms, &cmd};
  AclLogEntry e;
  e.reason.assign(ReasonName(denial));
  e.context.assign(context);
  e.object = std::move(object);
  e.username.assign(username);
  e.created_ms = now_ms;
  e.client_info = ClientInfoLine(ctx, client);
  engine.acl.LogDenial(std::move(e), static_cast<size_t>(engine.config.acllog_max_len));
}

const AclUser& UserOf(const Engine& engine, const ClientInfo& client) {
  return client.user != nullptr ? *client.user : *engine.acl.default_user();
}

bool DefaultUserOpen(const Engine& engine) {
  const AclUser& d = *engine.acl.default_user();
  return d.enabled && d.nopass;
}

std::vector<Command> AclCommands() {
  return {
      {.name = "acl", .arity = -2, .flags = 0, .run = RunSubcommand, .group = "server",
       .since = "6.0.0", .summary = "Manages users and their permissions (see its subcommands).",
       .syntax = "", .subcommands = AclSubcommands()},
  };
}

}  // namespace firn
