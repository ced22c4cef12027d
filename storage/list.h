// List: the value of a Redis list key, a chain of compact nodes (Redis's quicklist).
//
// Contract. Elements are byte strings. Push and pop at either end are O(1) (amortized over
// the bytes of one node); access by index is O(nodes + node size), walking from the nearer
// end. Views returned by Front/Back/At/Cursor stay valid until the next change to the list.
// Node size follows Redis's `list-max-listpack-size` (the `fill` argument): a positive value
// caps the elements per node (and a node stays under 8 KiB, as Redis's safety limit), -1..-5
// cap a node's bytes at 4, 8, 16, 32 or 64 KiB. An element too big for any node gets a node
// of its own.
//
// Not thread-safe: the event-loop thread owns every value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace firn {

class List {
  struct Node;

 public:
  static constexpr int kDefaultFill = -2;  // Redis's default list-max-listpack-size

  static constexpr int kMaxFill = 32767;

  // fill is clamped to [-5, kMaxFill], as Redis clamps it; 0 keeps one element a node.
  explicit List(int fill = kDefaultFill);
  ~List();
  List(const List& other);  // a deep copy (COPY), same fill
  List& operator=(const List&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t node_count() const { return nodes_; }
  int fill() const { return fill_; }
  // Bytes the structure holds (nodes with their headers, and this object).
  size_t MemoryBytes() const;

  void PushFront(std::string_view v);
  void PushBack(std::string_view v);
  // REQUIRES: !empty().
  std::string_view Front() const;
  std::string_view Back() const;
  void PopFront();
  void PopBack();

  // REQUIRES: i < size().
  std::string_view At(size_t i) const;
  void Set(size_t i, std::string_view v);
  // Inserts v so it becomes element i. REQUIRES: i <= size().
  void Insert(size_t i, std::string_view v);
  // Removes elements [first, first + count). REQUIRES: first + count <= size().
  void Erase(size_t first, size_t count);
  // Removes up to limit elements equal to v (limit 0: all), scanning from the head or, with
  // from_tail, from the tail. Returns how many were removed.
  size_t RemoveEqual(std::string_view v, size_t limit, bool from_tail);

  // A position in the list. Invalidated by any change to the list.
  class Cursor {
   public:
    bool Valid() const { return node_ != nullptr; }
    // REQUIRES: Valid().
    std::string_view Get() const;
    size_t index() const { return index_; }
    // Moves towards the tail (Next) or the head (Prev); past an end, Valid() turns false.
    void Next();
    void Prev();

   private:
    friend class List;
    Node* node_ = nullptr;
    uint32_t offset_ = 0;  // of the element's first byte in the node
    size_t index_ = 0;
  };
  // The cursor at element i; not Valid() when i >= size().
  Cursor CursorAt(size_t i) const;

 private:
  struct Located {
    Node* node;
    uint32_t offset;
    uint32_t in_node;  // index inside the node
  };
  Located Locate(size_t i) const;
  bool Fits(const Node* n, size_t extra_bytes, bool new_element) const;
  Node* NewNode(size_t bytes, Node* after);
  Node* Resize(Node* n, size_t bytes);
  void Unlink(Node* n);
  void InsertAt(Node* n, uint32_t offset, std::string_view v);
  // Removes count elements of n starting at offset; frees n when it empties.
  void EraseInNode(Node* n, uint32_t offset, uint32_t count);

  Node* head_ = nullptr;
  Node* tail_ = nullptr;
  size_t size_ = 0;
  size_t nodes_ = 0;
  size_t bytes_ = 0;  // sum of node payload bytes
  int fill_;
};

}  // namespace firn
