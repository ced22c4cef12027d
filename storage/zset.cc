// ZSet: a B+ tree with subtree counts over (score, member), beside a member -> score table.
//
// What. The order lives in a B+ tree: leaves hold up to 64 (score, member view) items sorted,
// linked both ways for range walks; inner nodes hold up to 64 children with each child's
// smallest item (to route a search) and item count (to compute ranks and find the r-th item
// in one descent). The member bytes and scores live in a chained hash table (storage/hash.h,
// the score as its 8-byte value), which answers ZSCORE in O(1) and owns the bytes the tree's
// views point at (a table node never moves until its field is deleted).
//
// Why. Redis's skiplist spends a node per member with a backward pointer and on average 1.33
// levels of (forward pointer, span): about 37 bytes beyond the member, score and dict entry,
// and a pointer chase per level. A B+ tree keeps 64 items per leaf contiguous: one item is a
// 24-byte (score, view) pair, inner nodes add under 1 byte an item, and a search touches
// log64(n) nodes. Ranks come from the counts, as Dragonfly's B+ tree keeps them.
//
// Invariants. Every dict field has exactly one tree item with its score, and the reverse.
// Items are strictly ascending by (score, member bytes). An inner node's mins[i] is its child
// i's smallest item and counts[i] that child's item count; no node is empty except an empty
// root leaf. Nodes are split when full and freed when emptied, but not merged when they shrink
// (a tree emptied by deletes can hold sparse leaves; its height never exceeds what its largest
// size needed).
//
// Cost. O(log n) insert, delete, rank and select (64-way nodes: 3 levels hold 250k items);
// walking a range is O(1) an item. An insert or delete moves up to 63 items inside a node.
#include "storage/zset.h"

#include <algorithm>
#include <cstring>

