// HyperLogLog: counting distinct elements in 12 KB, in Redis's own format.
//
// What it does. A sketch keeps 16384 registers. An element is hashed (64-bit MurmurHash2,
// seed 0xadc83b19, as Redis); the low 14 bits pick a register, and the register keeps the
// longest run seen of the remaining 50 bits up to their first 1 (plus one), so 0 means "no
// element landed here" and 51 is the most a register can hold. The cardinality estimate is
// Otmar Ertl's improved estimator ("New cardinality estimation algorithms for HyperLogLog
// sketches", arXiv:1702.01284) over the histogram of register values, as Redis 7.0 computes
// it; its standard error is 1.04 / sqrt(16384), about 0.81%.
//
// Why this format rather than a simpler one. A sketch is a plain string whose bytes Redis
// defines (storage/hyperloglog.h has the layout), so one moved between Firn and Redis by GET
// and SET, DUMP/RESTORE or a snapshot keeps its count, and a sketch built by the same PFADDs
// is byte-identical on both servers. That fixes every detail below, including the order in
// which runs are split and merged.
//
// Two encodings:
//   - dense: 16384 registers of 6 bits packed little-endian-first into 12288 bytes; register
//     i starts at bit 6i, its low bits in the low bits of byte 6i/8.
//   - sparse: run-length opcodes, for sketches with few elements (an empty one is 2 bytes):
//       00xxxxxx           ZERO:  xxxxxx + 1 (1..64) registers at 0
//       01xxxxxx yyyyyyyy  XZERO: the 14-bit xxxxxxyyyyyyyy + 1 (1..16384) registers at 0
//       1vvvvvxx           VAL:   xx + 1 (1..4) registers at vvvvv + 1 (1..32)
//     Setting a register splits the run covering it into at most three opcodes (the zeros or
//     values before, the new value, those after), then merges equal neighbouring VAL runs in
//     a window of five opcodes starting just before the change. A sketch turns dense, for
//     good, when a register must exceed 32 or the sparse form would grow past
//     hll-sparse-max-bytes (default 3000, header included): past that size the sparse walk
//     costs more than the dense form's memory saves.
//
// The cached count. Bytes 8..15 cache the last estimate (little-endian); the top bit of byte
// 15 marks it stale. PFADD marks it stale when a register changed; PFCOUNT of one key
// recomputes a stale count and stores it, which is why PFCOUNT writes to the value.
//
// Invariants. A dense sketch is exactly 12304 bytes. A valid sparse sketch's opcodes cover
// exactly 16384 registers, no more, no fewer; a walk that finds otherwise (even an opcode
// after the last register) reports the sketch corrupt (the
// commands answer "-INVALIDOBJ Corrupted HLL object detected"), and no walk reads or writes
// outside the string whatever its bytes.
//
// Cost. Adding to a dense sketch is O(1); to a sparse one O(its size), at most
// hll-sparse-max-bytes. Estimating is O(16384) (a histogram) plus two short series.
#include "storage/hyperloglog.h"

#include <cmath>
#include <cstring>
#include <random>

