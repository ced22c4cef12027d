// ReplyBuilder: the only place that knows how RESP2 and RESP3 encode a reply.
//
// Handlers describe a reply (an integer, a bulk string, a map of n pairs, ...) and the builder
// appends its encoding for the connection's protocol version to an output buffer that the
// server writes once per batch of pipelined commands. Nothing is allocated per reply once the
// buffer has grown to its working size. RESP2 has no maps, sets, doubles, booleans or a
// distinct null, so those fall back exactly as Redis falls back: a map becomes a flat array of
// 2n elements, a set an array, a double a bulk string, a boolean the integer 0 or 1, and null a
// nil bulk ($-1) or nil array (*-1).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace firn {

enum class Proto : uint8_t { kResp2 = 2, kResp3 = 3 };

class ReplyBuilder {
 public:
  // REQUIRES: out outlives the builder. The builder only appends to it.
  explicit ReplyBuilder(std::string* out, Proto proto = Proto::kResp2) : out_(out), proto_(proto) {}

  Proto proto() const { return proto_; }
  void set_proto(Proto proto) { proto_ = proto; }
  std::string* buffer() { return out_; }

  void Ok();                             // +OK
  void Simple(std::string_view s);       // +s
  void Error(std::string_view message);  // -message (message starts with its code: "ERR ...")
  void Int(int64_t n);                   // :n
  void Bulk(std::string_view s);         // $len s
  void Double(double d);                 // RESP3 ,d  RESP2 bulk "d" (Redis's %.17g form)
  void Bool(bool b);                     // RESP3 #t/#f  RESP2 :1/:0
  void Null();                           // RESP3 _  RESP2 $-1
  void NullArray();                      // RESP3 _  RESP2 *-1
  void Array(size_t n);                  // *n, followed by n replies
  void Map(size_t pairs);                // RESP3 %n  RESP2 *2n, followed by 2n replies
  void Set(size_t n);                    // RESP3 ~n  RESP2 *n
  // A list of n pairs that RESP3 nests and RESP2 flattens (HRANDFIELD ... WITHVALUES, ZRANGE
  // ... WITHSCORES): RESP3 *n then each pair opened by Pair() (*2); RESP2 *2n, Pair() empty.
  void PairArray(size_t n);
  void Pair();
  // The reverse: a map that RESP3 sends as a map and RESP2 as n two-element arrays (XREAD's
  // key -> entries): RESP3 %n, then each pair opened by MapEntry() (nothing); RESP2 *n, then
  // each pair opened by MapEntry() (*2).
  void ArrayMap(size_t n);
  void MapEntry();
  void Push(size_t n);                   // RESP3 >n  RESP2 *n
  void Verbatim(std::string_view text);  // RESP3 =len txt:text  RESP2 bulk (INFO, CLIENT INFO)
  // A double as Redis formats the result of INCRBYFLOAT (%.17Lg, trailing zeroes trimmed),
  // always a bulk string.
  void BulkLongDouble(long double d);
  // The same human-friendly text as a double: RESP3 ,text  RESP2 bulk "text" (GEOPOS's and
  // WITHCOORD's coordinates, Redis's addReplyHumanLongDouble).
  void HumanDouble(long double d);
  // Bytes already encoded as RESP.
  [[gnu::always_inline]] void Raw(std::string_view bytes) { out_->append(bytes); }

 private:
  void Header(char type, int64_t n);

  std::string* out_;
  Proto proto_;
};

// Formats n in decimal into buf (at least 21 bytes); returns the length. Shared by the reply
// encoder and the string commands so integer formatting exists once.
size_t FormatInt(int64_t n, char* buf);
// Redis's long double formatting for INCRBYFLOAT: "%.17Lf" with trailing zeroes removed.
std::string FormatLongDouble(long double d);

}  // namespace firn
