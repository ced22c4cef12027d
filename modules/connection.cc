// Connection commands: the state of one client (protocol version, name, database, auth, reply
// mode) and, through the server's hooks, the list of all clients (CLIENT LIST / KILL).
//
// Texts and shapes follow Redis 7.0 (CLIENT SETINFO follows 7.2, which added it). AUTH and
// HELLO AUTH check the ACL users (modules/acl.h); the default user's password is requirepass.
// Without server hooks (the engine used in-process) the client list is the calling client
// alone.
#include "modules/connection.h"

#include <algorithm>
#include <functional>
#include <string>

#include "modules/acl_admission.h"
#include "modules/args.h"
#include "modules/blocking.h"
#include "modules/client_eviction.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "modules/tracking.h"
#include "modules/version.h"
#include "protocol/errors.h"

namespace firn {
namespace {

// Redis's validateClientAttr: names are printable ASCII without spaces.
bool ValidClientAttr(std::string_view s) {
  for (char c : s) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

// Sets the client's name, or sends Redis's error and returns false. "" clears the name.
bool SetNameOrReply(CommandContext& ctx, std::string_view name) {
  if (!ValidClientAttr(name)) {
    ctx.Error(err::kClientNameChars);
    return false;
  }
  ctx.client.name.assign(name);
  return true;
}

// Checks user/password against the ACL users (modules/acl.h): on success the client acts as
// that user. Sends WRONGPASS (and logs the attempt in the ACL log) and returns false on a
// mismatch; a failed attempt leaves the client as it was.
bool AuthenticateOrReply(CommandContext& ctx, std::string_view user, std::string_view password) {
  std::shared_ptr<AclUser> u = ctx.engine.acl.Find(user);
  // The digest is computed whether or not the user exists, so the reply time does not say.
  const bool ok = Acl::CheckPassword(u != nullptr ? *u : *ctx.engine.acl.default_user(),
                                     password) && u != nullptr;
  if (!ok) {
    LogAclDenial(ctx.engine, ctx.client, *ctx.command, ctx.argv, AclDenial::kAuth, "AUTH",
                 ctx.client.in_multi ? "multi" : "toplevel", user, ctx.now_ms);
    ctx.Error(err::kWrongPass);
    return false;
  }
  ctx.client.user = std::move(u);
  ctx.client.authenticated = true;
  return true;
}

// PING [message] -> PONG, or the message as a bulk string. A RESP2 client in subscribed mode
// gets [pong, message-or-empty] instead, a shape its message reader expects (Redis does the
// same; in RESP3 push messages are told apart by type, so PING answers as usual).
void Ping(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    ctx.Error(WrongArityError(ctx.command->name));
  } else if (ctx.client.subscribed && ctx.client.proto == Proto::kResp2) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.argc() == 2 ? ctx.arg(1) : std::string_view());
  } else if (ctx.argc() == 2) {
    ctx.reply.Bulk(ctx.arg(1));
  } else {
    ctx.reply.Simple("PONG");
  }
}

// ECHO message -> the message.
void Echo(CommandContext& ctx) { ctx.reply.Bulk(ctx.arg(1)); }

// QUIT -> OK, then the connection closes once its pending replies are written.
void Quit(CommandContext& ctx) {
  ctx.client.close_after_reply = true;
  ctx.reply.Ok();
}

// RESET -> RESET. The connection returns to its initial state: database 0, RESP2, no name,
// replies on, no transaction, no MONITOR, pub/sub or tracking, and authenticated only if no
// password is required.
// (CLIENT NO-EVICT survives, as in Redis 7.0.)
void Reset(CommandContext& ctx) {
  ClientInfo& c = ctx.client;
  c.db = 0;
  c.proto = Proto::kResp2;
  c.name.clear();
  c.reply_mode = ClientInfo::ReplyMode::kOn;
  c.in_multi = false;
  c.multi_error = false;
  c.queued.clear();
  ctx.engine.clients.SetMonitor(c, false);
  ReleaseClientState(ctx.engine, c);  // watched keys, subscriptions, tracking
  c.user = nullptr;  // the default user
  c.authenticated = DefaultUserOpen(ctx.engine);
  ctx.reply.set_proto(Proto::kResp2);
  ctx.reply.Simple("RESET");
}

