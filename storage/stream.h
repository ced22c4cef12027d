// Stream: the value of a Redis stream key, an append-only log of entries (an id and a list of
// field-value pairs) with consumer groups (Redis's t_stream.c).
//
// Contract. Ids are 128-bit (ms, seq) pairs, strictly increasing in insertion order. Entries
// are packed into nodes of at most Limits::max_node_entries entries / max_node_bytes bytes;
// seeking an id is O(log nodes + node entries). Deleted entries keep their slot (a flag) until
// their node empties, so XDEL is O(log n + node). Views handed to Range callbacks are valid
// only during the callback. Consumer groups keep a pending-entries list (PEL) ordered by id,
// shared between the group's PEL and its consumers'.
//
// Not thread-safe: the event-loop thread owns every value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace firn {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  friend bool operator==(const StreamId&, const StreamId&) = default;
  friend auto operator<=>(const StreamId& a, const StreamId& b) {
    if (a.ms != b.ms) return a.ms <=> b.ms;
    return a.seq <=> b.seq;
  }
  static constexpr StreamId Max() { return {UINT64_MAX, UINT64_MAX}; }
  bool IsZero() const { return ms == 0 && seq == 0; }
  // The next id (false when this is the maximum), the previous one (false at 0-0).
  bool Incr(StreamId* out) const;
  bool Decr(StreamId* out) const;
  // "ms-seq".
  std::string ToString() const;
  // Writes "ms-seq" into buf (at least 42 bytes); returns the length.
  size_t Format(char* buf) const;
};

using StreamFields = std::vector<std::pair<std::string_view, std::string_view>>;

class Stream {
 public:
  struct Limits {
    size_t max_node_entries = 100;   // stream-node-max-entries (0: no cap)
    size_t max_node_bytes = 4096;    // stream-node-max-bytes (0: no cap)
  };

  struct Pending;
  // One consumer of a group: its own view of the PEL (ids it was delivered and has not
  // acknowledged) and its times.
  struct Consumer {
    std::string name;
    int64_t seen_time_ms = 0;    // last attempted interaction
    int64_t active_time_ms = -1;  // last successful interaction (-1: never)
    std::map<StreamId, Pending*> pel;
  };
  // A delivered, not yet acknowledged entry.
  struct Pending {
    int64_t delivery_time_ms = 0;
    uint64_t delivery_count = 0;
    Consumer* consumer = nullptr;  // the owner
  };
  struct Group {
    StreamId last_id;
    int64_t entries_read = -1;  // -1: unknown (SCG_INVALID_ENTRIES_READ)
    std::map<StreamId, std::unique_ptr<Pending>> pel;
    std::map<std::string, std::unique_ptr<Consumer>, std::less<>> consumers;
  };

  Stream() = default;
  ~Stream();
  Stream(const Stream& other);  // a deep copy (COPY): entries, groups, PELs
  Stream& operator=(const Stream&) = delete;

  size_t length() const { return length_; }
  StreamId last_id() const { return last_id_; }
  StreamId first_id() const { return first_id_; }
  StreamId max_deleted_id() const { return max_deleted_id_; }
  uint64_t entries_added() const { return entries_added_; }
  size_t node_count() const { return nodes_.size(); }
  // Bytes the structure holds, this object included.
  size_t MemoryBytes() const;

  void set_last_id(StreamId id) { last_id_ = id; }
  void set_entries_added(uint64_t n) { entries_added_ = n; }
  void set_max_deleted_id(StreamId id) { max_deleted_id_ = id; }

  // Appends an entry. REQUIRES: id > last_id(), fields non-empty. Updates last_id,
  // entries_added, first_id. The tail node is closed as Redis's streamAppendItem closes a
  // listpack (when its listpack size plus the entry's raw field and value bytes reach
  // max_node_bytes, or it holds max_node_entries entries, deleted ones included), so a stream
  // built by the same XADDs has the same node boundaries as Redis's and serializes to the same
  // bytes.
  void Append(StreamId id, const StreamFields& fields, const Limits& limits);
  // The same with the fields flat: field, value, field, value... REQUIRES: an even count > 0.
  void AppendFlat(StreamId id, std::span<const std::string_view> field_values,
                  const Limits& limits);
  // Marks the entry id deleted; returns whether it was there. Updates max_deleted_id.
  bool Delete(StreamId id);

  // Calls fn for the entries with start <= id <= end, ascending (or descending with reverse),
  // at most count of them (0: all), stopping early when fn returns false. Returns how many
  // were reported.
  using EntryFn = std::function<bool(StreamId id, const StreamFields& fields)>;
  size_t Range(StreamId start, StreamId end, size_t count, bool reverse, const EntryFn& fn) const;
  // Whether entry id exists (not deleted).
  bool Contains(StreamId id) const;
  // The first (or last) live entry's id, or nullopt when empty.
  std::optional<StreamId> EdgeId(bool last) const;

