// Stream: entries packed into nodes of delta-encoded ids sharing their node's field names, a
// sorted vector of nodes for seeking, and consumer groups with their pending-entries lists.
//
// What. A stream is a log of (id, fields) entries whose ids only grow. Entries live in nodes
// of up to stream-node-max-entries entries (100) or stream-node-max-bytes bytes (4096) of
// Redis's listpack encoding, one malloc'd buffer each. A node starts with the field names of its first entry (the "master
// fields"); each entry is then a flag byte (deleted, same-fields), its id as the difference of
// its milliseconds from the node's first id plus its raw sequence (LEB128 varints, so an
// auto-generated id costs 2-3 bytes), and then either just the values (when the entry has the
// master fields, in order: the common case of a producer writing one shape of event) or its own
// count and field-value pairs. Every string is a varint length and its bytes. The nodes sit in
// a vector sorted by first id: finding an id is a binary search over nodes and a walk of at most
// one node's entries.
//
// Why. This is the shape of Redis's own stream (listpacks of delta-encoded entries under a
// radix tree keyed by the node's master id), minus the listpack's per-element back-length bytes
// and count terminator (an entry here needs none: reverse walks decode a node's offsets first,
// at most one node at a time) and minus the radix tree's per-node bookkeeping: a vector of
// pointers holds the index, since nodes are only appended at the tail and removed from the head
// (trimming) or wherever they empty (XDEL). An entry of three small fields takes about 20 bytes.
// A node keeps the size Redis's listpack for it would have (computed as entries go in, not
// built) and closes on Redis's own test, so the same commands make the same nodes as Redis's:
// trims remove the same entries and the RDB form (storage/stream_rdb.cc) is Redis's bytes.
//
// Invariants. nodes_ is sorted by master id and every id in node i is >= its master and < the
// next node's master. A node holds `count` entries, `live` of them not deleted, live >= 1 (a
// node whose last live entry goes is freed). length_ is the sum of live. last_id_ >= every id
// ever appended (XSETID can raise it); first_id_ is the first live id, 0-0 when empty.
// A Pending is owned by its group's PEL and referenced by exactly its consumer's PEL.
//
// Cost. Append: amortized O(entry bytes). Seek: O(log nodes + max_node_entries). Delete:
// O(seek) plus, when a node empties, O(nodes) to close the vector's gap. Trim: O(nodes
// removed + one node's entries). A reverse walk buffers one node's entry offsets.
//
// Tunables. stream-node-max-entries (100) and stream-node-max-bytes (4096), Redis's names and
// defaults: bigger nodes pack tighter and seek slower.
#include "storage/stream.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "storage/rdb.h"

