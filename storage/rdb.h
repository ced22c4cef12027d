// Redis's RDB format, version 10 (as redis-server 7.0 writes and reads it): the value
// encodings that DUMP/RESTORE payloads and snapshot files share, and the snapshot file itself.
//
// An object is a type byte followed by its payload. The TypeOps rows (storage/value.h) write
// and read exactly that: serialize appends [type byte][payload] and deserialize reads one back.
// The type bytes Firn writes (Redis 7.0's numbering):
//   0   string: an RDB string (below)
//   18  list: quicklist 2, a node count, then per node a container (2 = a listpack, 1 = one
//       plain element) and an RDB string holding the listpack or the element
//   11  set, all-integer encoding: an RDB string holding an intset blob
//   2   set: a count, then each member as an RDB string
//   17  sorted set, small (at most kZSetListpackEntries members of at most
//       kZSetListpackValue bytes): an RDB string holding a listpack of member, score pairs
//   5   sorted set: a count, then member (RDB string) and score (8-byte little-endian IEEE
//       double) pairs, from the highest score down, as Redis writes them
//   16  hash, compact: an RDB string holding a listpack of field, value pairs
//   4   hash: a count, then field and value RDB strings
//   19  stream (storage/stream_rdb.h); 15 and 21 are read as well
//   kTypeFirnLimiter (0xE0)  a rate limiter (RL.BUCKET / RL.WINDOW): an RDB string holding
//       its state bytes. Not a Redis type: RESTORE on Redis refuses it ("Bad data format"),
//       and snapshot files carry limiters in aux fields instead (see WriteSnapshot).
// Read as well, the encodings Redis 2.6 to 6.2 wrote (RDB versions 6 to 9):
//   1   list: a count, then each element as an RDB string (Redis < 3.2's linked list)
//   3   sorted set: a count, then member and score, the score as text (a length byte then
//       the digits; 253 nan, 254 inf, 255 -inf)
//   9   hash, zipmap (Redis < 2.6): an RDB string holding a zipmap
//   10  list, ziplist (Redis < 3.2): an RDB string holding a ziplist of the elements
//   12  sorted set, ziplist: an RDB string holding a ziplist of member, score pairs
//   13  hash, ziplist: an RDB string holding a ziplist of field, value pairs
//   14  list, quicklist (Redis 3.2 to 6.2): a node count, then per node an RDB string
//       holding a ziplist
//
// RDB strings: a length then the bytes; or an integer (8, 16 or 32 bits) stored in place of a
// short decimal string; or LZF-compressed bytes (compressed and original length, then the
// compressed bytes), written for strings over 20 bytes when compression is on and pays.
// Lengths: 6 bits in one byte, 14 bits in two (big-endian), or 0x80 + 4 bytes / 0x81 + 8
// bytes big-endian.
//
// Every decoder treats its input as untrusted: it checks each length against what is left,
// rejects a malformed listpack or intset, duplicate members and NaN scores, and never reads
// out of bounds; a bad input yields nullptr / false, never a crash.
//
// Not thread-safe: the loop thread (or a forked child) uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/value.h"