// HELLO [protover [AUTH username password] [SETNAME clientname]] -> a map describing the
// server (server, version, proto, id, mode, role, modules). A new protocol version applies to
// this reply already.
void Hello(CommandContext& ctx) {
  int64_t proto = 0;
  size_t next = 1;
  if (ctx.argc() >= 2) {
    if (!ParseInt64(ctx.arg(next++), &proto)) {
      ctx.Error(err::kHelloProtoNotInteger);
      return;
    }
    if (proto < 2 || proto > 3) {
      ctx.Error(err::kProtocolVersion);
      return;
    }
  }
  std::string_view user, password, name;
  bool auth = false, setname = false;
  for (size_t i = next; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    size_t more = ctx.argc() - 1 - i;
    if (EqualsNoCase(opt, "AUTH") && more >= 2) {
      auth = true;
      user = ctx.arg(i + 1);
      password = ctx.arg(i + 2);
      i += 2;
    } else if (EqualsNoCase(opt, "SETNAME") && more >= 1) {
      setname = true;
      name = ctx.arg(++i);
    } else {
      ctx.Error(err::Format(err::kHelloOptionSyntax, {opt}));
      return;
    }
  }
  if (auth && !AuthenticateOrReply(ctx, user, password)) return;
  if (!ctx.client.authenticated && !DefaultUserOpen(ctx.engine)) {
    ctx.Error(err::kHelloNoAuth);
    return;
  }
  if (setname && !SetNameOrReply(ctx, name)) return;
  if (proto != 0) {
    ctx.client.proto = static_cast<Proto>(proto);
    ctx.reply.set_proto(ctx.client.proto);
  }
  ReplyBuilder& r = ctx.reply;
  r.Map(7);
  r.Bulk("server");
  r.Bulk("redis");
  r.Bulk("version");
  r.Bulk(kRedisVersion);
  r.Bulk("proto");
  r.Int(static_cast<int64_t>(ctx.client.proto));
  r.Bulk("id");
  r.Int(static_cast<int64_t>(ctx.client.id));
  r.Bulk("mode");
  r.Bulk("standalone");
  r.Bulk("role");
  r.Bulk("master");
  r.Bulk("modules");
  r.Array(0);
}

// AUTH [username] password -> OK, or WRONGPASS. The one-argument form is refused when no
// password is configured, as Redis refuses it.
void Auth(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.Error(err::kSyntax);
    return;
  }
  if (ctx.argc() == 2 && ctx.engine.acl.default_user()->nopass) {
    ctx.Error(err::kAuthNotConfigured);
    return;
  }
  std::string_view user = ctx.argc() == 2 ? "default" : ctx.arg(1);
  if (AuthenticateOrReply(ctx, user, ctx.arg(ctx.argc() - 1))) ctx.reply.Ok();
}

// SELECT index -> OK; the connection now works on database index.
void Select(CommandContext& ctx) {
  int64_t index;
  if (!ParseInt64(ctx.arg(1), &index) || index < INT32_MIN || index > INT32_MAX) {
    ctx.Error(err::kNotInteger);
    return;
  }
  if (index < 0 || index >= ctx.keyspace().count()) {
    ctx.Error(err::kDbIndexOutOfRange);
    return;
  }
  ctx.client.db = static_cast<int>(index);
  ctx.reply.Ok();
}

// ---- CLIENT ----

// Every client the server knows (or the caller alone when the engine runs without a server).
void ForEachClient(CommandContext& ctx, const std::function<void(const ClientInfo&)>& fn) {
  if (ctx.engine.hooks != nullptr) {
    ctx.engine.hooks->ForEachClient(fn);
  } else {
    fn(ctx.client);
  }
}

// Closes the clients pred selects (at once; the caller after this reply); returns how many.
size_t KillClients(CommandContext& ctx, const std::function<bool(const ClientInfo&)>& pred) {
  if (ctx.engine.hooks != nullptr) return ctx.engine.hooks->KillClients(pred);
  if (!pred(ctx.client)) return 0;
  ctx.client.close_after_reply = true;
  return 1;
}

// The server names unix-socket clients "<path>:0" and gives them no fd.
bool IsUnixSocket(const ClientInfo& c) {
  return c.fd < 0 && c.addr.size() >= 2 && c.addr.compare(c.addr.size() - 2, 2, ":0") == 0;
}

