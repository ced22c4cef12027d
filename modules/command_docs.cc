// Command metadata beyond the rows: key specs, extra ACL categories, tips and the argument
// trees of COMMAND DOCS, one entry per command and subcommand Firn has (the table test checks
// the match both ways). Maintained by hand; see command_docs.h for what comes from where.
//
// To add a command: add its row in its family file and an entry here, in name order, with
// its key specs (flags as COMMAND INFO prints them), the ACL categories its flags and group
// do not imply, and its arguments in preorder (an argument's `descendants` count the entries
// of its subtree). For a command Redis has, make COMMAND INFO agree with redis-server's
// (tests/integration/test_command_meta.py) and describe it in our own words.
#include "modules/command_docs.h"

#include <algorithm>
#include <iterator>

#include "modules/args.h"
#include "protocol/numbers.h"

namespace firn {
namespace {

constexpr uint8_t O = DocArg::kOptional, M = DocArg::kMultiple, T = DocArg::kMultipleToken;

// SET overwrites its key, unless GET also reads it.
uint16_t SetLineKeyFlags(const std::vector<std::string_view>& argv, uint16_t) {
  for (size_t i = 3; i < argv.size(); ++i) {
    if (EqualsNoCase(argv[i], "GET")) return kKeyRW | kKeyAccess | kKeyUpdate;
  }
  return kKeyOW | kKeyUpdate;
}

// append
constexpr KeyRule kAppendKeys[] = {
    {.flags = kKeyRW | kKeyInsert, .index = 1, .last_key = 0},
};
constexpr DocArg kAppendArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// auth
constexpr DocArg kAuthArgs[] = {
    {"username", "string", "", "", -1, O, 0},
    {"password", "string", "", "", -1, 0, 0},
};
// bgsave
constexpr DocArg kBgsaveArgs[] = {
    {"schedule", "pure-token", "SCHEDULE", "", -1, O, 0},
};
// cl.throttle
constexpr KeyRule kClThrottleKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kClThrottleArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"max_burst", "integer", "", "", -1, 0, 0},
    {"count", "integer", "", "", -1, 0, 0},
    {"period", "integer", "", "", -1, 0, 0},
    {"quantity", "integer", "", "", -1, O, 0},
};
// client|kill
constexpr DocArg kClientKillArgs[] = {
    {"filter", "oneof", "", "", -1, 0, 13},
    {"ip:port", "string", "", "", -1, 0, 0, "2.8.12"},
    {"new-format", "oneof", "", "", -1, M, 11},
    {"client-id", "integer", "ID", "", -1, O, 0},
    {"normal_master_slave_pubsub", "oneof", "TYPE", "", -1, O, 5},
    {"normal", "pure-token", "NORMAL", "", -1, 0, 0},
    {"master", "pure-token", "MASTER", "", -1, 0, 0},
    {"slave", "pure-token", "SLAVE", "", -1, 0, 0},
    {"replica", "pure-token", "REPLICA", "", -1, 0, 0},
    {"pubsub", "pure-token", "PUBSUB", "", -1, 0, 0},
    {"username", "string", "USER", "", -1, O, 0},
    {"ip:port", "string", "ADDR", "", -1, O, 0},
    {"ip:port", "string", "LADDR", "", -1, O, 0},
    {"yes/no", "string", "SKIPME", "", -1, O, 0},
};
// client|list
constexpr DocArg kClientListArgs[] = {
    {"normal_master_replica_pubsub", "oneof", "TYPE", "", -1, O, 4},
    {"normal", "pure-token", "NORMAL", "", -1, 0, 0},
    {"master", "pure-token", "MASTER", "", -1, 0, 0},
    {"replica", "pure-token", "REPLICA", "", -1, 0, 0},
    {"pubsub", "pure-token", "PUBSUB", "", -1, 0, 0},
    {"id", "block", "ID", "", -1, O, 1},
    {"client-id", "integer", "", "", -1, M, 0},
};
// client|no-evict
constexpr DocArg kClientNoEvictArgs[] = {
    {"enabled", "oneof", "", "", -1, 0, 2},
    {"on", "pure-token", "ON", "", -1, 0, 0},
    {"off", "pure-token", "OFF", "", -1, 0, 0},
};
// client|reply
constexpr DocArg kClientReplyArgs[] = {
    {"on_off_skip", "oneof", "", "", -1, 0, 3},
    {"on", "pure-token", "ON", "", -1, 0, 0},
    {"off", "pure-token", "OFF", "", -1, 0, 0},
    {"skip", "pure-token", "SKIP", "", -1, 0, 0},
};
// client|setinfo
constexpr DocArg kClientSetinfoArgs[] = {
    {"attr", "oneof", "", "", -1, 0, 2},
    {"libname", "string", "LIB-NAME", "", -1, 0, 0},
    {"libver", "string", "LIB-VER", "", -1, 0, 0},
};
// client|setname
constexpr DocArg kClientSetnameArgs[] = {
    {"connection-name", "string", "", "", -1, 0, 0},
};
// command|docs
constexpr DocArg kCommandDocsArgs[] = {
    {"command-name", "string", "", "", -1, O|M, 0},
};
// command|info
constexpr DocArg kCommandInfoArgs[] = {
    {"command-name", "string", "", "", -1, O|M, 0},
};
// command|list
constexpr DocArg kCommandListArgs[] = {
    {"filterby", "oneof", "FILTERBY", "", -1, O, 3},
    {"module-name", "string", "MODULE", "", -1, 0, 0},
    {"category", "string", "ACLCAT", "", -1, 0, 0},
    {"pattern", "pattern", "PATTERN", "", -1, 0, 0},
};
// config|get
constexpr DocArg kConfigGetArgs[] = {
    {"parameter", "block", "", "", -1, M, 1},
    {"parameter", "string", "", "", -1, 0, 0},
};
// config|set
constexpr DocArg kConfigSetArgs[] = {
    {"parameter_value", "block", "", "", -1, M, 2},
    {"parameter", "string", "", "", -1, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// copy
constexpr KeyRule kCopyKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
    {.flags = kKeyOW | kKeyUpdate, .index = 2, .last_key = 0},
};
constexpr DocArg kCopyArgs[] = {
    {"source", "key", "", "", 0, 0, 0},
    {"destination", "key", "", "", 1, 0, 0},
    {"destination-db", "integer", "DB", "", -1, O, 0},
    {"replace", "pure-token", "REPLACE", "", -1, O, 0},
};
// decr
constexpr KeyRule kDecrKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kDecrArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// decrby
constexpr KeyRule kDecrbyKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kDecrbyArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"decrement", "integer", "", "", -1, 0, 0},
};
// del
constexpr KeyRule kDelKeys[] = {
    {.flags = kKeyRM | kKeyDelete, .index = 1, .last_key = -1},
};
constexpr DocArg kDelArgs[] = {
    {"key", "key", "", "", 0, M, 0},
};
// echo
constexpr DocArg kEchoArgs[] = {
    {"message", "string", "", "", -1, 0, 0},
};
// exists
constexpr KeyRule kExistsKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = -1},
};
constexpr DocArg kExistsArgs[] = {
    {"key", "key", "", "", 0, M, 0},
};
// expire
constexpr KeyRule kExpireKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kExpireArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"seconds", "integer", "", "", -1, 0, 0},
    {"condition", "oneof", "", "", -1, O, 4},
    {"nx", "pure-token", "NX", "", -1, 0, 0},
    {"xx", "pure-token", "XX", "", -1, 0, 0},
    {"gt", "pure-token", "GT", "", -1, 0, 0},
    {"lt", "pure-token", "LT", "", -1, 0, 0},
};
// expireat
constexpr KeyRule kExpireatKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kExpireatArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"unix-time-seconds", "unix-time", "", "", -1, 0, 0},
    {"condition", "oneof", "", "", -1, O, 4},
    {"nx", "pure-token", "NX", "", -1, 0, 0},
    {"xx", "pure-token", "XX", "", -1, 0, 0},
    {"gt", "pure-token", "GT", "", -1, 0, 0},
    {"lt", "pure-token", "LT", "", -1, 0, 0},
};
// expiretime
constexpr KeyRule kExpiretimeKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kExpiretimeArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// flushall
constexpr DocArg kFlushallArgs[] = {
    {"async", "oneof", "", "", -1, O, 2},
    {"async", "pure-token", "ASYNC", "", -1, 0, 0},
    {"sync", "pure-token", "SYNC", "", -1, 0, 0},
};
// flushdb
constexpr DocArg kFlushdbArgs[] = {
    {"async", "oneof", "", "", -1, O, 2},
    {"async", "pure-token", "ASYNC", "", -1, 0, 0},
    {"sync", "pure-token", "SYNC", "", -1, 0, 0},
};
// get
constexpr KeyRule kGetKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kGetArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// getdel
constexpr KeyRule kGetdelKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kGetdelArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// getex
constexpr KeyRule kGetexKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0, .notes = "RW and UPDATE only with an expiry option"},
};
constexpr DocArg kGetexArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"expiration", "oneof", "", "", -1, O, 5},
    {"seconds", "integer", "EX", "", -1, 0, 0},
    {"milliseconds", "integer", "PX", "", -1, 0, 0},
    {"unix-time-seconds", "unix-time", "EXAT", "", -1, 0, 0},
    {"unix-time-milliseconds", "unix-time", "PXAT", "", -1, 0, 0},
    {"persist", "pure-token", "PERSIST", "", -1, 0, 0},
};
// getrange
constexpr KeyRule kGetrangeKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kGetrangeArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"start", "integer", "", "", -1, 0, 0},
    {"end", "integer", "", "", -1, 0, 0},
};
// getset
constexpr KeyRule kGetsetKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kGetsetArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// hello
constexpr DocArg kHelloArgs[] = {
    {"arguments", "block", "", "", -1, O, 5},
    {"protover", "integer", "", "", -1, 0, 0},
    {"username_password", "block", "AUTH", "", -1, O, 2},
    {"username", "string", "", "", -1, 0, 0},
    {"password", "string", "", "", -1, 0, 0},
    {"clientname", "string", "SETNAME", "", -1, O, 0},
};
// incr
constexpr KeyRule kIncrKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kIncrArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// incrby
constexpr KeyRule kIncrbyKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kIncrbyArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"increment", "integer", "", "", -1, 0, 0},
};
// incrbyfloat
constexpr KeyRule kIncrbyfloatKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kIncrbyfloatArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"increment", "double", "", "", -1, 0, 0},
};
// info
constexpr DocArg kInfoArgs[] = {
    {"section", "string", "", "", -1, O|M, 0},
};
// keys
constexpr DocArg kKeysArgs[] = {
    {"pattern", "pattern", "", "", -1, 0, 0},
};
// latency|histogram
constexpr DocArg kLatencyHistogramArgs[] = {
    {"command", "string", "", "", -1, O|M, 0},
};
// latency|history
constexpr DocArg kLatencyHistoryArgs[] = {
    {"event", "string", "", "", -1, 0, 0},
};
// latency|reset
constexpr DocArg kLatencyResetArgs[] = {
    {"event", "string", "", "", -1, O|M, 0},
};
// memory|usage
constexpr KeyRule kMemoryUsageKeys[] = {
    {.flags = kKeyRO, .index = 2, .last_key = 0},
};
constexpr DocArg kMemoryUsageArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"count", "integer", "SAMPLES", "", -1, O, 0},
};
// mget
constexpr KeyRule kMgetKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = -1},
};
constexpr DocArg kMgetArgs[] = {
    {"key", "key", "", "", 0, M, 0},
};
// move
constexpr KeyRule kMoveKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kMoveArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"db", "integer", "", "", -1, 0, 0},
};
// mset
constexpr KeyRule kMsetKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 1, .last_key = -1, .key_step = 2},
};
constexpr DocArg kMsetArgs[] = {
    {"key_value", "block", "", "", -1, M, 2},
    {"key", "key", "", "", 0, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// msetnx
constexpr KeyRule kMsetnxKeys[] = {
    {.flags = kKeyOW | kKeyInsert, .index = 1, .last_key = -1, .key_step = 2},
};
constexpr DocArg kMsetnxArgs[] = {
    {"key_value", "block", "", "", -1, M, 2},
    {"key", "key", "", "", 0, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// object|encoding
constexpr KeyRule kObjectEncodingKeys[] = {
    {.flags = kKeyRO, .index = 2, .last_key = 0},
};
constexpr DocArg kObjectEncodingArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// object|freq
constexpr KeyRule kObjectFreqKeys[] = {
    {.flags = kKeyRO, .index = 2, .last_key = 0},
};
constexpr DocArg kObjectFreqArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// object|idletime
constexpr KeyRule kObjectIdletimeKeys[] = {
    {.flags = kKeyRO, .index = 2, .last_key = 0},
};
constexpr DocArg kObjectIdletimeArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// object|refcount
constexpr KeyRule kObjectRefcountKeys[] = {
    {.flags = kKeyRO, .index = 2, .last_key = 0},
};
constexpr DocArg kObjectRefcountArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// persist
constexpr KeyRule kPersistKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kPersistArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// pexpire
constexpr KeyRule kPexpireKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kPexpireArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"milliseconds", "integer", "", "", -1, 0, 0},
    {"condition", "oneof", "", "", -1, O, 4},
    {"nx", "pure-token", "NX", "", -1, 0, 0},
    {"xx", "pure-token", "XX", "", -1, 0, 0},
    {"gt", "pure-token", "GT", "", -1, 0, 0},
    {"lt", "pure-token", "LT", "", -1, 0, 0},
};
// pexpireat
constexpr KeyRule kPexpireatKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kPexpireatArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"unix-time-milliseconds", "unix-time", "", "", -1, 0, 0},
    {"condition", "oneof", "", "", -1, O, 4},
    {"nx", "pure-token", "NX", "", -1, 0, 0},
    {"xx", "pure-token", "XX", "", -1, 0, 0},
    {"gt", "pure-token", "GT", "", -1, 0, 0},
    {"lt", "pure-token", "LT", "", -1, 0, 0},
};
// pexpiretime
constexpr KeyRule kPexpiretimeKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kPexpiretimeArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// ping
constexpr DocArg kPingArgs[] = {
    {"message", "string", "", "", -1, O, 0},
};
// psetex
constexpr KeyRule kPsetexKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kPsetexArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"milliseconds", "integer", "", "", -1, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// pttl
constexpr KeyRule kPttlKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kPttlArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// rename
constexpr KeyRule kRenameKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = 0},
    {.flags = kKeyOW | kKeyUpdate, .index = 2, .last_key = 0},
};
constexpr DocArg kRenameArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"newkey", "key", "", "", 1, 0, 0},
};
// renamenx
constexpr KeyRule kRenamenxKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = 0},
    {.flags = kKeyOW | kKeyInsert, .index = 2, .last_key = 0},
};
constexpr DocArg kRenamenxArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"newkey", "key", "", "", 1, 0, 0},
};
// rl.bucket
constexpr KeyRule kRlBucketKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kRlBucketArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"limit", "integer", "", "", -1, 0, 0},
    {"window_ms", "integer", "", "", -1, 0, 0},
    {"burst", "integer", "BURST", "", -1, O, 0},
    {"cost", "integer", "COST", "", -1, O, 0},
};
// rl.peek
constexpr KeyRule kRlPeekKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kRlPeekArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// rl.window
constexpr KeyRule kRlWindowKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kRlWindowArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"limit", "integer", "", "", -1, 0, 0},
    {"window_ms", "integer", "", "", -1, 0, 0},
    {"cost", "integer", "COST", "", -1, O, 0},
    {"approx", "pure-token", "APPROX", "", -1, O, 0},
};
// scan
constexpr DocArg kScanArgs[] = {
    {"cursor", "integer", "", "", -1, 0, 0},
    {"pattern", "pattern", "MATCH", "", -1, O, 0},
    {"count", "integer", "COUNT", "", -1, O, 0},
    {"type", "string", "TYPE", "", -1, O, 0},
};
// select
constexpr DocArg kSelectArgs[] = {
    {"index", "integer", "", "", -1, 0, 0},
};
// set
constexpr KeyRule kSetKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate | kKeyVariableFlags, .index = 1, .last_key = 0, .notes = "RW and ACCESS only with GET"},
};
constexpr DocArg kSetArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
    {"condition", "oneof", "", "", -1, O, 2},
    {"nx", "pure-token", "NX", "", -1, 0, 0},
    {"xx", "pure-token", "XX", "", -1, 0, 0},
    {"get", "pure-token", "GET", "", -1, O, 0},
    {"expiration", "oneof", "", "", -1, O, 5},
    {"seconds", "integer", "EX", "", -1, 0, 0},
    {"milliseconds", "integer", "PX", "", -1, 0, 0},
    {"unix-time-seconds", "unix-time", "EXAT", "", -1, 0, 0},
    {"unix-time-milliseconds", "unix-time", "PXAT", "", -1, 0, 0},
    {"keepttl", "pure-token", "KEEPTTL", "", -1, 0, 0},
};
// setex
constexpr KeyRule kSetexKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kSetexArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"seconds", "integer", "", "", -1, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// setnx
constexpr KeyRule kSetnxKeys[] = {
    {.flags = kKeyOW | kKeyInsert, .index = 1, .last_key = 0},
};
constexpr DocArg kSetnxArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// setrange
constexpr KeyRule kSetrangeKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kSetrangeArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"offset", "integer", "", "", -1, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// shutdown
constexpr DocArg kShutdownArgs[] = {
    {"nosave_save", "oneof", "", "", -1, O, 2},
    {"nosave", "pure-token", "NOSAVE", "", -1, 0, 0},
    {"save", "pure-token", "SAVE", "", -1, 0, 0},
    {"now", "pure-token", "NOW", "", -1, O, 0},
    {"force", "pure-token", "FORCE", "", -1, O, 0},
    {"abort", "pure-token", "ABORT", "", -1, O, 0},
};
// slowlog|get
constexpr DocArg kSlowlogGetArgs[] = {
    {"count", "integer", "", "", -1, O, 0},
};
// strlen
constexpr KeyRule kStrlenKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = 0},
};
constexpr DocArg kStrlenArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// substr
constexpr KeyRule kSubstrKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kSubstrArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"start", "integer", "", "", -1, 0, 0},
    {"end", "integer", "", "", -1, 0, 0},
};
// swapdb
constexpr DocArg kSwapdbArgs[] = {
    {"index1", "integer", "", "", -1, 0, 0},
    {"index2", "integer", "", "", -1, 0, 0},
};
// touch
constexpr KeyRule kTouchKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = -1},
};
constexpr DocArg kTouchArgs[] = {
    {"key", "key", "", "", 0, M, 0},
};
// ttl
constexpr KeyRule kTtlKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kTtlArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// type
constexpr KeyRule kTypeKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = 0},
};
constexpr DocArg kTypeArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// unlink
constexpr KeyRule kUnlinkKeys[] = {
    {.flags = kKeyRM | kKeyDelete, .index = 1, .last_key = -1},
};
constexpr DocArg kUnlinkArgs[] = {
    {"key", "key", "", "", 0, M, 0},
};

