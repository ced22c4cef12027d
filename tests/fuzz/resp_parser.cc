// Fuzz target: the RESP request parser (protocol/resp_parser.h), multibulk and inline.
//
// The input's first byte picks the limits (authenticated or not, a small or the default
// proto-max-bulk-len) and seeds the chunk sizes; the rest is the byte stream a client sends.
// It is parsed twice: all at once, and fed in chunks of random size the way reads arrive,
// with the pending bytes moved to a new address now and then (as the server's read buffer
// grows and compacts). Both must yield the same commands, the same final error and the same
// state at the end, and every consumed count must stay within the bytes given.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_parser.h"

namespace {

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  std::string error;
  bool incomplete = false;
};

void Check(bool ok) {
  if (!ok) std::abort();
}

// Parses stream, handing the parser at most `chunk(i)` new bytes per read.
template <typename NextChunk>
Outcome Run(std::string_view stream, const firn::ParseLimits& limits, NextChunk next_chunk,
            bool move_buffer) {
  Outcome out;
  firn::RespParser parser;
  std::string buf;  // the connection's read buffer: bytes not consumed yet
  size_t fed = 0;
  size_t pos = 0;
  while (true) {
    std::string_view pending(buf.data() + pos, buf.size() - pos);
    firn::RespParser::Result r = parser.Parse(pending, limits);
    switch (r.status) {
      case firn::RespParser::Status::kCommand: {
        Check(r.consumed > 0 && r.consumed <= pending.size());
        std::vector<std::string> args;
        for (std::string_view a : parser.args()) args.emplace_back(a);
        Check(!args.empty());
        out.commands.push_back(std::move(args));
        pos += r.consumed;
        continue;
      }
      case firn::RespParser::Status::kEmpty:
        Check(r.consumed > 0 && r.consumed <= pending.size());
        pos += r.consumed;
        continue;
      case firn::RespParser::Status::kError:
        Check(!r.error.empty());
        out.error = std::string(r.error);
        return out;
      case firn::RespParser::Status::kIncomplete:
        break;
    }
    if (fed == stream.size()) {
      out.incomplete = pos < buf.size();
      return out;
    }
    size_t n = std::min(next_chunk(), stream.size() - fed);
    if (move_buffer) {
      // A fresh buffer: the pending bytes move to another address, as on compaction.
      std::string moved(buf.substr(pos));
      moved.append(stream.substr(fed, n));
      buf.swap(moved);
      pos = 0;
    } else {
      buf.append(stream.substr(fed, n));
    }
    fed += n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t control = data[0];
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  firn::ParseLimits limits;
  limits.authenticated = (control & 1) == 0;
  if (control & 2) limits.max_bulk_len = 64;

  Outcome whole = Run(stream, limits, [&] { return stream.size(); }, false);

  uint32_t state = 0x9e3779b9u ^ control ^ static_cast<uint32_t>(size);
  auto rnd = [&] {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  };
  const bool move = (control & 4) != 0;
  Outcome chunked = Run(stream, limits, [&] { return size_t{1} + rnd() % 17; }, move);
  Outcome bytewise = Run(stream, limits, [] { return size_t{1}; }, !move);

  Check(whole.commands == chunked.commands);
  Check(whole.error == chunked.error);
  Check(whole.commands == bytewise.commands);
  Check(whole.error == bytewise.error);
  Check(whole.incomplete == chunked.incomplete);

  // The inline splitter on its own.
  std::vector<std::string> split;
  firn::SplitInlineArgs(stream.substr(0, 4096), &split);
  return 0;
}