// Redis's flag letters for CLIENT LIST, in its order; "N" when none applies.
std::string ClientFlags(const Engine& engine, const ClientInfo& c) {
  std::string f;
  if (c.monitor) f += 'O';
  if (c.subscribed) f += 'P';
  if (c.in_multi) f += 'x';
  if (c.blocked) f += 'b';
  if (c.tracking) {
    const uint32_t o = engine.tracking.options(c);
    f += 't';
    if (o & Tracking::kBrokenRedirect) f += 'R';
    if (o & Tracking::kBcast) f += 'B';
  }
  if (engine.watches.Dirty(c)) f += 'd';
  if (c.close_after_reply) f += 'c';
  if (IsUnixSocket(c)) f += 'U';
  if (c.no_evict) f += 'e';
  if (f.empty()) f = "N";
  return f;
}

// One CLIENT LIST line (without the newline), in Redis 7's field order. Memory fields are
// what Firn knows (buffer sizes) rather than Redis's allocator-level figures.
std::string ClientLine(CommandContext& ctx, const ClientInfo& c) {
  const bool self = &c == &ctx.client;
  // The caller is running this command now; Redis shows it as the current command.
  std::string_view cmd = self ? ctx.command->name : c.last_command;
  size_t argv_mem = 0;
  if (self) {
    for (std::string_view a : ctx.argv) argv_mem += a.size();
  }
  const int64_t age_s = (ctx.now_ms - c.created_ms) / 1000;
  const int64_t idle_s = (ctx.now_ms - c.last_interaction_ms) / 1000;
  const size_t tot_mem = ClientMemory(c) + argv_mem;
  std::string line;
  line.reserve(320);
  auto field = [&line](std::string_view name, std::string_view value) {
    if (!line.empty()) line += ' ';
    line.append(name).append("=").append(value);
  };
  auto num = [&field](std::string_view name, int64_t value) { field(name, std::to_string(value)); };
  num("id", static_cast<int64_t>(c.id));
  field("addr", c.addr);
  field("laddr", c.laddr);
  num("fd", c.fd);
  field("name", c.name);
  num("age", age_s);
  num("idle", idle_s);
  field("flags", ClientFlags(ctx.engine, c));
  num("db", c.db);
  num("sub", static_cast<int64_t>(ctx.engine.pubsub.Count(c, PubSub::kChannel)));
  num("psub", static_cast<int64_t>(ctx.engine.pubsub.Count(c, PubSub::kPattern)));
  num("ssub", static_cast<int64_t>(ctx.engine.pubsub.Count(c, PubSub::kShard)));
  num("multi", c.in_multi ? static_cast<int64_t>(c.queued.size()) : -1);
  num("qbuf", static_cast<int64_t>(c.query_buffer_bytes));
  num("qbuf-free", static_cast<int64_t>(c.query_buffer_free));
  num("argv-mem", static_cast<int64_t>(argv_mem));
  num("multi-mem", static_cast<int64_t>(MultiMemory(c)));
  num("rbs", 0);
  num("rbp", 0);
  num("obl", 0);
  num("oll", 0);
  num("omem", static_cast<int64_t>(c.output_buffer_bytes));
  num("tot-mem", static_cast<int64_t>(tot_mem));
  field("events", c.output_buffer_bytes > 0 ? "rw" : "r");
  field("cmd", cmd);
  field("user", c.user != nullptr ? std::string_view(c.user->name) : "default");
  num("redir", ctx.engine.tracking.redirect(c));
  num("resp", static_cast<int>(c.proto));
  field("lib-name", c.lib_name);
  field("lib-ver", c.lib_ver);
  return line;
}

// Redis's client types by name (slave and replica are one), or nullopt for an unknown name.
std::optional<ClientType> ClientTypeByName(std::string_view type) {
  if (EqualsNoCase(type, "normal")) return ClientType::kNormal;
  if (EqualsNoCase(type, "master")) return ClientType::kMaster;
  if (EqualsNoCase(type, "replica") || EqualsNoCase(type, "slave")) return ClientType::kReplica;
  if (EqualsNoCase(type, "pubsub")) return ClientType::kPubSub;
  return std::nullopt;
}

std::string UnknownClientTypeError(std::string_view type) {
  return err::Format(err::kUnknownClientType, {type});
}

// CLIENT ID -> this connection's id.
void ClientId(CommandContext& ctx) { ctx.reply.Int(static_cast<int64_t>(ctx.client.id)); }