// name, complexity, doc flags, deprecated since, replaced by, extra ACL categories, tips,
// key specs, arguments. Sorted by name.
constexpr CommandMeta kMeta[] = {
    {"append", "O(1) amortized: the string grows in place", "", "", "", "", "", kAppendKeys, kAppendArgs},
    {"auth", "O(N), N the number of the user's passwords", "", "", "", "", "", {}, kAuthArgs},
    {"bgsave", "O(1)", "", "", "", "", "", {}, kBgsaveArgs},
    {"cl.throttle", "O(1)", "", "", "", "", "", kClThrottleKeys, kClThrottleArgs},
    {"client", "Depends on the subcommand", "", "", "", "", "", {}, {}},
    {"client|getname", "O(1)", "", "", "", "", "", {}, {}},
    {"client|help", "O(1)", "", "", "", "", "", {}, {}},
    {"client|id", "O(1)", "", "", "", "", "", {}, {}},
    {"client|info", "O(1)", "", "", "", "", "nondeterministic_output", {}, {}},
    {"client|kill", "O(N), N the number of connections", "", "", "", "", "", {}, kClientKillArgs},
    {"client|list", "O(N), N the number of connections", "", "", "", "", "nondeterministic_output", {}, kClientListArgs},
    {"client|no-evict", "O(1)", "", "", "", "", "", {}, kClientNoEvictArgs},
    {"client|reply", "O(1)", "", "", "", "", "", {}, kClientReplyArgs},
    {"client|setinfo", "O(1)", "", "", "", "", "", {}, kClientSetinfoArgs},
    {"client|setname", "O(1)", "", "", "", "", "", {}, kClientSetnameArgs},
    {"command", "O(N), N the number of commands", "", "", "", "@connection", "nondeterministic_output_order", {}, {}},
    {"command|count", "O(1)", "", "", "", "@connection", "", {}, {}},
    {"command|docs", "O(N), N the number of commands asked for", "", "", "", "@connection", "nondeterministic_output_order", {}, kCommandDocsArgs},
    {"command|getkeys", "O(N), N the number of arguments", "", "", "", "@connection", "", {}, {}},
    {"command|getkeysandflags", "O(N), N the number of arguments", "", "", "", "@connection", "", {}, {}},
    {"command|help", "O(1)", "", "", "", "@connection", "", {}, {}},
    {"command|info", "O(N), N the number of commands asked for", "", "", "", "@connection", "nondeterministic_output_order", {}, kCommandInfoArgs},
    {"command|list", "O(N), N the number of commands", "", "", "", "@connection", "nondeterministic_output_order", {}, kCommandListArgs},
    {"config", "Depends on the subcommand", "", "", "", "", "", {}, {}},
    {"config|get", "O(N), N the number of parameters", "", "", "", "", "", {}, kConfigGetArgs},
    {"config|help", "O(1)", "", "", "", "", "", {}, {}},
    {"config|resetstat", "O(1)", "", "", "", "", "", {}, {}},
    {"config|rewrite", "O(1)", "", "", "", "", "", {}, {}},
    {"config|set", "O(N), N the number of parameters", "", "", "", "", "request_policy:all_nodes response_policy:all_succeeded", {}, kConfigSetArgs},
    {"copy", "O(1) for a string, O(N) for a collection of N items", "", "", "", "", "", kCopyKeys, kCopyArgs},
    {"dbsize", "O(1)", "", "", "", "@keyspace", "request_policy:all_shards response_policy:agg_sum", {}, {}},
    {"decr", "O(1)", "", "", "", "", "", kDecrKeys, kDecrArgs},
    {"decrby", "O(1)", "", "", "", "", "", kDecrbyKeys, kDecrbyArgs},
    {"del", "O(N), N the number of keys (a collection costs its size)", "", "", "", "", "request_policy:multi_shard response_policy:agg_sum", kDelKeys, kDelArgs},
    {"discard", "O(N), N the number of queued commands", "", "", "", "", "", {}, {}},
    {"echo", "O(1)", "", "", "", "", "", {}, kEchoArgs},
    {"exec", "The sum of the queued commands' costs", "", "", "", "", "", {}, {}},
    {"exists", "O(N), N the number of keys", "", "", "", "", "request_policy:multi_shard response_policy:agg_sum", kExistsKeys, kExistsArgs},
    {"expire", "O(1)", "", "", "", "", "", kExpireKeys, kExpireArgs},
    {"expireat", "O(1)", "", "", "", "", "", kExpireatKeys, kExpireatArgs},
    {"expiretime", "O(1)", "", "", "", "", "", kExpiretimeKeys, kExpiretimeArgs},
    {"flushall", "O(N), N the number of keys in all databases", "", "", "", "@keyspace @dangerous", "request_policy:all_shards response_policy:all_succeeded", {}, kFlushallArgs},
    {"flushdb", "O(N), N the number of keys in the database", "", "", "", "@keyspace @dangerous", "request_policy:all_shards response_policy:all_succeeded", {}, kFlushdbArgs},
    {"get", "O(1)", "", "", "", "", "", kGetKeys, kGetArgs},
    {"getdel", "O(1)", "", "", "", "", "", kGetdelKeys, kGetdelArgs},
    {"getex", "O(1)", "", "", "", "", "", kGetexKeys, kGetexArgs},
    {"getrange", "O(N), N the length of the returned part", "", "", "", "", "", kGetrangeKeys, kGetrangeArgs},
    {"getset", "O(1)", "deprecated", "6.2.0", "`SET` with the `!GET` argument", "", "", kGetsetKeys, kGetsetArgs},
    {"hello", "O(1)", "", "", "", "", "", {}, kHelloArgs},
    {"incr", "O(1)", "", "", "", "", "", kIncrKeys, kIncrArgs},
    {"incrby", "O(1)", "", "", "", "", "", kIncrbyKeys, kIncrbyArgs},
    {"incrbyfloat", "O(1)", "", "", "", "", "", kIncrbyfloatKeys, kIncrbyfloatArgs},
    {"info", "O(1)", "", "", "", "@dangerous", "nondeterministic_output request_policy:all_shards response_policy:special", {}, kInfoArgs},
    {"keys", "O(N), N the number of keys in the database", "", "", "", "@dangerous", "request_policy:all_shards nondeterministic_output_order", {}, kKeysArgs},
    {"lastsave", "O(1)", "", "", "", "@admin @dangerous", "nondeterministic_output", {}, {}},
    {"latency", "Depends on the subcommand", "", "", "", "", "", {}, {}},
    {"latency|help", "O(1)", "", "", "", "", "", {}, {}},
    {"latency|histogram", "O(N), N the number of commands reported", "", "", "", "", "nondeterministic_output request_policy:all_nodes response_policy:special", {}, kLatencyHistogramArgs},
    {"latency|history", "O(1)", "", "", "", "", "nondeterministic_output request_policy:all_nodes response_policy:special", {}, kLatencyHistoryArgs},
    {"latency|latest", "O(1)", "", "", "", "", "nondeterministic_output request_policy:all_nodes response_policy:special", {}, {}},
    {"latency|reset", "O(1)", "", "", "", "", "request_policy:all_nodes response_policy:all_succeeded", {}, kLatencyResetArgs},
    {"memory", "Depends on the subcommand", "", "", "", "", "", {}, {}},
    {"memory|doctor", "O(1)", "", "", "", "", "nondeterministic_output request_policy:all_shards response_policy:special", {}, {}},
    {"memory|help", "O(1)", "", "", "", "", "", {}, {}},
    {"memory|malloc-stats", "Proportional to the allocator's state", "", "", "", "", "nondeterministic_output request_policy:all_shards response_policy:special", {}, {}},
    {"memory|purge", "Proportional to the allocator's state", "", "", "", "", "request_policy:all_shards response_policy:all_succeeded", {}, {}},
    {"memory|stats", "O(1)", "", "", "", "", "nondeterministic_output request_policy:all_shards response_policy:special", {}, {}},
    {"memory|usage", "O(N), N the number of sampled items", "", "", "", "", "", kMemoryUsageKeys, kMemoryUsageArgs},
    {"mget", "O(N), N the number of keys", "", "", "", "", "request_policy:multi_shard", kMgetKeys, kMgetArgs},
    {"monitor", "", "", "", "", "", "", {}, {}},
    {"move", "O(1)", "", "", "", "", "", kMoveKeys, kMoveArgs},
    {"mset", "O(N), N the number of keys", "", "", "", "", "request_policy:multi_shard response_policy:all_succeeded", kMsetKeys, kMsetArgs},
    {"msetnx", "O(N), N the number of keys", "", "", "", "", "request_policy:multi_shard response_policy:agg_min", kMsetnxKeys, kMsetnxArgs},
    {"multi", "O(1)", "", "", "", "", "", {}, {}},
    {"object", "Depends on the subcommand", "", "", "", "", "", {}, {}},
    {"object|encoding", "O(1)", "", "", "", "", "nondeterministic_output", kObjectEncodingKeys, kObjectEncodingArgs},
    {"object|freq", "O(1)", "", "", "", "", "nondeterministic_output", kObjectFreqKeys, kObjectFreqArgs},
    {"object|help", "O(1)", "", "", "", "", "", {}, {}},
    {"object|idletime", "O(1)", "", "", "", "", "nondeterministic_output", kObjectIdletimeKeys, kObjectIdletimeArgs},
    {"object|refcount", "O(1)", "", "", "", "", "nondeterministic_output", kObjectRefcountKeys, kObjectRefcountArgs},
    {"persist", "O(1)", "", "", "", "", "", kPersistKeys, kPersistArgs},
    {"pexpire", "O(1)", "", "", "", "", "", kPexpireKeys, kPexpireArgs},
    {"pexpireat", "O(1)", "", "", "", "", "", kPexpireatKeys, kPexpireatArgs},
    {"pexpiretime", "O(1)", "", "", "", "", "", kPexpiretimeKeys, kPexpiretimeArgs},
    {"ping", "O(1)", "", "", "", "", "request_policy:all_shards response_policy:all_succeeded", {}, kPingArgs},
    {"psetex", "O(1)", "", "", "", "", "", kPsetexKeys, kPsetexArgs},
    {"pttl", "O(1)", "", "", "", "", "nondeterministic_output", kPttlKeys, kPttlArgs},
    {"quit", "O(1)", "", "", "", "", "", {}, {}},
    {"randomkey", "O(1)", "", "", "", "", "request_policy:all_shards nondeterministic_output", {}, {}},
    {"rename", "O(1)", "", "", "", "", "", kRenameKeys, kRenameArgs},
    {"renamenx", "O(1)", "", "", "", "", "", kRenamenxKeys, kRenamenxArgs},
    {"reset", "O(1)", "", "", "", "", "", {}, {}},
    {"rl.bucket", "O(1)", "", "", "", "", "", kRlBucketKeys, kRlBucketArgs},
    {"rl.peek", "O(1)", "", "", "", "", "", kRlPeekKeys, kRlPeekArgs},
    {"rl.window", "O(1) amortized", "", "", "", "", "", kRlWindowKeys, kRlWindowArgs},
    {"save", "O(1)", "", "", "", "", "", {}, {}},
    {"scan", "O(1) per call; O(N) over a whole iteration, N the number of keys", "", "", "", "", "nondeterministic_output request_policy:special", {}, kScanArgs},
    {"select", "O(1)", "", "", "", "", "", {}, kSelectArgs},
    {"set", "O(1)", "", "", "", "", "", kSetKeys, kSetArgs, SetLineKeyFlags},
    {"setex", "O(1)", "", "", "", "", "", kSetexKeys, kSetexArgs},
    {"setnx", "O(1)", "", "", "", "", "", kSetnxKeys, kSetnxArgs},
    {"setrange", "O(1) amortized, plus O(M) to copy the M bytes written", "", "", "", "", "", kSetrangeKeys, kSetrangeArgs},
    {"shutdown", "O(1)", "", "", "", "", "", {}, kShutdownArgs},
    {"slowlog", "Depends on the subcommand", "", "", "", "", "", {}, {}},
    {"slowlog|get", "O(N), N the number of entries returned", "", "", "", "", "request_policy:all_nodes nondeterministic_output", {}, kSlowlogGetArgs},
    {"slowlog|help", "O(1)", "", "", "", "", "", {}, {}},
    {"slowlog|len", "O(1)", "", "", "", "", "request_policy:all_nodes response_policy:agg_sum nondeterministic_output", {}, {}},
    {"slowlog|reset", "O(N), N the number of entries", "", "", "", "", "request_policy:all_nodes response_policy:all_succeeded", {}, {}},
    {"strlen", "O(1)", "", "", "", "", "", kStrlenKeys, kStrlenArgs},
    {"substr", "O(N), N the length of the returned part", "deprecated", "2.0.0", "`GETRANGE`", "", "", kSubstrKeys, kSubstrArgs},
    {"swapdb", "O(1)", "", "", "", "@keyspace @dangerous", "", {}, kSwapdbArgs},
    {"time", "O(1)", "", "", "", "", "nondeterministic_output", {}, {}},
    {"touch", "O(N), N the number of keys", "", "", "", "", "request_policy:multi_shard response_policy:agg_sum", kTouchKeys, kTouchArgs},
    {"ttl", "O(1)", "", "", "", "", "nondeterministic_output", kTtlKeys, kTtlArgs},
    {"type", "O(1)", "", "", "", "", "", kTypeKeys, kTypeArgs},
    {"unlink", "O(N), N the number of keys (a collection costs its size)", "", "", "", "", "request_policy:multi_shard response_policy:agg_sum", kUnlinkKeys, kUnlinkArgs},
};

}  // namespace

