// Every user-visible error text, word for word as Redis 7 says it (without the leading '-').
// Clients parse these, so a change here is a compatibility change: record deliberate
// differences in docs/compatibility.md.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
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

// String and key families (modules/strings.cc, modules/keys.cc).
inline constexpr std::string_view kExpireNxConflict =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
inline constexpr std::string_view kExpireGtLtConflict =
    "ERR GT and LT options at the same time are not compatible";
// Followed by the option as given.
inline constexpr std::string_view kUnsupportedOption = "ERR Unsupported option ";
// getIntFromObjectOrReply's range error (sic: "must between").
inline constexpr std::string_view kNotInt32 =
    "ERR value is out of range, value must between -2147483648 and 2147483647";
inline constexpr std::string_view kLfuNotSelected =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
    "when switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline constexpr std::string_view kLfuSelected =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline constexpr std::string_view kWrongArity = "ERR wrong number of arguments for '%s' command";
// The subcommand as given, then the container command in upper case.
inline constexpr std::string_view kUnknownSubcommand = "ERR unknown subcommand '%s'. Try %s HELP.";
inline constexpr std::string_view kIndexOutOfRange = "ERR index out of range";
inline constexpr std::string_view kDecrementOverflow = "ERR decrement would overflow";
inline constexpr std::string_view kBitOffset = "ERR bit offset is not an integer or out of range";
inline constexpr std::string_view kBitValue = "ERR bit is not an integer or out of range";
inline constexpr std::string_view kLcsNotStrings =
    "ERR The specified keys must contain string values";
inline constexpr std::string_view kLcsLenAndIdx =
    "ERR If you want both the length and indexes, please just use IDX.";
inline constexpr std::string_view kLcsTooLong = "ERR String too long for LCS";
inline constexpr std::string_view kLcsTransientMemory =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
inline constexpr std::string_view kLcsAllocFailed =
    "ERR Insufficient memory, failed allocating transient memory for LCS";

// Texts moved here from the other families (the code that sends them is theirs).
// The command name, then its first arguments quoted ('a' 'b' ), as dispatch builds them.
inline constexpr std::string_view kUnknownCommand =
    "ERR unknown command '%s', with args beginning with: %s";
inline constexpr std::string_view kMultiNested = "ERR MULTI calls can not be nested";
inline constexpr std::string_view kDiscardWithoutMulti = "ERR DISCARD without MULTI";
inline constexpr std::string_view kExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";
inline constexpr std::string_view kConfigSetFailed =
    "ERR CONFIG SET failed (possibly related to argument '%s') - %s";
inline constexpr std::string_view kConfigSetUnknown =
    "ERR Unknown option or number of arguments for CONFIG SET - '%s'";
// A reason that carries its own wording after the ERR code (conf/config.h's kUnknown).
inline constexpr std::string_view kErrReason = "ERR %s";
inline constexpr std::string_view kHelloOptionSyntax = "ERR Syntax error in HELLO option '%s'";
inline constexpr std::string_view kUnknownClientType = "ERR Unknown client type '%s'";
inline constexpr std::string_view kNoSuchUser = "ERR No such user '%s'";
inline constexpr std::string_view kUnrecognizedOption = "ERR Unrecognized option '%s'";
inline constexpr std::string_view kClientAttrChars =
    "ERR %s cannot contain spaces, newlines or special characters.";
inline constexpr std::string_view kSlowlogCount = "ERR count should be greater than or equal to -1";
inline constexpr std::string_view kSlowlogGetArgs =
    "ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.";

