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

// acl|cat
constexpr DocArg kAclCatArgs[] = {
    {"categoryname", "string", "", "", -1, O, 0},
};
// acl|deluser
constexpr DocArg kAclDeluserArgs[] = {
    {"username", "string", "", "", -1, M, 0},
};
// acl|dryrun
constexpr DocArg kAclDryrunArgs[] = {
    {"username", "string", "", "", -1, 0, 0},
    {"command", "string", "", "", -1, 0, 0},
    {"arg", "string", "", "", -1, O | M, 0},
};
// acl|genpass
constexpr DocArg kAclGenpassArgs[] = {
    {"bits", "integer", "", "", -1, O, 0},
};
// acl|getuser
constexpr DocArg kAclGetuserArgs[] = {
    {"username", "string", "", "", -1, 0, 0},
};
// acl|log
constexpr DocArg kAclLogArgs[] = {
    {"operation", "oneof", "", "", -1, O, 2},
    {"count", "integer", "", "", -1, 0, 0},
    {"reset", "pure-token", "RESET", "", -1, 0, 0},
};
// acl|setuser
constexpr DocArg kAclSetuserArgs[] = {
    {"username", "string", "", "", -1, 0, 0},
    {"rule", "string", "", "", -1, O | M, 0},
};
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
// bitcount
constexpr KeyRule kBitcountKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kBitcountArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"index", "block", "", "", -1, O, 5},
    {"start", "integer", "", "", -1, 0, 0},
    {"end", "integer", "", "", -1, 0, 0},
    {"index_unit", "oneof", "", "", -1, O, 2},
    {"byte", "pure-token", "BYTE", "", -1, 0, 0},
    {"bit", "pure-token", "BIT", "", -1, 0, 0},
};
// bitfield
// Only GETs (or nothing to do): the key is read; anything else may write it. A line that
// does not parse counts as a write, the safer side.
uint16_t BitfieldLineKeyFlags(const std::vector<std::string_view>& argv, uint16_t) {
  for (size_t i = 2; i < argv.size(); ++i) {
    const size_t rest = argv.size() - i - 1;
    if (EqualsNoCase(argv[i], "GET") && rest >= 2) {
      i += 2;
    } else if (EqualsNoCase(argv[i], "OVERFLOW") && rest >= 1) {
      i += 1;
    } else {
      return kKeyRW | kKeyAccess | kKeyUpdate;
    }
  }
  return kKeyRO | kKeyAccess;
}
constexpr KeyRule kBitfieldKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate | kKeyVariableFlags,
     .index = 1,
     .last_key = 0,
     .notes = "GET reads the key; SET and INCRBY also write it"},
};
constexpr DocArg kBitfieldArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"operation", "oneof", "", "", -1, O | M, 17},
    {"encoding_offset", "block", "GET", "", -1, 0, 2},
    {"encoding", "string", "", "", -1, 0, 0},
    {"offset", "integer", "", "", -1, 0, 0},
    {"write", "block", "", "", -1, 0, 13},
    {"wrap_sat_fail", "oneof", "OVERFLOW", "", -1, O, 3},
    {"wrap", "pure-token", "WRAP", "", -1, 0, 0},
    {"sat", "pure-token", "SAT", "", -1, 0, 0},
    {"fail", "pure-token", "FAIL", "", -1, 0, 0},
    {"write_operation", "oneof", "", "", -1, 0, 8},
    {"encoding_offset_value", "block", "SET", "", -1, 0, 3},
    {"encoding", "string", "", "", -1, 0, 0},
    {"offset", "integer", "", "", -1, 0, 0},
    {"value", "integer", "", "", -1, 0, 0},
    {"encoding_offset_increment", "block", "INCRBY", "", -1, 0, 3},
    {"encoding", "string", "", "", -1, 0, 0},
    {"offset", "integer", "", "", -1, 0, 0},
    {"increment", "integer", "", "", -1, 0, 0},
};
// bitfield_ro
constexpr KeyRule kBitfieldRoKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kBitfieldRoArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"encoding_offset", "block", "GET", "", -1, O | M | T, 2},
    {"encoding", "string", "", "", -1, 0, 0},
    {"offset", "integer", "", "", -1, 0, 0},
};
// bitop
constexpr KeyRule kBitopKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 2, .last_key = 0},
    {.flags = kKeyRO | kKeyAccess, .index = 3, .last_key = -1},
};
constexpr DocArg kBitopArgs[] = {
    {"operation", "string", "", "", -1, 0, 0},
    {"destkey", "key", "", "", 0, 0, 0},
    {"key", "key", "", "", 1, M, 0},
};
// bitpos
constexpr KeyRule kBitposKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kBitposArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"bit", "integer", "", "", -1, 0, 0},
    {"index", "block", "", "", -1, O, 6},
    {"start", "integer", "", "", -1, 0, 0},
    {"end_index", "block", "", "", -1, O, 4},
    {"end", "integer", "", "", -1, 0, 0},
    {"index_unit", "oneof", "", "", -1, O, 2},
    {"byte", "pure-token", "BYTE", "", -1, 0, 0},
    {"bit", "pure-token", "BIT", "", -1, 0, 0},
};
// cl.throttle
constexpr KeyRule kClThrottleKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kClThrottleArgs[] = {
    {"key", "key", "", "", 0, 0, 0},           {"max_burst", "integer", "", "", -1, 0, 0},
    {"count", "integer", "", "", -1, 0, 0},    {"period", "integer", "", "", -1, 0, 0},
    {"quantity", "integer", "", "", -1, O, 0},
};
// client|caching
constexpr DocArg kClientCachingArgs[] = {
    {"mode", "oneof", "", "", -1, 0, 2},
    {"yes", "pure-token", "YES", "", -1, 0, 0},
    {"no", "pure-token", "NO", "", -1, 0, 0},
};
// client|tracking
constexpr DocArg kClientTrackingArgs[] = {
    {"status", "oneof", "", "", -1, 0, 2},
    {"on", "pure-token", "ON", "", -1, 0, 0},
    {"off", "pure-token", "OFF", "", -1, 0, 0},
    {"client-id", "integer", "REDIRECT", "", -1, O, 0},
    {"prefix", "string", "PREFIX", "", -1, O | M | T, 0},
    {"bcast", "pure-token", "BCAST", "", -1, O, 0},
    {"optin", "pure-token", "OPTIN", "", -1, O, 0},
    {"optout", "pure-token", "OPTOUT", "", -1, O, 0},
    {"noloop", "pure-token", "NOLOOP", "", -1, O, 0},
};
// Blocking commands (blpop ... bzmpop) and CLIENT PAUSE / UNBLOCK.
// blpop, brpop, bzpopmin, bzpopmax
constexpr KeyRule kBlockingPopKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = -2},
};
constexpr DocArg kBlockingPopArgs[] = {
    {"key", "key", "", "", 0, M, 0},
    {"timeout", "double", "", "", -1, 0, 0},
};
// brpoplpush, blmove
constexpr KeyRule kBlockingMoveKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = 0},
    {.flags = kKeyRW | kKeyInsert, .index = 2, .last_key = 0},
};
constexpr DocArg kBrpoplpushArgs[] = {
    {"source", "key", "", "", 0, 0, 0},
    {"destination", "key", "", "", 1, 0, 0},
    {"timeout", "double", "", "", -1, 0, 0},
};
constexpr DocArg kBlmoveArgs[] = {
    {"source", "key", "", "", 0, 0, 0},
    {"destination", "key", "", "", 1, 0, 0},
    {"wherefrom", "oneof", "", "", -1, 0, 2},
    {"left", "pure-token", "LEFT", "", -1, 0, 0},
    {"right", "pure-token", "RIGHT", "", -1, 0, 0},
    {"whereto", "oneof", "", "", -1, 0, 2},
    {"left", "pure-token", "LEFT", "", -1, 0, 0},
    {"right", "pure-token", "RIGHT", "", -1, 0, 0},
    {"timeout", "double", "", "", -1, 0, 0},
};
// blmpop, bzmpop
constexpr KeyRule kBlockingMpopKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete,
     .index = 2,
     .keynum = true,
     .keynum_index = 0,
     .first_key = 1},
};
constexpr DocArg kBlmpopArgs[] = {
    {"timeout", "double", "", "", -1, 0, 0},        {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 0, M, 0},                {"where", "oneof", "", "", -1, 0, 2},
    {"left", "pure-token", "LEFT", "", -1, 0, 0},   {"right", "pure-token", "RIGHT", "", -1, 0, 0},
    {"count", "integer", "COUNT", "", -1, O, 0},
};
constexpr DocArg kBzmpopArgs[] = {
    {"timeout", "double", "", "", -1, 0, 0},    {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 0, M, 0},            {"where", "oneof", "", "", -1, 0, 2},
    {"min", "pure-token", "MIN", "", -1, 0, 0}, {"max", "pure-token", "MAX", "", -1, 0, 0},
    {"count", "integer", "COUNT", "", -1, O, 0},
};
// client|pause
constexpr DocArg kClientPauseArgs[] = {
    {"timeout", "integer", "", "", -1, 0, 0},
    {"mode", "oneof", "", "", -1, O, 2},
    {"write", "pure-token", "WRITE", "", -1, 0, 0},
    {"all", "pure-token", "ALL", "", -1, 0, 0},
};
// client|unblock
constexpr DocArg kClientUnblockArgs[] = {
    {"client-id", "integer", "", "", -1, 0, 0},
    {"timeout_error", "oneof", "", "", -1, O, 2},
    {"timeout", "pure-token", "TIMEOUT", "", -1, 0, 0},
    {"error", "pure-token", "ERROR", "", -1, 0, 0},
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
    {"command-name", "string", "", "", -1, O | M, 0},
};
// command|info
constexpr DocArg kCommandInfoArgs[] = {
    {"command-name", "string", "", "", -1, O | M, 0},
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
    {"key", "key", "", "", 0, 0, 0},          {"seconds", "integer", "", "", -1, 0, 0},
    {"condition", "oneof", "", "", -1, O, 4}, {"nx", "pure-token", "NX", "", -1, 0, 0},
    {"xx", "pure-token", "XX", "", -1, 0, 0}, {"gt", "pure-token", "GT", "", -1, 0, 0},
    {"lt", "pure-token", "LT", "", -1, 0, 0},
};
// expireat
constexpr KeyRule kExpireatKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kExpireatArgs[] = {
    {"key", "key", "", "", 0, 0, 0},          {"unix-time-seconds", "unix-time", "", "", -1, 0, 0},
    {"condition", "oneof", "", "", -1, O, 4}, {"nx", "pure-token", "NX", "", -1, 0, 0},
    {"xx", "pure-token", "XX", "", -1, 0, 0}, {"gt", "pure-token", "GT", "", -1, 0, 0},
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
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate,
     .index = 1,
     .last_key = 0,
     .notes = "RW and UPDATE only with an expiry option"},
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
// getbit
constexpr KeyRule kGetbitKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kGetbitArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"offset", "integer", "", "", -1, 0, 0},
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
    {"section", "string", "", "", -1, O | M, 0},
};
// keys
constexpr DocArg kKeysArgs[] = {
    {"pattern", "pattern", "", "", -1, 0, 0},
};
// latency|graph
constexpr DocArg kLatencyGraphArgs[] = {
    {"event", "string", "", "", -1, 0, 0},
};
// lcs
constexpr KeyRule kLcsKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 1},
};
constexpr DocArg kLcsArgs[] = {
    {"key1", "key", "", "", 0, 0, 0},
    {"key2", "key", "", "", 0, 0, 0},
    {"len", "pure-token", "LEN", "", -1, O, 0},
    {"idx", "pure-token", "IDX", "", -1, O, 0},
    {"len", "integer", "MINMATCHLEN", "", -1, O, 0},
    {"withmatchlen", "pure-token", "WITHMATCHLEN", "", -1, O, 0},
};
// latency|histogram
constexpr DocArg kLatencyHistogramArgs[] = {
    {"command", "string", "", "", -1, O | M, 0},
};
// latency|history
constexpr DocArg kLatencyHistoryArgs[] = {
    {"event", "string", "", "", -1, 0, 0},
};
// latency|reset
constexpr DocArg kLatencyResetArgs[] = {
    {"event", "string", "", "", -1, O | M, 0},
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
// migrate
constexpr KeyRule kMigrateKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 3, .last_key = 0},
    {.flags = kKeyRW | kKeyAccess | kKeyDelete | kKeyIncomplete, .index = -2,
     .keyword = "KEYS", .last_key = -1},
};
constexpr DocArg kMigrateArgs[] = {
    {"host", "string", "", "", -1, 0, 0},
    {"port", "integer", "", "", -1, 0, 0},
    {"key_or_empty_string", "oneof", "", "", -1, 0, 2},
    {"key", "key", "", "", 0, 0, 0},
    {"empty_string", "pure-token", "", "", -1, DocArg::kEmptyToken, 0},
    {"destination-db", "integer", "", "", -1, 0, 0},
    {"timeout", "integer", "", "", -1, 0, 0},
    {"copy", "pure-token", "COPY", "", -1, O, 0},
    {"replace", "pure-token", "REPLACE", "", -1, O, 0},
    {"authentication", "oneof", "", "", -1, O, 4},
    {"password", "string", "AUTH", "", -1, O, 0},
    {"username_password", "block", "AUTH2", "", -1, O, 2},
    {"username", "string", "", "", -1, 0, 0},
    {"password", "string", "", "", -1, 0, 0},
    {"key", "key", "KEYS", "", 1, O | M, 0},
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
    {"key", "key", "", "", 0, 0, 0},          {"milliseconds", "integer", "", "", -1, 0, 0},
    {"condition", "oneof", "", "", -1, O, 4}, {"nx", "pure-token", "NX", "", -1, 0, 0},
    {"xx", "pure-token", "XX", "", -1, 0, 0}, {"gt", "pure-token", "GT", "", -1, 0, 0},
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
// pfadd
constexpr KeyRule kPfaddKeys[] = {
    {.flags = kKeyRW | kKeyInsert, .index = 1, .last_key = 0},
};
constexpr DocArg kPfaddArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"element", "string", "", "", -1, O | M, 0},
};
// pfcount
constexpr KeyRule kPfcountKeys[] = {
    {.flags = kKeyRW | kKeyAccess,
     .index = 1,
     .last_key = -1,
     .notes = "a stale cached count is recomputed and stored in the value"},
};
constexpr DocArg kPfcountArgs[] = {
    {"key", "key", "", "", 0, M, 0},
};
// pfdebug
constexpr KeyRule kPfdebugKeys[] = {
    {.flags = kKeyRW | kKeyAccess, .index = 2, .last_key = 0},
};
constexpr DocArg kPfdebugArgs[] = {
    {"subcommand", "string", "", "", -1, 0, 0},
    {"key", "key", "", "", 0, 0, 0},
};
// pfmerge
constexpr KeyRule kPfmergeKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyInsert, .index = 1, .last_key = 0},
    {.flags = kKeyRO | kKeyAccess, .index = 2, .last_key = -1},
};
constexpr DocArg kPfmergeArgs[] = {
    {"destkey", "key", "", "", 0, 0, 0},
    {"sourcekey", "key", "", "", 1, M, 0},
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
// rl.setstate
constexpr KeyRule kRlSetStateKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kRlSetStateArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"state", "string", "", "", -1, 0, 0},
    {"unix-time-milliseconds", "unix-time", "PXAT", "", -1, O, 0},
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
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate | kKeyVariableFlags,
     .index = 1,
     .last_key = 0,
     .notes = "RW and ACCESS only with GET"},
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
// setbit
constexpr KeyRule kSetbitKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kSetbitArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"offset", "integer", "", "", -1, 0, 0},
    {"value", "integer", "", "", -1, 0, 0},
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
// dump
constexpr KeyRule kDumpKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kDumpArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// restore
constexpr KeyRule kRestoreKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kRestoreArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"ttl", "integer", "", "", -1, 0, 0},
    {"serialized-value", "string", "", "", -1, 0, 0},
    {"replace", "pure-token", "REPLACE", "", -1, O, 0},
    {"absttl", "pure-token", "ABSTTL", "", -1, O, 0},
    {"seconds", "integer", "IDLETIME", "", -1, O, 0},
    {"frequency", "integer", "FREQ", "", -1, O, 0},
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