  // Trimming, as Redis's streamTrim. Removes entries from the head while the stream is longer
  // than maxlen (MAXLEN) or its entries are older than minid (MINID). approx: only whole nodes.
  // limit: at most that many entries removed (0: no cap; only with approx). Returns the count.
  struct Trim {
    bool by_minid = false;
    size_t maxlen = 0;
    StreamId minid;
    bool approx = false;
    size_t limit = 0;
  };
  size_t TrimHead(const Trim& t);

  // ---- the node layout, for serializers (storage/stream_rdb.cc) ----

  // Node i's master id (its first entry's), its master field names, its live and deleted
  // entry counts. REQUIRES: i < node_count(). The views are valid until the stream changes.
  struct NodeView {
    StreamId master;
    std::vector<std::string_view> master_fields;
    uint32_t live = 0;
    uint32_t deleted = 0;
  };
  NodeView NodeAt(size_t i) const;
  // Calls fn on every entry of node i in order, deleted ones included; same_fields tells that
  // the entry's field names are the master's, in order.
  using NodeEntryFn =
      std::function<void(StreamId id, bool deleted, bool same_fields, const StreamFields& fields)>;
  void ForEachInNode(size_t i, const NodeEntryFn& fn) const;

  // Rebuilding a stream node by node, as read back: LoadNode opens a node at the tail,
  // LoadEntry appends to it (deleted or not), FinishLoad checks the whole. listpack_bytes: the
  // size of the listpack the node came from, so later appends close it where Redis would.
  // REQUIRES: master > every id loaded before; each entry's id >= its node's master and > the
  // previous entry's; fields non-empty. These do not touch last_id, entries_added or
  // max_deleted_id (set them with the setters).
  void LoadNode(StreamId master, std::span<const std::string_view> master_fields,
                size_t listpack_bytes);
  void LoadEntry(StreamId id, bool deleted, const StreamFields& fields);
  // Whether every node holds a live entry and the last id is at least every entry's; sets
  // first_id. False: the stream is inconsistent and should be dropped.
  bool FinishLoad();

  // ---- consumer groups (ordered by name, as Redis's rax) ----
  const std::map<std::string, std::unique_ptr<Group>, std::less<>>& groups() const {
    return groups_;
  }
  Group* FindGroup(std::string_view name) const;
  // nullptr when the group exists.
  Group* CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read);
  bool DestroyGroup(std::string_view name);
  static Consumer* FindConsumer(Group* g, std::string_view name);
  // Creates the consumer (seen time now); *created says whether it is new.
  static Consumer* LookupOrCreateConsumer(Group* g, std::string_view name, int64_t now_ms,
                                          bool* created);
  // Deletes a consumer and its pending entries from the group; returns how many it had.
  static size_t DeleteConsumer(Group* g, std::string_view name);

  // The entries-read counter of a group after it read up to id, and the lag (Redis 7.0's
  // streamEstimateDistanceFromFirstEverEntry); nullopt: unknown.
  int64_t EstimateEntriesRead(StreamId id) const;
  std::optional<int64_t> Lag(const Group& g) const;
  // Whether id lies in the range that deleted entries may have been (Redis's
  // streamRangeHasTombstones, for start..end).
  bool RangeHasTombstones(StreamId start, StreamId end) const;

 private:
  struct Node;
  // The index of the node that would hold id (the last whose first id <= id), or -1.
  ptrdiff_t NodeFor(StreamId id) const;
  // A new tail node whose master fields are the field names of field_values (flat).
  Node* OpenNode(StreamId master, std::span<const std::string_view> field_values);
  // Appends the entry's bytes to node; returns what the entry adds to Redis's listpack.
  static size_t PutEntry(Node* node, StreamId id, std::span<const std::string_view> field_values,
                         bool deleted);
  void RemoveNode(size_t i);
  void UpdateFirstId();

  std::vector<Node*> nodes_;  // ordered by master id
  size_t length_ = 0;
  StreamId last_id_;
  StreamId first_id_;
  StreamId max_deleted_id_;
  uint64_t entries_added_ = 0;
  std::map<std::string, std::unique_ptr<Group>, std::less<>> groups_;
};

// Parses "ms-seq", "ms" (seq missing_seq) as Redis's streamParseID; strict: "-" and "+" not
// accepted. *seq_given tells whether the sequence part was present.
bool ParseStreamId(std::string_view s, uint64_t missing_seq, StreamId* out,
                   bool* seq_given = nullptr);

}  // namespace firn
