// Every user-visible error text, word for word as Redis 7 says it (without the leading '-').
// Clients parse these, so a change here is a compatibility change: record deliberate
// differences in docs/compatibility.md.
#pragma once

#include <string_view>

namespace firn::err {

inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kIncrFloatNaN = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kInvalidExpire = "ERR invalid expire time in '%s' command";
inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kAuthNotConfigured =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
inline constexpr std::string_view kMaxClients = "ERR max number of clients reached";
inline constexpr std::string_view kDbIndexOutOfRange = "ERR DB index is out of range";
inline constexpr std::string_view kSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kStringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kNxAndXx = "ERR XX and NX options at the same time are not compatible";
inline constexpr std::string_view kGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
inline constexpr std::string_view kInvalidCursor = "ERR invalid cursor";
inline constexpr std::string_view kUnknownType = "ERR unknown type name";
inline constexpr std::string_view kProtocolVersion = "NOPROTO unsupported protocol version";
inline constexpr std::string_view kExecWithoutMulti = "ERR EXEC without MULTI";

// Protocol errors: sent once, then the connection is closed.
inline constexpr std::string_view kProtoInvalidMultibulk = "ERR Protocol error: invalid multibulk length";
inline constexpr std::string_view kProtoInvalidBulk = "ERR Protocol error: invalid bulk length";
inline constexpr std::string_view kProtoUnauthMultibulk =
    "ERR Protocol error: unauthenticated multibulk length";
inline constexpr std::string_view kProtoUnauthBulk = "ERR Protocol error: unauthenticated bulk length";
inline constexpr std::string_view kProtoUnbalancedQuotes =
    "ERR Protocol error: unbalanced quotes in request";
inline constexpr std::string_view kProtoBigInline = "ERR Protocol error: too big inline request";
inline constexpr std::string_view kProtoBigMultibulk = "ERR Protocol error: too big mbulk count string";
inline constexpr std::string_view kProtoBigBulkCount = "ERR Protocol error: too big bulk count string";
inline constexpr std::string_view kProtoExpectedDollar = "ERR Protocol error: expected '$', got '%c'";

// Connection and server commands (modules/connection.cc, modules/server.cc).
inline constexpr std::string_view kClientNameChars =
    "ERR Client names cannot contain spaces, newlines or special characters.";
inline constexpr std::string_view kHelloProtoNotInteger =
    "ERR Protocol version is not an integer or out of range";
inline constexpr std::string_view kHelloNoAuth =
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
    "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
    "protocol version at the same time";
inline constexpr std::string_view kInvalidClientId = "ERR Invalid client ID";
inline constexpr std::string_view kClientIdNotPositive = "ERR client-id should be greater than 0";
inline constexpr std::string_view kNoSuchClient = "ERR No such client";
inline constexpr std::string_view kInvalidFirstDb = "ERR invalid first DB index";
inline constexpr std::string_view kInvalidSecondDb = "ERR invalid second DB index";
inline constexpr std::string_view kNoShutdownInProgress = "ERR No shutdown in progress.";
inline constexpr std::string_view kShutdownFailed = "ERR Errors trying to SHUTDOWN. Check logs.";
inline constexpr std::string_view kNoConfigFile = "ERR The server is running without a config file";
inline constexpr std::string_view kConfigRewriteUnsupported =
    "ERR CONFIG REWRITE is not supported: edit the config file and send SIGHUP to reload it";
inline constexpr std::string_view kInvalidCommand = "ERR Invalid command specified";
inline constexpr std::string_view kInvalidCommandArgs =
    "ERR Invalid number of arguments specified for command";
inline constexpr std::string_view kNoKeyArgs = "ERR The command has no key arguments";

// Rate limiters (modules/ratelimit.cc). CL.THROTTLE answers redis-cell's own texts (a module
// error has no ERR prefix; the offending argument follows kCellNotInteger); a negative or
// overflowing argument, which redis-cell does not check, answers kNotInteger as Dragonfly's
// CL.THROTTLE does.
inline constexpr std::string_view kCellNotInteger = "Cell error: Couldn't parse as integer: ";
inline constexpr std::string_view kCellZeroRate = "Cell error: Zero rates are not supported";
inline constexpr std::string_view kRlLimit = "ERR limit must be a positive integer";
inline constexpr std::string_view kRlWindow =
    "ERR window_ms must be a positive integer no larger than 1099511627776";
inline constexpr std::string_view kRlBurst = "ERR BURST must be a positive integer";
inline constexpr std::string_view kRlCost = "ERR COST must be a positive integer";
inline constexpr std::string_view kRlCostAboveBurst =
    "ERR COST exceeds the bucket's capacity (BURST, by default the limit): it could never pass";
inline constexpr std::string_view kRlCostAboveLimit =
    "ERR COST exceeds the limit: it could never pass";
inline constexpr std::string_view kRlTooLarge = "ERR limit or BURST times window_ms is too large";
inline constexpr std::string_view kRlExactTooLarge =
    "ERR limit above 1000000 is too large for an exact window: use APPROX";

// Command metadata (COMMAND GETKEYS / GETKEYSANDFLAGS in modules/server.cc).
inline constexpr std::string_view kInvalidKeyArgs = "ERR Invalid arguments specified for command";

// Collections: lists, hashes, sets, sorted sets (modules/lists.cc, hashes.cc, sets.cc, zsets.cc).
inline constexpr std::string_view kIndexOutOfRange = "ERR index out of range";
inline constexpr std::string_view kMustBePositive = "ERR value is out of range, must be positive";
inline constexpr std::string_view kLposRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
inline constexpr std::string_view kLposCountNegative = "ERR COUNT can't be negative";
inline constexpr std::string_view kLposMaxlenNegative = "ERR MAXLEN can't be negative";
inline constexpr std::string_view kNumkeysPositive = "ERR numkeys should be greater than 0";
inline constexpr std::string_view kCountPositive = "ERR count should be greater than 0";
inline constexpr std::string_view kNumkeysAboveArgs =
    "ERR Number of keys can't be greater than number of args";
inline constexpr std::string_view kLimitNegative = "ERR LIMIT can't be negative";
inline constexpr std::string_view kZMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kZMinMaxNotLex = "ERR min or max not valid string range item";
inline constexpr std::string_view kZIncrSinglePair =
    "ERR INCR option supports a single increment-element pair";
inline constexpr std::string_view kZWeightNotFloat = "ERR weight value is not a float";
inline constexpr std::string_view kZScoreNaN = "ERR resulting score is not a number (NaN)";
inline constexpr std::string_view kZLimitNeedsBy =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
inline constexpr std::string_view kZWithscoresLex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
inline constexpr std::string_view kHashNotInteger = "ERR hash value is not an integer";
inline constexpr std::string_view kHashNotFloat = "ERR hash value is not a float";
inline constexpr std::string_view kNanOrInfinity = "ERR value is NaN or Infinity";
inline constexpr std::string_view kValueOutOfRange = "ERR value is out of range";
inline constexpr std::string_view kHrandfieldCountRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";

}  // namespace firn::err
