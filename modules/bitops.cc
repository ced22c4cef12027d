// Bit commands on strings (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD, BITFIELD_RO.
//
// A string is a bit array, bit 0 being the most significant bit of byte 0; past its end it
// reads as zeros. Writes grow the string with zero bytes to reach the farthest bit written
// (as far as proto-max-bulk-len allows) and then edit it in place, so SETBIT on a long string
// copies nothing. A write that grows the string or changes a bit signals the key (WATCH,
// notifications, dirty); one that leaves every bit as it was signals nothing, as in Redis.
#include "modules/bitops.h"

#include <cstring>
#include <string>
#include <vector>

#include "conf/config.h"
#include "modules/args.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "protocol/numbers.h"
#include "storage/db.h"

namespace firn {

namespace {

constexpr int64_t kNoExpire = Entry::kNoExpire;

// Reads a bit offset as Redis's getBitOffsetFromArgument: an integer, not negative, whose byte
// lies within proto-max-bulk-len. With bits > 0 (BITFIELD), "#n" means n fields of that width.
uint64_t NextBitOffset(ArgParser& args, const Config& config, int bits = 0) {
  const std::string_view s = args.Next<std::string_view>();
  if (!args.Ok()) return 0;
  // "#n" counts in units of the field's width (BITFIELD only).
  const bool units = bits > 0 && !s.empty() && s[0] == '#';
  int64_t v;
  if (!ParseInt64(units ? s.substr(1) : s, &v)) {
    args.Fail(err::kBitOffset);
    return 0;
  }
  // Redis multiplies without an overflow check; wrap the same way, without the UB.
  if (units) v = static_cast<int64_t>(static_cast<uint64_t>(v) * static_cast<uint64_t>(bits));
  if (v < 0 || static_cast<uint64_t>(v >> 3) >= config.proto_max_bulk_len) {
    args.Fail(err::kBitOffset);
    return 0;
  }
  return static_cast<uint64_t>(v);
}

// The mask of bit `offset` within its byte.
uint8_t BitMask(uint64_t offset) { return static_cast<uint8_t>(0x80u >> (offset & 7)); }

// Finds key for reading as a string: nullptr when missing; WRONGTYPE sent (and *ok cleared)
// for another type.
Entry* ReadString(CommandContext& ctx, std::string_view key, bool* ok) {
  Entry* e = ctx.db().FindForRead(key, ctx.now_ms);
  *ok = CheckString(ctx, e);
  return *ok ? e : nullptr;
}

// Redis's lookupStringForBitCommand: the string at argv[1], created or grown with zero bytes
// so that bit max_bit exists, and marked edited (a "raw" string from now on). *grew says
// whether it was created or grown (already signalled, then). WRONGTYPE: the reply sent,
// nullptr.
Entry* StringForBitWrite(CommandContext& ctx, uint64_t max_bit, bool* grew) {
  Db& db = ctx.db();
  Entry* e = db.FindForWrite(ctx.arg(1), ctx.now_ms);
  if (!CheckString(ctx, e)) return nullptr;
  const size_t n = static_cast<size_t>(max_bit >> 3) + 1;
  *grew = false;
  if (e == nullptr) {
    e = db.Put(ctx.arg(1), ValueType::kString, std::string(n, '\0'), kNoExpire, ctx.now_ms);
    *grew = true;
  } else if (e->value().size() < n) {
    if (n - e->value().size() > e->value().size()) {
      // A jump (SETBIT far past the end): stored at its exact size, as growing in place
      // would reserve room for twice the new length.
      std::string value(e->value());
      value.resize(n, '\0');
      e = db.Rewrite(e, value, e->expire_ms());
    } else {
      // Growing by at most the current size (bits set in order): in place, amortized.
      e = db.WriteBytes(e, n - 1, std::string_view("\0", 1));
    }
    *grew = true;
  }
  e->set_edited(true);
  return e;
}

// SETBIT key offset 0|1 -> the bit's previous value; the string grows, zero-padded, to reach it.
void SetBit(CommandContext& ctx) {
  ArgParser args(ctx.argv, 2);
  const uint64_t offset = NextBitOffset(args, ctx.config());
  const int64_t on = args.Next<int64_t>(err::kBitValue);
  if (args.Ok() && (on & ~int64_t{1}) != 0) args.Fail(err::kBitValue);
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  bool grew;
  Entry* e = StringForBitWrite(ctx, offset, &grew);
  if (e == nullptr) return;
  char* v = e->mutable_value();
  const size_t byte = static_cast<size_t>(offset >> 3);
  const uint8_t mask = BitMask(offset);
  const uint8_t old = static_cast<uint8_t>(v[byte]);
  const uint8_t updated = on != 0 ? (old | mask) : (old & ~mask);
  if (updated != old) {
    v[byte] = static_cast<char>(updated);
    if (!grew) ctx.db().Touched(e);
  }
  ctx.reply.Int((old & mask) != 0 ? 1 : 0);
}

// GETBIT key offset -> the bit (0 past the end or for a missing key).
void GetBit(CommandContext& ctx) {
  ArgParser args(ctx.argv, 2);
  const uint64_t offset = NextBitOffset(args, ctx.config());
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  bool ok;
  Entry* e = ReadString(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  const size_t byte = static_cast<size_t>(offset >> 3);
  const bool set = e != nullptr && byte < e->value().size() &&
                   (static_cast<uint8_t>(e->value()[byte]) & BitMask(offset)) != 0;
  ctx.reply.Int(set ? 1 : 0);
}

// The 1 bits of n bytes, eight bytes at a time. The build targets baseline x86-64, so on
// x86 a copy compiled for the POPCNT instruction is chosen once at run time (where the
// baseline builtin is a table-free bit-twiddling routine, several times slower).
[[gnu::always_inline]] inline int64_t PopcountWords(const uint8_t* p, size_t n) {
  int64_t count = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, sizeof w);
    count += __builtin_popcountll(w);
  }
  for (; i < n; ++i) count += __builtin_popcount(p[i]);
  return count;
}

#if defined(__x86_64__)
__attribute__((target("popcnt"))) int64_t PopcountHw(const uint8_t* p, size_t n) {
  return PopcountWords(p, n);
}
#endif

int64_t Popcount(const uint8_t* p, size_t n) {
#if defined(__x86_64__)
  static const bool hw = __builtin_cpu_supports("popcnt");
  if (hw) return PopcountHw(p, n);
#endif
  return PopcountWords(p, n);
}

// Redis's redisBitpos: the position of the first bit equal to `bit` in n bytes; when there is
// none, -1 for a 1 and n * 8 (the first bit past them) for a 0.
int64_t FirstBit(const uint8_t* p, size_t n, int bit) {
  const uint8_t skip = bit != 0 ? 0x00 : 0xff;
  size_t i = 0;
  const uint64_t skip_word = bit != 0 ? 0 : ~uint64_t{0};
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, sizeof w);
    if (w != skip_word) break;
  }
  for (; i < n && p[i] == skip; ++i) {
  }
  if (i == n) return bit != 0 ? -1 : static_cast<int64_t>(n) * 8;
  const unsigned b = bit != 0 ? p[i] : static_cast<uint8_t>(~p[i]);
  return static_cast<int64_t>(i) * 8 + (__builtin_clz(b) - 24);
}