namespace firn {

namespace {

constexpr uint32_t kCap = 64;
constexpr Hash::Limits kTableOnly{.max_compact_entries = 0, .max_compact_value = 0};

bool Less(const ZSet::Item& a, const ZSet::Item& b) {
  if (a.score != b.score) return a.score < b.score;
  return a.member < b.member;  // char_traits<char> compares as unsigned bytes, as memcmp
}

bool Same(const ZSet::Item& a, const ZSet::Item& b) {
  return a.score == b.score && a.member == b.member;
}

std::string_view ScoreBytes(const double* d) {
  return {reinterpret_cast<const char*>(d), sizeof(double)};
}

double ScoreOf(std::string_view bytes) {
  double d;
  std::memcpy(&d, bytes.data(), sizeof(d));
  return d;
}

}  // namespace

struct ZSet::Node {
  bool leaf;
  uint32_t n;
  size_t total;
};

struct ZSet::Leaf : ZSet::Node {
  Leaf* prev;
  Leaf* next;
  Item items[kCap];
};

struct ZSet::Inner : ZSet::Node {
  Node* child[kCap];
  Item mins[kCap];
  size_t counts[kCap];
};

ZSet::ZSet() {
  Leaf* l = new Leaf();
  l->leaf = true;
  l->n = 0;
  l->total = 0;
  l->prev = l->next = nullptr;
  root_ = l;
}

ZSet::~ZSet() { FreeRec(root_); }

void ZSet::FreeRec(Node* n) {
  if (!n->leaf) {
    auto* in = static_cast<Inner*>(n);
    for (uint32_t i = 0; i < in->n; ++i) FreeRec(in->child[i]);
    delete in;
  } else {
    delete static_cast<Leaf*>(n);
  }
}

ZSet::ZSet(const ZSet& other) : ZSet() {
  other.ForEach([&](const Item& it) { Set(it.member, it.score); });
}

size_t ZSet::MemoryBytes() const {
  size_t bytes = sizeof(ZSet) + dict_.MemoryBytes();
  std::function<void(const Node*)> walk = [&](const Node* n) {
    if (n->leaf) {
      bytes += sizeof(Leaf);
      return;
    }
    bytes += sizeof(Inner);
    const auto* in = static_cast<const Inner*>(n);
    for (uint32_t i = 0; i < in->n; ++i) walk(in->child[i]);
  };
  walk(root_);
  return bytes;
}

// The smallest item under n. REQUIRES: n is not empty.
static ZSet::Item NodeMin(const ZSet::Node* n) {
  while (!n->leaf) n = static_cast<const ZSet::Inner*>(n)->child[0];
  return static_cast<const ZSet::Leaf*>(n)->items[0];
}

// The child of an inner node an item belongs under: the last whose smallest item is <= it.
static uint32_t ChildFor(const ZSet::Inner* in, const ZSet::Item& it) {
  uint32_t i = 0;
  while (i + 1 < in->n && !Less(it, in->mins[i + 1])) ++i;
  return i;
}

ZSet::Node* ZSet::InsertRec(Node* n, const Item& it) {
  if (n->leaf) {
    auto* l = static_cast<Leaf*>(n);
    const uint32_t pos =
        static_cast<uint32_t>(std::upper_bound(l->items, l->items + l->n, it, Less) - l->items);
    std::memmove(&l->items[pos + 1], &l->items[pos], (l->n - pos) * sizeof(Item));
    l->items[pos] = it;
    ++l->n;
    ++l->total;
    if (l->n < kCap) return nullptr;
    Leaf* r = new Leaf();
    r->leaf = true;
    r->n = l->n / 2;
    std::memcpy(r->items, &l->items[l->n - r->n], r->n * sizeof(Item));
    l->n -= r->n;
    l->total = l->n;
    r->total = r->n;
    r->prev = l;
    r->next = l->next;
    if (l->next != nullptr) l->next->prev = r;
    l->next = r;
    return r;
  }
  auto* in = static_cast<Inner*>(n);
  const uint32_t i = ChildFor(in, it);
  Node* split = InsertRec(in->child[i], it);
  in->mins[i] = NodeMin(in->child[i]);
  in->counts[i] = in->child[i]->total;
  ++in->total;
  if (split == nullptr) return nullptr;
  const uint32_t at = i + 1;
  std::memmove(&in->child[at + 1], &in->child[at], (in->n - at) * sizeof(Node*));
  std::memmove(&in->mins[at + 1], &in->mins[at], (in->n - at) * sizeof(Item));
  std::memmove(&in->counts[at + 1], &in->counts[at], (in->n - at) * sizeof(size_t));
  in->child[at] = split;
  in->mins[at] = NodeMin(split);
  in->counts[at] = split->total;
  ++in->n;
  if (in->n < kCap) return nullptr;
  Inner* r = new Inner();
  r->leaf = false;
  r->n = in->n / 2;
  const uint32_t from = in->n - r->n;
  std::memcpy(r->child, &in->child[from], r->n * sizeof(Node*));
  std::memcpy(r->mins, &in->mins[from], r->n * sizeof(Item));
  std::memcpy(r->counts, &in->counts[from], r->n * sizeof(size_t));
  in->n = from;
  r->total = 0;
  for (uint32_t k = 0; k < r->n; ++k) r->total += r->counts[k];
  in->total -= r->total;
  return r;
}

bool ZSet::EraseRec(Node* n, const Item& it) {
  if (n->leaf) {
    auto* l = static_cast<Leaf*>(n);
    Item* p = std::lower_bound(l->items, l->items + l->n, it, Less);
    if (p == l->items + l->n || !Same(*p, it)) return false;
    std::memmove(p, p + 1, (l->items + l->n - p - 1) * sizeof(Item));
    --l->n;
    --l->total;
    return true;
  }
  auto* in = static_cast<Inner*>(n);
  const uint32_t i = ChildFor(in, it);
  Node* c = in->child[i];
  if (!EraseRec(c, it)) return false;
  --in->total;
  if (c->total > 0) {
    in->mins[i] = NodeMin(c);
    in->counts[i] = c->total;
    return true;
  }
  // The child emptied. A leaf leaves the leaf list; an inner child has no children left
  // (each of its leaves was unlinked as it emptied).
  if (c->leaf) {
    auto* dead = static_cast<Leaf*>(c);
    if (dead->prev != nullptr) dead->prev->next = dead->next;
    if (dead->next != nullptr) dead->next->prev = dead->prev;
  }
  FreeRec(c);
  std::memmove(&in->child[i], &in->child[i + 1], (in->n - i - 1) * sizeof(Node*));
  std::memmove(&in->mins[i], &in->mins[i + 1], (in->n - i - 1) * sizeof(Item));
  std::memmove(&in->counts[i], &in->counts[i + 1], (in->n - i - 1) * sizeof(size_t));
  --in->n;
  return true;
}

std::optional<double> ZSet::Score(std::string_view member) const {
  std::optional<std::string_view> v = dict_.Get(member);
  if (!v) return std::nullopt;
  return ScoreOf(*v);
}

bool ZSet::Set(std::string_view member, double score) {
  if (score == 0) score = 0;  // -0 is stored as 0, as Redis's compact encoding prints it
  if (std::optional<double> old = Score(member)) {
    if (*old == score) return false;
    const std::string_view stored = *dict_.StoredField(member);
    EraseRec(root_, Item{*old, stored});
    dict_.Set(member, ScoreBytes(&score), kTableOnly);  // same size: rewritten in place
    Item it{score, stored};
    if (Node* split = InsertRec(root_, it)) {
      auto* r = new Inner();
      r->leaf = false;
      r->n = 2;
      r->child[0] = root_;
      r->child[1] = split;
      r->mins[0] = NodeMin(root_);
      r->mins[1] = NodeMin(split);
      r->counts[0] = root_->total;
      r->counts[1] = split->total;
      r->total = root_->total + split->total;
      root_ = r;
    }
    return false;
  }
  dict_.Set(member, ScoreBytes(&score), kTableOnly);
  Item it{score, *dict_.StoredField(member)};
  if (Node* split = InsertRec(root_, it)) {
    auto* r = new Inner();
    r->leaf = false;
    r->n = 2;
    r->child[0] = root_;
    r->child[1] = split;
    r->mins[0] = NodeMin(root_);
    r->mins[1] = NodeMin(split);
    r->counts[0] = root_->total;
    r->counts[1] = split->total;
    r->total = root_->total + split->total;
    root_ = r;
  }
  return true;
}

bool ZSet::Remove(std::string_view member) {
  std::optional<double> old = Score(member);
  if (!old) return false;
  EraseRec(root_, Item{*old, *dict_.StoredField(member)});
  dict_.Delete(member);
  // Collapse a root left with one child, or with none.
  while (!root_->leaf) {
    auto* in = static_cast<Inner*>(root_);
    if (in->n > 1) break;
    if (in->n == 0) {
      delete in;
      Leaf* l = new Leaf();
      l->leaf = true;
      l->n = 0;
      l->total = 0;
      l->prev = l->next = nullptr;
      root_ = l;
      break;
    }
    root_ = in->child[0];
    delete in;
  }
  return true;
}

std::optional<size_t> ZSet::Rank(std::string_view member) const {
  std::optional<double> score = Score(member);
  if (!score) return std::nullopt;
  const Item it{*score, member};
  size_t rank = 0;
  const Node* n = root_;
  while (!n->leaf) {
    const auto* in = static_cast<const Inner*>(n);
    const uint32_t i = ChildFor(in, it);
    for (uint32_t k = 0; k < i; ++k) rank += in->counts[k];
    n = in->child[i];
  }
  const auto* l = static_cast<const Leaf*>(n);
  return rank +
         static_cast<size_t>(std::lower_bound(l->items, l->items + l->n, it, Less) - l->items);
}

ZSet::Pos ZSet::AtRank(size_t r) const {
  Pos p;
  if (r >= size()) return p;
  p.rank = r;
  const Node* n = root_;
  while (!n->leaf) {
    const auto* in = static_cast<const Inner*>(n);
    uint32_t i = 0;
    while (r >= in->counts[i]) r -= in->counts[i++];
    n = in->child[i];
  }
  p.leaf = n;
  p.index = static_cast<uint32_t>(r);
  return p;
}

ZSet::Pos ZSet::FirstWhere(const std::function<bool(const Item&)>& pred) const {
  size_t rank = 0;
  const Node* n = root_;
  while (!n->leaf) {
    const auto* in = static_cast<const Inner*>(n);
    // The first child whose smallest item satisfies pred; the answer is in the child before
    // it (after that child's smallest) or is that smallest item itself.
    uint32_t j = 0;
    while (j < in->n && !pred(in->mins[j])) ++j;
    const uint32_t i = j == 0 ? 0 : j - 1;
    for (uint32_t k = 0; k < i; ++k) rank += in->counts[k];
    n = in->child[i];
  }
  const auto* l = static_cast<const Leaf*>(n);
  uint32_t idx = 0;
  while (idx < l->n && !pred(l->items[idx])) ++idx;
  Pos p;
  p.rank = rank + idx;
  if (p.rank >= size()) return Pos();
  if (idx == l->n) {
    l = l->next;
    idx = 0;
  }
  p.leaf = l;
  p.index = idx;
  return p;
}

ZSet::Item ZSet::Get(const Pos& p) const {
  return static_cast<const Leaf*>(p.leaf)->items[p.index];
}

ZSet::Pos ZSet::Next(const Pos& p) const {
  Pos q = p;
  const auto* l = static_cast<const Leaf*>(p.leaf);
  ++q.rank;
  if (++q.index == l->n) {
    q.leaf = l->next;
    q.index = 0;
  }
  if (q.rank >= size()) q.leaf = nullptr;
  return q;
}

ZSet::Pos ZSet::Prev(const Pos& p) const {
  Pos q = p;
  if (p.rank == 0) return Pos();
  --q.rank;
  if (q.index == 0) {
    const auto* l = static_cast<const Leaf*>(p.leaf)->prev;
    q.leaf = l;
    q.index = l->n - 1;
  } else {
    --q.index;
  }
  return q;
}

uint64_t ZSet::Scan(uint64_t cursor, size_t count,
                    const std::function<void(const Item&)>& fn) const {
  return dict_.Scan(cursor, count, [&](std::string_view member, std::string_view score) {
    fn(Item{ScoreOf(score), member});
  });
}

void ZSet::ForEach(const std::function<void(const Item&)>& fn) const {
  for (Pos p = AtRank(0); p.Valid(); p = Next(p)) fn(Get(p));
}

}  // namespace firn
