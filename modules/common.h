// Small helpers the command families share: reading typed arguments with Redis's replies on
// failure, type checks, error texts that embed the command's name.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "modules/command.h"
#include "storage/entry.h"
#include "storage/op_result.h"

namespace firn {

// Reads argument i as an integer; on failure sends "value is not an integer or out of range"
// and returns false.
bool ArgInt(CommandContext& ctx, size_t i, int64_t* out);
bool ArgInt(CommandContext& ctx, std::string_view s, int64_t* out);

enum class TimeUnit { kSeconds, kMilliseconds };
// Turns an expiry argument into an absolute Unix time in ms, as Redis's
// getExpireMillisecondsOrReply does: non-integer -> not an integer; <= 0, or overflow once
// converted -> "invalid expire time in '<cmd>' command". relative: the value counts from now.
bool ArgExpireMs(CommandContext& ctx, std::string_view s, TimeUnit unit, bool relative,
                 int64_t* out_ms);

// Sends WRONGTYPE and returns false when e (non-null) is not a string.
bool CheckString(CommandContext& ctx, const Entry* e);

// The reply text of a storage status (protocol/errors.h): kWrongType -> WRONGTYPE ...,
// kNotFound -> "ERR no such key", kOutOfRange -> "ERR index out of range", kTooLarge -> the
// proto-max-bulk-len text. kOk and kSkipped are not errors: "".
std::string_view ErrorText(OpStatus status);

std::string WrongArityError(std::string_view command);
std::string InvalidExpireError(std::string_view command);
// "ERR unknown subcommand 'x'. Try CONFIG HELP."
std::string UnknownSubcommandError(std::string_view subcommand, std::string_view command);

// Reads a SCAN/HSCAN/SSCAN/ZSCAN cursor as Redis's parseScanCursorOrReply (strtoul): decimal,
// an optional sign ("-1" wraps to 2^64-1), no leading space, nothing after, within 64 bits;
// "" reads as 0. False: the caller replies err::kInvalidCursor.
bool ParseScanCursor(std::string_view s, uint64_t* out);

// Redis's glob matching (stringmatchlen): * ? [a-z] [^a] \x, optionally case-insensitive
// (ASCII letters only). Iterative, O(1) memory, and at most about (text.size() + 1) *
// pattern.size() byte examinations whatever the pattern; modules/common.cc details the
// semantics kept, quirks included.
bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase = false);
// The same, adding the number of pattern bytes examined to *steps (tests bound the work with it).
bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase, uint64_t* steps);

// Copies s into out lowercased (for command names); returns out.
std::string_view ToLower(std::string_view s, std::string* out);

}  // namespace firn

namespace firn {

// The handler of a container command (CLIENT, CONFIG, COMMAND, OBJECT...): finds argv[1]
// among ctx.command->subcommands (rows named "client|list", matched on the part after '|',
// any case), checks its arity and runs it with ctx.command set to that row, whose counters
// move (INFO commandstats reports cmdstat_client|list). Unknown: "ERR unknown subcommand 'x'.
// Try CLIENT HELP."; wrong arity: "ERR wrong number of arguments for 'client|list' command".
void RunSubcommand(CommandContext& ctx);

// A HELP reply: the lines as an array of status replies.
void ReplyLines(CommandContext& ctx, std::initializer_list<std::string_view> lines);
// The subcommand row of container for name (any case), or nullptr.
const Command* FindSubcommand(const Command& container, std::string_view name);

}  // namespace firn