// A BYTE|BIT range, resolved as Redis's BITCOUNT and BITPOS resolve theirs: negative ends
// count from the end, then both are clamped into the string; in BIT units, the byte range
// plus masks of the bits of the edge bytes that lie outside the range.
struct BitRange {
  int64_t start = 0;
  int64_t end = 0;
  uint8_t first_outside = 0;  // bits of byte `start` before the range
  uint8_t last_outside = 0;   // bits of byte `end` after the range
};

BitRange Resolve(int64_t start, int64_t end, int64_t len, bool bits) {
  const int64_t total = bits ? len << 3 : len;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  BitRange r{start, end, 0, 0};
  if (bits && start <= end) {
    r.first_outside = static_cast<uint8_t>(~((1u << (8 - (start & 7))) - 1) & 0xff);
    r.last_outside = static_cast<uint8_t>((1u << (7 - (end & 7))) - 1);
    r.start = start >> 3;
    r.end = end >> 3;
  }
  return r;
}

// BITCOUNT key [start end [BYTE | BIT]] -> the number of 1 bits (in the range).
void BitCount(CommandContext& ctx) {
  bool ok;
  Entry* e = ReadString(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  if (e == nullptr) return ctx.reply.Int(0);
  const std::string_view v = e->value();
  const auto* p = reinterpret_cast<const uint8_t*>(v.data());
  const auto len = static_cast<int64_t>(v.size());
  BitRange r{0, len - 1, 0, 0};
  if (ctx.argc() == 4 || ctx.argc() == 5) {
    ArgParser args(ctx.argv, 2);
    const int64_t start = args.Next<int64_t>();
    const int64_t end = args.Next<int64_t>();
    bool bits = false;
    if (args.Ok() && ctx.argc() == 5) {
      const int unit = args.OneOf({"BYTE", "BIT"});
      if (unit < 0) args.Fail(err::kSyntax);
      bits = unit == 1;
    }
    if (!args.Ok()) return ctx.Error(args.ErrorText());
    if (start < 0 && end < 0 && start > end) return ctx.reply.Int(0);
    r = Resolve(start, end, len, bits);
  } else if (ctx.argc() != 2) {
    return ctx.Error(err::kSyntax);
  }
  if (r.start > r.end) return ctx.reply.Int(0);
  int64_t count = Popcount(p + r.start, static_cast<size_t>(r.end - r.start + 1));
  count -= __builtin_popcount(p[r.start] & r.first_outside);
  count -= __builtin_popcount(p[r.end] & r.last_outside);
  ctx.reply.Int(count);
}

// BITPOS key bit [start [end [BYTE | BIT]]] -> the position of the first bit equal to bit,
// or -1. Without an end, a string searched for a 0 continues with zeros past its end.
void BitPos(CommandContext& ctx) {
  ArgParser args(ctx.argv, 2);
  const int64_t bit = args.Next<int64_t>();
  if (args.Ok() && bit != 0 && bit != 1) args.Fail(err::kBitposBit);
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  bool ok;
  Entry* e = ReadString(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  // A missing key is an endless run of zeros.
  if (e == nullptr) return ctx.reply.Int(bit != 0 ? -1 : 0);
  const std::string_view v = e->value();
  const auto* p = reinterpret_cast<const uint8_t*>(v.data());
  const auto len = static_cast<int64_t>(v.size());
  BitRange r{0, len - 1, 0, 0};
  bool end_given = false;
  if (ctx.argc() >= 4 && ctx.argc() <= 6) {
    const int64_t start = args.Next<int64_t>();
    if (!args.Ok()) return ctx.Error(args.ErrorText());
    bool bits = false;
    if (ctx.argc() == 6) {  // Redis checks the unit before the end's number
      bits = EqualsNoCase(ctx.arg(5), "BIT");
      if (!bits && !EqualsNoCase(ctx.arg(5), "BYTE")) return ctx.Error(err::kSyntax);
    }
    int64_t end = bits ? (len << 3) + 7 : len - 1;
    if (ctx.argc() >= 5) {
      end = args.Next<int64_t>();
      end_given = true;
    }
    if (!args.Ok()) return ctx.Error(args.ErrorText());
    r = Resolve(start, end, len, bits);
  } else if (ctx.argc() != 3) {
    return ctx.Error(err::kSyntax);
  }
  if (r.start > r.end) return ctx.reply.Int(-1);

  int64_t start = r.start;
  int64_t bytes = r.end - r.start + 1;
  int64_t pos = -1;
  bool done = false;
  if (r.first_outside != 0) {
    // The first byte, with the bits before the range made unable to match.
    uint8_t c = bit != 0 ? (p[start] & ~r.first_outside) : (p[start] | r.first_outside);
    if (r.last_outside != 0 && bytes == 1) {
      c = bit != 0 ? (c & ~r.last_outside) : (c | r.last_outside);
    }
    pos = FirstBit(&c, 1, static_cast<int>(bit));
    if (bytes == 1 || (pos != -1 && pos != 8)) {
      done = true;
    } else {
      ++start;
      --bytes;
    }
  }
  if (!done) {
    const int64_t middle = bytes - (r.last_outside != 0 ? 1 : 0);
    if (middle > 0) {
      pos = FirstBit(p + start, static_cast<size_t>(middle), static_cast<int>(bit));
      if (bytes == middle || (pos != -1 && pos != middle << 3)) {
        done = true;
      } else {
        start += middle;
        bytes -= middle;
      }
    }
  }
  if (!done) {
    const uint8_t c = bit != 0 ? (p[r.end] & ~r.last_outside) : (p[r.end] | r.last_outside);
    pos = FirstBit(&c, 1, static_cast<int>(bit));
  }
  // With an explicit end, the bits past the range are not zeros to be found.
  if (end_given && bit == 0 && pos == bytes << 3) return ctx.reply.Int(-1);
  if (pos != -1) pos += start << 3;
  ctx.reply.Int(pos);
}

// BITOP AND|OR|XOR|NOT destkey key [key ...] -> the length of the string stored at destkey
// (the longest input's; shorter and missing inputs read as zero bytes). An all-empty result
// deletes destkey.
void BitOp(CommandContext& ctx) {
  enum Op { kAnd, kOr, kXor, kNot };
  ArgParser args(ctx.argv, 1);
  const int op = args.OneOf({"AND", "OR", "XOR", "NOT"});
  if (op < 0) return ctx.Error(err::kSyntax);
  if (op == kNot && ctx.argc() != 4) return ctx.Error(err::kBitopNotSingle);
  Db& db = ctx.db();
  const size_t n = ctx.argc() - 3;
  std::vector<std::string_view> src(n);
  size_t max_len = 0;
  for (size_t i = 0; i < n; ++i) {
    bool ok;
    Entry* e = ReadString(ctx, ctx.arg(i + 3), &ok);
    if (!ok) return;
    if (e == nullptr) continue;
    src[i] = e->value();
    if (src[i].size() > max_len) max_len = src[i].size();
  }
  if (max_len == 0) {
    db.Delete(ctx.arg(2), ctx.now_ms);
    return ctx.reply.Int(0);
  }
  // One pass per input over its own bytes (the compiler vectorizes these loops); past an
  // input's end its bytes are zeros: AND clears the rest, OR and XOR leave it.
  std::string out(max_len, '\0');
  auto* o = reinterpret_cast<uint8_t*>(out.data());
  const auto* first = reinterpret_cast<const uint8_t*>(src[0].data());
  if (!src[0].empty()) std::memcpy(o, first, src[0].size());
  if (op == kNot) {
    for (size_t i = 0; i < max_len; ++i) o[i] = static_cast<uint8_t>(~o[i]);
  }
  for (size_t k = 1; k < n; ++k) {
    const auto* in = reinterpret_cast<const uint8_t*>(src[k].data());
    const size_t len = src[k].size();
    if (op == kAnd) {
      for (size_t i = 0; i < len; ++i) o[i] &= in[i];
      std::memset(o + len, 0, max_len - len);
    } else if (op == kOr) {
      for (size_t i = 0; i < len; ++i) o[i] |= in[i];
    } else {
      for (size_t i = 0; i < len; ++i) o[i] ^= in[i];
    }
  }
  db.Put(ctx.arg(2), ValueType::kString, out, kNoExpire, ctx.now_ms)->set_edited(true);
  ctx.reply.Int(static_cast<int64_t>(max_len));
}

// One BITFIELD operation.
struct FieldOp {
  enum Kind : uint8_t { kGet, kSet, kIncrBy } kind;
  enum Overflow : uint8_t { kWrap, kSat, kFail } overflow;
  bool is_signed;
  int bits;
  uint64_t offset;
  int64_t value;
};

uint64_t GetField(const uint8_t* p, uint64_t offset, int bits) {
  uint64_t v = 0;
  for (int i = 0; i < bits; ++i, ++offset) {
    v = (v << 1) | ((p[offset >> 3] >> (7 - (offset & 7))) & 1u);
  }
  return v;
}

void SetField(uint8_t* p, uint64_t offset, int bits, uint64_t v) {
  for (int i = 0; i < bits; ++i, ++offset) {
    const uint8_t mask = BitMask(offset);
    if ((v >> (bits - 1 - i)) & 1u) {
      p[offset >> 3] |= mask;
    } else {
      p[offset >> 3] &= static_cast<uint8_t>(~mask);
    }
  }
}

int64_t SignExtend(uint64_t v, int bits) {
  if (bits < 64 && (v & (uint64_t{1} << (bits - 1))) != 0) v |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(v);
}

// Whether value + incr leaves an unsigned field of `bits` bits; *limit gets the wrapped or
// saturated result (Redis's checkUnsignedBitfieldOverflow).
bool UnsignedOverflow(uint64_t value, int64_t incr, int bits, FieldOp::Overflow ow,
                      uint64_t* limit) {
  const uint64_t max = (uint64_t{1} << bits) - 1;  // bits <= 63
  const auto max_incr = static_cast<int64_t>(max - value);
  const int64_t min_incr = -static_cast<int64_t>(value);
  const bool high = value > max || (incr > 0 && incr > max_incr);
  const bool low = !high && incr < 0 && incr < min_incr;
  if (!high && !low) return false;
  if (ow == FieldOp::kWrap) {
    *limit = (value + static_cast<uint64_t>(incr)) & max;
  } else if (ow == FieldOp::kSat) {
    *limit = high ? max : 0;
  }
  return true;
}

// The same for a signed field (Redis's checkSignedBitfieldOverflow).
bool SignedOverflow(int64_t value, int64_t incr, int bits, FieldOp::Overflow ow, int64_t* limit) {
  const int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  const int64_t min = -max - 1;
  // Computed with wrap-around; only read where they cannot have wrapped.
  const auto max_incr =
      static_cast<int64_t>(static_cast<uint64_t>(max) - static_cast<uint64_t>(value));
  const auto min_incr =
      static_cast<int64_t>(static_cast<uint64_t>(min) - static_cast<uint64_t>(value));
  const bool high =
      value > max || (bits != 64 && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr);
  const bool low = !high && (value < min || (bits != 64 && incr < min_incr) ||
                             (value < 0 && incr < 0 && incr < min_incr));
  if (!high && !low) return false;
  if (ow == FieldOp::kWrap) {
    uint64_t c = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (bits < 64) c = static_cast<uint64_t>(SignExtend(c & ((uint64_t{1} << bits) - 1), bits));
    *limit = static_cast<int64_t>(c);
  } else if (ow == FieldOp::kSat) {
    *limit = high ? max : min;
  }
  return true;
}

// Reads a field type: i1..i64 or u1..u63.
bool ParseFieldType(std::string_view s, bool* is_signed, int* bits) {
  if (s.empty() || (s[0] != 'i' && s[0] != 'u')) return false;
  *is_signed = s[0] == 'i';
  int64_t n;
  if (!ParseInt64(s.substr(1), &n) || n < 1 || n > (*is_signed ? 64 : 63)) return false;
  *bits = static_cast<int>(n);
  return true;
}

// Bits [offset, offset + bits) of v, zeros past its end.
uint64_t ReadFieldPadded(std::string_view v, uint64_t offset, int bits) {
  uint8_t buf[9] = {};
  const uint64_t byte = offset >> 3;
  for (uint64_t i = 0; i < 9 && byte + i < v.size(); ++i) {
    buf[i] = static_cast<uint8_t>(v[byte + i]);
  }
  return GetField(buf, offset & 7, bits);
}

void BitFieldGeneric(CommandContext& ctx, bool read_only_command) {
  std::vector<FieldOp> ops;
  FieldOp::Overflow overflow = FieldOp::kWrap;
  bool writes = false;
  uint64_t highest_bit = 0;
  ArgParser args(ctx.argv, 2);
  while (args.HasNext()) {
    const size_t rest = args.Remaining() - 1;
    const int word = args.PeekOneOf({"GET", "SET", "INCRBY", "OVERFLOW"});
    FieldOp op{};
    if (word == 3 && rest >= 1) {
      args.Next();
      const int kind = args.OneOf({"WRAP", "SAT", "FAIL"});
      if (kind < 0) return ctx.Error(err::kBitfieldOverflow);
      overflow = static_cast<FieldOp::Overflow>(kind);
      continue;
    }
    if (word == 0 && rest >= 2) {
      op.kind = FieldOp::kGet;
    } else if ((word == 1 || word == 2) && rest >= 3) {
      op.kind = word == 1 ? FieldOp::kSet : FieldOp::kIncrBy;
    } else {
      return ctx.Error(err::kSyntax);
    }
    args.Next();
    if (!ParseFieldType(args.Next(), &op.is_signed, &op.bits)) {
      return ctx.Error(err::kBitfieldType);
    }
    op.offset = NextBitOffset(args, ctx.config(), op.bits);
    if (!args.Ok()) return ctx.Error(args.ErrorText());
    if (op.kind != FieldOp::kGet) {
      writes = true;
      const uint64_t last = op.offset + static_cast<uint64_t>(op.bits) - 1;
      if (last > highest_bit) highest_bit = last;
      op.value = args.Next<int64_t>();
      if (!args.Ok()) return ctx.Error(args.ErrorText());
    }
    op.overflow = overflow;
    ops.push_back(op);
  }

  Entry* e;
  bool grew = false;
  if (!writes) {
    bool ok;
    e = ReadString(ctx, ctx.arg(1), &ok);
    if (!ok) return;
  } else {
    if (read_only_command) return ctx.Error(err::kBitfieldRoWrite);
    e = StringForBitWrite(ctx, highest_bit, &grew);
    if (e == nullptr) return;
  }

  int changes = 0;
  ctx.reply.Array(ops.size());
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOp::kGet) {
      const uint64_t raw = e == nullptr ? 0 : ReadFieldPadded(e->value(), op.offset, op.bits);
      ctx.reply.Int(op.is_signed ? SignExtend(raw, op.bits) : static_cast<int64_t>(raw));
      continue;
    }
    auto* p = reinterpret_cast<uint8_t*>(e->mutable_value());
    const uint64_t old_raw = GetField(p, op.offset, op.bits);
    uint64_t new_raw;
    int64_t reply;
    bool over;
    if (op.is_signed) {
      const int64_t old = SignExtend(old_raw, op.bits);
      int64_t limit = 0;
      int64_t updated;
      if (op.kind == FieldOp::kIncrBy) {
        over = SignedOverflow(old, op.value, op.bits, op.overflow, &limit);
        updated = over ? limit
                       : static_cast<int64_t>(static_cast<uint64_t>(old) +
                                              static_cast<uint64_t>(op.value));
        reply = updated;
      } else {
        over = SignedOverflow(op.value, 0, op.bits, op.overflow, &limit);
        updated = over ? limit : op.value;
        reply = old;
      }
      new_raw = static_cast<uint64_t>(updated);
    } else {
      uint64_t limit = 0;
      if (op.kind == FieldOp::kIncrBy) {
        over = UnsignedOverflow(old_raw, op.value, op.bits, op.overflow, &limit);
        new_raw = over ? limit : old_raw + static_cast<uint64_t>(op.value);
        reply = static_cast<int64_t>(new_raw);
      } else {
        const auto value = static_cast<uint64_t>(op.value);
        over = UnsignedOverflow(value, 0, op.bits, op.overflow, &limit);
        new_raw = over ? limit : value;
        reply = static_cast<int64_t>(old_raw);
      }
    }
    if (over && op.overflow == FieldOp::kFail) {
      ctx.reply.Null();
      continue;
    }
    ctx.reply.Int(reply);
    const uint64_t mask = op.bits == 64 ? ~uint64_t{0} : (uint64_t{1} << op.bits) - 1;
    new_raw &= mask;
    SetField(p, op.offset, op.bits, new_raw);
    if (grew || new_raw != old_raw) ++changes;
  }
  // Redis counts one change per operation that changed the string; the growth, if any, was
  // signalled already and counts as the first.
  for (int i = grew ? 1 : 0; i < changes; ++i) ctx.db().Touched(e);
}