namespace firn {

class Entry;
class Hash;
class Keyspace;
class List;
class Set;
class ZSet;

namespace rdb {

inline constexpr uint16_t kVersion = 10;

// Object type bytes.
inline constexpr uint8_t kTypeString = 0;
inline constexpr uint8_t kTypeList = 1;
inline constexpr uint8_t kTypeSet = 2;
inline constexpr uint8_t kTypeZSet = 3;
inline constexpr uint8_t kTypeHash = 4;
inline constexpr uint8_t kTypeZSet2 = 5;
inline constexpr uint8_t kTypeModule = 6;
inline constexpr uint8_t kTypeModule2 = 7;
inline constexpr uint8_t kTypeHashZipmap = 9;
inline constexpr uint8_t kTypeListZiplist = 10;
inline constexpr uint8_t kTypeSetIntset = 11;
inline constexpr uint8_t kTypeZSetZiplist = 12;
inline constexpr uint8_t kTypeHashZiplist = 13;
inline constexpr uint8_t kTypeListQuicklist = 14;
inline constexpr uint8_t kTypeStreamListpacks = 15;
inline constexpr uint8_t kTypeHashListpack = 16;
inline constexpr uint8_t kTypeZSetListpack = 17;
inline constexpr uint8_t kTypeListQuicklist2 = 18;
inline constexpr uint8_t kTypeStreamListpacks2 = 19;
inline constexpr uint8_t kTypeStreamListpacks3 = 21;  // Redis 7.2 (read only)
inline constexpr uint8_t kTypeFirnLimiter = 0xE0;

// File opcodes.
inline constexpr uint8_t kOpFunction2 = 245;
inline constexpr uint8_t kOpFunction = 246;  // 7.0-rc1/rc2: name, engine, description, code
inline constexpr uint8_t kOpModuleAux = 247;
inline constexpr uint8_t kOpIdle = 248;
inline constexpr uint8_t kOpFreq = 249;
inline constexpr uint8_t kOpAux = 250;
inline constexpr uint8_t kOpResizeDb = 251;
inline constexpr uint8_t kOpExpireTimeMs = 252;
inline constexpr uint8_t kOpExpireTime = 253;
inline constexpr uint8_t kOpSelectDb = 254;
inline constexpr uint8_t kOpEof = 255;

// Redis 7.0's defaults for the small sorted-set encoding (zset-max-listpack-*).
inline constexpr size_t kZSetListpackEntries = 128;
inline constexpr size_t kZSetListpackValue = 64;

// The aux field that carries one limiter key in a snapshot file (Redis ignores aux fields
// it does not know). Its value: [length: db][8 bytes little-endian: expiry ms, -1 = none]
// [RDB string: key][the limiter object: kTypeFirnLimiter, RDB string of state].
inline constexpr std::string_view kLimiterAuxField = "firn-limiter";

// CRC-64 as Redis computes it (Jones polynomial 0xad93d23594c935a9, reflected, initial value
// and final xor 0): Crc64(0, "123456789") == 0xe9c6d914c4b8d9ca. Chain calls to checksum a
// stream: Crc64(Crc64(0, a), b) == Crc64(0, a + b).
uint64_t Crc64(uint64_t crc, std::string_view data);

// Whether strings over 20 bytes are LZF-compressed when written (rdbcompression; default
// on). Applies to every writer below, DUMP included, as in Redis.
void SetCompression(bool on);
bool Compression();

// ---- writing primitives ----
void PutLength(std::string* out, uint64_t len);
// An RDB string: integer-encoded when s is a canonical int32 decimal, else LZF when
// compression is on and saves bytes, else raw.
void PutString(std::string* out, std::string_view s);
void PutBinaryDouble(std::string* out, double d);

// ---- reading primitives ----
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  size_t pos() const { return pos_; }
  size_t left() const { return in_.size() - pos_; }
  bool done() const { return pos_ == in_.size(); }
  std::string_view rest() const { return in_.substr(pos_); }

  bool Byte(uint8_t* b);
  // A plain length (false for an encoded-string marker or truncated input).
  bool Length(uint64_t* len);
  // An RDB string. The view points into the input, or into *scratch for an integer or
  // compressed string (valid until scratch changes).
  bool String(std::string* scratch, std::string_view* out);
  // Skips an RDB string without decoding it.
  bool SkipString();
  bool BinaryDouble(double* d);
  // A double in the old text form (type 3): a length byte, or 253 NaN, 254 +inf, 255 -inf.
  bool TextDouble(double* d);
  bool Fixed(size_t n, std::string_view* out);
  bool Skip(size_t n);