// Fills the placeholders of a text ("%s", or "%c" for one byte) with args, in order.
inline std::string Format(std::string_view text, std::initializer_list<std::string_view> args) {
  std::string out;
  out.reserve(text.size() + 32);
  const std::string_view* arg = args.begin();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 1 < text.size() && (text[i + 1] == 's' || text[i + 1] == 'c') &&
        arg != args.end()) {
      out.append(*arg++);
      ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Command metadata (COMMAND GETKEYS / GETKEYSANDFLAGS in modules/server.cc).
inline constexpr std::string_view kInvalidKeyArgs = "ERR Invalid arguments specified for command";

// The command path (modules/dispatch.cc, transactions.cc, server.cc's LATENCY, journal.cc).
inline constexpr std::string_view kNotAllowedInMulti =
    "ERR Command not allowed inside a transaction";
inline constexpr std::string_view kMonitorInMulti =
    "ERR MONITOR isn't allowed for DENY BLOCKING client";
inline constexpr std::string_view kBadLimiterState = "ERR invalid limiter state";
inline constexpr std::string_view kNoLatencySamples = "ERR No samples available for event '%s'";

// Server: connections and listeners (server/). The two reasons CONFIG SET gives after
// "ERR CONFIG SET failed (possibly related to argument '...') - " when a listener cannot move.
inline constexpr std::string_view kConfigListenPort = "Unable to listen on this port. Check server logs.";
inline constexpr std::string_view kConfigListenBind = "Failed to bind to specified addresses.";
// CONFIG SET save / appendonly to anything but their fixed values (modules/server.cc).
inline constexpr std::string_view kConfigNoPersistence =
    "Firn does not persist data yet: only save \"\" and appendonly no are accepted";

// Scripting and functions (modules/scripting.cc, modules/functions.cc, modules/lua_vm.cc).
// Texts a script raises are stored with their code; the script's reply adds " script: SHA, on
// @user_script:LINE." as Redis does.
inline constexpr std::string_view kNoScript = "NOSCRIPT No matching script. Please use EVAL.";
inline constexpr std::string_view kNotBusy = "NOTBUSY No scripts in execution right now.";
inline constexpr std::string_view kUnkillable =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";
inline constexpr std::string_view kUnkillableFunction =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";
inline constexpr std::string_view kBusyScript =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kNegativeNumKeys = "ERR Number of keys can't be negative";
inline constexpr std::string_view kTooManyNumKeys =
    "ERR Number of keys can't be greater than number of args";
inline constexpr std::string_view kScriptFlushOption = "ERR SCRIPT FLUSH only support SYNC|ASYNC option";
inline constexpr std::string_view kCompileScript = "ERR Error compiling script (new function): ";
inline constexpr std::string_view kShebangEngine = "ERR Unexpected engine in script shebang: ";
inline constexpr std::string_view kShebangOption = "ERR Unknown lua shebang option: ";
inline constexpr std::string_view kShebangFlag = "ERR Unexpected flag in script shebang: ";
inline constexpr std::string_view kScriptWriteFlagOnRo =
    "ERR Can not execute a script with write flag using *_ro command.";
inline constexpr std::string_view kScriptUnknownCommand = "ERR Unknown Redis command called from script";
inline constexpr std::string_view kScriptWrongArgs =
    "ERR Wrong number of args calling Redis command from script";
inline constexpr std::string_view kScriptCommandNotAllowed =
    "ERR This Redis command is not allowed from script";
inline constexpr std::string_view kScriptReadOnlyWrite =
    "ERR Write commands are not allowed from read-only scripts.";
inline constexpr std::string_view kScriptNoArguments =
    "ERR Please specify at least one argument for this redis lib call";
inline constexpr std::string_view kScriptBadArgument =
    "ERR Lua redis lib command arguments must be strings or integers";
inline constexpr std::string_view kScriptSha1hexArgs = "ERR wrong number of arguments";
inline constexpr std::string_view kScriptReplyHelperArgs = "ERR wrong number or type of arguments";
inline constexpr std::string_view kScriptLogArgs = "ERR redis.log() requires two arguments or more.";
inline constexpr std::string_view kScriptLogLevelType =
    "ERR First argument must be a number (log level).";
inline constexpr std::string_view kScriptLogLevel = "ERR Invalid debug level.";
inline constexpr std::string_view kScriptSetRespArgs = "ERR redis.setresp() requires one argument.";
inline constexpr std::string_view kScriptSetRespVersion = "ERR RESP version must be 2 or 3.";
inline constexpr std::string_view kScriptSetReplArgs = "ERR redis.set_repl() requires one argument.";
inline constexpr std::string_view kScriptSetReplFlags =
    "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.";
inline constexpr std::string_view kScriptAclCheckInvalid =
    "ERR Invalid command passed to redis.acl_check_cmd()";
inline constexpr std::string_view kScriptKilled = "ERR Script killed by user with SCRIPT KILL...";
inline constexpr std::string_view kFunctionKilled =
    "ERR Script killed by user with FUNCTION KILL...";
inline constexpr std::string_view kFunctionRegisterOutsideLoad =
    "ERR redis.register_function can only be called on FUNCTION LOAD command";
inline constexpr std::string_view kFunctionSingleArgNotTable =
    "ERR calling redis.register_function with a single argument is only applicable to Lua table "
    "(representing named arguments).";
inline constexpr std::string_view kFunctionNamedKeyType =
    "ERR named argument key given to redis.register_function is not a string";
inline constexpr std::string_view kFunctionNameType =
    "ERR function_name argument given to redis.register_function must be a string";
inline constexpr std::string_view kFunctionDescriptionType =
    "ERR description argument given to redis.register_function must be a string";
inline constexpr std::string_view kFunctionCallbackType =
    "ERR callback argument given to redis.register_function must be a function";
inline constexpr std::string_view kFunctionFlagsType =
    "ERR flags argument to redis.register_function must be a table representing function flags";
inline constexpr std::string_view kFunctionUnknownFlag = "ERR unknown flag given";
inline constexpr std::string_view kFunctionUnknownArgument =
    "ERR unknown argument given to redis.register_function";
inline constexpr std::string_view kFunctionNoName =
    "ERR redis.register_function must get a function name argument";
inline constexpr std::string_view kFunctionNoCallback =
    "ERR redis.register_function must get a callback argument";
inline constexpr std::string_view kFunctionRegisterArgs =
    "ERR wrong number of arguments to redis.register_function";
inline constexpr std::string_view kFunctionFirstArgType =
    "ERR first argument to redis.register_function must be a string";
inline constexpr std::string_view kFunctionSecondArgType =
    "ERR second argument to redis.register_function must be a function";
inline constexpr std::string_view kFunctionBadName =
    "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least "
    "one character long";
inline constexpr std::string_view kFunctionDuplicateInLibrary =
    "ERR Function already exists in the library";
inline constexpr std::string_view kFunctionLoadTimeout = "ERR FUNCTION LOAD timeout";
inline constexpr std::string_view kFunctionNotFound = "ERR Function not found";
inline constexpr std::string_view kLibraryNotFound = "ERR Library not found";
inline constexpr std::string_view kLibraryNameMissing = "ERR Library name was not given";
inline constexpr std::string_view kFunctionNoFunctions = "ERR No functions registered";
inline constexpr std::string_view kLibraryMetadataMissing = "ERR Missing library metadata";
inline constexpr std::string_view kLibraryNameTwice =
    "ERR Invalid metadata value, name argument was given multiple times";
inline constexpr std::string_view kLibraryMetadataValue = "ERR Invalid metadata value given: ";
inline constexpr std::string_view kFunctionUnknownOption = "ERR Unknown option given: ";
inline constexpr std::string_view kFunctionFlushOption =
    "ERR FUNCTION FLUSH only supports SYNC|ASYNC option";
// FUNCTION FLUSH/RESTORE with too many arguments: prefix, the subcommand as given, suffix.
inline constexpr std::string_view kFunctionSyntaxPrefix =
    "ERR unknown subcommand or wrong number of arguments for '";
inline constexpr std::string_view kFunctionSyntaxSuffix = "'. Try FUNCTION HELP.";
inline constexpr std::string_view kFunctionRestorePolicy =
    "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.";
inline constexpr std::string_view kFunctionPayload = "ERR DUMP payload version or checksum are wrong";
inline constexpr std::string_view kFunctionPayloadData = "ERR given payload is not a function dump";
inline constexpr std::string_view kFunctionListNoLibraryName =
    "ERR library name argument was not given";
inline constexpr std::string_view kFunctionListUnknownArgument = "ERR Unknown argument ";
inline constexpr std::string_view kFunctionBadNumKeys = "ERR Bad number of keys provided";
// The generic code a script's error gets when it names none (Redis's luaPushErrorBuff).
inline constexpr std::string_view kScriptErrorCode = "ERR ";
inline constexpr std::string_view kScriptStackLimit = "ERR reached lua stack limit";
// A run that failed with a non-table error: prefix, the script's name, ", ", the message.
inline constexpr std::string_view kScriptRunErrorPrefix = "ERR Error running script ";
// "ERR Engine '<name>' not found", "ERR Library '<name>' already exists" (FUNCTION LOAD),
// "ERR Library <name> already exists" (FUNCTION RESTORE), "ERR Function <name> already exists":
// prefix, the name, suffix.
inline constexpr std::string_view kEngineNotFoundPrefix = "ERR Engine '";
inline constexpr std::string_view kEngineNotFoundSuffix = "' not found";
inline constexpr std::string_view kLibraryExistsPrefix = "ERR Library '";
inline constexpr std::string_view kLibraryExistsSuffix = "' already exists";
inline constexpr std::string_view kRestoreLibraryExistsPrefix = "ERR Library ";
inline constexpr std::string_view kFunctionExistsPrefix = "ERR Function ";
inline constexpr std::string_view kAlreadyExistsSuffix = " already exists";
inline constexpr std::string_view kScriptDebugUnsupported =
    "ERR SCRIPT DEBUG is not supported: the Lua debugger is not available";

// Collections: lists, hashes, sets, sorted sets (modules/lists.cc, hashes.cc, sets.cc, zsets.cc).
inline constexpr std::string_view kNeedInputKey = "ERR at least 1 input key is needed for '%s' command";
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

// Client state: WATCH (modules/transactions.cc), pub/sub (modules/pubsub.cc, dispatch.cc).
inline constexpr std::string_view kWatchInMulti = "ERR WATCH inside MULTI is not allowed";
// %s: the command's full name ("config|get" for a subcommand).
inline constexpr std::string_view kSubscribedContext =
    "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
    "allowed in this context";
inline constexpr std::string_view kSsubscribeDenyBlocking =
    "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client";

// Streams (modules/streams.cc), Redis 7.0's t_stream.c texts.
inline constexpr std::string_view kStreamBadId =
    "ERR Invalid stream ID specified as stream command argument";
inline constexpr std::string_view kStreamIdZero =
    "ERR The ID specified in XADD must be greater than 0-0";
inline constexpr std::string_view kStreamIdTooSmall =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
inline constexpr std::string_view kStreamExhausted =
    "ERR The stream has exhausted the last possible ID, unable to add more items";
inline constexpr std::string_view kStreamLimitNeedsApprox =
    "ERR syntax error, LIMIT cannot be used without the special ~ option";
inline constexpr std::string_view kStreamLimitNeedsStrategy =
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
inline constexpr std::string_view kStreamTrimNeedsStrategy =
    "ERR syntax error, XTRIM must be called with a trimming strategy";
inline constexpr std::string_view kStreamMaxlenAndMinid =
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
inline constexpr std::string_view kStreamMaxlenNegative = "ERR The MAXLEN argument must be >= 0.";
inline constexpr std::string_view kStreamLimitNegative = "ERR The LIMIT argument must be >= 0.";
inline constexpr std::string_view kStreamBadStart = "ERR invalid start ID for the interval";
inline constexpr std::string_view kStreamBadEnd = "ERR invalid end ID for the interval";
inline constexpr std::string_view kXsetidEntriesAddedNegative = "ERR entries_added must be positive";
inline constexpr std::string_view kXsetidBelowMaxDeletedArg =
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id";
inline constexpr std::string_view kXsetidBelowMaxDeleted =
    "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id";
inline constexpr std::string_view kXsetidBelowTop =
    "ERR The ID specified in XSETID is smaller than the target stream top item";
inline constexpr std::string_view kXsetidEntriesAddedSmall =
    "ERR The entries_added specified in XSETID is smaller than the target stream length";
inline constexpr std::string_view kXreadGroupOption =
    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
inline constexpr std::string_view kXreadNoackOption =
    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
inline constexpr std::string_view kXreadgroupMissingGroup = "ERR Missing GROUP option for XREADGROUP";
inline constexpr std::string_view kXreadgroupDollar =
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of "
    "this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would "
    "just return an empty result set.";
inline constexpr std::string_view kXreadGreater =
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
    "<consumer> option.";
// XREADGROUP says the same.
inline constexpr std::string_view kXreadUnbalanced =
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
inline constexpr std::string_view kXgroupNeedsKey =
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to "
    "use the MKSTREAM option to create an empty stream automatically.";
inline constexpr std::string_view kBusyGroup = "BUSYGROUP Consumer Group name already exists";
inline constexpr std::string_view kEntriesReadNegative =
    "ERR value for ENTRIESREAD must be positive or -1";
inline constexpr std::string_view kXclaimMinIdle = "ERR Invalid min-idle-time argument for XCLAIM";
inline constexpr std::string_view kXclaimIdle = "ERR Invalid IDLE option argument for XCLAIM";
inline constexpr std::string_view kXclaimTime = "ERR Invalid TIME option argument for XCLAIM";
inline constexpr std::string_view kXclaimRetryCount =
    "ERR Invalid RETRYCOUNT option argument for XCLAIM";
inline constexpr std::string_view kXautoclaimMinIdle =
    "ERR Invalid min-idle-time argument for XAUTOCLAIM";
inline constexpr std::string_view kXautoclaimCount = "ERR COUNT must be > 0";
// %s: the key, then the group (XPENDING, XCLAIM, XAUTOCLAIM).
inline constexpr std::string_view kNoKeyOrGroup = "NOGROUP No such key '%s' or consumer group '%s'";
inline constexpr std::string_view kNoKeyOrGroupXreadgroup =
    "NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option";
// %s: the group, then the key (XGROUP, XINFO).
inline constexpr std::string_view kNoGroupForKey =
    "NOGROUP No such consumer group '%s' for key name '%s'";
inline constexpr std::string_view kXclaimUnknownOption = "ERR Unrecognized XCLAIM option '%s'";
// %s: the subcommand as typed, then the container in capitals (Redis's
// addReplySubcommandSyntaxError).
inline constexpr std::string_view kSubcommandSyntax =
    "ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.";
// XREAD / XREADGROUP BLOCK's milliseconds.
inline constexpr std::string_view kStreamTimeoutNotInteger =
    "ERR timeout is not an integer or out of range";
inline constexpr std::string_view kStreamTimeoutNegative = "ERR timeout is negative";
// %s: the command's name as the script wrote it.
inline constexpr std::string_view kStreamBlockInScript =
    "ERR %s command is not allowed with BLOCK option from scripts";
inline constexpr std::string_view kXinfoCountNegative = "ERR value is out of range, must be positive";
// Tracking part: client-side caching (modules/tracking.cc), CLIENT KILL, output-buffer limits.
inline constexpr std::string_view kTrackingRedirectTwice =
    "ERR A client can only redirect to a single other client";
inline constexpr std::string_view kTrackingRedirectMissing =
    "ERR The client ID you want redirect to does not exist";
inline constexpr std::string_view kTrackingPrefixNeedsBcast =
    "ERR PREFIX option requires BCAST mode to be enabled";
inline constexpr std::string_view kTrackingBcastSwitch =
    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
    "re-enabling it with a different mode.";
inline constexpr std::string_view kTrackingOptWithBcast =
    "ERR OPTIN and OPTOUT are not compatible with BCAST";
inline constexpr std::string_view kTrackingOptInAndOut =
    "ERR You can't specify both OPTIN mode and OPTOUT mode";
inline constexpr std::string_view kTrackingOptSwitch =
    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
    "re-enabling it with a different mode.";
// %s: the new prefix, then the one it overlaps.
inline constexpr std::string_view kTrackingPrefixOverlapsExisting =
    "ERR Prefix '%s' overlaps with an existing prefix '%s'. Prefixes for a single client must "
    "not overlap.";
inline constexpr std::string_view kTrackingPrefixOverlapsOther =
    "ERR Prefix '%s' overlaps with another provided prefix '%s'. Prefixes for a single client "
    "must not overlap.";
inline constexpr std::string_view kCachingNotTracking =
    "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
    "OPTOUT mode enabled";
inline constexpr std::string_view kCachingYesNeedsOptin =
    "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.";
inline constexpr std::string_view kCachingNoNeedsOptout =
    "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";

// geo: GEO commands (modules/geo.cc) and SORT / SORT_RO (modules/sort.cc).
// %s, %s: the longitude and latitude as printf's %f prints them.
inline constexpr std::string_view kGeoInvalidPair = "ERR invalid longitude,latitude pair %s,%s";
inline constexpr std::string_view kGeoUnit = "ERR unsupported unit provided. please use M, KM, FT, MI";
inline constexpr std::string_view kGeoNeedRadius = "ERR need numeric radius";
inline constexpr std::string_view kGeoNegativeRadius = "ERR radius cannot be negative";
inline constexpr std::string_view kGeoNeedWidth = "ERR need numeric width";
inline constexpr std::string_view kGeoNeedHeight = "ERR need numeric height";
inline constexpr std::string_view kGeoNegativeBox = "ERR height or width cannot be negative";
inline constexpr std::string_view kGeoCountPositive = "ERR COUNT must be > 0";
inline constexpr std::string_view kGeoAnyNeedsCount = "ERR the ANY argument requires COUNT argument";
inline constexpr std::string_view kGeoNoMember = "ERR could not decode requested zset member";
// %s: "GEOSEARCHSTORE" or "STORE option in GEORADIUS".
inline constexpr std::string_view kGeoStoreWith =
    "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options";
// %s: the command name as given.
inline constexpr std::string_view kGeoOneFrom =
    "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s";
inline constexpr std::string_view kGeoOneBy =
    "ERR exactly one of BYRADIUS and BYBOX can be specified for %s";
inline constexpr std::string_view kSortNotDouble =
    "ERR One or more scores can't be converted into double";
// ACL (modules/acl.cc, modules/acl_commands.cc, dispatch.cc). Format's %s in order.
inline constexpr std::string_view kAclSetUserModifier = "ERR Error in ACL SETUSER modifier '%s': %s";
inline constexpr std::string_view kAclSyntaxError = "Syntax error";
inline constexpr std::string_view kAclUnknownCommandOrCategory =
    "Unknown command or category name in ACL";
inline constexpr std::string_view kAclBadPasswordHash =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";
inline constexpr std::string_view kAclNoSuchPassword =
    "The password you are trying to remove from the user does not exist";
inline constexpr std::string_view kAclKeyPatternAfterAll =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not "
    "have any effect. Try 'resetkeys' to start with an empty list of patterns";
inline constexpr std::string_view kAclChannelPatternAfterAll =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does "
    "not have any effect. Try 'resetchannels' to start with an empty list of channels";
inline constexpr std::string_view kAclFirstArgOfSubcommand =
    "Allowing first-arg of a subcommand is not supported";
inline constexpr std::string_view kAclUnmatchedParenthesis =
    "ERR Unmatched parenthesis in acl selector starting at '%s'.";
inline constexpr std::string_view kAclFileLineNotUser = "ERR line %s: should start with user keyword";
inline constexpr std::string_view kAclFileDuplicateUser = "ERR line %s: duplicate user '%s' found";
inline constexpr std::string_view kAclFileLineError = "ERR line %s: %s";
inline constexpr std::string_view kAclDefaultUndeletable = "ERR The 'default' user cannot be removed";
inline constexpr std::string_view kAclNoSuchUser = "ERR User '%s' not found";
inline constexpr std::string_view kAclNoSuchCommand = "ERR Command '%s' not found";
inline constexpr std::string_view kAclUnknownCategory = "ERR Unknown category '%s'";
inline constexpr std::string_view kAclGenpassBits =
    "ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
    "number up to 4096";
inline constexpr std::string_view kAclLogCount = "ERR value is out of range, must be positive";
inline constexpr std::string_view kAclNoFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify "
    "users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a "
    "Redis configuration file set) in order to store users in the Redis configuration.";
inline constexpr std::string_view kAclFileUnreadable = "ERR Error loading ACLs, opening file '%s': %s";
inline constexpr std::string_view kAclFileUnwritable = "ERR There was an error trying to save the ACLs. Please check the server logs for more information";
// Admission refusals (%s: the command's full name).
inline constexpr std::string_view kNoPermCommand =
    "NOPERM this user has no permissions to run the '%s' command";
inline constexpr std::string_view kNoPermKey =
    "NOPERM this user has no permissions to access one of the keys used as arguments";
inline constexpr std::string_view kNoPermChannel =
    "NOPERM this user has no permissions to access one of the channels used as arguments";
// EXEC finding a queued command no longer allowed (%s: one of the reasons below).
inline constexpr std::string_view kNoPermAclChangedInMulti =
    "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC "
    "call. This command is no longer allowed for the following reason: %s";
inline constexpr std::string_view kAclChangedCommandReason =
    "no permission to execute the command or subcommand";
inline constexpr std::string_view kAclChangedKeyReason = "no permission to touch the specified keys";
inline constexpr std::string_view kAclChangedChannelReason =
    "no permission to access one of the channels used as arguments";
// ACL DRYRUN's answers (bulk strings, not errors).
inline constexpr std::string_view kAclDryRunCommand = "This user has no permissions to run the '%s' command";
inline constexpr std::string_view kAclDryRunKey = "This user has no permissions to access the '%s' key";
inline constexpr std::string_view kAclDryRunChannel =
    "This user has no permissions to access the '%s' channel";
// Inside a script (redis.call / redis.pcall).
inline constexpr std::string_view kScriptNoPermCommand =
    "ERR The user executing the script can't run this command or subcommand";
inline constexpr std::string_view kScriptNoPermKey =
    "ERR The user executing the script can't access at least one of the keys mentioned in the "
    "command arguments";
inline constexpr std::string_view kScriptNoPermChannel =
    "ERR The user executing the script can't publish to the channel mentioned in the command";
// bitops part: bit commands (modules/bitops.cc) and HyperLogLog (modules/hyperloglog.cc).
inline constexpr std::string_view kBitposBit = "ERR The bit argument must be 1 or 0.";
inline constexpr std::string_view kBitopNotSingle =
    "ERR BITOP NOT must be called with a single source key.";
inline constexpr std::string_view kBitfieldType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.";
inline constexpr std::string_view kBitfieldOverflow = "ERR Invalid OVERFLOW type specified";
inline constexpr std::string_view kBitfieldRoWrite =
    "ERR BITFIELD_RO only supports the GET subcommand";
inline constexpr std::string_view kHllWrongType =
    "WRONGTYPE Key is not a valid HyperLogLog string value.";
inline constexpr std::string_view kHllCorrupt = "INVALIDOBJ Corrupted HLL object detected";
inline constexpr std::string_view kPfdebugNoKey = "ERR The specified key does not exist";
inline constexpr std::string_view kPfdebugNotSparse = "ERR HLL encoding is not sparse";
// %s: the subcommand as given.
inline constexpr std::string_view kPfdebugUnknown = "ERR Unknown PFDEBUG subcommand '%s'";
inline constexpr std::string_view kPfdebugArity =
    "ERR Wrong number of arguments for the '%s' subcommand";
// Blocking commands and CLIENT UNBLOCK/PAUSE (modules/blocking.cc, lists.cc, zsets.cc,
// connection.cc).
inline constexpr std::string_view kTimeoutNotFloat = "ERR timeout is not a float or out of range";
inline constexpr std::string_view kTimeoutNegative = "ERR timeout is negative";
inline constexpr std::string_view kUnblocked = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
// An XREADGROUP BLOCK whose stream was deleted or replaced by another type.
inline constexpr std::string_view kStreamKeyGone = "UNBLOCKED the stream key no longer exists";
inline constexpr std::string_view kUnblockReason =
    "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";
inline constexpr std::string_view kPauseTimeoutNotInteger =
    "ERR timeout is not an integer or out of range";
inline constexpr std::string_view kPauseMode =
    "ERR CLIENT PAUSE mode must be WRITE or ALL";

// persist: DUMP/RESTORE, SAVE/BGSAVE, -MISCONF (modules/persist.cc, dispatch.cc).
inline constexpr std::string_view kBusyKey = "BUSYKEY Target key name already exists.";
inline constexpr std::string_view kDumpPayload = "ERR DUMP payload version or checksum are wrong";
inline constexpr std::string_view kBadDataFormat = "ERR Bad data format";
inline constexpr std::string_view kInvalidTtl = "ERR Invalid TTL value, must be >= 0";
inline constexpr std::string_view kInvalidIdletime = "ERR Invalid IDLETIME value, must be >= 0";
inline constexpr std::string_view kInvalidFreq =
    "ERR Invalid FREQ value, must be >= 0 and <= 255";
inline constexpr std::string_view kBgsaveInProgress = "ERR Background save already in progress";
inline constexpr std::string_view kSaveFailed = "ERR";  // SAVE's bare error, as Redis
// ---- aof part: BGREWRITEAOF (modules/aof.cc, persist.cc) ----
inline constexpr std::string_view kBgsaveAnotherChild =
    "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE "
    "in order to schedule a BGSAVE whenever possible.";
inline constexpr std::string_view kAofRewriteInProgress =
    "ERR Background append only file rewriting already in progress";
// Followed by strerror (or "short write"): writes are refused so while the AOF cannot be written.
inline constexpr std::string_view kAofWriteErrorPrefix = "MISCONF Errors writing to the AOF file: ";
inline constexpr std::string_view kAofRewriteFailed =
    "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
    "information.";
inline constexpr std::string_view kMisconf =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "
    "to disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
    "RDB error.";
// ---- rdbcompat part: MIGRATE (modules/migrate.cc) ----
inline constexpr std::string_view kMigrateKeysNeedEmptyKey =
    "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";
inline constexpr std::string_view kMigrateConnect =
    "IOERR error or timeout connecting to the client";
inline constexpr std::string_view kMigrateWriteError =
    "IOERR error or timeout writing to target instance";
inline constexpr std::string_view kMigrateReadError =
    "IOERR error or timeout reading to target instance";
// Followed by the target's error line without its '-'.
inline constexpr std::string_view kMigrateTargetError = "ERR Target instance replied with error: ";
// ---- scripting part: busy scripts, protected mode ----
// An EXEC refused at admission (-BUSY, -OOM...) discards the transaction; this text is then
// followed by the refusal without its '-'.
inline constexpr std::string_view kExecAbortBecause = "EXECABORT Transaction discarded because of: ";
// Protected mode (server/server.cc): sent to a client from a non-loopback address when no
// password is set, then the connection closes.
inline constexpr std::string_view kProtectedModeDenied =
    "DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need to "
    "do one of the above things in order for the server to start accepting connections from the "
    "outside.";
// The generic error code; EXECABORT's text leaves it out (Redis's own refusals lack it there).
inline constexpr std::string_view kErrCode = "ERR ";

// ---- tls ----
// CONFIG SET of a tls-* setting whose new TLS context does not build (the reason is logged).
inline constexpr std::string_view kConfigTls = "Unable to update TLS configuration. Check server logs.";
// fuzz (defects the fuzz targets found; modules/acl.cc).
inline constexpr std::string_view kAclUsernameSpaces =
    "ERR Usernames can't contain spaces or null characters";

}  // namespace firn::err