// One entry per command and subcommand, sorted by name. Fields left out are empty.
// eval, evalsha, eval_ro, evalsha_ro, fcall, fcall_ro: numkeys keys after argv[2]
constexpr KeyRule kScriptRwKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate,
     .index = 2,
     .keynum = true,
     .keynum_index = 0,
     .first_key = 1,
     .notes = "a script may do anything with its keys: read, write and update assumed"},
};
constexpr KeyRule kScriptRwKeysNoNote[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate,
     .index = 2,
     .keynum = true,
     .keynum_index = 0,
     .first_key = 1},
};
constexpr KeyRule kScriptRoKeys[] = {
    {.flags = kKeyRO | kKeyAccess,
     .index = 2,
     .keynum = true,
     .keynum_index = 0,
     .first_key = 1,
     .notes = "a read-only script may only read its keys"},
};
constexpr KeyRule kScriptRoKeysNoNote[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 2, .keynum = true, .keynum_index = 0, .first_key = 1},
};
constexpr DocArg kEvalArgs[] = {
    {"script", "string", "", "", -1, 0, 0},
    {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 0, O | M, 0},
    {"arg", "string", "", "", -1, O | M, 0},
};
constexpr DocArg kEvalshaArgs[] = {
    {"sha1", "string", "", "", -1, 0, 0},
    {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 0, O | M, 0},
    {"arg", "string", "", "", -1, O | M, 0},
};
constexpr DocArg kFcallArgs[] = {
    {"function", "string", "", "", -1, 0, 0},
    {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 0, O | M, 0},
    {"arg", "string", "", "", -1, O | M, 0},
};
// script|debug
constexpr DocArg kScriptDebugArgs[] = {
    {"mode", "oneof", "", "", -1, 0, 3},
    {"yes", "pure-token", "YES", "", -1, 0, 0},
    {"sync", "pure-token", "SYNC", "", -1, 0, 0},
    {"no", "pure-token", "NO", "", -1, 0, 0},
};
// script|flush, function|flush
constexpr DocArg kScriptFlushArgs[] = {
    {"async", "oneof", "", "", -1, O, 2},
    {"async", "pure-token", "ASYNC", "", -1, 0, 0},
    {"sync", "pure-token", "SYNC", "", -1, 0, 0},
};
// script|load
constexpr DocArg kScriptLoadArgs[] = {
    {"script", "string", "", "", -1, 0, 0},
};
// script|exists
constexpr DocArg kScriptExistsArgs[] = {
    {"sha1", "string", "", "", -1, M, 0},
};
// function|list
constexpr DocArg kFunctionListArgs[] = {
    {"library-name-pattern", "string", "LIBRARYNAME", "", -1, O, 0},
    {"withcode", "pure-token", "WITHCODE", "", -1, O, 0},
};
// function|load
constexpr DocArg kFunctionLoadArgs[] = {
    {"replace", "pure-token", "REPLACE", "", -1, O, 0},
    {"function-code", "string", "", "", -1, 0, 0},
};
// function|delete
constexpr DocArg kFunctionDeleteArgs[] = {
    {"library-name", "string", "", "", -1, 0, 0},
};
// function|restore
constexpr DocArg kFunctionRestoreArgs[] = {
    {"serialized-value", "string", "", "", -1, 0, 0},
    {"policy", "oneof", "", "", -1, O, 3},
    {"flush", "pure-token", "FLUSH", "", -1, 0, 0},
    {"append", "pure-token", "APPEND", "", -1, 0, 0},
    {"replace", "pure-token", "REPLACE", "", -1, 0, 0},
};