const CommandMeta* FindCommandMeta(std::string_view name) {
  auto it = std::lower_bound(std::begin(kMeta), std::end(kMeta), name,
                             [](const CommandMeta& m, std::string_view n) { return m.name < n; });
  return it != std::end(kMeta) && it->name == name ? it : nullptr;
}

std::span<const CommandMeta> AllCommandMeta() { return kMeta; }

namespace {

// The ACL category a documentation group implies, or "".
std::string_view GroupCategory(std::string_view group) {
  static constexpr std::pair<std::string_view, std::string_view> kMap[] = {
      {"generic", "@keyspace"},   {"string", "@string"},         {"list", "@list"},
      {"set", "@set"},            {"sorted-set", "@sortedset"},  {"hash", "@hash"},
      {"bitmap", "@bitmap"},      {"hyperloglog", "@hyperloglog"}, {"geo", "@geo"},
      {"stream", "@stream"},      {"pubsub", "@pubsub"},         {"connection", "@connection"},
      {"transactions", "@transaction"}, {"scripting", "@scripting"},
  };
  for (const auto& [g, cat] : kMap) {
    if (g == group) return cat;
  }
  return "";
}

bool HasWord(std::string_view list, std::string_view word) {
  while (!list.empty()) {
    const size_t sp = list.find(' ');
    if (list.substr(0, sp) == word) return true;
    list = sp == std::string_view::npos ? std::string_view() : list.substr(sp + 1);
  }
  return false;
}

}  // namespace

