// List: a doubly linked chain of compact nodes, the shape of Redis's quicklist.
//
// What. Each node is one allocation: a 24-byte header (links, payload bytes, element count)
// followed by its elements packed back to back. An element is
//
//   [length, LEB128] [bytes] [length again, written backwards]
//
// so a node can be walked from either end: forwards by the leading length, backwards by the
// trailing one (whose last byte holds the low 7 bits and a continuation flag, as listpack's
// backlen). An element of up to 127 bytes costs its bytes plus 2.
//
// Why this over the obvious designs. A std::deque<std::string> spends 32 bytes per element
// before its bytes and a heap block for any element over 15 bytes; a linked list of strings
// spends two pointers and an allocation per element. Packing elements into nodes of a few
// KiB keeps the overhead near 2 bytes an element plus 24 bytes a node, keeps the elements a
// scan touches contiguous, and keeps pushes O(1): a push edits only the end node, and the
// node's size bounds the memmove an insertion at its front costs. This is the trade Redis's
// quicklist makes (a chain of listpacks); the element format here is simpler (no integer
// encodings: replies need the bytes anyway, so integers are stored as their text).
//
// Invariants. No node is empty. size_ is the sum of the nodes' counts, bytes_ the sum of
// their payload bytes, nodes_ their number. A node respects the fill limit, except a node
// holding a single element, which may be as big as that element needs.
//
// Cost. Push/pop at either end: one realloc of the end node (in place within jemalloc's size
// class) and, at the front, a memmove of that node. Index access: O(nodes) to find the node,
// walking from the nearer end, plus O(elements in the node). LREM and LTRIM work node by
// node and never move bytes between nodes.
//
// Tunables. list-max-listpack-size (fill): > 0 caps elements per node (with the 8 KiB safety
// limit Redis applies), -1..-5 cap node payload at 4..64 KiB. Redis's default is -2 (8 KiB).
#include "storage/list.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