// BITFIELD key [GET type offset | [OVERFLOW WRAP|SAT|FAIL] SET type offset value |
// [OVERFLOW ...] INCRBY type offset increment ...] -> one reply per GET/SET/INCRBY: the value
// read, the previous value, the new value; nil where OVERFLOW FAIL refused the write.
void BitField(CommandContext& ctx) { BitFieldGeneric(ctx, false); }

// BITFIELD_RO key [GET type offset ...] -> the values read.
void BitFieldRo(CommandContext& ctx) { BitFieldGeneric(ctx, true); }

}  // namespace

std::vector<Command> BitCommands() {
  return {
      {.name = "setbit",
       .arity = 4,
       .flags = kWrite | kDenyOom,
       .keys = {1, 1, 1},
       .run = SetBit,
       .group = "bitmap",
       .since = "2.2.0",
       .summary = "Writes one bit of a string, growing it with zero bytes as needed; answers "
                  "the bit's previous value.",
       .syntax = "key offset value"},
      {.name = "getbit",
       .arity = 3,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = GetBit,
       .group = "bitmap",
       .since = "2.2.0",
       .summary = "Answers one bit of a string (0 past its end).",
       .syntax = "key offset"},
      {.name = "bitcount",
       .arity = -2,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = BitCount,
       .group = "bitmap",
       .since = "2.6.0",
       .summary = "Counts the 1 bits of a string, or of a range of its bytes or bits.",
       .syntax = "key [start end [BYTE | BIT]]"},
      {.name = "bitpos",
       .arity = -3,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = BitPos,
       .group = "bitmap",
       .since = "2.8.7",
       .summary = "Finds the first 0 or 1 bit of a string, or of a range of its bytes or bits.",
       .syntax = "key bit [start [end [BYTE | BIT]]]"},
      {.name = "bitop",
       .arity = -4,
       .flags = kWrite | kDenyOom,
       .keys = {2, -1, 1},
       .run = BitOp,
       .group = "bitmap",
       .since = "2.6.0",
       .summary = "Stores the bitwise AND, OR, XOR of strings, or the NOT of one, at a key.",
       .syntax = "operation destkey key [key ...]"},
      {.name = "bitfield",
       .arity = -2,
       .flags = kWrite | kDenyOom,
       .keys = {1, 1, 1},
       .run = BitField,
       .group = "bitmap",
       .since = "3.2.0",
       .summary = "Reads, writes and increments integers of any width up to 64 bits at any "
                  "bit offset of a string.",
       .syntax = "key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL] SET encoding "
                 "offset value | INCRBY encoding offset increment ...]"},
      {.name = "bitfield_ro",
       .arity = -2,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = BitFieldRo,
       .group = "bitmap",
       .since = "6.0.0",
       .summary = "Reads integers of any width up to 64 bits at any bit offset of a string.",
       .syntax = "key [GET encoding offset [GET encoding offset ...]]"},
  };
}

}  // namespace firn
