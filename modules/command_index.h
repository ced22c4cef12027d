// CommandIndex: the name -> command lookup admission does for every command.
//
// Command names are short, few (under a hundred top-level rows) and fixed once the table is
// built, so a general hash map is more than the job needs: Find lowercases the name, hashing
// it in the same pass, and probes a small open-addressing array of slots holding the
// lowercase names inline. A hit costs one pass over the name and one comparison; no
// allocation, no call into a general-purpose hash function.
//
// Invariants: the array size is a power of two at least four times the number of names, so
// probes are short; names longer than kMaxName are never found (no command is that long).
// Thread-safety: built once, then read-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace firn {

struct Command;

class CommandIndex {
 public:
  static constexpr size_t kMaxName = 32;

  // Indexes every row by its name (lowercase), or by the name renames gives it (pairs of
  // lowercase old and new names; an empty new name leaves the row out, so it cannot be
  // found). REQUIRES: names are unique and at most kMaxName bytes; the rows outlive the index.
  void Build(const std::vector<Command>& rows,
             const std::vector<std::pair<std::string, std::string>>& renames = {});

  // The row named name, compared ignoring ASCII case, or nullptr.
  const Command* Find(std::string_view name) const {
    if (name.size() > kMaxName || slots_.empty()) return nullptr;
    char lower[kMaxName];
    uint32_t h = static_cast<uint32_t>(name.size());
    for (size_t i = 0; i < name.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(name[i]);
      const unsigned char l =
          static_cast<unsigned>(c - 'A') < 26u ? static_cast<unsigned char>(c | 0x20) : c;
      lower[i] = static_cast<char>(l);
      h = h * 31 + l;
    }
    for (size_t i = Mix(h) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.row == nullptr) return nullptr;
      if (s.len == name.size() && Same(s.name, lower, name.size())) return s.row;
    }
  }

 private:
  struct Slot {
    const Command* row = nullptr;
    uint8_t len = 0;
    char name[kMaxName];
  };
  static uint32_t Mix(uint32_t h) { return (h * 0x9E3779B1u) >> 16; }
  static bool Same(const char* a, const char* b, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace firn