// CLIENT SETNAME name -> OK; "" removes the name.
void ClientSetName(CommandContext& ctx) {
  if (SetNameOrReply(ctx, ctx.arg(2))) ctx.reply.Ok();
}

// CLIENT GETNAME -> the name, or nil.
void ClientGetName(CommandContext& ctx) {
  if (ctx.client.name.empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(ctx.client.name);
  }
}

// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]] -> one line per client,
// each ending in "\n", as a bulk string (verbatim in RESP3).
void ClientList(CommandContext& ctx) {
  std::string out;
  if (ctx.argc() == 2) {
    ForEachClient(ctx, [&](const ClientInfo& c) { out.append(ClientLine(ctx, c)) += '\n'; });
  } else if (ctx.argc() == 4 && EqualsNoCase(ctx.arg(2), "TYPE")) {
    const std::optional<ClientType> type = ClientTypeByName(ctx.arg(3));
    if (!type) {
      ctx.Error(UnknownClientTypeError(ctx.arg(3)));
      return;
    }
    ForEachClient(ctx, [&](const ClientInfo& c) {
      if (TypeOf(c) == *type) out.append(ClientLine(ctx, c)) += '\n';
    });
  } else if (ctx.argc() > 3 && EqualsNoCase(ctx.arg(2), "ID")) {
    std::vector<int64_t> ids;
    for (size_t i = 3; i < ctx.argc(); ++i) {
      int64_t id;
      if (!ParseInt64(ctx.arg(i), &id)) {
        ctx.Error(err::kInvalidClientId);
        return;
      }
      ids.push_back(id);
    }
    // In the order asked for, as Redis answers.
    for (int64_t id : ids) {
      ForEachClient(ctx, [&](const ClientInfo& c) {
        if (static_cast<int64_t>(c.id) == id) out.append(ClientLine(ctx, c)) += '\n';
      });
    }
  } else {
    ctx.Error(err::kSyntax);
    return;
  }
  ctx.reply.Verbatim(out);
}

// CLIENT INFO -> this connection's CLIENT LIST line.
void ClientInfoCommand(CommandContext& ctx) {
  ctx.engine.clients.RefreshBufferStats(ctx.client);
  ctx.reply.Verbatim(ClientLine(ctx, ctx.client) + "\n");
}

// What CLIENT KILL's filters select.
struct KillFilter {
  bool by_id = false, by_addr = false, by_laddr = false, by_user = false, by_type = false;
  uint64_t id = 0;
  std::string_view addr, laddr, user;
  ClientType type = ClientType::kNormal;
  int64_t max_age_s = 0;  // 0: any age
  bool skip_me = true;
};

// CLIENT KILL ip:port -> OK or "No such client" (the old form; it may kill the caller).
// CLIENT KILL <ID id | ADDR ip:port | LADDR ip:port | USER name | TYPE type | SKIPME yes/no |
// MAXAGE seconds> ... -> the number of clients killed (the new form: every filter must match).
void ClientKill(CommandContext& ctx) {
  if (ctx.argc() == 3) {
    std::string_view addr = ctx.arg(2);
    size_t n = KillClients(ctx, [addr](const ClientInfo& c) { return c.addr == addr; });
    if (n == 0) {
      ctx.Error(err::kNoSuchClient);
    } else {
      ctx.reply.Ok();
    }
    return;
  }
  KillFilter f;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    if (i + 1 >= ctx.argc()) {
      ctx.Error(err::kSyntax);
      return;
    }
    std::string_view opt = ctx.arg(i), value = ctx.arg(i + 1);
    if (EqualsNoCase(opt, "ID")) {
      int64_t id;
      if (!ParseInt64(value, &id) || id <= 0) {
        ctx.Error(err::kClientIdNotPositive);
        return;
      }
      f.by_id = true;
      f.id = static_cast<uint64_t>(id);
    } else if (EqualsNoCase(opt, "TYPE")) {
      const std::optional<ClientType> type = ClientTypeByName(value);
      if (!type) {
        ctx.Error(UnknownClientTypeError(value));
        return;
      }
      f.by_type = true;
      f.type = *type;
    } else if (EqualsNoCase(opt, "ADDR")) {
      f.by_addr = true;
      f.addr = value;
    } else if (EqualsNoCase(opt, "LADDR")) {
      f.by_laddr = true;
      f.laddr = value;
    } else if (EqualsNoCase(opt, "USER")) {
      if (ctx.engine.acl.Find(value) == nullptr) {
        ctx.Error(err::Format(err::kNoSuchUser, {value}));
        return;
      }
      f.by_user = true;
      f.user = value;
    } else if (EqualsNoCase(opt, "SKIPME")) {
      if (EqualsNoCase(value, "yes")) {
        f.skip_me = true;
      } else if (EqualsNoCase(value, "no")) {
        f.skip_me = false;
      } else {
        ctx.Error(err::kSyntax);
        return;
      }
    } else if (EqualsNoCase(opt, "MAXAGE")) {
      // Redis 7.4's filter: clients connected for more than this many seconds.
      if (!ParseInt64(value, &f.max_age_s)) {
        ctx.Error(err::kNotInteger);
        return;
      }
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  }
  const ClientInfo* me = &ctx.client;
  const int64_t now_ms = ctx.now_ms;
  size_t n = KillClients(ctx, [&f, me, now_ms](const ClientInfo& c) {
    if (f.skip_me && c.id == me->id) return false;
    if (f.by_id && c.id != f.id) return false;
    if (f.by_addr && c.addr != f.addr) return false;
    if (f.by_laddr && c.laddr != f.laddr) return false;
    if (f.by_type && TypeOf(c) != f.type) return false;
    if (f.max_age_s != 0 && (now_ms - c.created_ms) / 1000 <= f.max_age_s) return false;
    if (f.by_user && (c.user != nullptr ? std::string_view(c.user->name) : "default") != f.user) {
      return false;
    }
    return true;
  });
  ctx.reply.Int(static_cast<int64_t>(n));
}