std::vector<std::string_view> AclCategories(const Command& c) {
  // Redis's order of categories, which COMMAND INFO follows.
  static constexpr std::string_view kOrder[] = {
      "@keyspace",   "@read",        "@write",    "@set",         "@sortedset", "@list",
      "@hash",       "@string",      "@bitmap",   "@hyperloglog", "@geo",       "@stream",
      "@pubsub",     "@admin",       "@fast",     "@slow",        "@blocking",  "@dangerous",
      "@connection", "@transaction", "@scripting"};
  const std::string_view group = c.subcommands.empty() ? GroupCategory(c.group) : "";
  const std::string_view extra = c.meta != nullptr ? c.meta->acl : std::string_view();
  auto implied = [&](std::string_view cat) {
    if (cat == "@write") return (c.flags & kWrite) != 0;
    if (cat == "@read") return (c.flags & kReadOnly) != 0;
    if (cat == "@admin" || cat == "@dangerous") return (c.flags & kAdmin) != 0;
    if (cat == "@pubsub") return (c.flags & kPubSub) != 0;
    if (cat == "@blocking") return (c.flags & kBlocking) != 0;
    if (cat == "@fast") return (c.flags & kFast) != 0;
    if (cat == "@slow") return (c.flags & kFast) == 0;
    return cat == group;
  };
  std::vector<std::string_view> out;
  for (std::string_view cat : kOrder) {
    if (implied(cat) || HasWord(extra, cat)) out.push_back(cat);
  }
  return out;
}