 private:
  bool LengthOrEncoding(uint64_t* len, bool* encoded);
  std::string_view in_;
  size_t pos_ = 0;
};

// ---- listpacks and intsets (the compact blobs inside RDB strings) ----

// Builds a listpack: Append each element (stored as an integer when it is one, as Redis
// does), then Finish for the blob.
class ListpackWriter {
 public:
  ListpackWriter();
  void Append(std::string_view element);
  void AppendInteger(int64_t v);
  size_t count() const { return count_; }
  size_t bytes() const { return buf_.size() + 1; }
  // The finished listpack (header filled in, terminator added). The writer is then empty.
  std::string Finish();

 private:
  std::string buf_;
  size_t count_ = 0;
};

// The bytes one element takes in a listpack (encoding, data and back-length), as Append
// writes it: an integer when the element is a canonical int64, else a string.
size_t ListpackElementBytes(std::string_view element);
// Inline: a stream node's size test (storage/stream.cc) takes it on every XADD.
inline size_t ListpackIntegerBytes(int64_t v) {
  // Encoding and data; the back-length of entries this small is one byte.
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= INT32_MIN && v <= INT32_MAX) return 6;
  return 10;
}

// Calls fn on each element of a listpack (integers rendered in decimal), after checking the
// whole blob (header, every entry's encoding and back-length, the terminator). Returns false
// for a malformed listpack, before calling fn at all; fn returning false also stops (and
// returns false).
bool ForEachListpackElement(std::string_view lp,
                            const std::function<bool(std::string_view element)>& fn);

// Calls fn on each integer of an intset blob in order, after checking it (width 2, 4 or 8,
// size matching the count, strictly ascending). False if malformed.
bool ForEachIntsetMember(std::string_view blob, const std::function<bool(int64_t)>& fn);

// Calls fn on each element of a ziplist (Redis <= 6's compact blob for lists, hashes and
// sorted sets; integers rendered in decimal), after checking the whole blob as Redis's deep
// validation does: the byte count, the terminator, every entry's encoding, each prevlen
// against the previous entry's size, the tail offset and the entry count. False for a
// malformed ziplist, before calling fn; fn returning false also stops (and returns false).
bool ForEachZiplistElement(std::string_view zl,
                           const std::function<bool(std::string_view element)>& fn);

// Calls fn on each field, value pair of a zipmap (Redis < 2.6's small hash), after checking
// the whole blob (no length crossing the end, at least one pair, the count byte, the
// terminator last). False if malformed.
bool ForEachZipmapPair(std::string_view zm,
                       const std::function<bool(std::string_view, std::string_view)>& fn);

// ---- objects ([type byte][payload]) ----

void EncodeString(std::string_view value, std::string* out);
void EncodeHash(const Hash& h, std::string* out);
void EncodeList(const List& l, std::string* out);
void EncodeSet(const Set& s, std::string* out);
void EncodeZSet(const ZSet& z, std::string* out);
void EncodeLimiter(std::string_view state, std::string* out);

// Decoders: a new structure, owned by the caller, or nullptr when the object is malformed,
// empty, of another type, or has bytes left over.
std::optional<std::string> DecodeString(std::string_view object);
Hash* DecodeHash(std::string_view object);
List* DecodeList(std::string_view object);
Set* DecodeSet(std::string_view object);
ZSet* DecodeZSet(std::string_view object);
std::optional<std::string> DecodeLimiter(std::string_view object);

// The value type an object type byte decodes to, or nullopt for a type Firn cannot read.
std::optional<ValueType> ValueTypeOfObject(uint8_t type_byte);
// Whether object is well formed but holds no element (a list, hash, set or sorted set of
// count 0, an empty ziplist or listpack, a quicklist of empty nodes). Redis wrote such keys
// by mistake before 6.2 and skips them when loading a file; they never decode.
bool IsEmptyObject(std::string_view object);
// The length of the object starting at in[0] (its type byte), found by walking its
// structure without building it; nullopt when it is malformed or truncated.
std::optional<size_t> ObjectLength(std::string_view in);

