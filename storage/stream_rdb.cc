// A stream's RDB object: Redis 7.0's RDB_TYPE_STREAM_LISTPACKS_2, written and read; types 15
// and 21 read.
//
// Layout (every "length" an RDB length, every "string" an RDB string, ids as two lengths
// ms, seq unless said otherwise):
//   length: node count, then per node
//     string: the node's master id, 16 bytes big-endian (ms, seq): the radix-tree key
//     string: the node's listpack (below)
//   length: live entries; id: last id
//   [19, 21] id: first live id; id: largest deleted id; length: entries ever added
//   length: group count, then per group (in name order)
//     string: name; id: last delivered id; [19, 21] length: entries-read (-1 as 2^64-1)
//     length: PEL size, then per pending entry: 16 bytes big-endian id, 8 bytes
//       little-endian delivery time (ms), length: delivery count
//     length: consumer count, then per consumer (in name order)
//       string: name; 8 bytes LE: seen time; [21] 8 bytes LE: active time
//       length: its PEL size, then the ids (16 bytes big-endian each)
//
// A node's listpack, as t_stream.c lays it out: the master entry (live count, deleted count,
// field count, the field names, a 0), then per entry: flags (1 deleted, 2 same fields as the
// master), ms and seq as differences from the master id, then either the values alone (same
// fields) or a field count and field-value pairs, then lp-count (the entry's element count
// less the flags, ids and itself: values + 3, or 2 * fields + 4). Deleted entries stay in
// place until their node empties, so writing them back keeps the layout.
//
// Why the bytes match Redis's: Stream::AppendFlat closes a node on Redis's own test (listpack
// bytes plus the entry's raw bytes against stream-node-max-bytes, entries against
// stream-node-max-entries), XDEL and XTRIM mark entries as Redis does, and the listpack
// writer encodes each element as Redis's (integers when they are canonical int64s). What can
// differ: times (delivery, seen) come from each server's clock, and a listpack read from a
// non-Redis writer with non-canonical encodings is written back canonically.
#include "storage/stream_rdb.h"

#include <memory>
#include <string>
#include <vector>

#include "protocol/numbers.h"
#include "storage/rdb.h"
#include "storage/stream.h"

namespace firn::rdb {
namespace {

void PutIdKey(std::string* out, StreamId id) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((id.ms >> (8 * i)) & 0xff));
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((id.seq >> (8 * i)) & 0xff));
}

