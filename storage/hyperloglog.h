// HyperLogLog sketches in Redis's own byte format (PFADD, PFCOUNT, PFMERGE, PFDEBUG).
//
// A sketch is an ordinary string value, so GET, SET, DUMP and snapshots carry it unchanged
// between Firn and Redis. Its layout, which these functions read and write byte for byte as
// Redis 7.0 does:
//
//   offset 0   "HYLL"                       magic
//   offset 4   encoding                     0 dense, 1 sparse
//   offset 5   3 unused bytes               0
//   offset 8   cached cardinality           64-bit little-endian; the top bit of byte 15 set
//                                           means "stale, recompute"
//   offset 16  registers                    16384 6-bit registers (dense, 12288 bytes), or
//                                           the sparse run-length opcodes
//
// Functions that may change a sketch's size take a std::string; those that only read take a
// view. None allocates beyond the string it is given. Not thread-safe (values belong to the
// event-loop thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace firn::hll {

inline constexpr int kPrecision = 14;                          // index bits of a hash
inline constexpr size_t kRegisters = size_t{1} << kPrecision;  // 16384
inline constexpr int kRegisterBits = 6;
inline constexpr uint8_t kRegisterMax = (1 << kRegisterBits) - 1;
inline constexpr size_t kHeaderBytes = 16;
inline constexpr size_t kDenseBytes = kHeaderBytes + (kRegisters * kRegisterBits + 7) / 8;
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;
// Redis's default hll-sparse-max-bytes.
inline constexpr size_t kDefaultSparseMaxBytes = 3000;

// Whether v passes Redis's isHLLObjectOrReply checks: at least a header long, the magic, a
// known encoding, and exactly kDenseBytes when dense. A value failing them is answered
// "WRONGTYPE Key is not a valid HyperLogLog string value."
bool LooksLikeHll(std::string_view v);
// REQUIRES: LooksLikeHll(v).
inline bool IsDense(std::string_view v) { return static_cast<uint8_t>(v[4]) == kDense; }

// A new, empty sketch: sparse, one run of 16384 zero registers (18 bytes), count 0 cached.
std::string MakeEmpty();

// Redis's 64-bit MurmurHash2 (MurmurHash64A) of data with seed; Redis hashes elements with
// kHashSeed.
inline constexpr uint32_t kHashSeed = 0xadc83b19u;
uint64_t MurmurHash64A(std::string_view data, uint32_t seed);

// Where an element lands: its register (the low 14 bits of the hash) and the run length of
// the rest of the hash up to and including its first 1 bit (1..51).
struct Pattern {
  uint32_t index;
  uint8_t count;
};
Pattern PatternOf(std::string_view element);

// The outcome of a change: a register grew, nothing changed, or the sketch is corrupt.
enum class Update : int8_t { kCorrupt = -1, kUnchanged = 0, kChanged = 1 };

// Adds element to *hll, promoting a sparse sketch to dense when the sparse form would grow
// past sparse_max_bytes (or a register passes 32). REQUIRES: LooksLikeHll(*hll). A sparse
// change marks the cached count stale itself, as Redis does; after a dense change the caller
// does (InvalidateCache).
Update Add(std::string* hll, std::string_view element, size_t sparse_max_bytes);
// Raises register index to at least count, as Add does for one pattern.
Update Raise(std::string* hll, uint32_t index, uint8_t count, size_t sparse_max_bytes);
// The same for a dense sketch's bytes, in place (no size change): registers points just
// past the header. Returns whether the register grew.
bool DenseRaise(char* registers, uint32_t index, uint8_t count);

// Rewrites a sparse sketch as dense (the header, cached count included, kept); a dense one
// is left alone. False: the sparse opcodes do not cover exactly 16384 registers.
bool ToDense(std::string* hll);

// The register of a dense sketch's register bytes.
uint8_t DenseRegister(const char* registers, uint32_t index);

// Folds the sketch's registers into max (kRegisters bytes): max[i] = MAX(max[i], reg[i]).
// False: a corrupt sparse sketch. REQUIRES: LooksLikeHll(hll).
bool MergeInto(uint8_t* max, std::string_view hll);

// The estimated cardinality of a sketch (Ertl's improved estimator, as Redis 7.0), not
// using the cache. *corrupt is set when sparse opcodes do not cover 16384 registers.
uint64_t Estimate(std::string_view hll, bool* corrupt);
// The same for 16384 registers held one per byte (PFCOUNT of several keys).
uint64_t EstimateRegisters(const uint8_t* registers);

// The cached count, if the cache is valid.
bool CachedCount(std::string_view hll, uint64_t* count);
// Stores count as the cached, valid count (bytes 8..15, in place).
void StoreCount(char* hll, uint64_t count);
// Marks the cached count stale (byte 15's top bit, in place).
inline void InvalidateCache(char* hll) { hll[15] = static_cast<char>(hll[15] | 0x80); }

// PFDEBUG DECODE's text of a sparse sketch: "z:N" for a short zero run, "Z:N" for a long
// one, "v:V,N" for a run of value V, space-separated.
std::string DecodeSparse(std::string_view hll);

// PFSELFTEST: checks register packing and the estimator's error on generated elements.
// Returns "" on success, else what failed. Bounded work: a fixed element count.
std::string SelfTest();

}  // namespace firn::hll