namespace firn {

// ---- ids ----

bool StreamId::Incr(StreamId* out) const {
  if (seq == UINT64_MAX) {
    if (ms == UINT64_MAX) return false;
    *out = {ms + 1, 0};
    return true;
  }
  *out = {ms, seq + 1};
  return true;
}

bool StreamId::Decr(StreamId* out) const {
  if (seq == 0) {
    if (ms == 0) return false;
    *out = {ms - 1, UINT64_MAX};
    return true;
  }
  *out = {ms, seq - 1};
  return true;
}

namespace {

size_t FormatU64(uint64_t v, char* buf) {
  // std::to_chars writes two digits a step: an id's 13-digit milliseconds are every XADD's
  // reply, and a digit-at-a-time loop was the command's largest cost.
  return static_cast<size_t>(std::to_chars(buf, buf + 20, v).ptr - buf);
}

bool ParseU64(std::string_view s, uint64_t* out) {
  // As Redis's string2ull: digits only (strtoull would accept a sign and spaces, and Redis
  // rejects those through its own check of the first character).
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

}  // namespace

size_t StreamId::Format(char* buf) const {
  // Ids made in the same millisecond share their first half: the last one formatted is
  // kept (the loop thread formats nearly all ids; thread_local keeps others apart).
  struct Last {
    uint64_t ms = 0;
    uint8_t len = 1;
    char text[20] = {'0'};
  };
  thread_local Last last;
  if (ms != last.ms) {
    last.ms = ms;
    last.len = static_cast<uint8_t>(FormatU64(ms, last.text));
  }
  size_t n = last.len;
  std::memcpy(buf, last.text, sizeof(last.text));
  buf[n++] = '-';
  n += FormatU64(seq, buf + n);
  return n;
}

std::string StreamId::ToString() const {
  char buf[48];
  return std::string(buf, Format(buf));
}

bool ParseStreamId(std::string_view s, uint64_t missing_seq, StreamId* out, bool* seq_given) {
  if (s.size() > 127) return false;
  const size_t dash = s.find('-');
  uint64_t ms, seq;
  if (dash == std::string_view::npos) {
    if (!ParseU64(s, &ms)) return false;
    seq = missing_seq;
    if (seq_given != nullptr) *seq_given = false;
  } else {
    if (!ParseU64(s.substr(0, dash), &ms) || !ParseU64(s.substr(dash + 1), &seq)) return false;
    if (seq_given != nullptr) *seq_given = true;
  }
  *out = {ms, seq};
  return true;
}

// ---- nodes ----

namespace {

constexpr uint8_t kDeleted = 1;
constexpr uint8_t kSameFields = 2;

size_t VarintBytes(uint64_t v) {
  size_t n = 1;
  while (v >= 128) {
    v >>= 7;
    ++n;
  }
  return n;
}

// REQUIRES: a well-formed buffer (the node wrote it).
const char* Get(const char* p, uint64_t* v) {
  *v = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<unsigned char>(*p++);
    *v |= static_cast<uint64_t>(b & 127) << shift;
    if ((b & 128) == 0) return p;
  }
}

const char* GetStr(const char* p, std::string_view* s) {
  uint64_t n;
  p = Get(p, &n);
  *s = {p, n};
  return p + n;
}

// What an element takes in Redis's listpack. Most field names and values do not start like
// a number, so they are sized as strings without the integer test.
inline size_t LpBytes(std::string_view s) {
  if (!s.empty() && s.size() < 64 && s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
    return s.size() + 2;  // 1-byte header, data, 1-byte back-length
  }
  return rdb::ListpackElementBytes(s);
}

// Redis caps a listpack at 1 GiB whatever stream-node-max-bytes says (0 included).
constexpr size_t kListpackMaxBytes = size_t{1} << 30;

}  // namespace

struct Stream::Node {
  StreamId master;
  StreamId last;        // the last id appended, deleted or not
  uint32_t count = 0;   // entries, deleted ones included
  uint32_t live = 0;
  uint32_t entries_at = 0;  // offset of the first entry in data
  // The size Redis's listpack for this node would have, but its live and deleted counters
  // (which Redis rewrites in place as they change): what decides where a node ends. Under
  // 2^32: Redis caps a listpack at 1 GiB (kept at the cap if an entry overshoots).
  uint32_t lp_rest = 0;
  std::string data;  // 80 bytes in all: a jemalloc size class

  void AddListpackBytes(size_t n) {
    lp_rest = static_cast<uint32_t>(std::min<size_t>(size_t{lp_rest} + n, UINT32_MAX));
  }

  // The number of master fields (the varint data starts with).
  uint32_t MasterCount() const {
    uint64_t n;
    Get(data.data(), &n);
    return static_cast<uint32_t>(n);
  }

  size_t ListpackBytes() const {
    return lp_rest + rdb::ListpackIntegerBytes(live) + rdb::ListpackIntegerBytes(count - live);
  }

  size_t Bytes() const { return sizeof(Node) + (data.capacity() > 15 ? data.capacity() + 1 : 0); }

  void MasterFields(std::vector<std::string_view>* out) const {
    out->clear();
    const char* p = data.data();
    uint64_t n;
    p = Get(p, &n);
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view f;
      p = GetStr(p, &f);
      out->push_back(f);
    }
  }

