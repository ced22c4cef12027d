#include "modules/command_index.h"

#include "modules/command.h"

namespace firn {

void CommandIndex::Build(const std::vector<Command>& rows,
                         const std::vector<std::pair<std::string, std::string>>& renames) {
  size_t size = 16;
  while (size < rows.size() * 4) size *= 2;
  slots_.assign(size, Slot{});
  mask_ = size - 1;
  for (const Command& c : rows) {
    std::string_view name = c.name;
    for (const auto& [from, to] : renames) {
      if (from == name) name = to;
    }
    if (name.empty() || name.size() > kMaxName) continue;
    uint32_t h = static_cast<uint32_t>(name.size());
    for (char ch : name) h = h * 31 + static_cast<unsigned char>(ch);
    size_t i = Mix(h) & mask_;
    while (slots_[i].row != nullptr) i = (i + 1) & mask_;
    Slot& s = slots_[i];
    s.row = &c;
    s.len = static_cast<uint8_t>(name.size());
    for (size_t k = 0; k < name.size(); ++k) s.name[k] = name[k];
  }
}

}  // namespace firn