// One entry per command and subcommand, sorted by name. Fields left out are empty.
// lindex
constexpr KeyRule kLindexKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kLindexArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"index", "integer", "", "", -1, 0, 0},
};
// linsert
constexpr KeyRule kLinsertKeys[] = {
    {.flags = kKeyRW | kKeyInsert, .index = 1, .last_key = 0},
};
constexpr DocArg kLinsertArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"where", "oneof", "", "", -1, 0, 2},
    {"before", "pure-token", "BEFORE", "", -1, 0, 0},
    {"after", "pure-token", "AFTER", "", -1, 0, 0},
    {"pivot", "string", "", "", -1, 0, 0},
    {"element", "string", "", "", -1, 0, 0},
};
// llen
constexpr KeyRule kLlenKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = 0},
};
constexpr DocArg kLlenArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// lmove
constexpr KeyRule kLmoveKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = 0},
    {.flags = kKeyRW | kKeyInsert, .index = 2, .last_key = 0},
};
constexpr DocArg kLmoveArgs[] = {
    {"source", "key", "", "", 0, 0, 0},
    {"destination", "key", "", "", 1, 0, 0},
    {"wherefrom", "oneof", "", "", -1, 0, 2},
    {"left", "pure-token", "LEFT", "", -1, 0, 0},
    {"right", "pure-token", "RIGHT", "", -1, 0, 0},
    {"whereto", "oneof", "", "", -1, 0, 2},
    {"left", "pure-token", "LEFT", "", -1, 0, 0},
    {"right", "pure-token", "RIGHT", "", -1, 0, 0},
};
// lmpop
constexpr KeyRule kLmpopKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete,
     .index = 1,
     .keynum = true,
     .keynum_index = 0,
     .first_key = 1},
};
constexpr DocArg kLmpopArgs[] = {
    {"numkeys", "integer", "", "", -1, 0, 0},       {"key", "key", "", "", 0, M, 0},
    {"where", "oneof", "", "", -1, 0, 2},           {"left", "pure-token", "LEFT", "", -1, 0, 0},
    {"right", "pure-token", "RIGHT", "", -1, 0, 0}, {"count", "integer", "COUNT", "", -1, O, 0},
};
// lpop
constexpr KeyRule kLpopKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kLpopArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"count", "integer", "", "", -1, O, 0},
};
// lpos
constexpr KeyRule kLposKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kLposArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"element", "string", "", "", -1, 0, 0},
    {"rank", "integer", "RANK", "", -1, O, 0},
    {"num-matches", "integer", "COUNT", "", -1, O, 0},
    {"len", "integer", "MAXLEN", "", -1, O, 0},
};
// lpush
constexpr KeyRule kLpushKeys[] = {
    {.flags = kKeyRW | kKeyInsert, .index = 1, .last_key = 0},
};
constexpr DocArg kLpushArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"element", "string", "", "", -1, M, 0},
};
// lpushx
constexpr KeyRule kLpushxKeys[] = {
    {.flags = kKeyRW | kKeyInsert, .index = 1, .last_key = 0},
};
constexpr DocArg kLpushxArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"element", "string", "", "", -1, M, 0},
};
// lrange
constexpr KeyRule kLrangeKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kLrangeArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"start", "integer", "", "", -1, 0, 0},
    {"stop", "integer", "", "", -1, 0, 0},
};
// lrem
constexpr KeyRule kLremKeys[] = {
    {.flags = kKeyRW | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kLremArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"count", "integer", "", "", -1, 0, 0},
    {"element", "string", "", "", -1, 0, 0},
};
// lset
constexpr KeyRule kLsetKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kLsetArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"index", "integer", "", "", -1, 0, 0},
    {"element", "string", "", "", -1, 0, 0},
};
// ltrim
constexpr KeyRule kLtrimKeys[] = {
    {.flags = kKeyRW | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kLtrimArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"start", "integer", "", "", -1, 0, 0},
    {"stop", "integer", "", "", -1, 0, 0},
};
// rpop
constexpr KeyRule kRpopKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kRpopArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"count", "integer", "", "", -1, O, 0},
};
// rpoplpush
constexpr KeyRule kRpoplpushKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = 0},
    {.flags = kKeyRW | kKeyInsert, .index = 2, .last_key = 0},
};
constexpr DocArg kRpoplpushArgs[] = {
    {"source", "key", "", "", 0, 0, 0},
    {"destination", "key", "", "", 1, 0, 0},
};
// rpush
constexpr KeyRule kRpushKeys[] = {
    {.flags = kKeyRW | kKeyInsert, .index = 1, .last_key = 0},
};
constexpr DocArg kRpushArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"element", "string", "", "", -1, M, 0},
};
// rpushx
constexpr KeyRule kRpushxKeys[] = {
    {.flags = kKeyRW | kKeyInsert, .index = 1, .last_key = 0},
};
constexpr DocArg kRpushxArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"element", "string", "", "", -1, M, 0},
};
// hdel
constexpr KeyRule kHdelKeys[] = {
    {.flags = kKeyRW | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kHdelArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"field", "string", "", "", -1, M, 0},
};
// hexists
constexpr KeyRule kHexistsKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = 0},
};
constexpr DocArg kHexistsArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"field", "string", "", "", -1, 0, 0},
};
// hget
constexpr KeyRule kHgetKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kHgetArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"field", "string", "", "", -1, 0, 0},
};
// hgetall
constexpr KeyRule kHgetallKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kHgetallArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// hincrby
constexpr KeyRule kHincrbyKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kHincrbyArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"field", "string", "", "", -1, 0, 0},
    {"increment", "integer", "", "", -1, 0, 0},
};
// hincrbyfloat
constexpr KeyRule kHincrbyfloatKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kHincrbyfloatArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"field", "string", "", "", -1, 0, 0},
    {"increment", "double", "", "", -1, 0, 0},
};
// hkeys
constexpr KeyRule kHkeysKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kHkeysArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// hlen
constexpr KeyRule kHlenKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = 0},
};
constexpr DocArg kHlenArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// hmget
constexpr KeyRule kHmgetKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kHmgetArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"field", "string", "", "", -1, M, 0},
};
// hmset
constexpr KeyRule kHmsetKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kHmsetArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"field_value", "block", "", "", -1, M, 2},
    {"field", "string", "", "", -1, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// hrandfield
constexpr KeyRule kHrandfieldKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kHrandfieldArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"options", "block", "", "", -1, O, 2},
    {"count", "integer", "", "", -1, 0, 0},
    {"withvalues", "pure-token", "WITHVALUES", "", -1, O, 0},
};
// hscan
constexpr KeyRule kHscanKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kHscanArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"cursor", "integer", "", "", -1, 0, 0},
    {"pattern", "pattern", "MATCH", "", -1, O, 0},
    {"count", "integer", "COUNT", "", -1, O, 0},
};
// hset
constexpr KeyRule kHsetKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kHsetArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"field_value", "block", "", "", -1, M, 2},
    {"field", "string", "", "", -1, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// hsetnx
constexpr KeyRule kHsetnxKeys[] = {
    {.flags = kKeyRW | kKeyInsert, .index = 1, .last_key = 0},
};
constexpr DocArg kHsetnxArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"field", "string", "", "", -1, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// hstrlen
constexpr KeyRule kHstrlenKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = 0},
};
constexpr DocArg kHstrlenArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"field", "string", "", "", -1, 0, 0},
};
// hvals
constexpr KeyRule kHvalsKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kHvalsArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// sadd
constexpr KeyRule kSaddKeys[] = {
    {.flags = kKeyRW | kKeyInsert, .index = 1, .last_key = 0},
};
constexpr DocArg kSaddArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, M, 0},
};
// scard
constexpr KeyRule kScardKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = 0},
};
constexpr DocArg kScardArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// sdiff
constexpr KeyRule kSdiffKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = -1},
};
constexpr DocArg kSdiffArgs[] = {
    {"key", "key", "", "", 0, M, 0},
};
// sdiffstore
constexpr KeyRule kSdiffstoreKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 1, .last_key = 0},
    {.flags = kKeyRO | kKeyAccess, .index = 2, .last_key = -1},
};
constexpr DocArg kSdiffstoreArgs[] = {
    {"destination", "key", "", "", 0, 0, 0},
    {"key", "key", "", "", 1, M, 0},
};
// sinter
constexpr KeyRule kSinterKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = -1},
};
constexpr DocArg kSinterArgs[] = {
    {"key", "key", "", "", 0, M, 0},
};
// sintercard
constexpr KeyRule kSintercardKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .keynum = true, .keynum_index = 0, .first_key = 1},
};
constexpr DocArg kSintercardArgs[] = {
    {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 0, M, 0},
    {"limit", "integer", "LIMIT", "", -1, O, 0},
};
// sinterstore
constexpr KeyRule kSinterstoreKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
    {.flags = kKeyRO | kKeyAccess, .index = 2, .last_key = -1},
};
constexpr DocArg kSinterstoreArgs[] = {
    {"destination", "key", "", "", 0, 0, 0},
    {"key", "key", "", "", 1, M, 0},
};
// sismember
constexpr KeyRule kSismemberKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = 0},
};
constexpr DocArg kSismemberArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, 0, 0},
};
// smembers
constexpr KeyRule kSmembersKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kSmembersArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// smismember
constexpr KeyRule kSmismemberKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kSmismemberArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, M, 0},
};
// smove
constexpr KeyRule kSmoveKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = 0},
    {.flags = kKeyRW | kKeyInsert, .index = 2, .last_key = 0},
};
constexpr DocArg kSmoveArgs[] = {
    {"source", "key", "", "", 0, 0, 0},
    {"destination", "key", "", "", 1, 0, 0},
    {"member", "string", "", "", -1, 0, 0},
};
// spop
constexpr KeyRule kSpopKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kSpopArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"count", "integer", "", "", -1, O, 0},
};
// srandmember
constexpr KeyRule kSrandmemberKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kSrandmemberArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"count", "integer", "", "", -1, O, 0},
};
// srem
constexpr KeyRule kSremKeys[] = {
    {.flags = kKeyRW | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kSremArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, M, 0},
};
// sscan
constexpr KeyRule kSscanKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kSscanArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"cursor", "integer", "", "", -1, 0, 0},
    {"pattern", "pattern", "MATCH", "", -1, O, 0},
    {"count", "integer", "COUNT", "", -1, O, 0},
};
// sunion
constexpr KeyRule kSunionKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = -1},
};
constexpr DocArg kSunionArgs[] = {
    {"key", "key", "", "", 0, M, 0},
};
// sunionstore
constexpr KeyRule kSunionstoreKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 1, .last_key = 0},
    {.flags = kKeyRO | kKeyAccess, .index = 2, .last_key = -1},
};
constexpr DocArg kSunionstoreArgs[] = {
    {"destination", "key", "", "", 0, 0, 0},
    {"key", "key", "", "", 1, M, 0},
};
// xack
constexpr KeyRule kXackKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kXackArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"group", "string", "", "", -1, 0, 0},
    {"id", "string", "", "", -1, M, 0},
};
// xadd
constexpr KeyRule kXaddKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0,
     .notes = "trimming may remove entries, so the stream is updated rather than inserted into"},
};
constexpr DocArg kXaddArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"nomkstream", "pure-token", "NOMKSTREAM", "", -1, O, 0},
    {"trim", "block", "", "", -1, O, 8},
    {"strategy", "oneof", "", "", -1, 0, 2},
    {"maxlen", "pure-token", "MAXLEN", "", -1, 0, 0},
    {"minid", "pure-token", "MINID", "", -1, 0, 0},
    {"operator", "oneof", "", "", -1, O, 2},
    {"equal", "pure-token", "=", "", -1, 0, 0},
    {"approximately", "pure-token", "~", "", -1, 0, 0},
    {"threshold", "string", "", "", -1, 0, 0},
    {"count", "integer", "LIMIT", "", -1, O, 0},
    {"id_or_auto", "oneof", "", "", -1, 0, 2},
    {"auto_id", "pure-token", "*", "", -1, 0, 0},
    {"id", "string", "", "", -1, 0, 0},
    {"field_value", "block", "", "", -1, M, 2},
    {"field", "string", "", "", -1, 0, 0},
    {"value", "string", "", "", -1, 0, 0},
};
// xautoclaim
constexpr KeyRule kXautoclaimKeys[] = {
    {.flags = kKeyRW | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kXautoclaimArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"group", "string", "", "", -1, 0, 0},
    {"consumer", "string", "", "", -1, 0, 0},
    {"min-idle-time", "string", "", "", -1, 0, 0},
    {"start", "string", "", "", -1, 0, 0},
    {"count", "integer", "COUNT", "", -1, O, 0},
    {"justid", "pure-token", "JUSTID", "", -1, O, 0},
};
// xclaim
constexpr KeyRule kXclaimKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kXclaimArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"group", "string", "", "", -1, 0, 0},
    {"consumer", "string", "", "", -1, 0, 0},
    {"min-idle-time", "string", "", "", -1, 0, 0},
    {"id", "string", "", "", -1, M, 0},
    {"ms", "integer", "IDLE", "", -1, O, 0},
    {"unix-time-milliseconds", "unix-time", "TIME", "", -1, O, 0},
    {"count", "integer", "RETRYCOUNT", "", -1, O, 0},
    {"force", "pure-token", "FORCE", "", -1, O, 0},
    {"justid", "pure-token", "JUSTID", "", -1, O, 0},
    {"id", "string", "LASTID", "", -1, O, 0},
};
// xdel
constexpr KeyRule kXdelKeys[] = {
    {.flags = kKeyRW | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kXdelArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"id", "string", "", "", -1, M, 0},
};
// xgroup|create, xgroup|setid, xgroup|destroy, xgroup|createconsumer, xgroup|delconsumer
constexpr KeyRule kXgroupInsertKeys[] = {
    {.flags = kKeyRW | kKeyInsert, .index = 2, .last_key = 0},
};
constexpr KeyRule kXgroupDeleteKeys[] = {
    {.flags = kKeyRW | kKeyDelete, .index = 2, .last_key = 0},
};
constexpr KeyRule kXgroupUpdateKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 2, .last_key = 0},
};
constexpr DocArg kXgroupCreateArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"groupname", "string", "", "", -1, 0, 0},
    {"id", "oneof", "", "", -1, 0, 2},
    {"id", "string", "", "", -1, 0, 0},
    {"new_id", "pure-token", "$", "", -1, 0, 0},
    {"mkstream", "pure-token", "MKSTREAM", "", -1, O, 0},
    {"entries_read", "integer", "ENTRIESREAD", "", -1, O, 0},
};
constexpr DocArg kXgroupSetidArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"groupname", "string", "", "", -1, 0, 0},
    {"id", "oneof", "", "", -1, 0, 2},
    {"id", "string", "", "", -1, 0, 0},
    {"new_id", "pure-token", "$", "", -1, 0, 0},
    {"entries_read", "integer", "ENTRIESREAD", "", -1, O, 0},
};
constexpr DocArg kXgroupDestroyArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"groupname", "string", "", "", -1, 0, 0},
};
constexpr DocArg kXgroupConsumerArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"groupname", "string", "", "", -1, 0, 0},
    {"consumername", "string", "", "", -1, 0, 0},
};
// xinfo|stream, xinfo|groups, xinfo|consumers
constexpr KeyRule kXinfoKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 2, .last_key = 0},
};
constexpr DocArg kXinfoStreamArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"full", "block", "FULL", "", -1, O, 1},
    {"count", "integer", "COUNT", "", -1, O, 0},
};
constexpr DocArg kXinfoGroupsArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
constexpr DocArg kXinfoConsumersArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"groupname", "string", "", "", -1, 0, 0},
};
// xlen
constexpr KeyRule kXlenKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = 0},
};
constexpr DocArg kXlenArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// xpending
constexpr KeyRule kXpendingKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kXpendingArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"group", "string", "", "", -1, 0, 0},
    {"filters", "block", "", "", -1, O, 5},
    {"min-idle-time", "integer", "IDLE", "", -1, O, 0},
    {"start", "string", "", "", -1, 0, 0},
    {"end", "string", "", "", -1, 0, 0},
    {"count", "integer", "", "", -1, 0, 0},
    {"consumer", "string", "", "", -1, O, 0},
};
// xrange, xrevrange
constexpr KeyRule kXrangeKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kXrangeArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"start", "string", "", "", -1, 0, 0},
    {"end", "string", "", "", -1, 0, 0},
    {"count", "integer", "COUNT", "", -1, O, 0},
};
constexpr DocArg kXrevrangeArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"end", "string", "", "", -1, 0, 0},
    {"start", "string", "", "", -1, 0, 0},
    {"count", "integer", "COUNT", "", -1, O, 0},
};
// xread, xreadgroup: the keys are the first half of what follows STREAMS.
constexpr KeyRule kXreadKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .keyword = "STREAMS", .last_key = -1, .limit = 2},
};
constexpr DocArg kXreadArgs[] = {
    {"count", "integer", "COUNT", "", -1, O, 0},
    {"milliseconds", "integer", "BLOCK", "", -1, O, 0},
    {"streams", "block", "STREAMS", "", -1, 0, 2},
    {"key", "key", "", "", 0, M, 0},
    {"id", "string", "", "", -1, M, 0},
};
constexpr KeyRule kXreadgroupKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 4, .keyword = "STREAMS", .last_key = -1, .limit = 2},
};
constexpr DocArg kXreadgroupArgs[] = {
    {"group_consumer", "block", "GROUP", "", -1, 0, 2},
    {"group", "string", "", "", -1, 0, 0},
    {"consumer", "string", "", "", -1, 0, 0},
    {"count", "integer", "COUNT", "", -1, O, 0},
    {"milliseconds", "integer", "BLOCK", "", -1, O, 0},
    {"noack", "pure-token", "NOACK", "", -1, O, 0},
    {"streams", "block", "STREAMS", "", -1, 0, 2},
    {"key", "key", "", "", 0, M, 0},
    {"id", "string", "", "", -1, M, 0},
};
// xsetid
constexpr KeyRule kXsetidKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kXsetidArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"last-id", "string", "", "", -1, 0, 0},
    {"entries_added", "integer", "ENTRIESADDED", "", -1, O, 0},
    {"max_deleted_entry_id", "string", "MAXDELETEDID", "", -1, O, 0},
};
// xtrim
constexpr KeyRule kXtrimKeys[] = {
    {.flags = kKeyRW | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kXtrimArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"trim", "block", "", "", -1, 0, 8},
    {"strategy", "oneof", "", "", -1, 0, 2},
    {"maxlen", "pure-token", "MAXLEN", "", -1, 0, 0},
    {"minid", "pure-token", "MINID", "", -1, 0, 0},
    {"operator", "oneof", "", "", -1, O, 2},
    {"equal", "pure-token", "=", "", -1, 0, 0},
    {"approximately", "pure-token", "~", "", -1, 0, 0},
    {"threshold", "string", "", "", -1, 0, 0},
    {"count", "integer", "LIMIT", "", -1, O, 0},
};
// zadd
constexpr KeyRule kZaddKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kZaddArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"condition", "oneof", "", "", -1, O, 2},
    {"nx", "pure-token", "NX", "", -1, 0, 0},
    {"xx", "pure-token", "XX", "", -1, 0, 0},
    {"comparison", "oneof", "", "", -1, O, 2},
    {"gt", "pure-token", "GT", "", -1, 0, 0},
    {"lt", "pure-token", "LT", "", -1, 0, 0},
    {"change", "pure-token", "CH", "", -1, O, 0},
    {"increment", "pure-token", "INCR", "", -1, O, 0},
    {"score_member", "block", "", "", -1, M, 2},
    {"score", "double", "", "", -1, 0, 0},
    {"member", "string", "", "", -1, 0, 0},
};
// zcard
constexpr KeyRule kZcardKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = 0},
};
constexpr DocArg kZcardArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
};
// zcount
constexpr KeyRule kZcountKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZcountArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"min", "double", "", "", -1, 0, 0},
    {"max", "double", "", "", -1, 0, 0},
};
// zincrby
constexpr KeyRule kZincrbyKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kZincrbyArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"increment", "integer", "", "", -1, 0, 0},
    {"member", "string", "", "", -1, 0, 0},
};
// zlexcount
constexpr KeyRule kZlexcountKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZlexcountArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"min", "string", "", "", -1, 0, 0},
    {"max", "string", "", "", -1, 0, 0},
};
// zmscore
constexpr KeyRule kZmscoreKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZmscoreArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, M, 0},
};
// zpopmax
constexpr KeyRule kZpopmaxKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kZpopmaxArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"count", "integer", "", "", -1, O, 0},
};
// zpopmin
constexpr KeyRule kZpopminKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kZpopminArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"count", "integer", "", "", -1, O, 0},
};
// zrange
constexpr KeyRule kZrangeKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZrangeArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"start", "string", "", "", -1, 0, 0},
    {"stop", "string", "", "", -1, 0, 0},
    {"sortby", "oneof", "", "", -1, O, 2},
    {"byscore", "pure-token", "BYSCORE", "", -1, 0, 0},
    {"bylex", "pure-token", "BYLEX", "", -1, 0, 0},
    {"rev", "pure-token", "REV", "", -1, O, 0},
    {"offset_count", "block", "LIMIT", "", -1, O, 2},
    {"offset", "integer", "", "", -1, 0, 0},
    {"count", "integer", "", "", -1, 0, 0},
    {"withscores", "pure-token", "WITHSCORES", "", -1, O, 0},
};
// zrangebylex
constexpr KeyRule kZrangebylexKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZrangebylexArgs[] = {
    {"key", "key", "", "", 0, 0, 0},         {"min", "string", "", "", -1, 0, 0},
    {"max", "string", "", "", -1, 0, 0},     {"offset_count", "block", "LIMIT", "", -1, O, 2},
    {"offset", "integer", "", "", -1, 0, 0}, {"count", "integer", "", "", -1, 0, 0},
};
// zrangebyscore
constexpr KeyRule kZrangebyscoreKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZrangebyscoreArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"min", "double", "", "", -1, 0, 0},
    {"max", "double", "", "", -1, 0, 0},
    {"withscores", "pure-token", "WITHSCORES", "", -1, O, 0},
    {"offset_count", "block", "LIMIT", "", -1, O, 2},
    {"offset", "integer", "", "", -1, 0, 0},
    {"count", "integer", "", "", -1, 0, 0},
};
// zrangestore
constexpr KeyRule kZrangestoreKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 1, .last_key = 0},
    {.flags = kKeyRO | kKeyAccess, .index = 2, .last_key = 0},
};
constexpr DocArg kZrangestoreArgs[] = {
    {"dst", "key", "", "", 0, 0, 0},
    {"src", "key", "", "", 1, 0, 0},
    {"min", "string", "", "", -1, 0, 0},
    {"max", "string", "", "", -1, 0, 0},
    {"sortby", "oneof", "", "", -1, O, 2},
    {"byscore", "pure-token", "BYSCORE", "", -1, 0, 0},
    {"bylex", "pure-token", "BYLEX", "", -1, 0, 0},
    {"rev", "pure-token", "REV", "", -1, O, 0},
    {"offset_count", "block", "LIMIT", "", -1, O, 2},
    {"offset", "integer", "", "", -1, 0, 0},
    {"count", "integer", "", "", -1, 0, 0},
};
// zrank
constexpr KeyRule kZrankKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZrankArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, 0, 0},
};
// zrem
constexpr KeyRule kZremKeys[] = {
    {.flags = kKeyRW | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kZremArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, M, 0},
};
// zremrangebylex
constexpr KeyRule kZremrangebylexKeys[] = {
    {.flags = kKeyRW | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kZremrangebylexArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"min", "string", "", "", -1, 0, 0},
    {"max", "string", "", "", -1, 0, 0},
};
// zremrangebyrank
constexpr KeyRule kZremrangebyrankKeys[] = {
    {.flags = kKeyRW | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kZremrangebyrankArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"start", "integer", "", "", -1, 0, 0},
    {"stop", "integer", "", "", -1, 0, 0},
};
// zremrangebyscore
constexpr KeyRule kZremrangebyscoreKeys[] = {
    {.flags = kKeyRW | kKeyDelete, .index = 1, .last_key = 0},
};
constexpr DocArg kZremrangebyscoreArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"min", "double", "", "", -1, 0, 0},
    {"max", "double", "", "", -1, 0, 0},
};
// zrevrange
constexpr KeyRule kZrevrangeKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZrevrangeArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"start", "integer", "", "", -1, 0, 0},
    {"stop", "integer", "", "", -1, 0, 0},
    {"withscores", "pure-token", "WITHSCORES", "", -1, O, 0},
};
// zrevrangebylex
constexpr KeyRule kZrevrangebylexKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZrevrangebylexArgs[] = {
    {"key", "key", "", "", 0, 0, 0},         {"max", "string", "", "", -1, 0, 0},
    {"min", "string", "", "", -1, 0, 0},     {"offset_count", "block", "LIMIT", "", -1, O, 2},
    {"offset", "integer", "", "", -1, 0, 0}, {"count", "integer", "", "", -1, 0, 0},
};
// zrevrangebyscore
constexpr KeyRule kZrevrangebyscoreKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZrevrangebyscoreArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"max", "double", "", "", -1, 0, 0},
    {"min", "double", "", "", -1, 0, 0},
    {"withscores", "pure-token", "WITHSCORES", "", -1, O, 0},
    {"offset_count", "block", "LIMIT", "", -1, O, 2},
    {"offset", "integer", "", "", -1, 0, 0},
    {"count", "integer", "", "", -1, 0, 0},
};
// zrevrank
constexpr KeyRule kZrevrankKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZrevrankArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, 0, 0},
};
// zscore
constexpr KeyRule kZscoreKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZscoreArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, 0, 0},
};
// zdiff
constexpr KeyRule kZdiffKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .keynum = true, .keynum_index = 0, .first_key = 1},
};
constexpr DocArg kZdiffArgs[] = {
    {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 0, M, 0},
    {"withscores", "pure-token", "WITHSCORES", "", -1, O, 0},
};
// zdiffstore
constexpr KeyRule kZdiffstoreKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 1, .last_key = 0},
    {.flags = kKeyRO | kKeyAccess, .index = 2, .keynum = true, .keynum_index = 0, .first_key = 1},
};
constexpr DocArg kZdiffstoreArgs[] = {
    {"destination", "key", "", "", 0, 0, 0},
    {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 1, M, 0},
};
// zinter
constexpr KeyRule kZinterKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .keynum = true, .keynum_index = 0, .first_key = 1},
};
constexpr DocArg kZinterArgs[] = {
    {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 0, M, 0},
    {"weight", "integer", "WEIGHTS", "", -1, O | M, 0},
    {"aggregate", "oneof", "AGGREGATE", "", -1, O, 3},
    {"sum", "pure-token", "SUM", "", -1, 0, 0},
    {"min", "pure-token", "MIN", "", -1, 0, 0},
    {"max", "pure-token", "MAX", "", -1, 0, 0},
    {"withscores", "pure-token", "WITHSCORES", "", -1, O, 0},
};
// zintercard
constexpr KeyRule kZintercardKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .keynum = true, .keynum_index = 0, .first_key = 1},
};
constexpr DocArg kZintercardArgs[] = {
    {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 0, M, 0},
    {"limit", "integer", "LIMIT", "", -1, O, 0},
};
// zinterstore
constexpr KeyRule kZinterstoreKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 1, .last_key = 0},
    {.flags = kKeyRO | kKeyAccess, .index = 2, .keynum = true, .keynum_index = 0, .first_key = 1},
};
constexpr DocArg kZinterstoreArgs[] = {
    {"destination", "key", "", "", 0, 0, 0},
    {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 1, M, 0},
    {"weight", "integer", "WEIGHTS", "", -1, O | M, 0},
    {"aggregate", "oneof", "AGGREGATE", "", -1, O, 3},
    {"sum", "pure-token", "SUM", "", -1, 0, 0},
    {"min", "pure-token", "MIN", "", -1, 0, 0},
    {"max", "pure-token", "MAX", "", -1, 0, 0},
};
// zunion
constexpr KeyRule kZunionKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .keynum = true, .keynum_index = 0, .first_key = 1},
};
constexpr DocArg kZunionArgs[] = {
    {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 0, M, 0},
    {"weight", "integer", "WEIGHTS", "", -1, O | M, 0},
    {"aggregate", "oneof", "AGGREGATE", "", -1, O, 3},
    {"sum", "pure-token", "SUM", "", -1, 0, 0},
    {"min", "pure-token", "MIN", "", -1, 0, 0},
    {"max", "pure-token", "MAX", "", -1, 0, 0},
    {"withscores", "pure-token", "WITHSCORES", "", -1, O, 0},
};
// zunionstore
constexpr KeyRule kZunionstoreKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 1, .last_key = 0},
    {.flags = kKeyRO | kKeyAccess, .index = 2, .keynum = true, .keynum_index = 0, .first_key = 1},
};
constexpr DocArg kZunionstoreArgs[] = {
    {"destination", "key", "", "", 0, 0, 0},
    {"numkeys", "integer", "", "", -1, 0, 0},
    {"key", "key", "", "", 1, M, 0},
    {"weight", "integer", "WEIGHTS", "", -1, O | M, 0},
    {"aggregate", "oneof", "AGGREGATE", "", -1, O, 3},
    {"sum", "pure-token", "SUM", "", -1, 0, 0},
    {"min", "pure-token", "MIN", "", -1, 0, 0},
    {"max", "pure-token", "MAX", "", -1, 0, 0},
};
// zmpop
constexpr KeyRule kZmpopKeys[] = {
    {.flags = kKeyRW | kKeyAccess | kKeyDelete,
     .index = 1,
     .keynum = true,
     .keynum_index = 0,
     .first_key = 1},
};
constexpr DocArg kZmpopArgs[] = {
    {"numkeys", "integer", "", "", -1, 0, 0},   {"key", "key", "", "", 0, M, 0},
    {"where", "oneof", "", "", -1, 0, 2},       {"min", "pure-token", "MIN", "", -1, 0, 0},
    {"max", "pure-token", "MAX", "", -1, 0, 0}, {"count", "integer", "COUNT", "", -1, O, 0},
};
// zrandmember
constexpr KeyRule kZrandmemberKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZrandmemberArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"options", "block", "", "", -1, O, 2},
    {"count", "integer", "", "", -1, 0, 0},
    {"withscores", "pure-token", "WITHSCORES", "", -1, O, 0},
};
// zscan
constexpr KeyRule kZscanKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kZscanArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"cursor", "integer", "", "", -1, 0, 0},
    {"pattern", "pattern", "MATCH", "", -1, O, 0},
    {"count", "integer", "COUNT", "", -1, O, 0},
};
// Client state: WATCH and pub/sub. SSUBSCRIBE, SUNSUBSCRIBE and SPUBLISH name their shard
// channel through a not_key spec that no argument refers to, as Redis 7.0 does (cluster
// routing reads it).
constexpr KeyRule kWatchKeys[] = {
    {.flags = kKeyRO, .index = 1, .last_key = -1},
};
constexpr DocArg kWatchArgs[] = {
    {"key", "key", "", "", 0, M, 0},
};
constexpr DocArg kSubscribeArgs[] = {
    {"channel", "string", "", "", -1, M, 0},
};
constexpr DocArg kUnsubscribeArgs[] = {
    {"channel", "string", "", "", -1, O | M, 0},
};
constexpr DocArg kPsubscribeArgs[] = {
    {"pattern", "block", "", "", -1, M, 1},
    {"pattern", "pattern", "", "", -1, 0, 0},
};
constexpr DocArg kPunsubscribeArgs[] = {
    {"pattern", "pattern", "", "", -1, O | M, 0},
};
constexpr KeyRule kShardChannelsKeys[] = {
    {.flags = kKeyNotKey, .index = 1, .last_key = -1},
};
constexpr DocArg kSsubscribeArgs[] = {
    {"shardchannel", "string", "", "", -1, M, 0},
};
constexpr DocArg kSunsubscribeArgs[] = {
    {"shardchannel", "string", "", "", -1, O | M, 0},
};
constexpr DocArg kPublishArgs[] = {
    {"channel", "string", "", "", -1, 0, 0},
    {"message", "string", "", "", -1, 0, 0},
};
constexpr KeyRule kSpublishKeys[] = {
    {.flags = kKeyNotKey, .index = 1, .last_key = 0},
};
constexpr DocArg kSpublishArgs[] = {
    {"shardchannel", "string", "", "", -1, 0, 0},
    {"message", "string", "", "", -1, 0, 0},
};
constexpr DocArg kPubsubChannelsArgs[] = {
    {"pattern", "pattern", "", "", -1, O, 0},
};
constexpr DocArg kPubsubNumsubArgs[] = {
    {"channel", "string", "", "", -1, O | M, 0},
};
constexpr DocArg kPubsubShardnumsubArgs[] = {
    {"shardchannel", "string", "", "", -1, O | M, 0},
};
// ---- geo (modules/geo.cc) and SORT (modules/sort.cc) ----
constexpr std::string_view kSortPatternNote =
    "The keys BY and GET read are named by the sorted values, so no spec can find them";