namespace {

bool IsIndexRange(const KeyRule& k) { return k.keyword.empty() && !k.keynum; }

}  // namespace

KeySpec LegacyRange(std::span<const KeyRule> specs) {
  if (specs.size() == 1 && IsIndexRange(specs[0])) {
    const KeyRule& k = specs[0];
    return {k.index, k.last_key >= 0 ? k.index + k.last_key : k.last_key, k.key_step};
  }
  // Several specs: the consecutive plain ranges (step 1, each starting right after the last
  // key of the one before) make one range; the others are left to the key specs.
  int first = 0, last = 0;
  for (const KeyRule& k : specs) {
    if (!IsIndexRange(k) || k.key_step != 1) continue;
    if (first != 0 && last >= 0 && k.index != last + 1) continue;
    const int k_last = k.last_key >= 0 ? k.index + k.last_key : k.last_key;
    if (first == 0) first = k.index;
    // A negative last (counted from the end) is past any positive one.
    if (last >= 0 && (k_last < 0 || k_last > last)) last = k_last;
  }
  if (first == 0) return {};
  return {first, last, 1};
}

bool HasMovableKeys(std::span<const KeyRule> specs) {
  int expect_index = 0;
  for (const KeyRule& k : specs) {
    if (!IsIndexRange(k) || (k.flags & kKeyIncomplete)) return true;
    if (specs.size() == 1) return false;
    if (k.key_step != 1 || (expect_index != 0 && k.index != expect_index)) return true;
    if (k.last_key < 0) {
      expect_index = -1;  // nothing can follow a range to the end
    } else {
      expect_index = k.index + k.last_key + 1;
    }
  }
  return false;
}