// CLIENT SETINFO <LIB-NAME | LIB-VER> value -> OK (Redis 7.2; redis-py sends it on connect).
void ClientSetInfo(CommandContext& ctx) {
  std::string_view attr = ctx.arg(2), value = ctx.arg(3);
  std::string* dest = nullptr;
  if (EqualsNoCase(attr, "LIB-NAME")) {
    dest = &ctx.client.lib_name;
  } else if (EqualsNoCase(attr, "LIB-VER")) {
    dest = &ctx.client.lib_ver;
  } else {
    ctx.Error(err::Format(err::kUnrecognizedOption, {attr}));
    return;
  }
  if (!ValidClientAttr(value)) {
    ctx.Error(err::Format(err::kClientAttrChars, {attr}));
    return;
  }
  dest->assign(value);
  ctx.reply.Ok();
}

// CLIENT NO-EVICT ON|OFF -> OK.
void ClientNoEvict(CommandContext& ctx) {
  if (EqualsNoCase(ctx.arg(2), "ON")) {
    ctx.client.no_evict = true;
  } else if (EqualsNoCase(ctx.arg(2), "OFF")) {
    ctx.client.no_evict = false;
  } else {
    ctx.Error(err::kSyntax);
    return;
  }
  ctx.reply.Ok();
}

// CLIENT REPLY ON|OFF|SKIP -> OK for ON; OFF and SKIP are silent (Dispatch drops the replies:
// OFF all of them until ON, SKIP this one and the next command's).
void ClientReply(CommandContext& ctx) {
  std::string_view mode = ctx.arg(2);
  if (EqualsNoCase(mode, "ON")) {
    ctx.client.reply_mode = ClientInfo::ReplyMode::kOn;
  } else if (EqualsNoCase(mode, "OFF")) {
    ctx.client.reply_mode = ClientInfo::ReplyMode::kOff;
  } else if (EqualsNoCase(mode, "SKIP")) {
    ctx.client.reply_mode = ClientInfo::ReplyMode::kSkipNext;
  } else {
    ctx.Error(err::kSyntax);
    return;
  }
  ctx.reply.Ok();
}

// CLIENT UNBLOCK client-id [TIMEOUT|ERROR] -> 1 if the client was blocked in a blocking
// command and is now unblocked (it gets its timeout reply, or with ERROR the UNBLOCKED error),
// else 0.
void ClientUnblock(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    ctx.Error(UnknownSubcommandError(ctx.arg(1).substr(0, 128), "client"));
    return;
  }
  bool error = false;
  if (ctx.argc() == 4) {
    if (EqualsNoCase(ctx.arg(3), "ERROR")) {
      error = true;
    } else if (!EqualsNoCase(ctx.arg(3), "TIMEOUT")) {
      ctx.Error(err::kUnblockReason);
      return;
    }
  }
  int64_t id;
  if (!ArgInt(ctx, 2, &id)) return;
  ClientInfo* target = id > 0 ? ctx.engine.clients.Find(static_cast<uint64_t>(id)) : nullptr;
  ctx.reply.Int(target != nullptr && UnblockClient(ctx.engine, *target, error) ? 1 : 0);
}