constexpr std::string_view kSortStoreNote =
    "STORE may come anywhere among the options, so its key is found by SORT's own parser";

// SORT's keys as Redis's sortGetKeys finds them: the sorted key, and the key after the last
// STORE, skipping LIMIT's two arguments and BY's and GET's one.
std::vector<std::pair<size_t, uint16_t>> SortLineKeys(const std::vector<std::string_view>& argv) {
  std::vector<std::pair<size_t, uint16_t>> keys = {{1, kKeyRO | kKeyAccess}};
  bool store = false;
  for (size_t i = 2; i < argv.size(); ++i) {
    const std::string_view a = argv[i];
    if (EqualsNoCase(a, "LIMIT")) {
      i += 2;
    } else if (EqualsNoCase(a, "GET") || EqualsNoCase(a, "BY")) {
      i += 1;
    } else if (EqualsNoCase(a, "STORE") && i + 1 < argv.size()) {
      // The key is not skipped, as Redis: "STORE x STORE y" stores into y.
      if (!store) keys.push_back({0, 0});
      store = true;
      keys.back() = {i + 1, kKeyOW | kKeyUpdate};
    }
  }
  return keys;
}

// MIGRATE's keys as Redis's migrateGetKeys finds them: those after KEYS when the key argument
// is "" and KEYS is given, else the key argument.
std::vector<std::pair<size_t, uint16_t>> MigrateLineKeys(const std::vector<std::string_view>& argv) {
  constexpr uint16_t kFlags = kKeyRW | kKeyAccess | kKeyDelete;
  if (argv.size() > 6 && argv[3].empty()) {
    for (size_t i = 6; i < argv.size(); ++i) {
      if (EqualsNoCase(argv[i], "KEYS")) {
        std::vector<std::pair<size_t, uint16_t>> keys;
        for (size_t k = i + 1; k < argv.size(); ++k) keys.push_back({k, kFlags});
        return keys;
      }
    }
  }
  return {{3, kFlags}};
}

// SORT_RO reads only the key it sorts (and the unknowable pattern keys).
std::vector<std::pair<size_t, uint16_t>> SortRoLineKeys(const std::vector<std::string_view>&) {
  return {{1, kKeyRO | kKeyAccess}};
}