namespace firn::hll {
namespace {

constexpr uint64_t kRegisterMask = kRegisters - 1;
constexpr int kQ = 64 - kPrecision;  // hash bits left for the run: 50
constexpr size_t kDenseRegisterBytes = kDenseBytes - kHeaderBytes;
constexpr int kSparseValMax = 32;
constexpr int kSparseValMaxRun = 4;
constexpr size_t kSparseZeroMaxRun = 64;
constexpr size_t kSparseXZeroMaxRun = 16384;
// 1 / (2 ln 2): the estimator's constant for an infinite number of registers.
constexpr double kAlphaInf = 0.721347520444481703680;

bool IsZeroOp(uint8_t op) { return (op & 0xc0) == 0; }
bool IsXZeroOp(uint8_t op) { return (op & 0xc0) == 0x40; }
size_t ZeroRun(uint8_t op) { return (op & 0x3fu) + 1; }
size_t XZeroRun(uint8_t op, uint8_t next) { return ((size_t{op & 0x3fu} << 8) | next) + 1; }
int ValValue(uint8_t op) { return ((op >> 2) & 0x1f) + 1; }
int ValRun(uint8_t op) { return (op & 0x3) + 1; }
uint8_t ValOp(int value, int run) {
  return static_cast<uint8_t>(0x80 | ((value - 1) << 2) | (run - 1));
}

// A byte of s, reading 0 past its end (where Redis's strings keep their terminating zero).
uint8_t ByteAt(std::string_view s, size_t pos) {
  return pos < s.size() ? static_cast<uint8_t>(s[pos]) : 0;
}

// The opcode at pos: how many registers it covers and how many bytes it takes.
struct Op {
  size_t run;
  size_t bytes;
};
Op ReadOp(std::string_view s, size_t pos) {
  const uint8_t op = static_cast<uint8_t>(s[pos]);
  if (IsZeroOp(op)) return {ZeroRun(op), 1};
  if (IsXZeroOp(op)) return {XZeroRun(op, ByteAt(s, pos + 1)), 2};
  return {static_cast<size_t>(ValRun(op)), 1};
}

// Appends the opcodes for a run of len zero registers (len <= 16384).
size_t PutZeros(uint8_t* out, size_t len) {
  if (len > kSparseZeroMaxRun) {
    const size_t l = len - 1;
    out[0] = static_cast<uint8_t>((l >> 8) | 0x40);
    out[1] = static_cast<uint8_t>(l & 0xff);
    return 2;
  }
  out[0] = static_cast<uint8_t>(len - 1);
  return 1;
}

void DenseSet(uint8_t* regs, uint32_t index, uint8_t value) {
  const size_t bit = size_t{index} * kRegisterBits;
  const size_t byte = bit / 8;
  const unsigned shift = bit & 7;
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(kRegisterMax << shift)) | (value << shift));
  // The register spills into the next byte only when it starts past bit 2.
  if (shift > 8 - kRegisterBits) {
    const unsigned spill = 8 - shift;
    regs[byte + 1] =
        static_cast<uint8_t>((regs[byte + 1] & ~(kRegisterMax >> spill)) | (value >> spill));
  }
}

uint8_t DenseGet(const uint8_t* regs, uint32_t index) {
  const size_t bit = size_t{index} * kRegisterBits;
  const size_t byte = bit / 8;
  const unsigned shift = bit & 7;
  unsigned v = regs[byte] >> shift;
  if (shift > 8 - kRegisterBits) v |= static_cast<unsigned>(regs[byte + 1]) << (8 - shift);
  return static_cast<uint8_t>(v & kRegisterMax);
}

uint8_t* Bytes(std::string* s) { return reinterpret_cast<uint8_t*>(s->data()); }

// The register histogram of a sparse sketch; false when its runs do not cover exactly
// kRegisters registers.
bool SparseHistogram(std::string_view hll, int* histo) {
  size_t idx = 0;
  size_t pos = kHeaderBytes;
  while (pos < hll.size()) {
    const uint8_t op = static_cast<uint8_t>(hll[pos]);
    const Op o = ReadOp(hll, pos);
    if (IsZeroOp(op) || IsXZeroOp(op)) {
      idx += o.run;
      histo[0] += static_cast<int>(o.run);
    } else {
      // No early stop here, unlike the walks that write registers: a run past the last
      // register only makes the total wrong, which is what is checked.
      idx += o.run;
      histo[ValValue(op)] += static_cast<int>(o.run);
    }
    if (idx > kRegisters) return false;  // already wrong, and the counts stay small
    pos += o.bytes;
  }
  return idx == kRegisters;
}

// Ertl's sigma and tau series. The iteration bound only matters for inputs no sketch
// produces; well-formed ones converge in well under a hundred steps.
double Sigma(double x) {
  if (x == 1.0) return INFINITY;
  double y = 1.0;
  double z = x;
  for (int i = 0; i < 1000; ++i) {
    x *= x;
    const double before = z;
    z += x * y;
    y += y;
    if (before == z) break;
  }
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0;
  double z = 1 - x;
  for (int i = 0; i < 1000; ++i) {
    x = std::sqrt(x);
    const double before = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
    if (before == z) break;
  }
  return z / 3;
}