std::vector<size_t> KeyPositions(std::span<const KeyRule> specs, size_t argc,
                                 const std::vector<std::string_view>& argv) {
  std::vector<size_t> out;
  const int n = static_cast<int>(argc);
  for (const KeyRule& k : specs) {
    if (k.flags & kKeyNotKey) continue;
    // Where the keys begin.
    int start = k.index;
    if (!k.keyword.empty()) {
      int found = -1;
      if (k.index >= 0) {
        for (int i = k.index; i < n && found < 0; ++i) {
          if (EqualsNoCase(argv[static_cast<size_t>(i)], k.keyword)) found = i;
        }
      } else {
        for (int i = n + k.index; i > 0 && found < 0; --i) {
          if (EqualsNoCase(argv[static_cast<size_t>(i)], k.keyword)) found = i;
        }
      }
      if (found < 0) continue;
      start = found + 1;
    }
    if (start <= 0 || start >= n) continue;
    // Which arguments from there are keys.
    int first = start, last, step = std::max(1, k.key_step);
    if (k.keynum) {
      const int count_at = start + k.keynum_index;
      int64_t count = 0;
      if (count_at >= n || !ParseInt64(argv[static_cast<size_t>(count_at)], &count) ||
          count < 0) {
        continue;
      }
      // Keys past the end are left out below; clamping keeps the arithmetic in range.
      count = std::min<int64_t>(count, n);
      first = start + k.first_key;
      last = first + static_cast<int>(count - 1) * step;
    } else if (k.last_key >= 0) {
      last = start + k.last_key;
    } else if (k.limit <= 1) {
      last = n + k.last_key;
    } else {
      last = start + ((n - start) / k.limit + k.last_key);
    }
    for (int i = first; i <= last && i < n; i += step) out.push_back(static_cast<size_t>(i));
  }
  return out;
}

}  // namespace firn
