// ZSet: a sorted buffer for small sorted sets; for the rest, a B+ tree of member records with
// subtree counts beside an open-addressing index of the same records.
//
// What. A new sorted set is one malloc'd buffer of entries in (score, member) order, each
//
//   [member length, LEB128] [member bytes] [score, 8-byte double] [length again, backwards]
//
// so it is walked from either end (the trailing length reads backwards, as listpack's
// backlen): Redis's listpack encoding in shape and cost. Past zset-max-listpack-entries
// members, or once a member is longer than zset-max-listpack-value bytes, it converts for
// good to the big form:
//   - a record per member, one allocation holding [score][LEB128 length][member bytes] and
//     nothing else: a 13-byte member takes a 24-byte jemalloc block;
//   - a B+ tree ordered by (score, member bytes) whose leaves hold up to 124 record pointers
//     and link both ways, and whose inner nodes hold up to 42 children with each child's
//     smallest record (to route a search) and item count (to find ranks and the r-th item in
//     one descent). Both node kinds are exactly 1 KiB, a jemalloc size class;
//   - an index from member to record: linear probing over 8-byte slots, each a record
//     pointer with 16 bits of the member's hash in its unused top bits, so a probe compares
//     tags without touching the record. A member's home slot is the high half of
//     hash * capacity (any capacity, not only powers of two), so the table grows by half
//     and the slots stay in hash order, which is what SCAN's cursor relies on.
//
// Why. Redis keeps a member twice over: an sds in a dict entry (24 bytes plus the sds header
// and a bucket) and a skiplist node (score, backward pointer, on average 1.33 levels of
// forward pointer and span): about 37 bytes beyond the member and score, plus a pointer chase
// per level on every search. Here the member and score live once, in the record; the tree
// spends 8 bytes a member in a leaf (about 11 at the 70% fill random inserts leave, 8 when
// members arrive in score order, as timestamps do: a full leaf that is appended to at its end
// splits off a new leaf with just the new item instead of splitting in half), the index 10-15
// bytes at a load between 0.53 and 0.8, the inner nodes under 1. Ranks come from the counts,
// as Dragonfly's B+ tree keeps them. Measured on a 1M-member set of `member:N` members with
// random scores (bench/workloads/collections.py): 57 bytes of RSS a member, Redis 7.0 117.
// An old index of 1 MiB or more is purged from the allocator as it is freed, else jemalloc
// keeps the freed tables (twice the final one, summed over the growths) resident for 10 s.
//
// Invariants. Compact: buf_ holds exactly size_ entries in buf_bytes_ bytes, strictly
// ascending by (score, member), no member twice. Tree: every record is in the index once and
// in exactly one leaf once; leaves are strictly ascending by (score, member bytes) and linked
// in that order; an inner node's mins[i] is its child i's smallest record and counts[i] that
// child's item count; no node is empty except an empty root leaf. An index slot is 0 (empty)
// or tag << 48 | record; every record is in exactly one of the two arrays while migrating,
// and sits at or after its home slot (in the old array, at or after max(home, moved)) with no
// empty slot between (there is no wrap-around: each array has tail slots past the last home,
// and a probe that would run off them rehashes at once into a bigger array). Leaves are merged with a neighbour when one
// falls under a quarter full and both fit in one; inner nodes are freed when emptied but not
// merged.
//
// Cost. Compact: O(size) per operation, bounded by the entry limit. Tree: O(log n) insert,
// delete, rank and select (3 levels hold 200k members, 4 hold 9M), a range walk O(1) a member;
// score lookup O(1) expected through the index. The index resizes incrementally, as Redis's
// dict does: when it grows past kMaxLoad (or falls under a quarter full) a new slot array is
// allocated (calloc: no per-member work) and every later insert or delete moves the next
// kMoveSlots slots of the old array into it, so no single operation pays for the whole set
// (score and rank lookups move it on too, so a set only read after its load sheds the old
// array as well; moving slots changes no record, position or member view).
// While both arrays are live a lookup probes the new one and then the old one from
// max(home, moved) on (the old array's slots before `moved` are empty, and the members of a
// run that straddled `moved` stay in place after it). The pace suffices: a growth by half
// leaves 0.4 old capacities of inserts before the next growth for 1 old capacity of slots to
// move (2.5 a insert; kMoveSlots is 16), a shrink 0.15 for 1 (6.7). Only when a probe run
// would overflow the new array's tail does an operation rehash everything at once; the tail
// is kTail + min(cap / 16, 1024) slots, so at load 0.8 that takes a run of over a thousand
// slots in a big table (probability about e^-23 a growth). A deletion backward-shifts the
// probe run behind the hole (rehashing each shifted member's bytes to find its home).
//
// Tunables. zset-max-listpack-entries (128) and zset-max-listpack-value (64 bytes), Redis's
// names and defaults; kLeafCap and kInnerCap below; the index's maximum load kMaxLoad and
// migration pace kMoveSlots.
#include "storage/zset.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "storage/dict.h"
#include "storage/memory.h"
#include "storage/varint.h"