uint64_t EstimateFromHistogram(const int* histo) {
  const double m = static_cast<double>(kRegisters);
  double z = m * Tau((m - histo[kQ + 1]) / m);
  for (int j = kQ; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * Sigma(histo[0] / m);
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

Update SparseRaise(std::string* hll, uint32_t index, uint8_t count, size_t sparse_max_bytes);

// Promotes *hll to dense and raises the register there.
Update PromoteAndRaise(std::string* hll, uint32_t index, uint8_t count) {
  if (!ToDense(hll)) return Update::kCorrupt;
  DenseRaise(hll->data() + kHeaderBytes, index, count);
  return Update::kChanged;
}

Update SparseRaise(std::string* hll, uint32_t index, uint8_t count, size_t sparse_max_bytes) {
  if (count > kSparseValMax) return PromoteAndRaise(hll, index, count);

  // Find the opcode covering index, and the one before it.
  size_t end = hll->size();
  size_t pos = kHeaderBytes;
  size_t first = 0;  // the first register the opcode at pos covers
  size_t prev = std::string::npos;
  Op op{0, 1};
  while (pos < end) {
    op = ReadOp(*hll, pos);
    if (index <= first + op.run - 1) break;
    prev = pos;
    pos += op.bytes;
    first += op.run;
  }
  if (op.run == 0 || pos >= end) return Update::kCorrupt;

  uint8_t* p = Bytes(hll);
  const uint8_t code = p[pos];
  const bool is_xzero = IsXZeroOp(code);
  const bool is_zero = IsZeroOp(code);
  const bool is_val = !is_zero && !is_xzero;

  if (is_val && ValValue(code) >= count) return Update::kUnchanged;
  if ((is_val || is_zero) && op.run == 1) {
    p[pos] = ValOp(count, 1);
  } else {
    // Split the run into what lies before index, the new value, and what lies after.
    uint8_t seq[5];
    size_t n = 0;
    const size_t last = first + op.run - 1;
    if (is_val) {
      const int current = ValValue(code);
      if (index != first) seq[n++] = ValOp(current, static_cast<int>(index - first));
      seq[n++] = ValOp(count, 1);
      if (index != last) seq[n++] = ValOp(current, static_cast<int>(last - index));
    } else {
      if (index != first) n += PutZeros(seq + n, index - first);
      seq[n++] = ValOp(count, 1);
      if (index != last) n += PutZeros(seq + n, last - index);
    }
    const size_t old_bytes = is_xzero ? 2 : 1;
    if (n > old_bytes && hll->size() + (n - old_bytes) > sparse_max_bytes) {
      return PromoteAndRaise(hll, index, count);
    }
    // An XZERO cut short by the end of the string counts its missing byte, as Redis's
    // length arithmetic does.
    const bool truncated = pos + old_bytes > end;
    hll->replace(pos, old_bytes, reinterpret_cast<const char*>(seq), n);
    if (truncated) hll->resize(hll->size() - 1);
    end = hll->size();
    p = Bytes(hll);
  }

  // Merge equal neighbouring VAL runs in a short window from just before the change.
  size_t at = prev != std::string::npos ? prev : kHeaderBytes;
  for (int window = 5; at < end && window > 0; --window) {
    const uint8_t c = p[at];
    if (IsXZeroOp(c)) {
      at += 2;
      continue;
    }
    if (IsZeroOp(c)) {
      ++at;
      continue;
    }
    if (at + 1 < end && !IsZeroOp(p[at + 1]) && !IsXZeroOp(p[at + 1]) &&
        ValValue(c) == ValValue(p[at + 1])) {
      const int run = ValRun(c) + ValRun(p[at + 1]);
      if (run <= kSparseValMaxRun) {
        p[at + 1] = ValOp(ValValue(c), run);
        hll->erase(at, 1);
        end = hll->size();
        p = Bytes(hll);
        continue;  // try the merged run with its right neighbour
      }
    }
    ++at;
  }
  InvalidateCache(hll->data());
  return Update::kChanged;
}

}  // namespace

bool LooksLikeHll(std::string_view v) {
  if (v.size() < kHeaderBytes) return false;
  if (v.substr(0, 4) != "HYLL") return false;
  const uint8_t encoding = static_cast<uint8_t>(v[4]);
  if (encoding > kSparse) return false;
  return encoding != kDense || v.size() == kDenseBytes;
}

std::string MakeEmpty() {
  std::string s(kHeaderBytes, '\0');
  s.replace(0, 4, "HYLL");
  s[4] = static_cast<char>(kSparse);
  uint8_t ops[2];
  const size_t n = PutZeros(ops, kSparseXZeroMaxRun);
  s.append(reinterpret_cast<const char*>(ops), n);
  return s;
}

uint64_t MurmurHash64A(std::string_view data, uint32_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ull;
  constexpr int r = 47;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  const size_t len = data.size();
  // Redis multiplies the length as a C int: lengths here are below 2^31 (proto-max-bulk-len).
  uint64_t h =
      uint64_t{seed} ^ (static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(len))) * m);
  const size_t blocks = len / 8;
  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k = 0;
    for (int b = 7; b >= 0; --b) k = (k << 8) | bytes[i * 8 + b];  // little-endian load
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const uint8_t* tail = bytes + blocks * 8;
  const size_t rest = len & 7;
  if (rest > 0) {
    for (size_t b = rest; b-- > 0;) h ^= uint64_t{tail[b]} << (8 * b);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

Pattern PatternOf(std::string_view element) {
  uint64_t hash = MurmurHash64A(element, kHashSeed);
  const auto index = static_cast<uint32_t>(hash & kRegisterMask);
  hash >>= kPrecision;
  hash |= uint64_t{1} << kQ;  // a sentinel, so the run ends by bit 50
  uint8_t count = 1;
  for (uint64_t bit = 1; (hash & bit) == 0; bit <<= 1) ++count;
  return {index, count};
}

bool DenseRaise(char* registers, uint32_t index, uint8_t count) {
  auto* regs = reinterpret_cast<uint8_t*>(registers);
  if (DenseGet(regs, index) >= count) return false;
  DenseSet(regs, index, count);
  return true;
}

uint8_t DenseRegister(const char* registers, uint32_t index) {
  return DenseGet(reinterpret_cast<const uint8_t*>(registers), index);
}

Update Raise(std::string* hll, uint32_t index, uint8_t count, size_t sparse_max_bytes) {
  if (IsDense(*hll)) {
    return DenseRaise(hll->data() + kHeaderBytes, index, count) ? Update::kChanged
                                                                : Update::kUnchanged;
  }
  return SparseRaise(hll, index, count, sparse_max_bytes);
}

Update Add(std::string* hll, std::string_view element, size_t sparse_max_bytes) {
  const Pattern pat = PatternOf(element);
  return Raise(hll, pat.index, pat.count, sparse_max_bytes);
}

namespace {

// Walks a sparse sketch's runs, calling fn(first register, run length, value) for each run
// of a non-zero value (zero runs only advance). False when the runs do not cover exactly
// kRegisters registers; a value run that would pass the last register is never handed on.
template <typename Fn>
bool ForEachSparseValueRun(std::string_view hll, Fn fn) {
  size_t idx = 0;
  size_t pos = kHeaderBytes;
  while (pos < hll.size()) {
    const uint8_t op = static_cast<uint8_t>(hll[pos]);
    const Op o = ReadOp(hll, pos);
    if (IsZeroOp(op) || IsXZeroOp(op)) {
      idx += o.run;
      if (idx > kRegisters) break;
    } else {
      if (idx + o.run > kRegisters) return false;
      fn(idx, o.run, static_cast<uint8_t>(ValValue(op)));
      idx += o.run;
    }
    pos += o.bytes;
  }
  return idx == kRegisters;
}

}  // namespace

bool ToDense(std::string* hll) {
  if (IsDense(*hll)) return true;
  std::string dense(kDenseBytes, '\0');
  std::memcpy(dense.data(), hll->data(), kHeaderBytes);
  dense[4] = static_cast<char>(kDense);
  auto* regs = reinterpret_cast<uint8_t*>(dense.data() + kHeaderBytes);
  const bool ok = ForEachSparseValueRun(*hll, [&](size_t idx, size_t run, uint8_t value) {
    for (size_t i = 0; i < run; ++i) DenseSet(regs, static_cast<uint32_t>(idx + i), value);
  });
  if (!ok) return false;
  *hll = std::move(dense);
  return true;
}

bool MergeInto(uint8_t* max, std::string_view hll) {
  if (IsDense(hll)) {
    const auto* regs = reinterpret_cast<const uint8_t*>(hll.data() + kHeaderBytes);
    for (uint32_t i = 0; i < kRegisters; ++i) {
      const uint8_t v = DenseGet(regs, i);
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  return ForEachSparseValueRun(hll, [&](size_t idx, size_t run, uint8_t value) {
    for (size_t i = idx; i < idx + run; ++i) {
      if (value > max[i]) max[i] = value;
    }
  });
}

uint64_t Estimate(std::string_view hll, bool* corrupt) {
  int histo[64] = {};
  if (IsDense(hll)) {
    const auto* regs = reinterpret_cast<const uint8_t*>(hll.data() + kHeaderBytes);
    for (uint32_t i = 0; i < kRegisters; ++i) ++histo[DenseGet(regs, i)];
  } else if (!SparseHistogram(hll, histo)) {
    *corrupt = true;
  }
  return EstimateFromHistogram(histo);
}

uint64_t EstimateRegisters(const uint8_t* registers) {
  int histo[256] = {};
  for (size_t i = 0; i < kRegisters; ++i) ++histo[registers[i]];
  return EstimateFromHistogram(histo);
}

bool CachedCount(std::string_view hll, uint64_t* count) {
  if ((static_cast<uint8_t>(hll[15]) & 0x80) != 0) return false;
  uint64_t c = 0;
  for (int i = 7; i >= 0; --i) c = (c << 8) | static_cast<uint8_t>(hll[8 + i]);
  *count = c;
  return true;
}

void StoreCount(char* hll, uint64_t count) {
  for (int i = 0; i < 8; ++i) hll[8 + i] = static_cast<char>((count >> (8 * i)) & 0xff);
}

std::string DecodeSparse(std::string_view hll) {
  std::string out;
  size_t pos = kHeaderBytes;
  while (pos < hll.size()) {
    const uint8_t op = static_cast<uint8_t>(hll[pos]);
    const Op o = ReadOp(hll, pos);
    if (!out.empty()) out += ' ';
    if (IsZeroOp(op)) {
      out += "z:" + std::to_string(o.run);
    } else if (IsXZeroOp(op)) {
      out += "Z:" + std::to_string(o.run);
    } else {
      out += "v:" + std::to_string(ValValue(op)) + "," + std::to_string(o.run);
    }
    pos += o.bytes;
  }
  return out;
}

std::string SelfTest() {
  // 1. Register packing: every register reads back what was written, neighbours untouched.
  std::mt19937_64 rng(12345);
  std::string regs(kDenseRegisterBytes + 1, '\0');
  auto* r = reinterpret_cast<uint8_t*>(regs.data());
  uint8_t expect[kRegisters];
  for (int round = 0; round < 16; ++round) {
    for (uint32_t i = 0; i < kRegisters; ++i) {
      expect[i] = static_cast<uint8_t>(rng() & kRegisterMax);
      DenseSet(r, i, expect[i]);
    }
    for (uint32_t i = 0; i < kRegisters; ++i) {
      if (DenseGet(r, i) != expect[i]) {
        return "TESTFAILED Register error at index " + std::to_string(i);
      }
    }
  }
  // 2. Estimates: a sparse and a dense sketch fed the same elements agree while the sparse
  // one stays sparse, and the error stays within six standard errors at each power of ten.
  std::string sparse = MakeEmpty();
  std::string dense = MakeEmpty();
  if (!ToDense(&dense)) return "TESTFAILED dense conversion";
  const double rel_err = 1.04 / std::sqrt(static_cast<double>(kRegisters));
  uint64_t checkpoint = 1;
  for (uint64_t j = 1; j <= 100000; ++j) {
    char element[8];
    const uint64_t v = rng();
    std::memcpy(element, &v, sizeof v);
    const std::string_view e(element, sizeof element);
    if (Add(&dense, e, kDefaultSparseMaxBytes) == Update::kCorrupt) {
      return "TESTFAILED dense add";
    }
    if (!IsDense(sparse) && Add(&sparse, e, kDefaultSparseMaxBytes) == Update::kCorrupt) {
      return "TESTFAILED sparse add";
    }
    bool corrupt = false;
    if (!IsDense(sparse) && (j & 63) == 0 &&
        Estimate(sparse, &corrupt) != Estimate(dense, &corrupt)) {
      return "TESTFAILED sparse and dense estimates differ at " + std::to_string(j);
    }
    if (corrupt) return "TESTFAILED sparse walk at " + std::to_string(j);
    if (j == checkpoint) {
      const int64_t abs_err =
          static_cast<int64_t>(checkpoint) - static_cast<int64_t>(Estimate(dense, &corrupt));
      int64_t max_err = static_cast<int64_t>(std::ceil(rel_err * 6 * checkpoint));
      if (j < 100) max_err = 1;  // tiny counts are exact unless two elements collide
      if (abs_err < -max_err || abs_err > max_err) {
        return "TESTFAILED Too big error. card:" + std::to_string(checkpoint) +
               " abserr:" + std::to_string(abs_err);
      }
      checkpoint *= 10;
    }
  }
  return "";
}

}  // namespace firn::hll