namespace firn {

struct List::Node {
  Node* prev;
  Node* next;
  uint32_t bytes;  // payload bytes
  uint32_t count;  // elements
  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
};

namespace {

constexpr size_t kSafetyBytes = 8192;  // a node's payload cap when fill counts elements
constexpr size_t kFillBytes[] = {4096, 8192, 16384, 32768, 65536};

size_t VarintSize(size_t n) {
  size_t s = 1;
  while (n >= 128) {
    n >>= 7;
    ++s;
  }
  return s;
}

size_t EntrySize(size_t len) { return 2 * VarintSize(len) + len; }

// Writes v as an element at p; returns the byte after it.
char* WriteEntry(char* p, std::string_view v) {
  size_t x = v.size();
  while (x >= 128) {
    *p++ = static_cast<char>((x & 127) | 128);
    x >>= 7;
  }
  *p++ = static_cast<char>(x);
  if (!v.empty()) std::memcpy(p, v.data(), v.size());
  p += v.size();
  // Backwards: the most significant group first in memory, the low group last; every group
  // but the most significant carries the continuation bit.
  const size_t k = VarintSize(v.size());
  x = v.size();
  for (size_t i = 0; i < k; ++i) {
    const auto group = static_cast<unsigned char>(x & 127);
    x >>= 7;
    p[k - 1 - i] = static_cast<char>(i == k - 1 ? group : (group | 128));
  }
  return p + k;
}

// The element starting at p; *entry_bytes receives its encoded size.
std::string_view ReadEntry(const char* p, uint32_t* entry_bytes) {
  size_t n = 0;
  int shift = 0;
  const char* q = p;
  for (;;) {
    const auto b = static_cast<unsigned char>(*q++);
    n |= static_cast<size_t>(b & 127) << shift;
    if ((b & 128) == 0) break;
    shift += 7;
  }
  const size_t header = static_cast<size_t>(q - p);
  *entry_bytes = static_cast<uint32_t>(2 * header + n);
  return {q, n};
}

// The first byte of the element that ends just before end.
const char* EntryStartBefore(const char* end) {
  size_t n = 0;
  int shift = 0;
  size_t k = 0;
  const char* q = end;
  for (;;) {
    const auto b = static_cast<unsigned char>(*--q);
    ++k;
    n |= static_cast<size_t>(b & 127) << shift;
    if ((b & 128) == 0) break;
    shift += 7;
  }
  return end - 2 * k - n;
}

}  // namespace

List::List(int fill) : fill_(std::clamp(fill, -5, kMaxFill)) {}

List::~List() {
  for (Node* n = head_; n != nullptr;) {
    Node* next = n->next;
    std::free(n);
    n = next;
  }
}

List::List(const List& other) : fill_(other.fill_) {
  for (const Node* n = other.head_; n != nullptr; n = n->next) {
    Node* copy = NewNode(n->bytes, tail_);
    std::memcpy(copy->data(), n->data(), n->bytes);
    copy->count = n->count;
  }
  size_ = other.size_;
}

size_t List::MemoryBytes() const { return sizeof(List) + nodes_ * sizeof(Node) + bytes_; }

bool List::Fits(const Node* n, size_t extra_bytes, bool new_element) const {
  if (n->count == 0 || (!new_element && n->count == 1)) return true;
  const size_t bytes = n->bytes + extra_bytes;
  if (fill_ >= 0) {
    return (!new_element || n->count < static_cast<uint32_t>(fill_)) && bytes <= kSafetyBytes;
  }
  return bytes <= kFillBytes[-fill_ - 1];
}

List::Node* List::NewNode(size_t bytes, Node* after) {
  void* mem = std::malloc(sizeof(Node) + bytes);
  if (mem == nullptr) throw std::bad_alloc();
  Node* n = static_cast<Node*>(mem);
  n->bytes = static_cast<uint32_t>(bytes);
  n->count = 0;
  n->prev = after;
  n->next = after == nullptr ? head_ : after->next;
  if (n->prev != nullptr) {
    n->prev->next = n;
  } else {
    head_ = n;
  }
  if (n->next != nullptr) {
    n->next->prev = n;
  } else {
    tail_ = n;
  }
  ++nodes_;
  bytes_ += bytes;
  return n;
}

List::Node* List::Resize(Node* n, size_t bytes) {
  bytes_ = bytes_ - n->bytes + bytes;
  void* mem = std::realloc(n, sizeof(Node) + bytes);
  if (mem == nullptr) throw std::bad_alloc();
  Node* m = static_cast<Node*>(mem);
  m->bytes = static_cast<uint32_t>(bytes);
  if (m->prev != nullptr) {
    m->prev->next = m;
  } else {
    head_ = m;
  }
  if (m->next != nullptr) {
    m->next->prev = m;
  } else {
    tail_ = m;
  }
  return m;
}

void List::Unlink(Node* n) {
  if (n->prev != nullptr) {
    n->prev->next = n->next;
  } else {
    head_ = n->next;
  }
  if (n->next != nullptr) {
    n->next->prev = n->prev;
  } else {
    tail_ = n->prev;
  }
  --nodes_;
  bytes_ -= n->bytes;
  std::free(n);
}

void List::InsertAt(Node* n, uint32_t offset, std::string_view v) {
  const size_t es = EntrySize(v.size());
  const uint32_t old = n->bytes;
  n = Resize(n, old + es);
  char* d = n->data();
  std::memmove(d + offset + es, d + offset, old - offset);
  WriteEntry(d + offset, v);
  ++n->count;
  ++size_;
}

void List::EraseInNode(Node* n, uint32_t offset, uint32_t count) {
  assert(count <= n->count);
  size_ -= count;
  if (count == n->count) {
    Unlink(n);
    return;
  }
  uint32_t end = offset;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t es;
    ReadEntry(n->data() + end, &es);
    end += es;
  }
  std::memmove(n->data() + offset, n->data() + end, n->bytes - end);
  n->count -= count;
  Resize(n, n->bytes - (end - offset));
}