  // Decodes the entry at offset off: its flags, id and (when fields is non-null) fields.
  // Returns the offset of the next entry.
  size_t Decode(size_t off, const std::vector<std::string_view>& master, uint8_t* flags,
                StreamId* id, StreamFields* fields) const {
    const char* p = data.data() + off;
    *flags = static_cast<uint8_t>(*p++);
    uint64_t dms, seq;
    p = Get(p, &dms);
    p = Get(p, &seq);
    *id = {this->master.ms + dms, seq};
    if (fields != nullptr) fields->clear();
    if (*flags & kSameFields) {
      const uint32_t master_fields = MasterCount();
      for (uint32_t i = 0; i < master_fields; ++i) {
        std::string_view v;
        p = GetStr(p, &v);
        if (fields != nullptr) fields->emplace_back(master[i], v);
      }
    } else {
      uint64_t n;
      p = Get(p, &n);
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view f, v;
        p = GetStr(p, &f);
        p = GetStr(p, &v);
        if (fields != nullptr) fields->emplace_back(f, v);
      }
    }
    return static_cast<size_t>(p - data.data());
  }
};

Stream::~Stream() {
  for (Node* n : nodes_) delete n;
}

Stream::Stream(const Stream& other)
    : length_(other.length_),
      last_id_(other.last_id_),
      first_id_(other.first_id_),
      max_deleted_id_(other.max_deleted_id_),
      entries_added_(other.entries_added_) {
  nodes_.reserve(other.nodes_.size());
  for (const Node* n : other.nodes_) nodes_.push_back(new Node(*n));
  for (const auto& [name, g] : other.groups_) {
    auto copy = std::make_unique<Group>();
    copy->last_id = g->last_id;
    copy->entries_read = g->entries_read;
    for (const auto& [cname, c] : g->consumers) {
      auto cc = std::make_unique<Consumer>();
      cc->name = c->name;
      cc->seen_time_ms = c->seen_time_ms;
      cc->active_time_ms = c->active_time_ms;
      copy->consumers.emplace(cname, std::move(cc));
    }
    for (const auto& [id, p] : g->pel) {
      auto pc = std::make_unique<Pending>(*p);
      Consumer* owner = copy->consumers.find(p->consumer->name)->second.get();
      pc->consumer = owner;
      owner->pel.emplace(id, pc.get());
      copy->pel.emplace(id, std::move(pc));
    }
    groups_.emplace(name, std::move(copy));
  }
}

size_t Stream::MemoryBytes() const {
  size_t bytes = sizeof(Stream) + nodes_.capacity() * sizeof(Node*);
  for (const Node* n : nodes_) bytes += n->Bytes();
  // Groups: a map node each, and one per pending entry in the group's and its consumer's PEL.
  constexpr size_t kMapNode = 48;
  for (const auto& [name, g] : groups_) {
    bytes += kMapNode + name.size() + sizeof(Group);
    bytes += g->pel.size() * (2 * (kMapNode + sizeof(StreamId) + 8) + sizeof(Pending));
    for (const auto& [cname, c] : g->consumers) {
      bytes += kMapNode + 2 * cname.size() + sizeof(Consumer);
    }
  }
  return bytes;
}

void Stream::Append(StreamId id, const StreamFields& fields, const Limits& limits) {
  std::vector<std::string_view> flat;
  flat.reserve(2 * fields.size());
  for (const auto& [f, v] : fields) {
    flat.push_back(f);
    flat.push_back(v);
  }
  AppendFlat(id, flat, limits);
}