// geoadd
constexpr KeyRule kGeoaddKeys[] = {
    {.flags = kKeyRW | kKeyUpdate, .index = 1, .last_key = 0},
};
constexpr DocArg kGeoaddArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"condition", "oneof", "", "", -1, O, 2},
    {"nx", "pure-token", "NX", "", -1, 0, 0},
    {"xx", "pure-token", "XX", "", -1, 0, 0},
    {"change", "pure-token", "CH", "", -1, O, 0},
    {"longitude_latitude_member", "block", "", "", -1, M, 3},
    {"longitude", "double", "", "", -1, 0, 0},
    {"latitude", "double", "", "", -1, 0, 0},
    {"member", "string", "", "", -1, 0, 0},
};
// geodist
constexpr KeyRule kGeodistKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kGeodistArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member1", "string", "", "", -1, 0, 0},
    {"member2", "string", "", "", -1, 0, 0},
    {"unit", "oneof", "", "", -1, O, 4},
    {"m", "pure-token", "M", "", -1, 0, 0},
    {"km", "pure-token", "KM", "", -1, 0, 0},
    {"ft", "pure-token", "FT", "", -1, 0, 0},
    {"mi", "pure-token", "MI", "", -1, 0, 0},
};
// geohash
constexpr KeyRule kGeohashKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kGeohashArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, M, 0},
};
// geopos
constexpr KeyRule kGeoposKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kGeoposArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, M, 0},
};
// georadius
constexpr KeyRule kGeoradiusKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
    {.flags = kKeyOW | kKeyUpdate, .index = 6, .keyword = "STORE", .last_key = 0},
    {.flags = kKeyOW | kKeyUpdate, .index = 6, .keyword = "STOREDIST", .last_key = 0},
};
constexpr DocArg kGeoradiusArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"longitude", "double", "", "", -1, 0, 0},
    {"latitude", "double", "", "", -1, 0, 0},
    {"radius", "double", "", "", -1, 0, 0},
    {"unit", "oneof", "", "", -1, 0, 4},
    {"m", "pure-token", "M", "", -1, 0, 0},
    {"km", "pure-token", "KM", "", -1, 0, 0},
    {"ft", "pure-token", "FT", "", -1, 0, 0},
    {"mi", "pure-token", "MI", "", -1, 0, 0},
    {"withcoord", "pure-token", "WITHCOORD", "", -1, O, 0},
    {"withdist", "pure-token", "WITHDIST", "", -1, O, 0},
    {"withhash", "pure-token", "WITHHASH", "", -1, O, 0},
    {"count", "block", "", "", -1, O, 2},
    {"count", "integer", "COUNT", "", -1, 0, 0},
    {"any", "pure-token", "ANY", "", -1, O, 0},
    {"order", "oneof", "", "", -1, O, 2},
    {"asc", "pure-token", "ASC", "", -1, 0, 0},
    {"desc", "pure-token", "DESC", "", -1, 0, 0},
    {"key", "key", "STORE", "", 1, O, 0},
    {"key", "key", "STOREDIST", "", 2, O, 0},
};
// georadius_ro
constexpr KeyRule kGeoradiusRoKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kGeoradiusRoArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"longitude", "double", "", "", -1, 0, 0},
    {"latitude", "double", "", "", -1, 0, 0},
    {"radius", "double", "", "", -1, 0, 0},
    {"unit", "oneof", "", "", -1, 0, 4},
    {"m", "pure-token", "M", "", -1, 0, 0},
    {"km", "pure-token", "KM", "", -1, 0, 0},
    {"ft", "pure-token", "FT", "", -1, 0, 0},
    {"mi", "pure-token", "MI", "", -1, 0, 0},
    {"withcoord", "pure-token", "WITHCOORD", "", -1, O, 0},
    {"withdist", "pure-token", "WITHDIST", "", -1, O, 0},
    {"withhash", "pure-token", "WITHHASH", "", -1, O, 0},
    {"count", "block", "", "", -1, O, 2},
    {"count", "integer", "COUNT", "", -1, 0, 0},
    {"any", "pure-token", "ANY", "", -1, O, 0},
    {"order", "oneof", "", "", -1, O, 2},
    {"asc", "pure-token", "ASC", "", -1, 0, 0},
    {"desc", "pure-token", "DESC", "", -1, 0, 0},
};
// georadiusbymember
constexpr KeyRule kGeoradiusbymemberKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
    {.flags = kKeyOW | kKeyUpdate, .index = 5, .keyword = "STORE", .last_key = 0},
    {.flags = kKeyOW | kKeyUpdate, .index = 5, .keyword = "STOREDIST", .last_key = 0},
};
constexpr DocArg kGeoradiusbymemberArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, 0, 0},
    {"radius", "double", "", "", -1, 0, 0},
    {"unit", "oneof", "", "", -1, 0, 4},
    {"m", "pure-token", "M", "", -1, 0, 0},
    {"km", "pure-token", "KM", "", -1, 0, 0},
    {"ft", "pure-token", "FT", "", -1, 0, 0},
    {"mi", "pure-token", "MI", "", -1, 0, 0},
    {"withcoord", "pure-token", "WITHCOORD", "", -1, O, 0},
    {"withdist", "pure-token", "WITHDIST", "", -1, O, 0},
    {"withhash", "pure-token", "WITHHASH", "", -1, O, 0},
    {"count", "block", "", "", -1, O, 2},
    {"count", "integer", "COUNT", "", -1, 0, 0},
    {"any", "pure-token", "ANY", "", -1, O, 0},
    {"order", "oneof", "", "", -1, O, 2},
    {"asc", "pure-token", "ASC", "", -1, 0, 0},
    {"desc", "pure-token", "DESC", "", -1, 0, 0},
    {"key", "key", "STORE", "", 1, O, 0},
    {"key", "key", "STOREDIST", "", 2, O, 0},
};
// georadiusbymember_ro
constexpr KeyRule kGeoradiusbymemberRoKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kGeoradiusbymemberRoArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"member", "string", "", "", -1, 0, 0},
    {"radius", "double", "", "", -1, 0, 0},
    {"unit", "oneof", "", "", -1, 0, 4},
    {"m", "pure-token", "M", "", -1, 0, 0},
    {"km", "pure-token", "KM", "", -1, 0, 0},
    {"ft", "pure-token", "FT", "", -1, 0, 0},
    {"mi", "pure-token", "MI", "", -1, 0, 0},
    {"withcoord", "pure-token", "WITHCOORD", "", -1, O, 0},
    {"withdist", "pure-token", "WITHDIST", "", -1, O, 0},
    {"withhash", "pure-token", "WITHHASH", "", -1, O, 0},
    {"count", "block", "", "", -1, O, 2},
    {"count", "integer", "COUNT", "", -1, 0, 0},
    {"any", "pure-token", "ANY", "", -1, O, 0},
    {"order", "oneof", "", "", -1, O, 2},
    {"asc", "pure-token", "ASC", "", -1, 0, 0},
    {"desc", "pure-token", "DESC", "", -1, 0, 0},
};
// geosearch
constexpr KeyRule kGeosearchKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
};
constexpr DocArg kGeosearchArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"from", "oneof", "", "", -1, 0, 4},
    {"member", "string", "FROMMEMBER", "", -1, 0, 0},
    {"longitude_latitude", "block", "FROMLONLAT", "", -1, 0, 2},
    {"longitude", "double", "", "", -1, 0, 0},
    {"latitude", "double", "", "", -1, 0, 0},
    {"by", "oneof", "", "", -1, 0, 15},
    {"circle", "block", "", "", -1, 0, 6},
    {"radius", "double", "BYRADIUS", "", -1, 0, 0},
    {"unit", "oneof", "", "", -1, 0, 4},
    {"m", "pure-token", "M", "", -1, 0, 0},
    {"km", "pure-token", "KM", "", -1, 0, 0},
    {"ft", "pure-token", "FT", "", -1, 0, 0},
    {"mi", "pure-token", "MI", "", -1, 0, 0},
    {"box", "block", "", "", -1, 0, 7},
    {"width", "double", "BYBOX", "", -1, 0, 0},
    {"height", "double", "", "", -1, 0, 0},
    {"unit", "oneof", "", "", -1, 0, 4},
    {"m", "pure-token", "M", "", -1, 0, 0},
    {"km", "pure-token", "KM", "", -1, 0, 0},
    {"ft", "pure-token", "FT", "", -1, 0, 0},
    {"mi", "pure-token", "MI", "", -1, 0, 0},
    {"order", "oneof", "", "", -1, O, 2},
    {"asc", "pure-token", "ASC", "", -1, 0, 0},
    {"desc", "pure-token", "DESC", "", -1, 0, 0},
    {"count", "block", "", "", -1, O, 2},
    {"count", "integer", "COUNT", "", -1, 0, 0},
    {"any", "pure-token", "ANY", "", -1, O, 0},
    {"withcoord", "pure-token", "WITHCOORD", "", -1, O, 0},
    {"withdist", "pure-token", "WITHDIST", "", -1, O, 0},
    {"withhash", "pure-token", "WITHHASH", "", -1, O, 0},
};
// geosearchstore
constexpr KeyRule kGeosearchstoreKeys[] = {
    {.flags = kKeyOW | kKeyUpdate, .index = 1, .last_key = 0},
    {.flags = kKeyRO | kKeyAccess, .index = 2, .last_key = 0},
};
constexpr DocArg kGeosearchstoreArgs[] = {
    {"destination", "key", "", "", 0, 0, 0},
    {"source", "key", "", "", 1, 0, 0},
    {"from", "oneof", "", "", -1, 0, 4},
    {"member", "string", "FROMMEMBER", "", -1, 0, 0},
    {"longitude_latitude", "block", "FROMLONLAT", "", -1, 0, 2},
    {"longitude", "double", "", "", -1, 0, 0},
    {"latitude", "double", "", "", -1, 0, 0},
    {"by", "oneof", "", "", -1, 0, 15},
    {"circle", "block", "", "", -1, 0, 6},
    {"radius", "double", "BYRADIUS", "", -1, 0, 0},
    {"unit", "oneof", "", "", -1, 0, 4},
    {"m", "pure-token", "M", "", -1, 0, 0},
    {"km", "pure-token", "KM", "", -1, 0, 0},
    {"ft", "pure-token", "FT", "", -1, 0, 0},
    {"mi", "pure-token", "MI", "", -1, 0, 0},
    {"box", "block", "", "", -1, 0, 7},
    {"width", "double", "BYBOX", "", -1, 0, 0},
    {"height", "double", "", "", -1, 0, 0},
    {"unit", "oneof", "", "", -1, 0, 4},
    {"m", "pure-token", "M", "", -1, 0, 0},
    {"km", "pure-token", "KM", "", -1, 0, 0},
    {"ft", "pure-token", "FT", "", -1, 0, 0},
    {"mi", "pure-token", "MI", "", -1, 0, 0},
    {"order", "oneof", "", "", -1, O, 2},
    {"asc", "pure-token", "ASC", "", -1, 0, 0},
    {"desc", "pure-token", "DESC", "", -1, 0, 0},
    {"count", "block", "", "", -1, O, 2},
    {"count", "integer", "COUNT", "", -1, 0, 0},
    {"any", "pure-token", "ANY", "", -1, O, 0},
    {"storedist", "pure-token", "STOREDIST", "", -1, O, 0},
};
// sort
constexpr KeyRule kSortKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
    {.flags = kKeyRO | kKeyAccess, .unknown = true, .notes = kSortStoreNote},
    {.flags = kKeyOW | kKeyUpdate, .unknown = true, .notes = kSortStoreNote},
};
constexpr DocArg kSortArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"pattern", "pattern", "BY", "", 1, O, 0},
    {"offset_count", "block", "LIMIT", "", -1, O, 2},
    {"offset", "integer", "", "", -1, 0, 0},
    {"count", "integer", "", "", -1, 0, 0},
    {"pattern", "pattern", "GET", "", 1, O | M | T, 0},
    {"order", "oneof", "", "", -1, O, 2},
    {"asc", "pure-token", "ASC", "", -1, 0, 0},
    {"desc", "pure-token", "DESC", "", -1, 0, 0},
    {"sorting", "pure-token", "ALPHA", "", -1, O, 0},
    {"destination", "key", "STORE", "", 2, O, 0},
};
// sort_ro
constexpr KeyRule kSortRoKeys[] = {
    {.flags = kKeyRO | kKeyAccess, .index = 1, .last_key = 0},
    {.flags = kKeyRO | kKeyAccess, .unknown = true, .notes = kSortPatternNote},
};
constexpr DocArg kSortRoArgs[] = {
    {"key", "key", "", "", 0, 0, 0},
    {"pattern", "pattern", "BY", "", 1, O, 0},
    {"offset_count", "block", "LIMIT", "", -1, O, 2},
    {"offset", "integer", "", "", -1, 0, 0},
    {"count", "integer", "", "", -1, 0, 0},
    {"pattern", "pattern", "GET", "", 1, O | M | T, 0},
    {"order", "oneof", "", "", -1, O, 2},
    {"asc", "pure-token", "ASC", "", -1, 0, 0},
    {"desc", "pure-token", "DESC", "", -1, 0, 0},
    {"sorting", "pure-token", "ALPHA", "", -1, O, 0},
};
constexpr CommandMeta kMeta[] = {
    {.name = "acl", .complexity = "Depends on the subcommand"},
    {.name = "acl|cat", .complexity = "O(1)", .args = kAclCatArgs},
    {.name = "acl|deluser", .complexity = "O(N), N the number of users named", .args = kAclDeluserArgs},
    {.name = "acl|dryrun", .complexity = "O(N), N the arguments checked", .args = kAclDryrunArgs},
    {.name = "acl|genpass", .complexity = "O(1)", .args = kAclGenpassArgs},
    {.name = "acl|getuser", .complexity = "O(N), N the user's rules", .args = kAclGetuserArgs},
    {.name = "acl|help", .complexity = "O(1)"},
    {.name = "acl|list", .complexity = "O(N), N the number of users"},
    {.name = "acl|load", .complexity = "O(N), N the number of users"},
    {.name = "acl|log", .complexity = "O(N), N the entries answered", .args = kAclLogArgs},
    {.name = "acl|save", .complexity = "O(N), N the number of users"},
    {.name = "acl|setuser", .complexity = "O(N), N the number of rules", .args = kAclSetuserArgs},
    {.name = "acl|users", .complexity = "O(N), N the number of users"},
    {.name = "acl|whoami", .complexity = "O(1)"},
    {.name = "append",
     .complexity = "O(1) amortized: the string grows in place",
     .key_specs = kAppendKeys,
     .args = kAppendArgs},
    {.name = "auth", .complexity = "O(N), N the number of the user's passwords", .args = kAuthArgs},
    {.name = "bgrewriteaof", .complexity = "O(1)"},
    {.name = "bgsave", .complexity = "O(1)", .args = kBgsaveArgs},
    {.name = "bitcount",
     .complexity = "O(N), N the bytes counted",
     .key_specs = kBitcountKeys,
     .args = kBitcountArgs},
    {.name = "bitfield",
     .complexity = "O(1) per operation",
     .key_specs = kBitfieldKeys,
     .args = kBitfieldArgs,
     .line_key_flags = BitfieldLineKeyFlags},
    {.name = "bitfield_ro",
     .complexity = "O(1) per operation",
     .key_specs = kBitfieldRoKeys,
     .args = kBitfieldRoArgs},
    {.name = "bitop",
     .complexity = "O(N), N the length of the longest input",
     .key_specs = kBitopKeys,
     .args = kBitopArgs},
    {.name = "bitpos",
     .complexity = "O(N), N the bytes searched",
     .key_specs = kBitposKeys,
     .args = kBitposArgs},
    {.name = "blmove",
     .complexity = "O(1)",
     .key_specs = kBlockingMoveKeys,
     .args = kBlmoveArgs},
    {.name = "blmpop",
     .complexity = "O(N + M), N the keys tried and M the elements popped",
     .key_specs = kBlockingMpopKeys,
     .args = kBlmpopArgs},
    {.name = "blpop",
     .complexity = "O(N), N the keys given",
     .key_specs = kBlockingPopKeys,
     .args = kBlockingPopArgs},
    {.name = "brpop",
     .complexity = "O(N), N the keys given",
     .key_specs = kBlockingPopKeys,
     .args = kBlockingPopArgs},
    {.name = "brpoplpush",
     .complexity = "O(1)",
     .doc_flags = "deprecated",
     .deprecated_since = "6.2.0",
     .replaced_by = "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
     .key_specs = kBlockingMoveKeys,
     .args = kBrpoplpushArgs},
    {.name = "bzmpop",
     .complexity = "O(K + M log N), K the keys tried, M the members popped, N the set's size",
     .key_specs = kBlockingMpopKeys,
     .args = kBzmpopArgs},
    {.name = "bzpopmax",
     .complexity = "O(log N), N the set's size",
     .key_specs = kBlockingPopKeys,
     .args = kBlockingPopArgs},
    {.name = "bzpopmin",
     .complexity = "O(log N), N the set's size",
     .key_specs = kBlockingPopKeys,
     .args = kBlockingPopArgs},
    {.name = "cl.throttle",
     .complexity = "O(1)",
     .key_specs = kClThrottleKeys,
     .args = kClThrottleArgs},
    {.name = "client", .complexity = "Depends on the subcommand"},
    {.name = "client|caching", .complexity = "O(1)", .args = kClientCachingArgs},
    {.name = "client|getname", .complexity = "O(1)"},
    {.name = "client|getredir", .complexity = "O(1)"},
    {.name = "client|help", .complexity = "O(1)"},
    {.name = "client|id", .complexity = "O(1)"},
    {.name = "client|info", .complexity = "O(1)", .tips = "nondeterministic_output"},
    {.name = "client|kill",
     .complexity = "O(N), N the number of connections",
     .args = kClientKillArgs},
    {.name = "client|list",
     .complexity = "O(N), N the number of connections",
     .tips = "nondeterministic_output",
     .args = kClientListArgs},
    {.name = "client|no-evict", .complexity = "O(1)", .args = kClientNoEvictArgs},
    {.name = "client|pause", .complexity = "O(1)", .args = kClientPauseArgs},
    {.name = "client|reply", .complexity = "O(1)", .args = kClientReplyArgs},
    {.name = "client|setinfo", .complexity = "O(1)", .args = kClientSetinfoArgs},
    {.name = "client|setname", .complexity = "O(1)", .args = kClientSetnameArgs},
    {.name = "client|tracking",
     .complexity = "O(1), more with BCAST prefixes (checked against the client's own)",
     .args = kClientTrackingArgs},
    {.name = "client|trackinginfo", .complexity = "O(1)"},
    {.name = "client|unblock",
     .complexity = "O(log N), N the number of connections",
     .args = kClientUnblockArgs},
    {.name = "client|unpause", .complexity = "O(N), N the paused clients"},
    {.name = "command",
     .complexity = "O(N), N the number of commands",
     .acl = "@connection",
     .tips = "nondeterministic_output_order"},
    {.name = "command|count", .complexity = "O(1)", .acl = "@connection"},
    {.name = "command|docs",
     .complexity = "O(N), N the number of commands asked for",
     .acl = "@connection",
     .tips = "nondeterministic_output_order",
     .args = kCommandDocsArgs},
    {.name = "command|getkeys",
     .complexity = "O(N), N the number of arguments",
     .acl = "@connection"},
    {.name = "command|getkeysandflags",
     .complexity = "O(N), N the number of arguments",
     .acl = "@connection"},
    {.name = "command|help", .complexity = "O(1)", .acl = "@connection"},
    {.name = "command|info",
     .complexity = "O(N), N the number of commands asked for",
     .acl = "@connection",
     .tips = "nondeterministic_output_order",
     .args = kCommandInfoArgs},
    {.name = "command|list",
     .complexity = "O(N), N the number of commands",
     .acl = "@connection",
     .tips = "nondeterministic_output_order",
     .args = kCommandListArgs},
    {.name = "config", .complexity = "Depends on the subcommand"},
    {.name = "config|get",
     .complexity = "O(N), N the number of parameters",
     .args = kConfigGetArgs},
    {.name = "config|help", .complexity = "O(1)"},
    {.name = "config|resetstat", .complexity = "O(1)"},
    {.name = "config|rewrite", .complexity = "O(1)"},
    {.name = "config|set",
     .complexity = "O(N), N the number of parameters",
     .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .args = kConfigSetArgs},
    {.name = "copy",
     .complexity = "O(1) for a string, O(N) for a collection of N items",
     .key_specs = kCopyKeys,
     .args = kCopyArgs},
    {.name = "dbsize",
     .complexity = "O(1)",
     .acl = "@keyspace",
     .tips = "request_policy:all_shards response_policy:agg_sum"},
    {.name = "decr", .complexity = "O(1)", .key_specs = kDecrKeys, .args = kDecrArgs},
    {.name = "decrby", .complexity = "O(1)", .key_specs = kDecrbyKeys, .args = kDecrbyArgs},
    {.name = "del",
     .complexity = "O(N), N the number of keys (a collection costs its size)",
     .tips = "request_policy:multi_shard response_policy:agg_sum",
     .key_specs = kDelKeys,
     .args = kDelArgs},
    {.name = "discard", .complexity = "O(N), N the number of queued commands"},
    {.name = "dump", .complexity = "O(N), N the size of the value", .tips = "nondeterministic_output",
     .key_specs = kDumpKeys, .args = kDumpArgs},
    {.name = "echo", .complexity = "O(1)", .args = kEchoArgs},
    {.name = "eval", .complexity = "The script's own cost", .key_specs = kScriptRwKeys, .args = kEvalArgs},
    {.name = "eval_ro", .complexity = "The script's own cost", .key_specs = kScriptRoKeys, .args = kEvalArgs},
    {.name = "evalsha", .complexity = "The script's own cost", .key_specs = kScriptRwKeysNoNote, .args = kEvalshaArgs},
    {.name = "evalsha_ro", .complexity = "The script's own cost", .key_specs = kScriptRoKeysNoNote, .args = kEvalshaArgs},
    {.name = "exec", .complexity = "The sum of the queued commands' costs"},
    {.name = "exists",
     .complexity = "O(N), N the number of keys",
     .tips = "request_policy:multi_shard response_policy:agg_sum",
     .key_specs = kExistsKeys,
     .args = kExistsArgs},
    {.name = "expire", .complexity = "O(1)", .key_specs = kExpireKeys, .args = kExpireArgs},
    {.name = "expireat", .complexity = "O(1)", .key_specs = kExpireatKeys, .args = kExpireatArgs},
    {.name = "expiretime",
     .complexity = "O(1)",
     .key_specs = kExpiretimeKeys,
     .args = kExpiretimeArgs},
    {.name = "fcall", .complexity = "The function's own cost", .key_specs = kScriptRwKeys, .args = kFcallArgs},
    {.name = "fcall_ro", .complexity = "The function's own cost", .key_specs = kScriptRoKeys, .args = kFcallArgs},
    {.name = "flushall",
     .complexity = "O(N), N the number of keys in all databases",
     .acl = "@keyspace @dangerous",
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .args = kFlushallArgs},
    {.name = "flushdb",
     .complexity = "O(N), N the number of keys in the database",
     .acl = "@keyspace @dangerous",
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .args = kFlushdbArgs},
    {.name = "function", .complexity = "Depends on the subcommand"},
    {.name = "function|delete", .complexity = "O(1)", .tips = "request_policy:all_shards response_policy:all_succeeded", .args = kFunctionDeleteArgs},
    {.name = "function|dump", .complexity = "O(N), N the size of the libraries' code"},
    {.name = "function|flush", .complexity = "O(N), N the number of functions", .tips = "request_policy:all_shards response_policy:all_succeeded", .args = kScriptFlushArgs},
    {.name = "function|help", .complexity = "O(1)"},
    {.name = "function|kill", .complexity = "O(1)", .tips = "request_policy:all_shards response_policy:one_succeeded"},
    {.name = "function|list", .complexity = "O(N), N the number of functions listed", .tips = "nondeterministic_output_order", .args = kFunctionListArgs},
    {.name = "function|load", .complexity = "O(1) besides compiling and running the code once", .tips = "request_policy:all_shards response_policy:all_succeeded", .args = kFunctionLoadArgs},
    {.name = "function|restore", .complexity = "O(N), N the number of libraries in the payload", .tips = "request_policy:all_shards response_policy:all_succeeded", .args = kFunctionRestoreArgs},
    {.name = "function|stats", .complexity = "O(1)", .tips = "nondeterministic_output request_policy:all_shards response_policy:special"},
    {.name = "geoadd",
     .complexity = "O(log N) a place added, N the set's size",
     .key_specs = kGeoaddKeys,
     .args = kGeoaddArgs},
    {.name = "geodist", .complexity = "O(1)", .key_specs = kGeodistKeys, .args = kGeodistArgs},
    {.name = "geohash",
     .complexity = "O(1) a member asked for",
     .key_specs = kGeohashKeys,
     .args = kGeohashArgs},
    {.name = "geopos",
     .complexity = "O(1) a member asked for",
     .key_specs = kGeoposKeys,
     .args = kGeoposArgs},
    {.name = "georadius",
     .complexity = "O(log N + M), N the set's size and M the members in the cells examined",
     .doc_flags = "deprecated",
     .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument",
     .key_specs = kGeoradiusKeys,
     .args = kGeoradiusArgs},
    {.name = "georadius_ro",
     .complexity = "O(log N + M), N the set's size and M the members in the cells examined",
     .doc_flags = "deprecated",
     .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` with the `BYRADIUS` argument",
     .key_specs = kGeoradiusRoKeys,
     .args = kGeoradiusRoArgs},
    {.name = "georadiusbymember",
     .complexity = "O(log N + M), N the set's size and M the members in the cells examined",
     .doc_flags = "deprecated",
     .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments",
     .key_specs = kGeoradiusbymemberKeys,
     .args = kGeoradiusbymemberArgs},
    {.name = "georadiusbymember_ro",
     .complexity = "O(log N + M), N the set's size and M the members in the cells examined",
     .doc_flags = "deprecated",
     .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments",
     .key_specs = kGeoradiusbymemberRoKeys,
     .args = kGeoradiusbymemberRoArgs},
    {.name = "geosearch",
     .complexity = "O(log N + M), N the set's size and M the members in the cells examined",
     .key_specs = kGeosearchKeys,
     .args = kGeosearchArgs},
    {.name = "geosearchstore",
     .complexity = "O(log N + M), N the set's size and M the members in the cells examined",
     .key_specs = kGeosearchstoreKeys,
     .args = kGeosearchstoreArgs},
    {.name = "get", .complexity = "O(1)", .key_specs = kGetKeys, .args = kGetArgs},
    {.name = "getbit", .complexity = "O(1)", .key_specs = kGetbitKeys, .args = kGetbitArgs},
    {.name = "getdel", .complexity = "O(1)", .key_specs = kGetdelKeys, .args = kGetdelArgs},
    {.name = "getex", .complexity = "O(1)", .key_specs = kGetexKeys, .args = kGetexArgs},
    {.name = "getrange",
     .complexity = "O(N), N the length of the returned part",
     .key_specs = kGetrangeKeys,
     .args = kGetrangeArgs},
    {.name = "getset",
     .complexity = "O(1)",
     .doc_flags = "deprecated",
     .deprecated_since = "6.2.0",
     .replaced_by = "`SET` with the `!GET` argument",
     .key_specs = kGetsetKeys,
     .args = kGetsetArgs},
    {.name = "hdel",
     .complexity = "O(N), N the fields removed",
     .key_specs = kHdelKeys,
     .args = kHdelArgs},
    {.name = "hello", .complexity = "O(1)", .args = kHelloArgs},
    {.name = "hexists", .complexity = "O(1)", .key_specs = kHexistsKeys, .args = kHexistsArgs},
    {.name = "hget", .complexity = "O(1)", .key_specs = kHgetKeys, .args = kHgetArgs},
    {.name = "hgetall",
     .complexity = "O(N), N the hash's size",
     .tips = "nondeterministic_output_order",
     .key_specs = kHgetallKeys,
     .args = kHgetallArgs},
    {.name = "hincrby", .complexity = "O(1)", .key_specs = kHincrbyKeys, .args = kHincrbyArgs},
    {.name = "hincrbyfloat",
     .complexity = "O(1)",
     .key_specs = kHincrbyfloatKeys,
     .args = kHincrbyfloatArgs},
    {.name = "hkeys",
     .complexity = "O(N), N the hash's size",
     .tips = "nondeterministic_output_order",
     .key_specs = kHkeysKeys,
     .args = kHkeysArgs},
    {.name = "hlen", .complexity = "O(1)", .key_specs = kHlenKeys, .args = kHlenArgs},
    {.name = "hmget",
     .complexity = "O(N), N the fields asked for",
     .key_specs = kHmgetKeys,
     .args = kHmgetArgs},
    {.name = "hmset",
     .complexity = "O(N), N the pairs given",
     .doc_flags = "deprecated",
     .deprecated_since = "4.0.0",
     .replaced_by = "`HSET` with multiple field-value pairs",
     .key_specs = kHmsetKeys,
     .args = kHmsetArgs},
    {.name = "hrandfield",
     .complexity = "O(N), N the fields returned (the hash's size for distinct picks)",
     .tips = "nondeterministic_output",
     .key_specs = kHrandfieldKeys,
     .args = kHrandfieldArgs},
    {.name = "hscan",
     .complexity = "O(1) per call; O(N) over a whole iteration, N the hash's size",
     .tips = "nondeterministic_output",
     .key_specs = kHscanKeys,
     .args = kHscanArgs},
    {.name = "hset",
     .complexity = "O(N), N the pairs given",
     .key_specs = kHsetKeys,
     .args = kHsetArgs},
    {.name = "hsetnx", .complexity = "O(1)", .key_specs = kHsetnxKeys, .args = kHsetnxArgs},
    {.name = "hstrlen", .complexity = "O(1)", .key_specs = kHstrlenKeys, .args = kHstrlenArgs},
    {.name = "hvals",
     .complexity = "O(N), N the hash's size",
     .tips = "nondeterministic_output_order",
     .key_specs = kHvalsKeys,
     .args = kHvalsArgs},
    {.name = "incr", .complexity = "O(1)", .key_specs = kIncrKeys, .args = kIncrArgs},
    {.name = "incrby", .complexity = "O(1)", .key_specs = kIncrbyKeys, .args = kIncrbyArgs},
    {.name = "incrbyfloat",
     .complexity = "O(1)",
     .key_specs = kIncrbyfloatKeys,
     .args = kIncrbyfloatArgs},
    {.name = "info",
     .complexity = "O(1)",
     .acl = "@dangerous",
     .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .args = kInfoArgs},
    {.name = "keys",
     .complexity = "O(N), N the number of keys in the database",
     .acl = "@dangerous",
     .tips = "request_policy:all_shards nondeterministic_output_order",
     .args = kKeysArgs},
    {.name = "lastsave",
     .complexity = "O(1)",
     .acl = "@admin @dangerous",
     .tips = "nondeterministic_output"},
    {.name = "latency", .complexity = "Depends on the subcommand"},
    {.name = "latency|doctor",
     .complexity = "O(1)",
     .tips = "nondeterministic_output request_policy:all_nodes response_policy:special"},
    {.name = "latency|graph",
     .complexity = "O(1)",
     .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .args = kLatencyGraphArgs},
    {.name = "latency|help", .complexity = "O(1)"},
    {.name = "latency|histogram",
     .complexity = "O(N), N the number of commands reported",
     .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .args = kLatencyHistogramArgs},
    {.name = "latency|history",
     .complexity = "O(1)",
     .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .args = kLatencyHistoryArgs},
    {.name = "latency|latest",
     .complexity = "O(1)",
     .tips = "nondeterministic_output request_policy:all_nodes response_policy:special"},
    {.name = "latency|reset",
     .complexity = "O(1)",
     .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .args = kLatencyResetArgs},
    {.name = "lcs",
     .complexity = "O(N * M), N and M the lengths of the two strings",
     .key_specs = kLcsKeys,
     .args = kLcsArgs},
    {.name = "lindex",
     .complexity = "O(N), N the elements walked to reach the index from the nearer end",
     .key_specs = kLindexKeys,
     .args = kLindexArgs},
    {.name = "linsert",
     .complexity = "O(N), N the elements walked to find the pivot",
     .key_specs = kLinsertKeys,
     .args = kLinsertArgs},
    {.name = "llen", .complexity = "O(1)", .key_specs = kLlenKeys, .args = kLlenArgs},
    {.name = "lmove", .complexity = "O(1)", .key_specs = kLmoveKeys, .args = kLmoveArgs},
    {.name = "lmpop",
     .complexity = "O(N + M), N the keys tried and M the elements popped",
     .key_specs = kLmpopKeys,
     .args = kLmpopArgs},
    {.name = "lpop",
     .complexity = "O(N), N the elements popped",
     .key_specs = kLpopKeys,
     .args = kLpopArgs},
    {.name = "lpos",
     .complexity = "O(N), N the elements compared",
     .key_specs = kLposKeys,
     .args = kLposArgs},
    {.name = "lpush",
     .complexity = "O(N), N the elements pushed",
     .key_specs = kLpushKeys,
     .args = kLpushArgs},
    {.name = "lpushx",
     .complexity = "O(N), N the elements pushed",
     .key_specs = kLpushxKeys,
     .args = kLpushxArgs},
    {.name = "lrange",
     .complexity = "O(S + N), S the elements walked to the start and N the elements returned",
     .key_specs = kLrangeKeys,
     .args = kLrangeArgs},
    {.name = "lrem",
     .complexity = "O(N + M), N the list's length and M the elements removed",
     .key_specs = kLremKeys,
     .args = kLremArgs},
    {.name = "lset",
     .complexity = "O(N), N the elements walked to reach the index from the nearer end",
     .key_specs = kLsetKeys,
     .args = kLsetArgs},
    {.name = "ltrim",
     .complexity = "O(N), N the elements removed",
     .key_specs = kLtrimKeys,
     .args = kLtrimArgs},
    {.name = "memory", .complexity = "Depends on the subcommand"},
    {.name = "memory|doctor",
     .complexity = "O(1)",
     .tips = "nondeterministic_output request_policy:all_shards response_policy:special"},
    {.name = "memory|help", .complexity = "O(1)"},
    {.name = "memory|malloc-stats",
     .complexity = "Proportional to the allocator's state",
     .tips = "nondeterministic_output request_policy:all_shards response_policy:special"},
    {.name = "memory|purge",
     .complexity = "Proportional to the allocator's state",
     .tips = "request_policy:all_shards response_policy:all_succeeded"},
    {.name = "memory|stats",
     .complexity = "O(1)",
     .tips = "nondeterministic_output request_policy:all_shards response_policy:special"},
    {.name = "memory|usage",
     .complexity = "O(N), N the number of sampled items",
     .key_specs = kMemoryUsageKeys,
     .args = kMemoryUsageArgs},
    {.name = "mget",
     .complexity = "O(N), N the number of keys",
     .tips = "request_policy:multi_shard",
     .key_specs = kMgetKeys,
     .args = kMgetArgs},
    {.name = "migrate",
     .complexity = "O(N) for N keys here (DUMP and DEL) and there (RESTORE), plus the transfer",
     .acl = "@dangerous",
     .tips = "nondeterministic_output",
     .key_specs = kMigrateKeys,
     .args = kMigrateArgs,
     .line_keys = MigrateLineKeys},
    {.name = "monitor"},
    {.name = "move", .complexity = "O(1)", .key_specs = kMoveKeys, .args = kMoveArgs},
    {.name = "mset",
     .complexity = "O(N), N the number of keys",
     .tips = "request_policy:multi_shard response_policy:all_succeeded",
     .key_specs = kMsetKeys,
     .args = kMsetArgs},
    {.name = "msetnx",
     .complexity = "O(N), N the number of keys",
     .tips = "request_policy:multi_shard response_policy:agg_min",
     .key_specs = kMsetnxKeys,
     .args = kMsetnxArgs},
    {.name = "multi", .complexity = "O(1)"},
    {.name = "object", .complexity = "Depends on the subcommand"},
    {.name = "object|encoding",
     .complexity = "O(1)",
     .tips = "nondeterministic_output",
     .key_specs = kObjectEncodingKeys,
     .args = kObjectEncodingArgs},
    {.name = "object|freq",
     .complexity = "O(1)",
     .tips = "nondeterministic_output",
     .key_specs = kObjectFreqKeys,
     .args = kObjectFreqArgs},
    {.name = "object|help", .complexity = "O(1)"},
    {.name = "object|idletime",
     .complexity = "O(1)",
     .tips = "nondeterministic_output",
     .key_specs = kObjectIdletimeKeys,
     .args = kObjectIdletimeArgs},
    {.name = "object|refcount",
     .complexity = "O(1)",
     .tips = "nondeterministic_output",
     .key_specs = kObjectRefcountKeys,
     .args = kObjectRefcountArgs},
    {.name = "persist", .complexity = "O(1)", .key_specs = kPersistKeys, .args = kPersistArgs},
    {.name = "pexpire", .complexity = "O(1)", .key_specs = kPexpireKeys, .args = kPexpireArgs},
    {.name = "pexpireat",
     .complexity = "O(1)",
     .key_specs = kPexpireatKeys,
     .args = kPexpireatArgs},
    {.name = "pexpiretime",
     .complexity = "O(1)",
     .key_specs = kPexpiretimeKeys,
     .args = kPexpiretimeArgs},
    {.name = "pfadd",
     .complexity = "O(1) per element",
     .key_specs = kPfaddKeys,
     .args = kPfaddArgs},
    {.name = "pfcount",
     .complexity = "O(1) for one key with a fresh cached count, else O(M) per key, M the "
                   "16384 registers",
     .key_specs = kPfcountKeys,
     .args = kPfcountArgs},
    {.name = "pfdebug",
     .complexity = "O(M), M the 16384 registers",
     .doc_flags = "syscmd",
     .key_specs = kPfdebugKeys,
     .args = kPfdebugArgs},
    {.name = "pfmerge",
     .complexity = "O(N * M), N the keys and M the 16384 registers",
     .key_specs = kPfmergeKeys,
     .args = kPfmergeArgs},
    {.name = "pfselftest",
     .complexity = "O(N), N the fixed number of elements the test adds",
     .doc_flags = "syscmd"},
    {.name = "ping",
     .complexity = "O(1)",
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .args = kPingArgs},
    {.name = "psetex", .complexity = "O(1)", .key_specs = kPsetexKeys, .args = kPsetexArgs},
    {.name = "psubscribe", .complexity = "O(N), N the number of patterns", .args = kPsubscribeArgs},
    {.name = "pttl",
     .complexity = "O(1)",
     .tips = "nondeterministic_output",
     .key_specs = kPttlKeys,
     .args = kPttlArgs},
    {.name = "publish", .complexity = "O(N+M), N the receiving clients, M the subscribed patterns", .args = kPublishArgs},
    {.name = "pubsub", .complexity = "Depends on the subcommand"},
    {.name = "pubsub|channels", .complexity = "O(N), N the number of active channels", .args = kPubsubChannelsArgs},
    {.name = "pubsub|help", .complexity = "O(1)"},
    {.name = "pubsub|numpat", .complexity = "O(1)"},
    {.name = "pubsub|numsub", .complexity = "O(N), N the number of channels asked for", .args = kPubsubNumsubArgs},
    {.name = "pubsub|shardchannels", .complexity = "O(N), N the number of active shard channels", .args = kPubsubChannelsArgs},
    {.name = "pubsub|shardnumsub", .complexity = "O(N), N the number of shard channels asked for", .args = kPubsubShardnumsubArgs},
    {.name = "punsubscribe", .complexity = "O(N), N the number of patterns", .args = kPunsubscribeArgs},
    {.name = "quit", .complexity = "O(1)"},
    {.name = "randomkey",
     .complexity = "O(1)",
     .tips = "request_policy:all_shards nondeterministic_output"},
    {.name = "rename", .complexity = "O(1)", .key_specs = kRenameKeys, .args = kRenameArgs},
    {.name = "renamenx", .complexity = "O(1)", .key_specs = kRenamenxKeys, .args = kRenamenxArgs},
    {.name = "reset", .complexity = "O(1)"},
    {.name = "restore",
     .complexity = "O(N), N the size of the value",
     .acl = "@dangerous",
     .key_specs = kRestoreKeys,
     .args = kRestoreArgs},
    {.name = "rl.bucket", .complexity = "O(1)", .key_specs = kRlBucketKeys, .args = kRlBucketArgs},
    {.name = "rl.peek", .complexity = "O(1)", .key_specs = kRlPeekKeys, .args = kRlPeekArgs},
    {.name = "rl.setstate",
     .complexity = "O(N), N the size of the state",
     .key_specs = kRlSetStateKeys,
     .args = kRlSetStateArgs},
    {.name = "rl.window",
     .complexity = "O(1) amortized",
     .key_specs = kRlWindowKeys,
     .args = kRlWindowArgs},
    {.name = "rpop",
     .complexity = "O(N), N the elements popped",
     .key_specs = kRpopKeys,
     .args = kRpopArgs},
    {.name = "rpoplpush",
     .complexity = "O(1)",
     .doc_flags = "deprecated",
     .deprecated_since = "6.2.0",
     .replaced_by = "`LMOVE` with the `RIGHT` and `LEFT` arguments",
     .key_specs = kRpoplpushKeys,
     .args = kRpoplpushArgs},
    {.name = "rpush",
     .complexity = "O(N), N the elements pushed",
     .key_specs = kRpushKeys,
     .args = kRpushArgs},
    {.name = "rpushx",
     .complexity = "O(N), N the elements pushed",
     .key_specs = kRpushxKeys,
     .args = kRpushxArgs},
    {.name = "sadd",
     .complexity = "O(N), N the members given",
     .key_specs = kSaddKeys,
     .args = kSaddArgs},
    {.name = "save", .complexity = "O(1)"},
    {.name = "scan",
     .complexity = "O(1) per call; O(N) over a whole iteration, N the number of keys",
     .tips = "nondeterministic_output request_policy:special",
     .args = kScanArgs},
    {.name = "scard", .complexity = "O(1)", .key_specs = kScardKeys, .args = kScardArgs},
    {.name = "script", .complexity = "Depends on the subcommand"},
    {.name = "script|debug", .complexity = "O(1)", .args = kScriptDebugArgs},
    {.name = "script|exists", .complexity = "O(N), N the number of SHA1s asked about", .tips = "request_policy:all_shards response_policy:agg_logical_and", .args = kScriptExistsArgs},
    {.name = "script|flush", .complexity = "O(N), N the number of cached scripts", .tips = "request_policy:all_nodes response_policy:all_succeeded", .args = kScriptFlushArgs},
    {.name = "script|help", .complexity = "O(1)"},
    {.name = "script|kill", .complexity = "O(1)", .tips = "request_policy:all_shards response_policy:one_succeeded"},
    {.name = "script|load", .complexity = "O(N), N the script's length", .tips = "request_policy:all_nodes response_policy:all_succeeded", .args = kScriptLoadArgs},
    {.name = "sdiff",
     .complexity = "O(N), N the members of all the sets together",
     .tips = "nondeterministic_output_order",
     .key_specs = kSdiffKeys,
     .args = kSdiffArgs},
    {.name = "sdiffstore",
     .complexity = "O(N), N the members of all the sets together",
     .key_specs = kSdiffstoreKeys,
     .args = kSdiffstoreArgs},
    {.name = "select", .complexity = "O(1)", .args = kSelectArgs},
    {.name = "set",
     .complexity = "O(1)",
     .key_specs = kSetKeys,
     .args = kSetArgs,
     .line_key_flags = SetLineKeyFlags},
    {.name = "setbit", .complexity = "O(1)", .key_specs = kSetbitKeys, .args = kSetbitArgs},
    {.name = "setex", .complexity = "O(1)", .key_specs = kSetexKeys, .args = kSetexArgs},
    {.name = "setnx", .complexity = "O(1)", .key_specs = kSetnxKeys, .args = kSetnxArgs},
    {.name = "setrange",
     .complexity = "O(1) amortized, plus O(M) to copy the M bytes written",
     .key_specs = kSetrangeKeys,
     .args = kSetrangeArgs},
    {.name = "shutdown", .complexity = "O(1)", .args = kShutdownArgs},
    {.name = "sinter",
     .complexity = "O(N * M), N the smallest set's size and M the number of sets",
     .tips = "nondeterministic_output_order",
     .key_specs = kSinterKeys,
     .args = kSinterArgs},
    {.name = "sintercard",
     .complexity = "O(N * M), N the smallest set's size and M the number of sets",
     .key_specs = kSintercardKeys,
     .args = kSintercardArgs},
    {.name = "sinterstore",
     .complexity = "O(N * M), N the smallest set's size and M the number of sets",
     .key_specs = kSinterstoreKeys,
     .args = kSinterstoreArgs},
    {.name = "sismember",
     .complexity = "O(1)",
     .key_specs = kSismemberKeys,
     .args = kSismemberArgs},
    {.name = "slowlog", .complexity = "Depends on the subcommand"},
    {.name = "slowlog|get",
     .complexity = "O(N), N the number of entries returned",
     .tips = "request_policy:all_nodes nondeterministic_output",
     .args = kSlowlogGetArgs},
    {.name = "slowlog|help", .complexity = "O(1)"},
    {.name = "slowlog|len",
     .complexity = "O(1)",
     .tips = "request_policy:all_nodes response_policy:agg_sum nondeterministic_output"},
    {.name = "slowlog|reset",
     .complexity = "O(N), N the number of entries",
     .tips = "request_policy:all_nodes response_policy:all_succeeded"},
    {.name = "smembers",
     .complexity = "O(N), N the set's size",
     .tips = "nondeterministic_output_order",
     .key_specs = kSmembersKeys,
     .args = kSmembersArgs},
    {.name = "smismember",
     .complexity = "O(N), N the members asked about",
     .key_specs = kSmismemberKeys,
     .args = kSmismemberArgs},
    {.name = "smove", .complexity = "O(1)", .key_specs = kSmoveKeys, .args = kSmoveArgs},
    {.name = "sort",
     .complexity = "O(N + M log M), N the elements of the key and M those sorted; O(N) unsorted",
     .acl = "-@keyspace @set @sortedset @list @dangerous",
     .key_specs = kSortKeys,
     .args = kSortArgs,
     .line_keys = SortLineKeys},
    {.name = "sort_ro",
     .complexity = "O(N + M log M), N the elements of the key and M those sorted; O(N) unsorted",
     .acl = "-@keyspace @set @sortedset @list @dangerous",
     .key_specs = kSortRoKeys,
     .args = kSortRoArgs,
     .line_keys = SortRoLineKeys},
    {.name = "spop",
     .complexity = "O(N), N the members popped",
     .tips = "nondeterministic_output",
     .key_specs = kSpopKeys,
     .args = kSpopArgs},
    {.name = "spublish", .complexity = "O(N), N the number of receiving clients", .key_specs = kSpublishKeys, .args = kSpublishArgs},
    {.name = "srandmember",
     .complexity = "O(N), N the members returned (the set's size for distinct picks)",
     .tips = "nondeterministic_output",
     .key_specs = kSrandmemberKeys,
     .args = kSrandmemberArgs},
    {.name = "srem",
     .complexity = "O(N), N the members given",
     .key_specs = kSremKeys,
     .args = kSremArgs},
    {.name = "sscan",
     .complexity = "O(1) per call; O(N) over a whole iteration, N the set's size",
     .tips = "nondeterministic_output",
     .key_specs = kSscanKeys,
     .args = kSscanArgs},
    {.name = "ssubscribe", .complexity = "O(N), N the number of shard channels", .key_specs = kShardChannelsKeys, .args = kSsubscribeArgs},
    {.name = "strlen", .complexity = "O(1)", .key_specs = kStrlenKeys, .args = kStrlenArgs},
    {.name = "subscribe", .complexity = "O(N), N the number of channels", .args = kSubscribeArgs},
    {.name = "substr",
     .complexity = "O(N), N the length of the returned part",
     .doc_flags = "deprecated",
     .deprecated_since = "2.0.0",
     .replaced_by = "`GETRANGE`",
     .key_specs = kSubstrKeys,
     .args = kSubstrArgs},
    {.name = "sunion",
     .complexity = "O(N), N the members of all the sets together",
     .tips = "nondeterministic_output_order",
     .key_specs = kSunionKeys,
     .args = kSunionArgs},
    {.name = "sunionstore",
     .complexity = "O(N), N the members of all the sets together",
     .key_specs = kSunionstoreKeys,
     .args = kSunionstoreArgs},
    {.name = "sunsubscribe", .complexity = "O(N), N the number of shard channels", .key_specs = kShardChannelsKeys, .args = kSunsubscribeArgs},
    {.name = "swapdb", .complexity = "O(1)", .acl = "@keyspace @dangerous", .args = kSwapdbArgs},
    {.name = "time", .complexity = "O(1)", .tips = "nondeterministic_output"},
    {.name = "touch",
     .complexity = "O(N), N the number of keys",
     .tips = "request_policy:multi_shard response_policy:agg_sum",
     .key_specs = kTouchKeys,
     .args = kTouchArgs},
    {.name = "ttl",
     .complexity = "O(1)",
     .tips = "nondeterministic_output",
     .key_specs = kTtlKeys,
     .args = kTtlArgs},
    {.name = "type", .complexity = "O(1)", .key_specs = kTypeKeys, .args = kTypeArgs},
    {.name = "unlink",
     .complexity = "O(N), N the number of keys (a collection costs its size)",
     .tips = "request_policy:multi_shard response_policy:agg_sum",
     .key_specs = kUnlinkKeys,
     .args = kUnlinkArgs},
    {.name = "unsubscribe", .complexity = "O(N), N the number of channels", .args = kUnsubscribeArgs},
    {.name = "unwatch", .complexity = "O(N), N the number of watched keys"},
    {.name = "watch", .complexity = "O(1) per key", .key_specs = kWatchKeys, .args = kWatchArgs},
    {.name = "xack",
     .complexity = "O(1) per id",
     .key_specs = kXackKeys,
     .args = kXackArgs},
    {.name = "xadd",
     .complexity = "O(1) to append; trimming O(N), N the entries removed",
     .tips = "nondeterministic_output",
     .key_specs = kXaddKeys,
     .args = kXaddArgs},
    {.name = "xautoclaim",
     .complexity = "O(log N + C), N the pending entries and C the count",
     .tips = "nondeterministic_output",
     .key_specs = kXautoclaimKeys,
     .args = kXautoclaimArgs},
    {.name = "xclaim",
     .complexity = "O(log N) per id, N the pending entries",
     .tips = "nondeterministic_output",
     .key_specs = kXclaimKeys,
     .args = kXclaimArgs},
    {.name = "xdel",
     .complexity = "O(log N) per id, N the stream's nodes",
     .key_specs = kXdelKeys,
     .args = kXdelArgs},
    {.name = "xgroup", .complexity = "Depends on the subcommand"},
    {.name = "xgroup|create",
     .complexity = "O(1)",
     .key_specs = kXgroupInsertKeys,
     .args = kXgroupCreateArgs},
    {.name = "xgroup|createconsumer",
     .complexity = "O(log C), C the group's consumers",
     .key_specs = kXgroupInsertKeys,
     .args = kXgroupConsumerArgs},
    {.name = "xgroup|delconsumer",
     .complexity = "O(P), P the consumer's pending entries",
     .key_specs = kXgroupDeleteKeys,
     .args = kXgroupConsumerArgs},
    {.name = "xgroup|destroy",
     .complexity = "O(N + C), N the group's pending entries and C its consumers",
     .key_specs = kXgroupDeleteKeys,
     .args = kXgroupDestroyArgs},
    {.name = "xgroup|help", .complexity = "O(1)"},
    {.name = "xgroup|setid",
     .complexity = "O(1)",
     .key_specs = kXgroupUpdateKeys,
     .args = kXgroupSetidArgs},
    {.name = "xinfo", .complexity = "Depends on the subcommand"},
    {.name = "xinfo|consumers",
     .complexity = "O(C), C the group's consumers",
     .tips = "nondeterministic_output",
     .key_specs = kXinfoKeys,
     .args = kXinfoConsumersArgs},
    {.name = "xinfo|groups",
     .complexity = "O(G), G the stream's groups",
     .key_specs = kXinfoKeys,
     .args = kXinfoGroupsArgs},
    {.name = "xinfo|help", .complexity = "O(1)"},
    {.name = "xinfo|stream",
     .complexity = "O(1); FULL: O(C), C the entries and pending entries reported",
     .key_specs = kXinfoKeys,
     .args = kXinfoStreamArgs},
    {.name = "xlen", .complexity = "O(1)", .key_specs = kXlenKeys, .args = kXlenArgs},
    {.name = "xpending",
     .complexity = "O(log N + M), N the pending entries and M those returned",
     .tips = "nondeterministic_output",
     .key_specs = kXpendingKeys,
     .args = kXpendingArgs},
    {.name = "xrange",
     .complexity = "O(log N + M), N the stream's nodes and M the entries returned",
     .key_specs = kXrangeKeys,
     .args = kXrangeArgs},
    {.name = "xread",
     .complexity = "O(log N + M) per stream, M the entries returned",
     .key_specs = kXreadKeys,
     .args = kXreadArgs},
    {.name = "xreadgroup",
     .complexity = "O(log N + M) per stream, M the entries returned",
     .key_specs = kXreadgroupKeys,
     .args = kXreadgroupArgs},
    {.name = "xrevrange",
     .complexity = "O(log N + M), N the stream's nodes and M the entries returned",
     .key_specs = kXrangeKeys,
     .args = kXrevrangeArgs},
    {.name = "xsetid", .complexity = "O(1)", .key_specs = kXsetidKeys, .args = kXsetidArgs},
    {.name = "xtrim",
     .complexity = "O(N), N the entries removed",
     .tips = "nondeterministic_output",
     .key_specs = kXtrimKeys,
     .args = kXtrimArgs},
    {.name = "zadd",
     .complexity = "O(M log N), M the pairs given and N the set's size",
     .key_specs = kZaddKeys,
     .args = kZaddArgs},
    {.name = "zcard", .complexity = "O(1)", .key_specs = kZcardKeys, .args = kZcardArgs},
    {.name = "zcount",
     .complexity = "O(log N + M), N the set's size and M the members counted",
     .key_specs = kZcountKeys,
     .args = kZcountArgs},
    {.name = "zdiff",
     .complexity = "O(N log N), N the members of all the inputs together",
     .key_specs = kZdiffKeys,
     .args = kZdiffArgs},
    {.name = "zdiffstore",
     .complexity = "O(N log N), N the members of all the inputs together",
     .key_specs = kZdiffstoreKeys,
     .args = kZdiffstoreArgs},
    {.name = "zincrby",
     .complexity = "O(log N), N the set's size",
     .key_specs = kZincrbyKeys,
     .args = kZincrbyArgs},
    {.name = "zinter",
     .complexity =
         "O(N * K + M log M), N the first input's size, K the inputs and M the result's size",
     .key_specs = kZinterKeys,
     .args = kZinterArgs},
    {.name = "zintercard",
     .complexity = "O(N * K), N the first input's size and K the inputs",
     .key_specs = kZintercardKeys,
     .args = kZintercardArgs},
    {.name = "zinterstore",
     .complexity =
         "O(N * K + M log M), N the first input's size, K the inputs and M the result's size",
     .key_specs = kZinterstoreKeys,
     .args = kZinterstoreArgs},
    {.name = "zlexcount",
     .complexity = "O(log N + M), N the set's size and M the members counted",
     .key_specs = kZlexcountKeys,
     .args = kZlexcountArgs},
    {.name = "zmpop",
     .complexity = "O(K + M log N), K the keys tried, M the members popped and N the set's size",
     .key_specs = kZmpopKeys,
     .args = kZmpopArgs},
    {.name = "zmscore",
     .complexity = "O(M), M the members asked about",
     .key_specs = kZmscoreKeys,
     .args = kZmscoreArgs},
    {.name = "zpopmax",
     .complexity = "O(M log N), M the members popped and N the set's size",
     .key_specs = kZpopmaxKeys,
     .args = kZpopmaxArgs},
    {.name = "zpopmin",
     .complexity = "O(M log N), M the members popped and N the set's size",
     .key_specs = kZpopminKeys,
     .args = kZpopminArgs},
    {.name = "zrandmember",
     .complexity = "O(N), N the members returned (the set's size for distinct picks)",
     .tips = "nondeterministic_output",
     .key_specs = kZrandmemberKeys,
     .args = kZrandmemberArgs},
    {.name = "zrange",
     .complexity = "O(log N + M), N the set's size and M the members returned",
     .key_specs = kZrangeKeys,
     .args = kZrangeArgs},
    {.name = "zrangebylex",
     .complexity = "O(log N + M), N the set's size and M the members returned",
     .doc_flags = "deprecated",
     .deprecated_since = "6.2.0",
     .replaced_by = "`ZRANGE` with the `BYLEX` argument",
     .key_specs = kZrangebylexKeys,
     .args = kZrangebylexArgs},
    {.name = "zrangebyscore",
     .complexity = "O(log N + M), N the set's size and M the members returned",
     .doc_flags = "deprecated",
     .deprecated_since = "6.2.0",
     .replaced_by = "`ZRANGE` with the `BYSCORE` argument",
     .key_specs = kZrangebyscoreKeys,
     .args = kZrangebyscoreArgs},
    {.name = "zrangestore",
     .complexity = "O(log N + M log M), N the source's size and M the members stored",
     .key_specs = kZrangestoreKeys,
     .args = kZrangestoreArgs},
    {.name = "zrank",
     .complexity = "O(log N), N the set's size",
     .key_specs = kZrankKeys,
     .args = kZrankArgs},
    {.name = "zrem",
     .complexity = "O(M log N), M the members given and N the set's size",
     .key_specs = kZremKeys,
     .args = kZremArgs},
    {.name = "zremrangebylex",
     .complexity = "O(log N + M log N), N the set's size and M the members removed",
     .key_specs = kZremrangebylexKeys,
     .args = kZremrangebylexArgs},
    {.name = "zremrangebyrank",
     .complexity = "O(log N + M log N), N the set's size and M the members removed",
     .key_specs = kZremrangebyrankKeys,
     .args = kZremrangebyrankArgs},
    {.name = "zremrangebyscore",
     .complexity = "O(log N + M log N), N the set's size and M the members removed",
     .key_specs = kZremrangebyscoreKeys,
     .args = kZremrangebyscoreArgs},
    {.name = "zrevrange",
     .complexity = "O(log N + M), N the set's size and M the members returned",
     .doc_flags = "deprecated",
     .deprecated_since = "6.2.0",
     .replaced_by = "`ZRANGE` with the `REV` argument",
     .key_specs = kZrevrangeKeys,
     .args = kZrevrangeArgs},
    {.name = "zrevrangebylex",
     .complexity = "O(log N + M), N the set's size and M the members returned",
     .doc_flags = "deprecated",
     .deprecated_since = "6.2.0",
     .replaced_by = "`ZRANGE` with the `REV` and `BYLEX` arguments",
     .key_specs = kZrevrangebylexKeys,
     .args = kZrevrangebylexArgs},
    {.name = "zrevrangebyscore",
     .complexity = "O(log N + M), N the set's size and M the members returned",
     .doc_flags = "deprecated",
     .deprecated_since = "6.2.0",
     .replaced_by = "`ZRANGE` with the `REV` and `BYSCORE` arguments",
     .key_specs = kZrevrangebyscoreKeys,
     .args = kZrevrangebyscoreArgs},
    {.name = "zrevrank",
     .complexity = "O(log N), N the set's size",
     .key_specs = kZrevrankKeys,
     .args = kZrevrankArgs},
    {.name = "zscan",
     .complexity = "O(1) per call; O(N) over a whole iteration, N the set's size",
     .tips = "nondeterministic_output",
     .key_specs = kZscanKeys,
     .args = kZscanArgs},
    {.name = "zscore", .complexity = "O(1)", .key_specs = kZscoreKeys, .args = kZscoreArgs},
    {.name = "zunion",
     .complexity =
         "O(N + M log M), N the members of all the inputs together and M the result's size",
     .key_specs = kZunionKeys,
     .args = kZunionArgs},
    {.name = "zunionstore",
     .complexity =
         "O(N + M log M), N the members of all the inputs together and M the result's size",
     .key_specs = kZunionstoreKeys,
     .args = kZunionstoreArgs},
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
      {"generic", "@keyspace"},
      {"string", "@string"},
      {"list", "@list"},
      {"set", "@set"},
      {"sorted-set", "@sortedset"},
      {"hash", "@hash"},
      {"bitmap", "@bitmap"},
      {"hyperloglog", "@hyperloglog"},
      {"geo", "@geo"},
      {"stream", "@stream"},
      {"pubsub", "@pubsub"},
      {"connection", "@connection"},
      {"transactions", "@transaction"},
      {"scripting", "@scripting"},
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
    // As Redis, read-only scripting commands (EVAL_RO, FCALL_RO) are not in @read.
    if (cat == "@read") return (c.flags & kReadOnly) != 0 && c.group != "scripting";
    if (cat == "@admin" || cat == "@dangerous") return (c.flags & kAdmin) != 0;
    if (cat == "@pubsub") return (c.flags & kPubSub) != 0;
    if (cat == "@blocking") return (c.flags & kBlocking) != 0;
    if (cat == "@fast") return (c.flags & kFast) != 0;
    if (cat == "@slow") return (c.flags & kFast) == 0;
    // An entry may drop its group's category: SORT is "generic" but not in @keyspace.
    return cat == group && !(cat == "@keyspace" && HasWord(extra, "-@keyspace"));
  };
  std::vector<std::string_view> out;
  for (std::string_view cat : kOrder) {
    if (implied(cat) || HasWord(extra, cat)) out.push_back(cat);
  }
  return out;
}

namespace {

bool IsIndexRange(const KeyRule& k) { return k.keyword.empty() && !k.keynum && !k.unknown; }

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
    if ((k.flags & kKeyNotKey) || k.unknown) continue;
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
      if (count_at >= n || !ParseInt64(argv[static_cast<size_t>(count_at)], &count) || count < 0) {
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