// A new entry for key decoded from object through its type's TypeOps row, or nullptr.
Entry* DecodeEntry(std::string_view key, std::string_view object, int64_t expire_ms);

// ---- DUMP / RESTORE payloads: [object][2 bytes LE: RDB version][8 bytes LE: CRC64] ----

std::string DumpPayload(const Entry& e);
// Appends the footer (version, then the CRC64 of everything before it) to a payload's body:
// DUMP's object, or FUNCTION DUMP's function records.
void FinishDumpPayload(std::string* payload);
// The object part of payload when its version is at most kVersion and its checksum matches;
// nullopt otherwise ("DUMP payload version or checksum are wrong").
std::optional<std::string_view> VerifyDumpPayload(std::string_view payload);

// ---- function libraries (snapshot files and FUNCTION DUMP payloads) ----

// Reads the record that follows a function opcode byte into *code: for kOpFunction2 an RDB
// string (LZF-compressed when long, as Redis writes it); for kOpFunction (7.0-rc1/rc2)
// library name, engine name, a description flag and description, then the code, rebuilt as
// "#!engine name=name\n" + code, as Redis 7.0 does. False when malformed or another opcode.
bool ReadFunctionRecord(Reader& r, uint8_t opcode, std::string* code);

// ---- snapshot files ----

struct SaveOptions {
  bool checksum = true;  // rdbchecksum: else the trailer is 8 zero bytes
  int64_t now_ms = 0;    // ctime aux field; keys expired at now_ms are still written
  uint64_t used_memory = 0;
  std::string redis_ver = "7.0.15";  // the redis-ver aux field
  // Function library codes, written as FUNCTION2 records before the databases.
  std::vector<std::string> functions;
};

// Where WriteSnapshot's bytes go; false stops the write (a failed write(2)).
using ByteSink = std::function<bool(std::string_view bytes)>;

// Writes the whole keyspace as an RDB file: "REDIS0010", aux fields (redis-ver, redis-bits,
// ctime, used-mem, aof-base), each non-empty database (SELECTDB, RESIZEDB, then each key with
// its EXPIRETIME_MS), limiter keys as kLimiterAuxField aux fields, EOF, the CRC64. Returns
// the number of keys written, or nullopt when sink failed.
std::optional<uint64_t> WriteSnapshot(Keyspace& keyspace, const SaveOptions& options,
                                      const ByteSink& sink);

struct LoadOptions {
  int64_t now_ms = 0;  // keys whose expiry is at or before now_ms are dropped
  // Called for each FUNCTION2 record's library code (and each 7.0-rc FUNCTION record's,
  // rebuilt as "#!engine name=name\n" + code, as Redis 7.0 does); false fails the load.
  // nullptr: the records are skipped.
  std::function<bool(std::string_view code, std::string* error)> on_function;
};
struct LoadResult {
  bool ok = false;
  std::string error;  // why it failed, with the byte offset
  uint64_t keys_loaded = 0;
  uint64_t keys_expired = 0;
  uint64_t empty_keys_skipped = 0;  // see IsEmptyObject
};

// Loads an RDB file image into keyspace (which should be empty; a key already present is an
// error). Checks the magic, the version (1 to 10: files of Redis 2.6 to 7.0), every record,
// and the trailer's CRC64 (from version 5; skipped when it is 0, as Redis does for
// rdbchecksum no). Opcodes: SELECTDB, RESIZEDB, EXPIRETIME (seconds, 4 bytes) and
// EXPIRETIME_MS, FREQ and IDLE (read and dropped), AUX (all ignored but kLimiterAuxField),
// FUNCTION and FUNCTION2, EOF; MODULE_AUX and module types are refused.
LoadResult LoadSnapshot(Keyspace& keyspace, std::string_view file, const LoadOptions& options);

}  // namespace rdb
}  // namespace firn