void PutTime(std::string* out, int64_t ms) {
  const auto u = static_cast<uint64_t>(ms);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

void PutId(std::string* out, StreamId id) {
  PutLength(out, id.ms);
  PutLength(out, id.seq);
}

uint64_t BigEndian(std::string_view b) {
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

int64_t AsSigned(uint64_t v) { return static_cast<int64_t>(v); }

std::string NodeListpack(const Stream& s, size_t i) {
  const Stream::NodeView v = s.NodeAt(i);
  ListpackWriter lp;
  lp.AppendInteger(v.live);
  lp.AppendInteger(v.deleted);
  lp.AppendInteger(AsSigned(v.master_fields.size()));
  for (std::string_view f : v.master_fields) lp.Append(f);
  lp.AppendInteger(0);
  s.ForEachInNode(i, [&](StreamId id, bool deleted, bool same, const StreamFields& fields) {
    lp.AppendInteger((deleted ? 1 : 0) | (same ? 2 : 0));
    lp.AppendInteger(AsSigned(id.ms - v.master.ms));
    lp.AppendInteger(AsSigned(id.seq - v.master.seq));
    if (!same) lp.AppendInteger(AsSigned(fields.size()));
    for (const auto& [f, value] : fields) {
      if (!same) lp.Append(f);
      lp.Append(value);
    }
    const auto n = static_cast<int64_t>(fields.size());
    lp.AppendInteger(same ? n + 3 : 2 * n + 4);
  });
  return lp.Finish();
}

bool ReadId(Reader& r, StreamId* id) { return r.Length(&id->ms) && r.Length(&id->seq); }

bool ReadRawId(Reader& r, StreamId* id) {
  std::string_view b;
  if (!r.Fixed(16, &b)) return false;
  *id = {BigEndian(b.substr(0, 8)), BigEndian(b.substr(8))};
  return true;
}

bool ReadTime(Reader& r, int64_t* ms) {
  std::string_view b;
  if (!r.Fixed(8, &b)) return false;
  uint64_t u = 0;
  for (int i = 7; i >= 0; --i) u = (u << 8) | static_cast<unsigned char>(b[i]);
  *ms = static_cast<int64_t>(u);
  return true;
}

// Walks one node's listpack as Redis's stream layout, loading its entries into s. after: the
// last id loaded before this node (or nullopt for the first node); updated to this node's
// last entry.
class NodeLoader {
 public:
  NodeLoader(Stream* s, StreamId master, size_t listpack_bytes)
      : s_(s), master_(master), listpack_bytes_(listpack_bytes) {}

  bool Element(std::string_view e) {
    switch (stage_) {
      case kLive:
        return Int(e, &live_) && live_ >= 1 && (stage_ = kDeleted, true);
      case kDeleted:
        return Int(e, &deleted_) && deleted_ >= 0 && (stage_ = kMasterCount, true);
      case kMasterCount:
        if (!Int(e, &n_) || n_ < 1) return false;
        stage_ = kMasterField;
        return true;
      case kMasterField:
        master_names_.emplace_back(e);
        if (static_cast<int64_t>(master_names_.size()) == n_) stage_ = kMasterEnd;
        return true;
      case kMasterEnd: {
        int64_t zero;
        if (!Int(e, &zero) || zero != 0) return false;
        std::vector<std::string_view> names(master_names_.begin(), master_names_.end());
        s_->LoadNode(master_, names, listpack_bytes_);
        stage_ = kFlags;
        return true;
      }
      case kFlags:
        if (!Int(e, &flags_) || flags_ < 0 || flags_ > 3) return false;
        stage_ = kMs;
        return true;
      case kMs: {
        int64_t d;
        if (!Int(e, &d)) return false;
        id_.ms = master_.ms + static_cast<uint64_t>(d);
        stage_ = kSeq;
        return true;
      }
      case kSeq: {
        int64_t d;
        if (!Int(e, &d)) return false;
        id_.seq = master_.seq + static_cast<uint64_t>(d);
        // Ids grow strictly, and a node's ids are at least its master (the key it is found by).
        if (id_ < master_ || (have_last_ && id_ <= last_)) return false;
        texts_.clear();
        if (flags_ & 2) {
          fields_ = static_cast<size_t>(n_);
          stage_ = kValue;
        } else {
          stage_ = kFieldCount;
        }
        return true;
      }
      case kFieldCount: {
        int64_t n;
        if (!Int(e, &n) || n < 1) return false;
        fields_ = static_cast<size_t>(n);
        stage_ = kField;
        return true;
      }
      case kField:
        texts_.emplace_back(e);
        stage_ = kValue;
        return true;
      case kValue:
        texts_.emplace_back(e);
        if (Collected() == fields_) {
          stage_ = kLpCount;
        } else {
          stage_ = (flags_ & 2) ? kValue : kField;
        }
        return true;
      case kLpCount: {
        int64_t n;
        const auto f = static_cast<int64_t>(fields_);
        if (!Int(e, &n) || n != ((flags_ & 2) ? f + 3 : 2 * f + 4)) return false;
        EndEntry();
        stage_ = kFlags;
        return true;
      }
    }
    return false;
  }

  // Whether the walk ended on an entry boundary with the master's counts matched.
  bool Done() const {
    return stage_ == kFlags && seen_live_ == live_ && seen_deleted_ == deleted_;
  }
  StreamId last() const { return last_; }
  void set_after(StreamId id) {
    last_ = id;
    have_last_ = true;
  }

 private:
  enum Stage {
    kLive, kDeleted, kMasterCount, kMasterField, kMasterEnd,
    kFlags, kMs, kSeq, kFieldCount, kField, kValue, kLpCount,
  };

  static bool Int(std::string_view e, int64_t* v) { return ParseInt64(e, v); }

  size_t Collected() const { return (flags_ & 2) ? texts_.size() : texts_.size() / 2; }

  void EndEntry() {
    StreamFields fields;
    fields.reserve(fields_);
    for (size_t i = 0; i < fields_; ++i) {
      if (flags_ & 2) {
        fields.emplace_back(master_names_[i], texts_[i]);
      } else {
        fields.emplace_back(texts_[2 * i], texts_[2 * i + 1]);
      }
    }
    const bool deleted = (flags_ & 1) != 0;
    s_->LoadEntry(id_, deleted, fields);
    (deleted ? seen_deleted_ : seen_live_) += 1;
    last_ = id_;
    have_last_ = true;
  }

  Stream* s_;
  StreamId master_;
  size_t listpack_bytes_;
  Stage stage_ = kLive;
  int64_t live_ = 0, deleted_ = 0, n_ = 0, flags_ = 0;
  int64_t seen_live_ = 0, seen_deleted_ = 0;
  // Copies: an integer element's text lives only during its callback.
  std::vector<std::string> master_names_;
  std::vector<std::string> texts_;
  size_t fields_ = 0;
  StreamId id_;
  StreamId last_;
  bool have_last_ = false;
};

bool LoadGroups(Reader& r, uint8_t type, Stream* s) {
  uint64_t groups;
  if (!r.Length(&groups)) return false;
  std::string scratch;
  for (uint64_t gi = 0; gi < groups; ++gi) {
    std::string_view name;
    StreamId last_id;
    if (!r.String(&scratch, &name) || !ReadId(r, &last_id)) return false;
    int64_t entries_read;
    if (type == kTypeStreamListpacks) {
      entries_read = s->EstimateEntriesRead(last_id);
    } else {
      uint64_t v;
      if (!r.Length(&v)) return false;
      entries_read = static_cast<int64_t>(v);
    }
    Stream::Group* g = s->CreateGroup(name, last_id, entries_read);
    if (g == nullptr) return false;  // a duplicate name
    uint64_t pel;
    if (!r.Length(&pel)) return false;
    for (uint64_t i = 0; i < pel; ++i) {
      StreamId id;
      auto p = std::make_unique<Stream::Pending>();
      uint64_t count;
      if (!ReadRawId(r, &id) || !ReadTime(r, &p->delivery_time_ms) || !r.Length(&count)) {
        return false;
      }
      p->delivery_count = count;
      if (!g->pel.emplace(id, std::move(p)).second) return false;
    }
    uint64_t consumers;
    if (!r.Length(&consumers)) return false;
    for (uint64_t ci = 0; ci < consumers; ++ci) {
      std::string_view cname;
      int64_t seen, active;
      if (!r.String(&scratch, &cname) || !ReadTime(r, &seen)) return false;
      if (type == kTypeStreamListpacks3) {
        if (!ReadTime(r, &active)) return false;
      } else {
        active = seen;  // what Redis 7.2 assumes for older files
      }
      bool created;
      Stream::Consumer* c = Stream::LookupOrCreateConsumer(g, cname, seen, &created);
      if (!created) return false;
      c->active_time_ms = active;
      uint64_t cpel;
      if (!r.Length(&cpel)) return false;
      for (uint64_t i = 0; i < cpel; ++i) {
        StreamId id;
        if (!ReadRawId(r, &id)) return false;
        auto it = g->pel.find(id);
        if (it == g->pel.end() || it->second->consumer != nullptr) return false;
        it->second->consumer = c;
        c->pel.emplace(id, it->second.get());
      }
    }
    for (const auto& [id, p] : g->pel) {
      if (p->consumer == nullptr) return false;  // a pending entry nobody owns
    }
  }
  return true;
}

}  // namespace

void EncodeStream(const Stream& s, std::string* out) {
  out->push_back(static_cast<char>(kTypeStreamListpacks2));
  PutLength(out, s.node_count());
  for (size_t i = 0; i < s.node_count(); ++i) {
    std::string key;
    PutIdKey(&key, s.NodeAt(i).master);
    PutString(out, key);
    PutString(out, NodeListpack(s, i));
  }
  PutLength(out, s.length());
  PutId(out, s.last_id());
  PutId(out, s.first_id());
  PutId(out, s.max_deleted_id());
  PutLength(out, s.entries_added());
  PutLength(out, s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    PutString(out, name);
    PutId(out, g->last_id);
    PutLength(out, static_cast<uint64_t>(g->entries_read));
    PutLength(out, g->pel.size());
    for (const auto& [id, p] : g->pel) {
      PutIdKey(out, id);
      PutTime(out, p->delivery_time_ms);
      PutLength(out, p->delivery_count);
    }
    PutLength(out, g->consumers.size());
    for (const auto& [cname, c] : g->consumers) {
      PutString(out, cname);
      PutTime(out, c->seen_time_ms);
      PutLength(out, c->pel.size());
      for (const auto& [id, p] : c->pel) PutIdKey(out, id);
    }
  }
}

Stream* DecodeStream(std::string_view object) {
  if (object.empty()) return nullptr;
  const auto type = static_cast<uint8_t>(object[0]);
  if (type != kTypeStreamListpacks && type != kTypeStreamListpacks2 &&
      type != kTypeStreamListpacks3) {
    return nullptr;
  }
  Reader r(object.substr(1));
  auto s = std::make_unique<Stream>();
  uint64_t nodes;
  if (!r.Length(&nodes)) return nullptr;
  std::string key_scratch, lp_scratch;
  bool have_last = false;
  StreamId last;
  for (uint64_t i = 0; i < nodes; ++i) {
    std::string_view key, lp;
    if (!r.String(&key_scratch, &key) || key.size() != 16) return nullptr;
    const StreamId master{BigEndian(key.substr(0, 8)), BigEndian(key.substr(8))};
    if (!r.String(&lp_scratch, &lp)) return nullptr;
    if (have_last && master <= last) return nullptr;
    NodeLoader loader(s.get(), master, lp.size());
    if (have_last) loader.set_after(last);
    if (!ForEachListpackElement(lp, [&](std::string_view e) { return loader.Element(e); }) ||
        !loader.Done()) {
      return nullptr;
    }
    last = loader.last();
    have_last = true;
  }
  uint64_t length;
  StreamId last_id, first_id, max_deleted;
  if (!r.Length(&length) || !ReadId(r, &last_id)) return nullptr;
  uint64_t entries_added = length;
  if (type != kTypeStreamListpacks) {
    if (!ReadId(r, &first_id) || !ReadId(r, &max_deleted) || !r.Length(&entries_added)) {
      return nullptr;
    }
  }
  if (length != s->length()) return nullptr;
  s->set_last_id(last_id);
  s->set_max_deleted_id(max_deleted);
  s->set_entries_added(entries_added);
  // The first id is the first live entry's, whatever the payload says.
  if (!s->FinishLoad()) return nullptr;
  if (!LoadGroups(r, type, s.get()) || !r.done()) return nullptr;
  return s.release();
}

}  // namespace firn::rdb