namespace firn {

namespace {

constexpr uint32_t kLeafCap = 124;   // 32-byte header + 124 pointers = 1024 bytes
constexpr uint32_t kInnerCap = 42;   // 16-byte header + 42 * 24 = 1024 bytes
constexpr size_t kTail = 32;         // index slots past the last home slot, at least
constexpr size_t kMinSlots = 16;
constexpr double kMaxLoad = 0.8;
constexpr size_t kMoveSlots = 16;    // old index slots migrated per insert or delete
constexpr uint64_t kPtrMask = (uint64_t{1} << 48) - 1;
// An old index at least this big is handed back to the system as soon as it is freed.
constexpr size_t kReleaseAfterBytes = size_t{1} << 20;

void* Allocate(size_t bytes) {
  void* p = std::malloc(bytes);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// The varint of n with its groups in reverse order, so it reads backwards from its end.
char* PutBackVarint(char* p, size_t n) {
  char groups[10];
  char* end = PutVarint(groups, n);
  for (char* g = end; g != groups;) *p++ = *--g;
  return p;
}

size_t GetBackVarint(const char* end) {
  size_t n = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<unsigned char>(*--end);
    n |= static_cast<size_t>(b & 127) << shift;
    if ((b & 128) == 0) return n;
  }
}

bool Less(const ZSet::Item& a, const ZSet::Item& b) {
  if (a.score != b.score) return a.score < b.score;
  return a.member < b.member;  // char_traits<char> compares as unsigned bytes, as memcmp
}

// --- compact entries ---

size_t EntryBytes(size_t len) { return 2 * VarintSize(len) + len + sizeof(double); }

// The entry at p, and the byte after it.
const char* ReadEntry(const char* p, ZSet::Item* it) {
  size_t n;
  p = GetVarint(p, &n);
  it->member = {p, n};
  std::memcpy(&it->score, p + n, sizeof(double));
  return p + n + sizeof(double) + VarintSize(n);
}

void WriteEntry(char* p, const ZSet::Item& it) {
  p = PutVarint(p, it.member.size());
  if (!it.member.empty()) std::memcpy(p, it.member.data(), it.member.size());
  p += it.member.size();
  std::memcpy(p, &it.score, sizeof(double));
  PutBackVarint(p + sizeof(double), it.member.size());
}

// --- records ---

using Rec = char;  // [double score][LEB128 length][member bytes]

double RecScore(const Rec* r) {
  double d;
  std::memcpy(&d, r, sizeof(d));
  return d;
}

std::string_view RecMember(const Rec* r) {
  size_t n;
  const char* p = GetVarint(r + sizeof(double), &n);
  return {p, n};
}

ZSet::Item ItemOf(const Rec* r) { return {RecScore(r), RecMember(r)}; }

size_t RecBytes(size_t len) { return sizeof(double) + VarintSize(len) + len; }

// jemalloc's size class for small blocks, near enough for MEMORY USAGE.
size_t Rounded(size_t bytes) { return bytes <= 8 ? 8 : (bytes + 15) & ~size_t{15}; }

Rec* MakeRec(std::string_view member, double score) {
  Rec* r = static_cast<Rec*>(Allocate(RecBytes(member.size())));
  std::memcpy(r, &score, sizeof(score));
  char* p = PutVarint(r + sizeof(double), member.size());
  if (!member.empty()) std::memcpy(p, member.data(), member.size());
  return r;
}

void SetRecScore(Rec* r, double score) { std::memcpy(r, &score, sizeof(score)); }

uint64_t Home(uint64_t hash, size_t cap) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(hash) * cap) >> 64);
}

uint64_t Tag(uint64_t hash) { return (hash & 0xFFFF) << 48; }

// Slots past the last home slot of an index of cap home slots: a probe that would run off
// them forces a rehash at once, so big tables get a longer tail.
size_t TailFor(size_t cap) { return kTail + std::min<size_t>(cap / 16, 1024); }

Rec* SlotRec(uint64_t slot) { return reinterpret_cast<Rec*>(slot & kPtrMask); }

}  // namespace

// --- the tree ---

struct ZSet::Node {
  uint32_t leaf;
  uint32_t n;
  size_t total;
};

struct ZSet::Leaf : ZSet::Node {
  Leaf* prev;
  Leaf* next;
  Rec* items[kLeafCap];
};

struct ZSet::Inner : ZSet::Node {
  Node* child[kInnerCap];
  Rec* mins[kInnerCap];
  size_t counts[kInnerCap];
};

static_assert(sizeof(ZSet::Leaf) == 1024);
static_assert(sizeof(ZSet::Inner) == 1024);

struct ZSet::Big {
  Node* root = nullptr;
  uint64_t* slots = nullptr;  // cap + tail
  size_t cap = 0;             // home slots
  size_t tail = 0;
  // While migrating: the previous slot array, its slots [0, moved) already moved to slots.
  uint64_t* old = nullptr;
  size_t old_cap = 0;
  size_t old_tail = 0;
  size_t moved = 0;
  size_t nodes = 0;      // leaves and inner nodes, 1 KiB each
  size_t rec_bytes = 0;  // the records' blocks
  size_t work = 0;       // index slots visited by migrations and rehashes, for tests