// CLIENT PAUSE timeout [WRITE|ALL] -> OK. For timeout milliseconds, commands from clients
// wait (ALL, the default: every command; WRITE: those that may write) and run when the pause
// ends. A pause already in force is only lengthened or made stricter.
void ClientPauseCommand(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    ctx.Error(UnknownSubcommandError(ctx.arg(1).substr(0, 128), "client"));
    return;
  }
  bool all = true;
  if (ctx.argc() == 4) {
    if (EqualsNoCase(ctx.arg(3), "WRITE")) {
      all = false;
    } else if (!EqualsNoCase(ctx.arg(3), "ALL")) {
      ctx.Error(err::kPauseMode);
      return;
    }
  }
  int64_t timeout_ms;
  if (!ParseInt64(ctx.arg(2), &timeout_ms)) {
    ctx.Error(err::kPauseTimeoutNotInteger);
    return;
  }
  if (timeout_ms < 0) {
    ctx.Error(err::kTimeoutNegative);
    return;
  }
  // The furthest time the clock holds for a longer pause.
  timeout_ms = std::min<int64_t>(timeout_ms, INT64_MAX - ctx.now_ms);
  if (timeout_ms > 0) Pause(ctx.engine, ctx.now_ms + timeout_ms, all, ctx.now_ms);
  ctx.reply.Ok();
}

// CLIENT UNPAUSE -> OK; the clients held back by CLIENT PAUSE run their commands.
void ClientUnpause(CommandContext& ctx) {
  Unpause(ctx.engine);
  ctx.reply.Ok();
}

// CLIENT HELP -> the subcommands, as status lines.
void ClientHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CACHING (YES|NO)",
      "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
      "GETREDIR",
      "    Return the client ID we are redirecting to when tracking is enabled.",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "    * ID <client-id>",
      "      Kill connections by client id.",
      "    * MAXAGE <maxage>",
      "      Kill connections older than the specified age.",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "    * ID <client-id> [<client-id> ...]",
      "      Return clients with the given ids.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
      "         [OPTIN] [OPTOUT] [NOLOOP]",
      "    Control server assisted client side caching.",
      "TRACKINGINFO",
      "    Report tracking status for the current connection.",
      "SETINFO <LIB-NAME|LIB-VER> <value>",
      "    Set client meta attributes.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.Array(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.Simple(line);
}

constexpr uint32_t kConnFlags = kNoScript | kLoading | kStale;
constexpr uint32_t kPreAuthFlags = kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy;

