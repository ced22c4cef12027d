// RESP request parser: incremental and zero-copy.
//
// A request is either a multibulk ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") or an inline line
// ("GET k\r\n", what telnet and `redis-cli` in raw mode send). The parser looks at the
// unconsumed bytes of a connection's read buffer and either yields one complete command whose
// arguments are views into that buffer, reports that more bytes are needed, or reports a
// protocol error.
//
// Why it resumes: a command that arrives over many reads (a client declaring `*2147483647` and
// then sending millions of arguments, or one 500 MB bulk) must cost each read in proportion to
// the bytes that read brought, not to everything pending; re-parsing from the first byte each
// time made such a client stall every other client for up to a second per read. So after
// kIncomplete the parser keeps the arguments it has already found and where the next one
// starts (for an inline request, how far it searched for the line's end), and the next call
// carries on from there. The
// arguments stay views: if the caller moved the pending bytes (the read buffer grew or was
// compacted) the views are shifted to the new address once, which is O(arguments) per move and
// happens O(log size) times for a growing buffer. Bulk payloads are skipped by their declared
// length, never scanned. The work done is exposed (bytes_scanned) so tests can bound it.
//
// As Redis, the two bytes after a bulk payload are skipped without being checked: `*1\r\n$4\r\n
// PINGXX` runs PING, and whatever follows those two bytes is the next request.
//
// Limits and their error texts are Redis's: a count line longer than 64 KiB without CRLF, a
// multibulk count above INT_MAX (above 10 before AUTH), a bulk length above proto-max-bulk-len
// (above 16 KiB before AUTH), a line in inline form longer than 64 KiB, unbalanced quotes.
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
  // REQUIRES: after kIncomplete, the next call passes the same pending bytes again (they may
  // have moved to another address) followed by any new ones, or Reset() is called first.
  Result Parse(std::string_view buf, const ParseLimits& limits);
  // Forgets a partly parsed request (the caller dropped its pending bytes).
  void Reset();
  // Gives back the argument list's storage after a request of more than kKeptArgs arguments
  // (Redis frees a client's argv after each command; the server calls this from its cron),
  // unless a request is suspended. The views of the last command are gone after it.
  void ReleaseLargeArgs() {
    if (args_.capacity() > kKeptArgs && !suspended_) [[unlikely]]
      std::vector<std::string_view>().swap(args_);
  }
  static constexpr size_t kKeptArgs = 1024;

  const std::vector<std::string_view>& args() const { return args_; }
  // The parser's work since construction: bytes it went through, each call counting from
  // where the last call on the same request stopped (a parser that started over on every read
  // would count a request's bytes once per read).
  uint64_t bytes_scanned() const { return bytes_scanned_; }

 private:
  // resume / kResume: continue the request this parser suspended on (kIncomplete) instead of
  // starting one (a template so that the common, fresh case carries no resume state at all).
  template <bool kResume>
  Result ParseMultibulk(std::string_view buf, const ParseLimits& limits);
  Result ParseInline(std::string_view buf, bool resume);
  // Keeps the request for the next call (kIncomplete); from: where this call started reading.
  Result Suspend(std::string_view buf, size_t from, size_t needed = 0);
  // The same for a multibulk: count declared (0: not read yet), next argument at next.
  Result SuspendMultibulk(std::string_view buf, size_t from, int64_t count, size_t next,
                          size_t needed);
  // Shifts the views in args_ from the address the pending bytes had to base.
  void Rebase(const char* base);

  std::vector<std::string_view> args_;
  // A request in progress (valid while suspended_, after kIncomplete): its declared count (0:
  // not read yet), where its next argument's "$" line starts, how many of its bytes were seen,
  // and where they were.
  bool suspended_ = false;
  int64_t count_ = 0;
  size_t next_ = 0;
  size_t seen_ = 0;
  const char* base_ = nullptr;
  uint64_t bytes_scanned_ = 0;
  std::vector<std::string> unquoted_;  // storage for inline arguments that had escapes
  std::string error_;
};

// Splits an inline line into arguments as Redis's sdssplitargs does ("..." with \n \r \t \b
// \a \xHH escapes, '...' with \'). Returns false on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace firn
