// A stream's RDB object, as Redis writes it (DUMP payloads, snapshot files, the AOF's RDB
// preamble).
//
// Written: RDB_TYPE_STREAM_LISTPACKS_2 (19), Redis 7.0's form. For the same stream (the same
// XADD/XDEL/XTRIM/XGROUP/XREADGROUP/XCLAIM history) the bytes are Redis 7.0's: Stream closes
// its nodes where Redis closes its listpacks, and each node is written as Redis's listpack.
// Read: 15 (Redis 5 and 6: no first id, deleted-id, entries-added or entries-read counters;
// they are derived as Redis 7.0 derives them), 19, and 21 (Redis 7.2: consumers also carry an
// active time).
//
// Reading trusts nothing: every length is checked against the bytes left, each listpack is
// checked whole and then walked as Redis's stream entry layout (master entry, per-entry
// flags, ids relative to the master, field counts, the lp-count trailer), ids must grow
// strictly across the stream and stay at or below the last id, counters must add up, and the
// PELs must agree (no duplicate ids, every consumer PEL id in its group's PEL, every group
// PEL entry owned by exactly one consumer). Work is O(payload): nothing is sized from a
// declared count.
#pragma once

#include <string>
#include <string_view>

namespace firn {

class Stream;

namespace rdb {

// Appends [19][payload] for s.
void EncodeStream(const Stream& s, std::string* out);

// A new stream, owned by the caller, from an object of type 15, 19 or 21; nullptr when the
// object is malformed, inconsistent, of another type, or has bytes left over.
Stream* DecodeStream(std::string_view object);

}  // namespace rdb
}  // namespace firn