// clang-format off
std::vector<Command> ClientSubcommands() {
  return {
      {.name = "client|id", .arity = 2, .flags = kConnFlags, .run = ClientId, .group = "connection",
       .since = "5.0.0", .summary = "Answers this connection's numeric id.",
       .syntax = ""},
      {.name = "client|setname", .arity = 3, .flags = kConnFlags, .run = ClientSetName,
       .group = "connection", .since = "2.6.9", .summary = "Names this connection.",
       .syntax = "connection-name"},
      {.name = "client|getname", .arity = 2, .flags = kConnFlags, .run = ClientGetName,
       .group = "connection", .since = "2.6.9", .summary = "Answers this connection's name.",
       .syntax = ""},
      {.name = "client|list", .arity = -2, .flags = kAdmin | kConnFlags | kRandom,
       .run = ClientList, .group = "connection", .since = "2.4.0",
       .summary = "Describes the open connections, one line each.",
       .syntax = "[TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]"},
      {.name = "client|info", .arity = 2, .flags = kConnFlags | kRandom, .run = ClientInfoCommand,
       .group = "connection", .since = "6.2.0",
       .summary = "Describes this connection in one line.", .syntax = ""},
      {.name = "client|kill", .arity = -3, .flags = kAdmin | kConnFlags, .run = ClientKill,
       .group = "connection", .since = "2.4.0",
       .summary = "Closes connections chosen by address, id, type or user.",
       .syntax = "<ip:port | <[ID client-id] | [TYPE <NORMAL | MASTER | SLAVE | REPLICA | "
                 "PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | "
                 "[SKIPME <YES | NO>]> [...]>"},
      {.name = "client|setinfo", .arity = 4, .flags = kConnFlags, .run = ClientSetInfo,
       .group = "connection", .since = "7.2.0",
       .summary = "Records the client library's name or version for this connection.",
       .syntax = "<LIB-NAME libname | LIB-VER libver>"},
      {.name = "client|no-evict", .arity = 3, .flags = kAdmin | kConnFlags, .run = ClientNoEvict,
       .group = "connection", .since = "7.0.0",
       .summary = "Exempts this connection from client eviction, or ends the exemption.",
       .syntax = "<ON | OFF>"},
      {.name = "client|reply", .arity = 3, .flags = kConnFlags, .run = ClientReply,
       .group = "connection", .since = "3.2.0",
       .summary = "Turns replies to this connection off, on, or off for the next command.",
       .syntax = "<ON | OFF | SKIP>"},
      {.name = "client|unblock", .arity = -3, .flags = kAdmin | kConnFlags, .run = ClientUnblock,
       .group = "connection", .since = "5.0.0",
       .summary = "Unblocks a client waiting in a blocking command.",
       .syntax = "client-id [TIMEOUT|ERROR]"},
      {.name = "client|pause", .arity = -3, .flags = kAdmin | kConnFlags,
       .run = ClientPauseCommand, .group = "connection", .since = "2.9.50",
       .summary = "Holds back clients' commands for a time.", .syntax = "timeout [WRITE|ALL]"},
      {.name = "client|unpause", .arity = 2, .flags = kAdmin | kConnFlags, .run = ClientUnpause,
       .group = "connection", .since = "6.2.0",
       .summary = "Ends a CLIENT PAUSE.", .syntax = ""},
      {.name = "client|help", .arity = 2, .flags = kLoading | kStale, .run = ClientHelp,
       .group = "connection", .since = "5.0.0",
       .summary = "Lists the CLIENT subcommands.", .syntax = ""},
  };
}

std::vector<Command> AllClientSubcommands() {
  std::vector<Command> rows = ClientSubcommands();
  for (Command& row : TrackingClientSubcommands()) rows.push_back(std::move(row));
  return rows;
}
// clang-format on

}  // namespace

// clang-format off
std::vector<Command> ConnectionCommands() {
  return {
      {.name = "ping", .arity = -1, .flags = kFast, .run = Ping, .group = "connection",
       .since = "1.0.0", .summary = "Checks the connection: answers PONG, or echoes its argument.",
       .syntax = "[message]"},
      {.name = "echo", .arity = 2, .flags = kLoading | kStale | kFast, .run = Echo,
       .group = "connection", .since = "1.0.0", .summary = "Answers its argument.",
       .syntax = "message"},
      {.name = "quit", .arity = -1, .flags = kPreAuthFlags, .run = Quit,
       .group = "connection", .since = "1.0.0",
       .summary = "Asks the server to close the connection.", .syntax = ""},
      {.name = "reset", .arity = 1, .flags = kPreAuthFlags, .run = Reset,
       .group = "connection", .since = "6.2.0",
       .summary = "Returns the connection to its initial state.", .syntax = ""},
      {.name = "hello", .arity = -1, .flags = kPreAuthFlags, .run = Hello, .group = "connection",
       .since = "6.0.0",
       .summary = "Picks the protocol version, may authenticate and name the connection, and "
                  "describes the server.",
       .syntax = "[protover [AUTH username password] [SETNAME clientname]]"},
      {.name = "auth", .arity = -2, .flags = kPreAuthFlags, .run = Auth, .group = "connection",
       .since = "1.0.0", .summary = "Authenticates this connection.",
       .syntax = "[username] password"},
      {.name = "select", .arity = 2, .flags = kLoading | kStale | kFast, .run = Select,
       .group = "connection", .since = "1.0.0",
       .summary = "Switches this connection to another database.",
       .syntax = "index"},
      {.name = "client", .arity = -2, .flags = 0, .run = RunSubcommand, .group = "connection",
       .since = "2.4.0",
       .summary = "Inspects and controls connections (see its subcommands).", .syntax = "",
       .subcommands = AllClientSubcommands()},
  };
}
// clang-format on

std::string ClientInfoLine(CommandContext& ctx, const ClientInfo& c) { return ClientLine(ctx, c); }

}  // namespace firn