void Stream::AppendFlat(StreamId id, std::span<const std::string_view> field_values,
                        const Limits& limits) {
  Node* node = nodes_.empty() ? nullptr : nodes_.back();
  if (node != nullptr) {
    // Redis's streamAppendItem test, word for word in effect: the listpack's bytes plus the
    // raw lengths of the new fields and values, then the entry count.
    size_t max_bytes = limits.max_node_bytes;
    if (max_bytes == 0 || max_bytes > kListpackMaxBytes) max_bytes = kListpackMaxBytes;
    size_t raw = 0;
    for (std::string_view x : field_values) raw += x.size();
    if (node->ListpackBytes() + raw >= max_bytes ||
        (limits.max_node_entries != 0 && node->count >= limits.max_node_entries)) {
      node->data.shrink_to_fit();
      node = nullptr;
    }
  }
  if (node == nullptr) node = OpenNode(id, field_values);
  node->AddListpackBytes(PutEntry(node, id, field_values, false));
  if (length_ == 0) first_id_ = id;
  ++length_;
  last_id_ = id;
  ++entries_added_;
}

namespace {

char* PutAt(char* p, uint64_t v) {
  while (v >= 128) {
    *p++ = static_cast<char>((v & 127) | 128);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

char* PutStrAt(char* p, std::string_view s) {
  p = PutAt(p, s.size());
  if (s.size() <= 16) {
    // Short field names and values: a call to memcpy costs more than the copy.
    for (char c : s) *p++ = c;
    return p;
  }
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

int64_t AsSigned(uint64_t v) { return static_cast<int64_t>(v); }

// a == b, without a memcmp call for short field names.
bool SameBytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.size() > 16) return std::memcmp(a.data(), b.data(), a.size()) == 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

Stream::Node* Stream::OpenNode(StreamId master, std::span<const std::string_view> field_values) {
  auto* node = new Node();
  node->master = master;
  const size_t n = field_values.size() / 2;
  // Redis's listpack header and terminator, the field count, the names, the zero that ends
  // the master entry.
  size_t lp = 6 + 1 + rdb::ListpackIntegerBytes(AsSigned(n)) + 2;
  size_t need = VarintBytes(n);
  for (size_t i = 0; i < field_values.size(); i += 2) {
    need += VarintBytes(field_values[i].size()) + field_values[i].size();
    lp += LpBytes(field_values[i]);
  }
  node->data.resize(need);
  char* p = PutAt(node->data.data(), n);
  for (size_t i = 0; i < field_values.size(); i += 2) p = PutStrAt(p, field_values[i]);
  node->entries_at = static_cast<uint32_t>(node->data.size());
  node->AddListpackBytes(lp);
  nodes_.push_back(node);
  return node;
}

size_t Stream::PutEntry(Node* node, StreamId id, std::span<const std::string_view> field_values,
                        bool deleted) {
  const size_t n = field_values.size() / 2;
  // Same fields as the master, in order?
  const char* mp = node->data.data();
  uint64_t count;
  mp = Get(mp, &count);
  bool same = n == count;
  if (same) {
    for (size_t i = 0; i < field_values.size(); i += 2) {
      std::string_view mf;
      mp = GetStr(mp, &mf);
      if (!SameBytes(mf, field_values[i])) {
        same = false;
        break;
      }
    }
  }
  const uint64_t dms = id.ms - node->master.ms;
  size_t need = 1 + VarintBytes(dms) + VarintBytes(id.seq);
  // Redis's entry: flags, ms and seq differences, [field count], values or pairs, lp-count.
  size_t lp = 2 + rdb::ListpackIntegerBytes(AsSigned(dms)) +
              rdb::ListpackIntegerBytes(AsSigned(id.seq - node->master.seq)) +
              rdb::ListpackIntegerBytes(AsSigned(same ? n + 3 : 2 * n + 4));
  if (!same) {
    need += VarintBytes(n);
    lp += rdb::ListpackIntegerBytes(AsSigned(n));
  }
  for (size_t i = 0; i < field_values.size(); i += 2) {
    const std::string_view v = field_values[i + 1];
    need += VarintBytes(v.size()) + v.size();
    lp += LpBytes(v);
    if (!same) {
      const std::string_view f = field_values[i];
      need += VarintBytes(f.size()) + f.size();
      lp += LpBytes(f);
    }
  }
  std::string& d = node->data;
  const size_t at = d.size();
  if (d.capacity() < at + need) {
    // Grow by half (not doubling): nodes are small, and memory per entry matters more.
    d.reserve(std::max(at + need, at * 3 / 2));
  }
  // A small entry is encoded on the stack and appended in one copy (resize would zero the
  // bytes first); a big one in place.
  char small[256];
  char* const start = need <= sizeof(small) ? small : (d.resize(at + need), d.data() + at);
  char* p = start;
  *p++ = static_cast<char>((same ? kSameFields : 0) | (deleted ? kDeleted : 0));
  p = PutAt(p, dms);
  p = PutAt(p, id.seq);
  if (same) {
    for (size_t i = 1; i < field_values.size(); i += 2) p = PutStrAt(p, field_values[i]);
  } else {
    p = PutAt(p, n);
    for (std::string_view x : field_values) p = PutStrAt(p, x);
  }
  if (start == small) d.append(small, need);
  node->last = id;
  ++node->count;
  if (!deleted) ++node->live;
  return lp;
}

Stream::NodeView Stream::NodeAt(size_t i) const {
  const Node* n = nodes_[i];
  NodeView v;
  v.master = n->master;
  n->MasterFields(&v.master_fields);
  v.live = n->live;
  v.deleted = n->count - n->live;
  return v;
}

void Stream::ForEachInNode(size_t i, const NodeEntryFn& fn) const {
  const Node* n = nodes_[i];
  std::vector<std::string_view> master;
  n->MasterFields(&master);
  StreamFields fields;
  size_t off = n->entries_at;
  for (uint32_t k = 0; k < n->count; ++k) {
    uint8_t flags;
    StreamId id;
    off = n->Decode(off, master, &flags, &id, &fields);
    fn(id, (flags & kDeleted) != 0, (flags & kSameFields) != 0, fields);
  }
}

void Stream::LoadNode(StreamId master, std::span<const std::string_view> master_fields,
                      size_t listpack_bytes) {
  std::vector<std::string_view> flat;
  flat.reserve(2 * master_fields.size());
  for (std::string_view f : master_fields) {
    flat.push_back(f);
    flat.push_back({});
  }
  // FinishLoad takes the counters' share out once they are known.
  Node* node = OpenNode(master, flat);
  node->lp_rest = 0;
  node->AddListpackBytes(listpack_bytes);
}

void Stream::LoadEntry(StreamId id, bool deleted, const StreamFields& fields) {
  std::vector<std::string_view> flat;
  flat.reserve(2 * fields.size());
  for (const auto& [f, v] : fields) {
    flat.push_back(f);
    flat.push_back(v);
  }
  PutEntry(nodes_.back(), id, flat, deleted);
  if (!deleted) ++length_;
}

bool Stream::FinishLoad() {
  for (Node* n : nodes_) {
    if (n->live == 0) return false;
    const size_t counters =
        rdb::ListpackIntegerBytes(n->live) + rdb::ListpackIntegerBytes(n->count - n->live);
    n->lp_rest = n->lp_rest > counters ? n->lp_rest - counters : 0;
    n->data.shrink_to_fit();
  }
  if (!nodes_.empty() && nodes_.back()->last > last_id_) return false;
  UpdateFirstId();
  return true;
}

ptrdiff_t Stream::NodeFor(StreamId id) const {
  auto it = std::upper_bound(nodes_.begin(), nodes_.end(), id,
                             [](StreamId v, const Node* n) { return v < n->master; });
  return (it - nodes_.begin()) - 1;
}

void Stream::RemoveNode(size_t i) {
  delete nodes_[i];
  nodes_.erase(nodes_.begin() + static_cast<ptrdiff_t>(i));
}

void Stream::UpdateFirstId() {
  const std::optional<StreamId> first = EdgeId(false);
  first_id_ = first.value_or(StreamId{});
}

bool Stream::Delete(StreamId id) {
  const ptrdiff_t i = NodeFor(id);
  if (i < 0) return false;
  Node* n = nodes_[static_cast<size_t>(i)];
  if (id > n->last) return false;
  std::vector<std::string_view> master;
  size_t off = n->entries_at;
  for (uint32_t k = 0; k < n->count; ++k) {
    uint8_t flags;
    StreamId cur;
    const size_t next = n->Decode(off, master, &flags, &cur, nullptr);
    if (cur == id) {
      if (flags & kDeleted) return false;
      n->data[off] = static_cast<char>(flags | kDeleted);
      --n->live;
      --length_;
      if (n->live == 0) RemoveNode(static_cast<size_t>(i));
      if (id > max_deleted_id_) max_deleted_id_ = id;
      if (id == first_id_) UpdateFirstId();
      return true;
    }
    if (cur > id) return false;
    off = next;
  }
  return false;
}

size_t Stream::Range(StreamId start, StreamId end, size_t count, bool reverse,
                     const EntryFn& fn) const {
  if (start > end || nodes_.empty()) return 0;
  std::vector<std::string_view> master;
  StreamFields fields;
  size_t reported = 0;
  if (!reverse) {
    ptrdiff_t i = NodeFor(start);
    if (i < 0) i = 0;
    for (size_t ni = static_cast<size_t>(i); ni < nodes_.size(); ++ni) {
      const Node* n = nodes_[ni];
      if (n->master > end) return reported;
      if (n->last < start) continue;
      n->MasterFields(&master);
      size_t off = n->entries_at;
      for (uint32_t k = 0; k < n->count; ++k) {
        uint8_t flags;
        StreamId id;
        // Decoding the fields of an entry before start would be wasted: peek the id first.
        const size_t next = n->Decode(off, master, &flags, &id, nullptr);
        if (id > end) return reported;
        if (!(flags & kDeleted) && id >= start) {
          n->Decode(off, master, &flags, &id, &fields);
          ++reported;
          if (!fn(id, fields) || (count != 0 && reported >= count)) return reported;
        }
        off = next;
      }
    }
    return reported;
  }
  ptrdiff_t i = NodeFor(end);
  std::vector<uint32_t> offsets;
  for (; i >= 0; --i) {
    const Node* n = nodes_[static_cast<size_t>(i)];
    if (n->last < start) return reported;
    n->MasterFields(&master);
    offsets.clear();
    size_t off = n->entries_at;
    for (uint32_t k = 0; k < n->count; ++k) {
      offsets.push_back(static_cast<uint32_t>(off));
      uint8_t flags;
      StreamId id;
      off = n->Decode(off, master, &flags, &id, nullptr);
    }
    for (size_t k = offsets.size(); k-- > 0;) {
      uint8_t flags;
      StreamId id;
      n->Decode(offsets[k], master, &flags, &id, nullptr);
      if (id < start) return reported;
      if ((flags & kDeleted) || id > end) continue;
      n->Decode(offsets[k], master, &flags, &id, &fields);
      ++reported;
      if (!fn(id, fields) || (count != 0 && reported >= count)) return reported;
    }
  }
  return reported;
}

bool Stream::Contains(StreamId id) const {
  bool found = false;
  Range(id, id, 1, false, [&](StreamId, const StreamFields&) {
    found = true;
    return false;
  });
  return found;
}

std::optional<StreamId> Stream::EdgeId(bool last) const {
  std::optional<StreamId> out;
  Range(StreamId{}, StreamId::Max(), 1, last, [&](StreamId id, const StreamFields&) {
    out = id;
    return false;
  });
  return out;
}

size_t Stream::TrimHead(const Trim& t) {
  size_t removed = 0;
  std::vector<std::string_view> master;
  while (!nodes_.empty()) {
    if (!t.by_minid && length_ <= t.maxlen) break;
    Node* n = nodes_.front();
    if (t.limit != 0 && removed + n->live > t.limit) break;
    const bool whole = t.by_minid ? n->last < t.minid : length_ - n->live >= t.maxlen;
    if (whole) {
      length_ -= n->live;
      removed += n->live;
      RemoveNode(0);
      continue;
    }
    if (t.approx) break;
    size_t off = n->entries_at;
    for (uint32_t k = 0; k < n->count; ++k) {
      uint8_t flags;
      StreamId id;
      const size_t next = n->Decode(off, master, &flags, &id, nullptr);
      if (!(flags & kDeleted)) {
        if (t.by_minid ? id >= t.minid : length_ <= t.maxlen) break;
        n->data[off] = static_cast<char>(flags | kDeleted);
        --n->live;
        --length_;
        ++removed;
      }
      off = next;
    }
    break;
  }
  if (removed != 0) UpdateFirstId();
  return removed;
}

// ---- consumer groups ----

Stream::Group* Stream::FindGroup(std::string_view name) const {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

Stream::Group* Stream::CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read) {
  if (groups_.find(name) != groups_.end()) return nullptr;
  auto g = std::make_unique<Group>();
  g->last_id = last_id;
  g->entries_read = entries_read;
  Group* out = g.get();
  groups_.emplace(std::string(name), std::move(g));
  return out;
}

bool Stream::DestroyGroup(std::string_view name) {
  auto it = groups_.find(name);
  if (it == groups_.end()) return false;
  groups_.erase(it);
  return true;
}

Stream::Consumer* Stream::FindConsumer(Group* g, std::string_view name) {
  auto it = g->consumers.find(name);
  return it == g->consumers.end() ? nullptr : it->second.get();
}

Stream::Consumer* Stream::LookupOrCreateConsumer(Group* g, std::string_view name, int64_t now_ms,
                                                 bool* created) {
  auto it = g->consumers.find(name);
  if (it != g->consumers.end()) {
    *created = false;
    return it->second.get();
  }
  auto c = std::make_unique<Consumer>();
  c->name.assign(name);
  c->seen_time_ms = now_ms;
  Consumer* out = c.get();
  g->consumers.emplace(std::string(name), std::move(c));
  *created = true;
  return out;
}

size_t Stream::DeleteConsumer(Group* g, std::string_view name) {
  auto it = g->consumers.find(name);
  if (it == g->consumers.end()) return 0;
  Consumer* c = it->second.get();
  const size_t pending = c->pel.size();
  for (const auto& [id, p] : c->pel) g->pel.erase(id);
  g->consumers.erase(it);
  return pending;
}

// ---- the entries-read counter and lag (Redis 7.0's rules) ----

bool Stream::RangeHasTombstones(StreamId start, StreamId end) const {
  if (length_ == 0 || max_deleted_id_.IsZero()) return false;
  if (first_id_ > max_deleted_id_) return false;  // every tombstone is before the first entry
  return start <= max_deleted_id_ && end >= max_deleted_id_;
}

int64_t Stream::EstimateEntriesRead(StreamId id) const {
  if (entries_added_ == 0) return 0;
  if (length_ == 0 && id <= last_id_) return static_cast<int64_t>(entries_added_);
  if (id == last_id_) return static_cast<int64_t>(entries_added_);
  if (id > last_id_) return -1;
  if (max_deleted_id_.IsZero() || max_deleted_id_ < first_id_) {
    if (id < first_id_) return static_cast<int64_t>(entries_added_ - length_);
    if (id == first_id_) return static_cast<int64_t>(entries_added_ - length_ + 1);
  }
  return -1;
}

std::optional<int64_t> Stream::Lag(const Group& g) const {
  if (entries_added_ == 0) return 0;
  if (g.entries_read >= 0 && !RangeHasTombstones(g.last_id, StreamId::Max())) {
    return static_cast<int64_t>(entries_added_) - g.entries_read;
  }
  const int64_t read = EstimateEntriesRead(g.last_id);
  if (read < 0) return std::nullopt;
  return static_cast<int64_t>(entries_added_) - read;
}

}  // namespace firn