  ~Big();
  Leaf* NewLeaf();
  Inner* NewInner();
  void FreeNode(Node* n);
  void FreeTree(Node* n);

  // The slot holding member's record (in either array), or nullptr.
  uint64_t* Find(std::string_view member, uint64_t hash) const;
  // Adds r (absent) to the index, size_after members in all; starts a growth when needed.
  void IndexAdd(Rec* r, uint64_t hash, size_t size_after);
  // Empties slot (from Find) and closes its probe run; starts a shrink below a quarter full.
  void IndexErase(uint64_t* slot, size_t size_after);
  // Begins migrating to a fresh array of c home slots.
  void StartMigration(size_t c);
  // Moves the next kMoveSlots slots of the old array (no-op when not migrating).
  void Step();
  // Every member of both arrays into one fresh array of at least want home slots, at once.
  void RehashAll(size_t want);
  static bool Place(uint64_t* slots, size_t cap, size_t tail, Rec* r, uint64_t hash);

  Node* Insert(Node* n, const Item& it, Rec* r);
  bool Erase(Node* n, const Item& it, const Rec* r);
  void InsertTop(Rec* r);
  void EraseTop(Rec* r);
};

namespace {

const Rec* NodeMin(const ZSet::Node* n) {
  while (!n->leaf) n = static_cast<const ZSet::Inner*>(n)->child[0];
  return static_cast<const ZSet::Leaf*>(n)->items[0];
}

// The child of an inner node an item belongs under: the last whose smallest item is <= it.
uint32_t ChildFor(const ZSet::Inner* in, const ZSet::Item& it) {
  // Binary search: each probe reads a record, so halving beats a walk over 42 of them.
  uint32_t lo = 1, hi = in->n;  // the answer is (first i >= 1 with it < mins[i]) - 1
  while (lo < hi) {
    const uint32_t mid = (lo + hi) / 2;
    if (Less(it, ItemOf(in->mins[mid]))) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo - 1;
}

// The first index of the leaf whose record is not below it (items[n] if none).
uint32_t LowerBound(const ZSet::Leaf* l, const ZSet::Item& it) {
  return static_cast<uint32_t>(
      std::lower_bound(l->items, l->items + l->n, it,
                       [](const Rec* r, const ZSet::Item& x) { return Less(ItemOf(r), x); }) -
      l->items);
}

}  // namespace

ZSet::Big::~Big() {
  if (root != nullptr) FreeTree(root);
  for (uint64_t* array : {slots, old}) {
    if (array == nullptr) continue;
    const size_t end = array == slots ? cap + tail : old_cap + old_tail;
    for (size_t i = 0; i < end; ++i) {
      if (array[i] != 0) std::free(SlotRec(array[i]));
    }
    std::free(array);
  }
}

ZSet::Leaf* ZSet::Big::NewLeaf() {
  auto* l = static_cast<Leaf*>(Allocate(sizeof(Leaf)));
  l->leaf = 1;
  l->n = 0;
  l->total = 0;
  l->prev = l->next = nullptr;
  ++nodes;
  return l;
}

ZSet::Inner* ZSet::Big::NewInner() {
  auto* in = static_cast<Inner*>(Allocate(sizeof(Inner)));
  in->leaf = 0;
  in->n = 0;
  in->total = 0;
  ++nodes;
  return in;
}

void ZSet::Big::FreeNode(Node* n) {
  std::free(n);
  --nodes;
}

void ZSet::Big::FreeTree(Node* n) {
  if (!n->leaf) {
    auto* in = static_cast<Inner*>(n);
    for (uint32_t i = 0; i < in->n; ++i) FreeTree(in->child[i]);
  }
  FreeNode(n);
}

namespace {

// The slot of member in one array, probing from max(home, from), or nullptr.
uint64_t* FindIn(uint64_t* slots, size_t cap, size_t tail, size_t from, std::string_view member,
                 uint64_t hash) {
  const uint64_t tag = Tag(hash);
  for (size_t i = std::max<size_t>(Home(hash, cap), from); i < cap + tail; ++i) {
    const uint64_t s = slots[i];
    if (s == 0) return nullptr;
    if ((s & ~kPtrMask) == tag && RecMember(SlotRec(s)) == member) return &slots[i];
  }
  return nullptr;
}

// Empties slot hole of one array and backward-shifts its run: a member further along moves
// into the hole when its home is at or before it, so no probe crosses an empty slot to
// reach its member.
void EraseIn(uint64_t* slots, size_t cap, size_t tail, size_t hole) {
  slots[hole] = 0;
  for (size_t j = hole + 1; j < cap + tail && slots[j] != 0; ++j) {
    if (Home(HashKey(RecMember(SlotRec(slots[j]))), cap) <= hole) {
      slots[hole] = slots[j];
      slots[j] = 0;
      hole = j;
    }
  }
}

void FreeIndexArray(uint64_t* slots, size_t bytes) {
  std::free(slots);
  if (bytes >= kReleaseAfterBytes) ReleaseFreedPages();
}

}  // namespace

uint64_t* ZSet::Big::Find(std::string_view member, uint64_t hash) const {
  if (slots == nullptr) return nullptr;
  if (uint64_t* s = FindIn(slots, cap, tail, 0, member, hash)) return s;
  if (old == nullptr) return nullptr;
  return FindIn(old, old_cap, old_tail, moved, member, hash);
}

bool ZSet::Big::Place(uint64_t* into, size_t c, size_t t, Rec* r, uint64_t hash) {
  for (size_t i = Home(hash, c); i < c + t; ++i) {
    if (into[i] == 0) {
      into[i] = Tag(hash) | reinterpret_cast<uint64_t>(r);
      return true;
    }
  }
  return false;
}

void ZSet::Big::RehashAll(size_t want) {
  for (size_t c = std::max(want, kMinSlots);; c += c / 2) {
    const size_t t = TailFor(c);
    auto* fresh = static_cast<uint64_t*>(std::calloc(c + t, sizeof(uint64_t)));
    if (fresh == nullptr) throw std::bad_alloc();
    bool ok = true;
    for (uint64_t* array : {slots, old}) {
      if (array == nullptr) continue;
      const size_t end = array == slots ? cap + tail : old_cap + old_tail;
      work += end;
      for (size_t i = array == old ? moved : 0; ok && i < end; ++i) {
        if (array[i] == 0) continue;
        Rec* r = SlotRec(array[i]);
        ok = Place(fresh, c, t, r, HashKey(RecMember(r)));
      }
    }
    if (!ok) {  // a probe run longer than the tail: try a larger table
      std::free(fresh);
      continue;
    }
    if (slots != nullptr) FreeIndexArray(slots, (cap + tail) * sizeof(uint64_t));
    if (old != nullptr) FreeIndexArray(old, (old_cap + old_tail) * sizeof(uint64_t));
    old = nullptr;
    slots = fresh;
    cap = c;
    tail = t;
    return;
  }
}

void ZSet::Big::StartMigration(size_t c) {
  if (old != nullptr) RehashAll(cap);  // the previous one is not done: only a fallback
  c = std::max(c, kMinSlots);
  const size_t t = TailFor(c);
  auto* fresh = static_cast<uint64_t*>(std::calloc(c + t, sizeof(uint64_t)));
  if (fresh == nullptr) throw std::bad_alloc();
  old = slots;
  old_cap = cap;
  old_tail = tail;
  moved = 0;
  slots = fresh;
  cap = c;
  tail = t;
}

void ZSet::Big::Step() {
  if (old == nullptr) return;
  const size_t end = old_cap + old_tail;
  const size_t stop = std::min(end, moved + kMoveSlots);
  work += stop - moved;
  for (; moved < stop; ++moved) {
    const uint64_t s = old[moved];
    if (s == 0) continue;
    Rec* r = SlotRec(s);
    if (!Place(slots, cap, tail, r, HashKey(RecMember(r)))) {
      RehashAll(cap + cap / 2);  // the new array's tail overflowed: the rare fallback
      return;
    }
    old[moved] = 0;
  }
  if (moved == end) {
    FreeIndexArray(old, end * sizeof(uint64_t));
    old = nullptr;
  }
}

void ZSet::Big::IndexAdd(Rec* r, uint64_t hash, size_t size_after) {
  Step();
  if (slots == nullptr) {
    RehashAll(static_cast<size_t>(size_after / kMaxLoad) + 1);
  } else if (static_cast<double>(size_after) > kMaxLoad * static_cast<double>(cap)) {
    StartMigration(std::max(cap + cap / 2, static_cast<size_t>(size_after / kMaxLoad) + 1));
  }
  while (!Place(slots, cap, tail, r, hash)) RehashAll(cap + cap / 2);
}

void ZSet::Big::IndexErase(uint64_t* slot, size_t size_after) {
  if (old != nullptr && slot >= old && slot < old + old_cap + old_tail) {
    EraseIn(old, old_cap, old_tail, static_cast<size_t>(slot - old));
  } else {
    EraseIn(slots, cap, tail, static_cast<size_t>(slot - slots));
  }
  Step();
  if (old == nullptr && cap > kMinSlots && size_after * 4 < cap) StartMigration(size_after * 2);
}

ZSet::Node* ZSet::Big::Insert(Node* n, const Item& it, Rec* r) {
  if (n->leaf) {
    auto* l = static_cast<Leaf*>(n);
    const uint32_t pos = LowerBound(l, it);
    if (l->n < kLeafCap) {
      std::memmove(&l->items[pos + 1], &l->items[pos], (l->n - pos) * sizeof(Rec*));
      l->items[pos] = r;
      ++l->n;
      ++l->total;
      return nullptr;
    }
    Leaf* right = NewLeaf();
    if (pos == l->n) {  // appending at the end: keep this leaf full
      right->items[0] = r;
      right->n = 1;
    } else if (pos == 0) {  // prepending: the new item alone on the left
      std::memcpy(right->items, l->items, l->n * sizeof(Rec*));
      right->n = l->n;
      l->items[0] = r;
      l->n = 1;
    } else {
      const uint32_t half = l->n / 2;
      right->n = l->n - half;
      std::memcpy(right->items, &l->items[half], right->n * sizeof(Rec*));
      l->n = half;
      Leaf* into = pos <= half ? l : right;
      const uint32_t at = pos <= half ? pos : pos - half;
      std::memmove(&into->items[at + 1], &into->items[at], (into->n - at) * sizeof(Rec*));
      into->items[at] = r;
      ++into->n;
    }
    l->total = l->n;
    right->total = right->n;
    right->prev = l;
    right->next = l->next;
    if (l->next != nullptr) l->next->prev = right;
    l->next = right;
    return right;
  }
  auto* in = static_cast<Inner*>(n);
  const uint32_t i = ChildFor(in, it);
  Node* split = Insert(in->child[i], it, r);
  in->mins[i] = const_cast<Rec*>(NodeMin(in->child[i]));
  in->counts[i] = in->child[i]->total;
  ++in->total;
  if (split == nullptr) return nullptr;
  const uint32_t at = i + 1;
  auto put = [](Inner* node, uint32_t k, Node* c) {
    std::memmove(&node->child[k + 1], &node->child[k], (node->n - k) * sizeof(Node*));
    std::memmove(&node->mins[k + 1], &node->mins[k], (node->n - k) * sizeof(Rec*));
    std::memmove(&node->counts[k + 1], &node->counts[k], (node->n - k) * sizeof(size_t));
    node->child[k] = c;
    node->mins[k] = const_cast<Rec*>(NodeMin(c));
    node->counts[k] = c->total;
    ++node->n;
  };
  if (in->n < kInnerCap) {
    put(in, at, split);
    return nullptr;
  }
  Inner* right = NewInner();
  if (at == in->n) {
    put(right, 0, split);
  } else {
    const uint32_t half = in->n / 2;
    right->n = in->n - half;
    std::memcpy(right->child, &in->child[half], right->n * sizeof(Node*));
    std::memcpy(right->mins, &in->mins[half], right->n * sizeof(Rec*));
    std::memcpy(right->counts, &in->counts[half], right->n * sizeof(size_t));
    in->n = half;
    if (at <= half) {
      put(in, at, split);
    } else {
      put(right, at - half, split);
    }
  }
  in->total = 0;
  for (uint32_t k = 0; k < in->n; ++k) in->total += in->counts[k];
  right->total = 0;
  for (uint32_t k = 0; k < right->n; ++k) right->total += right->counts[k];
  return right;
}

bool ZSet::Big::Erase(Node* n, const Item& it, const Rec* r) {
  if (n->leaf) {
    auto* l = static_cast<Leaf*>(n);
    const uint32_t pos = LowerBound(l, it);
    if (pos == l->n || l->items[pos] != r) return false;
    std::memmove(&l->items[pos], &l->items[pos + 1], (l->n - pos - 1) * sizeof(Rec*));
    --l->n;
    --l->total;
    return true;
  }
  auto* in = static_cast<Inner*>(n);
  const uint32_t i = ChildFor(in, it);
  Node* c = in->child[i];
  if (!Erase(c, it, r)) return false;
  --in->total;
  auto drop = [&](uint32_t k) {
    std::memmove(&in->child[k], &in->child[k + 1], (in->n - k - 1) * sizeof(Node*));
    std::memmove(&in->mins[k], &in->mins[k + 1], (in->n - k - 1) * sizeof(Rec*));
    std::memmove(&in->counts[k], &in->counts[k + 1], (in->n - k - 1) * sizeof(size_t));
    --in->n;
  };
  if (c->total == 0) {
    // The child emptied. A leaf leaves the leaf list; an inner child has no children left
    // (each of its leaves was unlinked as it emptied).
    if (c->leaf) {
      auto* dead = static_cast<Leaf*>(c);
      if (dead->prev != nullptr) dead->prev->next = dead->next;
      if (dead->next != nullptr) dead->next->prev = dead->prev;
    }
    FreeTree(c);
    drop(i);
    return true;
  }
  in->mins[i] = const_cast<Rec*>(NodeMin(c));
  in->counts[i] = c->total;
  // A leaf under a quarter full joins a neighbour under the same parent when both fit.
  if (c->leaf && c->n < kLeafCap / 4) {
    auto* l = static_cast<Leaf*>(c);
    uint32_t left = UINT32_MAX;
    if (i + 1 < in->n && l->n + in->child[i + 1]->n <= kLeafCap) {
      left = i;
    } else if (i > 0 && l->n + in->child[i - 1]->n <= kLeafCap) {
      left = i - 1;
    }
    if (left != UINT32_MAX) {
      auto* a = static_cast<Leaf*>(in->child[left]);
      auto* b = static_cast<Leaf*>(in->child[left + 1]);
      std::memcpy(&a->items[a->n], b->items, b->n * sizeof(Rec*));
      a->n += b->n;
      a->total = a->n;
      a->next = b->next;
      if (b->next != nullptr) b->next->prev = a;
      in->counts[left] = a->total;
      FreeNode(b);
      drop(left + 1);
    }
  }
  return true;
}

void ZSet::Big::InsertTop(Rec* r) {
  if (root == nullptr) root = NewLeaf();
  if (Node* split = Insert(root, ItemOf(r), r)) {
    Inner* top = NewInner();
    top->n = 2;
    top->child[0] = root;
    top->child[1] = split;
    top->mins[0] = const_cast<Rec*>(NodeMin(root));
    top->mins[1] = const_cast<Rec*>(NodeMin(split));
    top->counts[0] = root->total;
    top->counts[1] = split->total;
    top->total = root->total + split->total;
    root = top;
  }
}

void ZSet::Big::EraseTop(Rec* r) {
  Erase(root, ItemOf(r), r);
  // Collapse a root left with one child; an emptied tree keeps one empty leaf.
  while (!root->leaf) {
    auto* in = static_cast<Inner*>(root);
    if (in->n > 1) break;
    if (in->n == 0) {
      FreeNode(in);
      root = NewLeaf();
      break;
    }
    root = in->child[0];
    FreeNode(in);
  }
}

// --- ZSet ---

ZSet::~ZSet() {
  std::free(buf_);
  delete big_;
}

ZSet::ZSet(const ZSet& other) : size_(other.size_) {
  if (other.compact()) {
    if (other.buf_bytes_ > 0) {
      buf_ = static_cast<char*>(Allocate(other.buf_bytes_));
      if (other.buf_bytes_ != 0) std::memcpy(buf_, other.buf_, other.buf_bytes_);
      buf_bytes_ = other.buf_bytes_;
    }
    return;
  }
  big_ = new Big();
  big_->root = big_->NewLeaf();
  size_t added = 0;
  other.ForEach([&](const Item& it) {
    Rec* r = MakeRec(it.member, it.score);
    big_->rec_bytes += Rounded(RecBytes(it.member.size()));
    big_->IndexAdd(r, HashKey(it.member), ++added);
    big_->InsertTop(r);
  });
}

size_t ZSet::MemoryBytes() const {
  size_t bytes = sizeof(ZSet) + buf_bytes_;
  if (big_ != nullptr) {
    bytes += sizeof(Big) + big_->nodes * 1024 + big_->rec_bytes +
             (big_->cap + big_->tail + (big_->old != nullptr ? big_->old_cap + big_->old_tail : 0)) *
                 sizeof(uint64_t);
  }
  return bytes;
}

void ZSet::ToTree() {
  big_ = new Big();
  big_->root = big_->NewLeaf();
  const char* p = buf_;
  const char* end = buf_ + buf_bytes_;
  size_t added = 0;
  while (p < end) {
    Item it;
    p = ReadEntry(p, &it);
    Rec* r = MakeRec(it.member, it.score);
    big_->rec_bytes += Rounded(RecBytes(it.member.size()));
    big_->IndexAdd(r, HashKey(it.member), ++added);
    big_->InsertTop(r);
  }
  std::free(buf_);
  buf_ = nullptr;
  buf_bytes_ = 0;
}

void ZSet::ConvertIfBeyond(size_t entries, size_t longest, const Limits& limits) {
  if (compact() && (entries > limits.max_compact_entries || longest > limits.max_compact_value))
    ToTree();
}

size_t ZSet::IndexWork() const { return big_ != nullptr ? big_->work : 0; }
bool ZSet::IndexMigrating() const { return big_ != nullptr && big_->old != nullptr; }

std::optional<double> ZSet::Score(std::string_view member) const {
  if (compact()) {
    const char* p = buf_;
    const char* end = buf_ + buf_bytes_;
    while (p < end) {
      Item it;
      p = ReadEntry(p, &it);
      if (it.member == member) return it.score;
    }
    return std::nullopt;
  }
  big_->Step();  // lookups move the migration on too, so a set only read still finishes it
  const uint64_t* slot = big_->Find(member, HashKey(member));
  if (slot == nullptr) return std::nullopt;
  return RecScore(SlotRec(*slot));
}

bool ZSet::Set(std::string_view member, double score, const Limits& limits) {
  if (score == 0) score = 0;  // -0 is stored as 0, as Redis's compact encoding prints it
  if (compact()) {
    // Find the member (and drop it if its score changes), then the new entry's place.
    const char* p = buf_;
    const char* end = buf_ + buf_bytes_;
    bool found = false;
    while (p < end) {
      Item it;
      const char* next = ReadEntry(p, &it);
      if (it.member == member) {
        if (it.score == score) return false;
        const size_t at = static_cast<size_t>(p - buf_);
        const size_t len = static_cast<size_t>(next - p);
        std::memmove(buf_ + at, buf_ + at + len, buf_bytes_ - at - len);
        buf_bytes_ -= static_cast<uint32_t>(len);
        --size_;
        found = true;
        break;
      }
      p = next;
    }
    if (!found && (size_ + 1 > limits.max_compact_entries ||
                   member.size() > limits.max_compact_value)) {
      ToTree();
      return Set(member, score, limits);
    }
    const Item fresh{score, member};
    size_t at = 0;
    for (p = buf_, end = buf_ + buf_bytes_; p < end;) {
      Item it;
      const char* next = ReadEntry(p, &it);
      if (Less(fresh, it)) break;
      p = next;
    }
    at = static_cast<size_t>(p - buf_);
    const size_t add = EntryBytes(member.size());
    auto* grown = static_cast<char*>(std::realloc(buf_, buf_bytes_ + add));
    if (grown == nullptr) throw std::bad_alloc();
    buf_ = grown;
    std::memmove(buf_ + at + add, buf_ + at, buf_bytes_ - at);
    WriteEntry(buf_ + at, fresh);
    buf_bytes_ += static_cast<uint32_t>(add);
    ++size_;
    return !found;
  }
  const uint64_t hash = HashKey(member);
  if (const uint64_t* slot = big_->Find(member, hash); slot != nullptr) {
    Rec* r = SlotRec(*slot);
    if (RecScore(r) == score) return false;
    big_->EraseTop(r);
    SetRecScore(r, score);
    big_->InsertTop(r);
    return false;
  }
  Rec* r = MakeRec(member, score);
  big_->rec_bytes += Rounded(RecBytes(member.size()));
  big_->IndexAdd(r, hash, size_ + 1);
  big_->InsertTop(r);
  ++size_;
  return true;
}

bool ZSet::Remove(std::string_view member) {
  if (compact()) {
    const char* p = buf_;
    const char* end = buf_ + buf_bytes_;
    while (p < end) {
      Item it;
      const char* next = ReadEntry(p, &it);
      if (it.member == member) {
        const size_t at = static_cast<size_t>(p - buf_);
        const size_t len = static_cast<size_t>(next - p);
        std::memmove(buf_ + at, buf_ + at + len, buf_bytes_ - at - len);
        buf_bytes_ -= static_cast<uint32_t>(len);
        --size_;
        if (buf_bytes_ == 0) {
          std::free(buf_);
          buf_ = nullptr;
        } else if (auto* shrunk = static_cast<char*>(std::realloc(buf_, buf_bytes_))) {
          buf_ = shrunk;
        }
        return true;
      }
      p = next;
    }
    return false;
  }
  uint64_t* slot = big_->Find(member, HashKey(member));
  if (slot == nullptr) return false;
  Rec* r = SlotRec(*slot);
  big_->EraseTop(r);
  big_->rec_bytes -= Rounded(RecBytes(member.size()));
  --size_;
  big_->IndexErase(slot, size_);
  std::free(r);
  return true;
}

std::optional<size_t> ZSet::Rank(std::string_view member) const {
  if (compact()) {
    const char* p = buf_;
    const char* end = buf_ + buf_bytes_;
    for (size_t rank = 0; p < end; ++rank) {
      Item it;
      p = ReadEntry(p, &it);
      if (it.member == member) return rank;
    }
    return std::nullopt;
  }
  big_->Step();
  const uint64_t* slot = big_->Find(member, HashKey(member));
  if (slot == nullptr) return std::nullopt;
  const Item it = ItemOf(SlotRec(*slot));
  size_t rank = 0;
  const Node* n = big_->root;
  while (!n->leaf) {
    const auto* in = static_cast<const Inner*>(n);
    const uint32_t i = ChildFor(in, it);
    for (uint32_t k = 0; k < i; ++k) rank += in->counts[k];
    n = in->child[i];
  }
  return rank + LowerBound(static_cast<const Leaf*>(n), it);
}

ZSet::Pos ZSet::AtRank(size_t r) const {
  Pos p;
  if (r >= size_) return p;
  p.rank = r;
  if (compact()) {
    const char* q = buf_;
    for (size_t k = 0; k < r; ++k) {
      Item it;
      q = ReadEntry(q, &it);
    }
    p.leaf = buf_;
    p.index = static_cast<uint32_t>(q - buf_);
    return p;
  }
  const Node* n = big_->root;
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
  if (compact()) {
    const char* q = buf_;
    const char* end = buf_ + buf_bytes_;
    for (size_t rank = 0; q < end; ++rank) {
      Item it;
      const char* next = ReadEntry(q, &it);
      if (pred(it)) {
        Pos p;
        p.leaf = buf_;
        p.index = static_cast<uint32_t>(q - buf_);
        p.rank = rank;
        return p;
      }
      q = next;
    }
    return Pos();
  }
  size_t rank = 0;
  const Node* n = big_->root;
  while (!n->leaf) {
    const auto* in = static_cast<const Inner*>(n);
    // The first child whose smallest item satisfies pred; the answer is in the child before
    // it (after that child's smallest) or is that smallest item itself.
    uint32_t j = 0;
    while (j < in->n && !pred(ItemOf(in->mins[j]))) ++j;
    const uint32_t i = j == 0 ? 0 : j - 1;
    for (uint32_t k = 0; k < i; ++k) rank += in->counts[k];
    n = in->child[i];
  }
  const auto* l = static_cast<const Leaf*>(n);
  uint32_t idx = 0;
  while (idx < l->n && !pred(ItemOf(l->items[idx]))) ++idx;
  Pos p;
  p.rank = rank + idx;
  if (p.rank >= size_) return Pos();
  if (idx == l->n) {
    l = l->next;
    idx = 0;
  }
  p.leaf = l;
  p.index = idx;
  return p;
}

ZSet::Item ZSet::Get(const Pos& p) const {
  if (compact()) {
    Item it;
    ReadEntry(buf_ + p.index, &it);
    return it;
  }
  return ItemOf(static_cast<const Leaf*>(p.leaf)->items[p.index]);
}

ZSet::Pos ZSet::Next(const Pos& p) const {
  Pos q = p;
  ++q.rank;
  if (q.rank >= size_) return Pos();
  if (compact()) {
    Item it;
    q.index = static_cast<uint32_t>(ReadEntry(buf_ + p.index, &it) - buf_);
    return q;
  }
  const auto* l = static_cast<const Leaf*>(p.leaf);
  if (++q.index == l->n) {
    q.leaf = l->next;
    q.index = 0;
  }
  return q;
}

ZSet::Pos ZSet::Prev(const Pos& p) const {
  Pos q = p;
  if (p.rank == 0) return Pos();
  --q.rank;
  if (compact()) {
    const size_t len = GetBackVarint(buf_ + p.index);
    q.index = p.index - static_cast<uint32_t>(EntryBytes(len));
    return q;
  }
  if (q.index == 0) {
    const auto* l = static_cast<const Leaf*>(p.leaf)->prev;
    q.leaf = l;
    q.index = l->n - 1;
  } else {
    --q.index;
  }
  return q;
}

void ZSet::ForEach(const std::function<void(const Item&)>& fn) const {
  if (compact()) {
    const char* p = buf_;
    const char* end = buf_ + buf_bytes_;
    while (p < end) {
      Item it;
      p = ReadEntry(p, &it);
      fn(it);
    }
    return;
  }
  const Node* n = big_->root;
  while (!n->leaf) n = static_cast<const Inner*>(n)->child[0];
  for (const auto* l = static_cast<const Leaf*>(n); l != nullptr; l = l->next) {
    for (uint32_t i = 0; i < l->n; ++i) fn(ItemOf(l->items[i]));
  }
}

uint64_t ZSet::Scan(uint64_t cursor, size_t count,
                    const std::function<void(const Item&)>& fn) const {
  if (compact()) {
    ForEach(fn);
    return 0;
  }
  if (big_->slots == nullptr) return 0;
  if (count == 0) count = 1;
  // The cursor is a hash value t: every member hashing below t was reported. Members hashing
  // at or above t have their home at or after Home(t) and sit at or after it; walking on to
  // an empty slot e reports every member whose home is before e, so the next cursor is the
  // smallest hash whose home is e. Resizing changes homes, not hashes. The walk ends at an
  // empty slot once count members were reported or 10 * count slots visited.
  const Big& b = *big_;
  const size_t end = b.cap + b.tail;
  size_t i = Home(cursor, b.cap);
  size_t reported = 0;
  const size_t start = i;
  for (; i < end; ++i) {
    const uint64_t s = b.slots[i];
    if (s == 0) {
      if (i > start && (reported >= count || i - start >= 10 * count)) break;
      continue;
    }
    const Rec* r = SlotRec(s);
    if (HashKey(RecMember(r)) >= cursor) {
      fn(ItemOf(r));
      ++reported;
    }
  }
  uint64_t next = 0;  // 0: the walk reached the end, every hash at or above cursor is done
  if (i < b.cap) {
    const unsigned __int128 scaled = static_cast<unsigned __int128>(i) << 64;
    next = static_cast<uint64_t>((scaled + b.cap - 1) / b.cap);
  }
  if (b.old != nullptr) {
    // Mid-migration, the members hashing in [cursor, next) still in the old array: they sit
    // in the runs from their homes, all at or before Home(next - 1), and at or after moved.
    const size_t old_end = b.old_cap + b.old_tail;
    const size_t last_home = next == 0 ? old_end : Home(next - 1, b.old_cap);
    for (size_t j = std::max<size_t>(Home(cursor, b.old_cap), b.moved); j < old_end; ++j) {
      const uint64_t s = b.old[j];
      if (s == 0) {
        if (j > last_home) break;
        continue;
      }
      const Rec* r = SlotRec(s);
      const uint64_t h = HashKey(RecMember(r));
      if (h >= cursor && (next == 0 || h < next)) fn(ItemOf(r));
    }
  }
  return next;
}

}  // namespace firn
