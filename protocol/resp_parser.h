// RESP request parser: incremental and zero-copy.
//
// A request is either a multibulk ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") or an inline line
// ("GET k\r\n", what telnet and `redis-cli` in raw mode send). The parser looks at the
// unconsumed bytes of a connection's read buffer and either yields one complete command whose
// arguments are views into that buffer, reports that more bytes are needed, or reports a
// protocol error. It keeps no state between calls: an incomplete command is parsed again from
// its first byte when more data arrives. That costs a re-scan of a few header lines per read,
// never of the payload, because bulk payloads are skipped by their declared length; in return
// there is no half-built state to get wrong, and the views stay valid until the caller consumes
// the bytes.
//
// Limits and their error texts are Redis's: a count line longer than 64 KiB without CRLF, a
// multibulk count above INT_MAX (above 10 before AUTH), a bulk length above proto-max-bulk-len
// (above 16 KiB before AUTH), a payload not followed by CRLF, a line in inline form longer
// than 64 KiB, unbalanced quotes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace firn {

struct ParseLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  bool authenticated = true;                    // false: Redis's tighter pre-AUTH limits
};

class RespParser {
 public:
  enum class Status { kCommand, kIncomplete, kEmpty, kError };

  struct Result {
    Status status;
    size_t consumed = 0;      // bytes of buf used by this command (kCommand, kEmpty)
    std::string_view error;   // kError: the text to send before closing
    // kIncomplete: total bytes the command is known to need from the start of buf (0 if
    // unknown), so the caller can reserve buffer space for a large bulk at once.
    size_t needed = 0;
  };

  // Parses the first request in buf. On kCommand, args() holds its arguments (views into buf,
  // or into this parser for inline requests with quotes), valid until the next Parse or until
  // buf changes. kEmpty means a blank line or an empty multibulk was skipped.
  Result Parse(std::string_view buf, const ParseLimits& limits);

  const std::vector<std::string_view>& args() const { return args_; }

 private:
  Result ParseMultibulk(std::string_view buf, const ParseLimits& limits);
  Result ParseInline(std::string_view buf);

  std::vector<std::string_view> args_;
  std::vector<std::string> unquoted_;  // storage for inline arguments that had escapes
  std::string error_;
};

// Splits an inline line into arguments as Redis's sdssplitargs does ("..." with \n \r \t \b
// \a \xHH escapes, '...' with \'). Returns false on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace firn