void List::PushFront(std::string_view v) {
  if (head_ == nullptr || !Fits(head_, EntrySize(v.size()), true)) NewNode(0, nullptr);
  InsertAt(head_, 0, v);
}

void List::PushBack(std::string_view v) {
  if (tail_ == nullptr || !Fits(tail_, EntrySize(v.size()), true)) NewNode(0, tail_);
  InsertAt(tail_, tail_->bytes, v);
}

std::string_view List::Front() const {
  uint32_t es;
  return ReadEntry(head_->data(), &es);
}

std::string_view List::Back() const {
  uint32_t es;
  return ReadEntry(EntryStartBefore(tail_->data() + tail_->bytes), &es);
}

void List::PopFront() { EraseInNode(head_, 0, 1); }

void List::PopBack() {
  const char* start = EntryStartBefore(tail_->data() + tail_->bytes);
  EraseInNode(tail_, static_cast<uint32_t>(start - tail_->data()), 1);
}

List::Located List::Locate(size_t i) const {
  assert(i < size_);
  Node* n;
  uint32_t in_node;
  if (i < size_ / 2) {
    n = head_;
    while (i >= n->count) {
      i -= n->count;
      n = n->next;
    }
    in_node = static_cast<uint32_t>(i);
  } else {
    size_t j = size_ - 1 - i;  // counted from the tail
    n = tail_;
    while (j >= n->count) {
      j -= n->count;
      n = n->prev;
    }
    in_node = static_cast<uint32_t>(n->count - 1 - j);
  }
  uint32_t offset = 0;
  if (in_node <= n->count / 2) {
    for (uint32_t k = 0; k < in_node; ++k) {
      uint32_t es;
      ReadEntry(n->data() + offset, &es);
      offset += es;
    }
  } else {
    const char* p = n->data() + n->bytes;
    for (uint32_t k = n->count; k > in_node; --k) p = EntryStartBefore(p);
    offset = static_cast<uint32_t>(p - n->data());
  }
  return {n, offset, in_node};
}

std::string_view List::At(size_t i) const {
  const Located loc = Locate(i);
  uint32_t es;
  return ReadEntry(loc.node->data() + loc.offset, &es);
}

void List::Set(size_t i, std::string_view v) {
  const Located loc = Locate(i);
  Node* n = loc.node;
  uint32_t old_es;
  ReadEntry(n->data() + loc.offset, &old_es);
  const size_t es = EntrySize(v.size());
  const uint32_t after = loc.offset + old_es;  // first byte past the old element
  const uint32_t tail_bytes = n->bytes - after;
  if (es == old_es) {
    WriteEntry(n->data() + loc.offset, v);
  } else if (es < old_es) {
    std::memmove(n->data() + loc.offset + es, n->data() + after, tail_bytes);
    WriteEntry(n->data() + loc.offset, v);
    Resize(n, n->bytes - (old_es - es));
  } else if (Fits(n, es - old_es, false)) {
    n = Resize(n, n->bytes + (es - old_es));
    std::memmove(n->data() + loc.offset + es, n->data() + after, tail_bytes);
    WriteEntry(n->data() + loc.offset, v);
  } else {
    EraseInNode(n, loc.offset, 1);
    Insert(i, v);
  }
}

void List::Insert(size_t i, std::string_view v) {
  assert(i <= size_);
  if (i == 0) {
    PushFront(v);
    return;
  }
  if (i == size_) {
    PushBack(v);
    return;
  }
  const Located loc = Locate(i);
  Node* n = loc.node;
  const size_t es = EntrySize(v.size());
  if (Fits(n, es, true)) {
    InsertAt(n, loc.offset, v);
    return;
  }
  if (loc.offset == 0) {
    // At a node boundary: the end of the previous node, or a node of its own between.
    if (n->prev != nullptr && Fits(n->prev, es, true)) {
      InsertAt(n->prev, n->prev->bytes, v);
    } else {
      InsertAt(NewNode(0, n->prev), 0, v);
    }
    return;
  }
  // Split n at the insertion point, then add v to whichever half has room.
  const uint32_t moved = n->bytes - loc.offset;
  Node* m = NewNode(moved, n);
  std::memcpy(m->data(), n->data() + loc.offset, moved);
  m->count = n->count - loc.in_node;
  n->count = loc.in_node;
  n = Resize(n, loc.offset);
  if (Fits(n, es, true)) {
    InsertAt(n, n->bytes, v);
  } else if (Fits(m, es, true)) {
    InsertAt(m, 0, v);
  } else {
    InsertAt(NewNode(0, n), 0, v);
  }
}

void List::Erase(size_t first, size_t count) {
  assert(first + count <= size_);
  if (count == 0) return;
  const Located loc = Locate(first);
  Node* n = loc.node;
  uint32_t offset = loc.offset;
  uint32_t in_node = loc.in_node;
  while (count > 0) {
    Node* next = n->next;
    const auto take = static_cast<uint32_t>(std::min<size_t>(count, n->count - in_node));
    EraseInNode(n, offset, take);
    count -= take;
    n = next;
    offset = 0;
    in_node = 0;
  }
}

size_t List::RemoveEqual(std::string_view v, size_t limit, bool from_tail) {
  size_t removed = 0;
  std::vector<uint32_t> offsets;
  std::vector<bool> kill;
  for (Node* n = from_tail ? tail_ : head_; n != nullptr;) {
    Node* following = from_tail ? n->prev : n->next;
    offsets.clear();
    for (uint32_t off = 0; off < n->bytes;) {
      offsets.push_back(off);
      uint32_t es;
      ReadEntry(n->data() + off, &es);
      off += es;
    }
    offsets.push_back(n->bytes);
    const uint32_t count = n->count;
    kill.assign(count, false);
    uint32_t kills = 0;
    for (uint32_t k = 0; k < count && (limit == 0 || removed < limit); ++k) {
      const uint32_t idx = from_tail ? count - 1 - k : k;
      uint32_t es;
      if (ReadEntry(n->data() + offsets[idx], &es) == v) {
        kill[idx] = true;
        ++kills;
        ++removed;
      }
    }
    if (kills == count) {
      size_ -= count;
      Unlink(n);
    } else if (kills > 0) {
      uint32_t out = 0;
      for (uint32_t idx = 0; idx < count; ++idx) {
        const uint32_t len = offsets[idx + 1] - offsets[idx];
        if (!kill[idx]) {
          if (out != offsets[idx]) std::memmove(n->data() + out, n->data() + offsets[idx], len);
          out += len;
        }
      }
      n->count -= kills;
      size_ -= kills;
      Resize(n, out);
    }
    if (limit != 0 && removed >= limit) break;
    n = following;
  }
  return removed;
}

List::Cursor List::CursorAt(size_t i) const {
  Cursor c;
  if (i >= size_) return c;
  const Located loc = Locate(i);
  c.node_ = loc.node;
  c.offset_ = loc.offset;
  c.index_ = i;
  return c;
}

std::string_view List::Cursor::Get() const {
  uint32_t es;
  return ReadEntry(node_->data() + offset_, &es);
}

void List::Cursor::Next() {
  uint32_t es;
  ReadEntry(node_->data() + offset_, &es);
  offset_ += es;
  ++index_;
  if (offset_ == node_->bytes) {
    node_ = node_->next;
    offset_ = 0;
  }
}

void List::Cursor::Prev() {
  if (index_ == 0) {
    node_ = nullptr;
    return;
  }
  if (offset_ == 0) {
    node_ = node_->prev;
    offset_ = node_->bytes;
  }
  offset_ = static_cast<uint32_t>(EntryStartBefore(node_->data() + offset_) - node_->data());
  --index_;
}

}  // namespace firn
