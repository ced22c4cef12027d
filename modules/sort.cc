#include "modules/sort.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conf/config.h"
#include "modules/args.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "modules/scripting.h"
#include "protocol/errors.h"
#include "storage/db.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/set.h"
#include "storage/zset.h"

namespace firn {
namespace {

// The value a BY or GET pattern names for one element, as Redis's lookupKeyByPattern: "#" is
// the element itself; otherwise the first '*' is replaced by the element, and "key->field"
// (a non-empty field after the "->" that follows the '*') reads a hash field. A pattern
// without '*', a missing key, or a key of another type: nullopt.
std::optional<std::string_view> LookupByPattern(CommandContext& ctx, std::string_view pattern,
                                                std::string_view element) {
  if (pattern == "#") return element;
  const size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view field;
  std::string_view rest = pattern.substr(star + 1);
  const size_t arrow = rest.find("->");
  if (arrow != std::string_view::npos && arrow + 2 < rest.size()) {
    field = rest.substr(arrow + 2);
    rest = rest.substr(0, arrow);
  }
  std::string key;
  key.reserve(star + element.size() + rest.size());
  key.append(pattern.substr(0, star)).append(element).append(rest);
  Entry* e = ctx.db().FindForRead(key, ctx.now_ms);
  if (e == nullptr) return std::nullopt;
  if (!field.empty()) {
    if (e->type() != ValueType::kHash) return std::nullopt;
    return e->object_as<Hash>()->Get(field);
  }
  if (e->type() != ValueType::kString) return std::nullopt;
  return e->value();
}

// A sort weight read as Redis reads it: strtod over the whole value (leading spaces, hex and
// "inf" accepted; an empty value is 0); false for trailing bytes, overflow or NaN.
// REQUIRES: text is NUL-terminated (a C string stops at an embedded NUL, as in Redis).
bool SortWeight(const char* text, double* out) {
  char* end = nullptr;
  errno = 0;
  *out = std::strtod(text, &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*out);
}

struct Item {
  std::string value;
  double score = 0;
  std::optional<std::string> by;  // ALPHA with BY: the value compared (none sorts first)
};

bool FromScript(CommandContext& ctx) {
  return ctx.engine.scripting != nullptr && ctx.engine.scripting->vm.running();
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC]
//   [ALPHA] [STORE destination] -> the sorted elements (or, with GET, the values each names,
//   nil where missing); with STORE, the number of elements stored as a list.
void SortCommand(CommandContext& ctx, bool read_only) {
  bool desc = false, alpha = false, dont_sort = false;
  int64_t limit_start = 0, limit_count = -1;
  std::optional<std::string_view> by, store;
  std::vector<std::string_view> gets;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    const std::string_view a = ctx.arg(j);
    const size_t left = ctx.argc() - j - 1;
    if (EqualsNoCase(a, "ASC")) {
      desc = false;
    } else if (EqualsNoCase(a, "DESC")) {
      desc = true;
    } else if (EqualsNoCase(a, "ALPHA")) {
      alpha = true;
    } else if (EqualsNoCase(a, "LIMIT") && left >= 2) {
      if (!ArgInt(ctx, j + 1, &limit_start) || !ArgInt(ctx, j + 2, &limit_count)) return;
      j += 2;
    } else if (!read_only && EqualsNoCase(a, "STORE") && left >= 1) {
      store = ctx.arg(++j);
    } else if (EqualsNoCase(a, "BY") && left >= 1) {
      by = ctx.arg(++j);
      // A pattern with no '*' names no key: the elements keep their own order (and, as in
      // Redis, a later BY with a '*' does not undo that).
      if (by->find('*') == std::string_view::npos) dont_sort = true;
    } else if (EqualsNoCase(a, "GET") && left >= 1) {
      gets.push_back(ctx.arg(++j));
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  }

  Entry* e = ctx.db().FindForRead(ctx.arg(1), ctx.now_ms);
  const ValueType type = e != nullptr ? e->type() : ValueType::kList;
  if (e != nullptr && type != ValueType::kList && type != ValueType::kSet &&
      type != ValueType::kZSet) {
    ctx.Error(err::kWrongType);
    return;
  }
  // A set has no order of its own that replicas or scripts could rely on: unsorted output
  // that is stored or seen by a script is sorted as strings instead.
  if (dont_sort && type == ValueType::kSet && (store || FromScript(ctx))) {
    dont_sort = false;
    alpha = true;
    by.reset();
  }

  int64_t len = 0;
  if (e != nullptr) {
    if (type == ValueType::kList) len = static_cast<int64_t>(e->object_as<List>()->size());
    if (type == ValueType::kSet) len = static_cast<int64_t>(e->object_as<Set>()->size());
    if (type == ValueType::kZSet) len = static_cast<int64_t>(e->object_as<ZSet>()->size());
  }
  // LIMIT, bounded by the size first so no arithmetic overflows.
  int64_t start = std::min(std::max<int64_t>(limit_start, 0), len);
  limit_count = std::min(std::max<int64_t>(limit_count, -1), len);
  int64_t end = limit_count < 0 ? len - 1 : start + limit_count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  // Load the elements. A list or sorted set left unsorted is read straight from the range
  // LIMIT asks for, in its own order (reversed by DESC).
  std::vector<Item> items;
  if (e != nullptr && dont_sort && type == ValueType::kList) {
    const List& l = *e->object_as<List>();
    if (end >= start) {
      const int64_t want = end - start + 1;
      List::Cursor c = l.CursorAt(static_cast<size_t>(desc ? len - start - 1 : start));
      for (int64_t n = 0; n < want && c.Valid(); ++n) {
        items.push_back({std::string(c.Get())});
        if (desc) {
          c.Prev();
        } else {
          c.Next();
        }
      }
      end -= start;
      start = 0;
    }
  } else if (e != nullptr && dont_sort && type == ValueType::kZSet) {
    const ZSet& z = *e->object_as<ZSet>();
    const int64_t want = end - start + 1;
    if (want > 0) {
      ZSet::Pos p = z.AtRank(static_cast<size_t>(desc ? len - 1 - start : start));
      for (int64_t n = 0; n < want && p.Valid(); ++n) {
        items.push_back({std::string(z.Get(p).member)});
        p = desc ? z.Prev(p) : z.Next(p);
      }
    }
    end -= start;
    start = 0;
  } else if (e != nullptr) {
    items.reserve(static_cast<size_t>(len));
    if (type == ValueType::kList) {
      const List& l = *e->object_as<List>();
      for (List::Cursor c = l.CursorAt(0); c.Valid(); c.Next()) items.push_back({std::string(c.Get())});
    } else if (type == ValueType::kSet) {
      e->object_as<Set>()->ForEach([&](std::string_view m) { items.push_back({std::string(m)}); });
    } else {
      e->object_as<ZSet>()->ForEach(
          [&](const ZSet::Item& it) { items.push_back({std::string(it.member)}); });
    }
  }

  bool bad_weight = false;
  std::vector<uint32_t> order;  // items' indexes in sorted order (empty: unsorted)
  if (!dont_sort) {
    std::string weight_text;
    for (Item& it : items) {
      if (!by) {
        if (!alpha && !SortWeight(it.value.c_str(), &it.score)) bad_weight = true;
        continue;
      }
      std::optional<std::string_view> weight = LookupByPattern(ctx, *by, it.value);
      if (!weight) continue;  // a missing weight sorts as 0, or first with ALPHA
      if (alpha) {
        it.by = std::string(*weight);
        continue;
      }
      weight_text.assign(*weight);
      if (!SortWeight(weight_text.c_str(), &it.score)) bad_weight = true;
    }
    // Numbers tie-break on the element's bytes, so the order is always the same.
    auto compare = [&](const Item& a, const Item& b) -> int {
      if (!alpha) {
        if (a.score > b.score) return 1;
        if (a.score < b.score) return -1;
        return a.value.compare(b.value);
      }
      if (by) {
        if (!a.by || !b.by) return a.by.has_value() == b.by.has_value() ? 0 : (a.by ? 1 : -1);
        return a.by->compare(*b.by);
      }
      return a.value.compare(b.value);
    };
    // The indexes are sorted, not the items (about 80 bytes each). The index breaks the
    // ties compare leaves, which gives a stable sort's order, so a LIMIT needs only its first
    // end + 1 places in order (Redis's pqsort does the same).
    order.resize(items.size());
    std::iota(order.begin(), order.end(), uint32_t{0});
    auto before = [&](uint32_t a, uint32_t b) {
      const int c = compare(items[a], items[b]);
      if (c != 0) return desc ? c > 0 : c < 0;
      return a < b;
    };
    // An empty LIMIT window (an offset past the end) needs none in place.
    const size_t placed = end >= start ? static_cast<size_t>(end + 1) : 0;
    if (placed == 0) {
      order.clear();  // unsorted; nothing is shown
    } else if (placed < order.size()) {
      std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(placed),
                        order.end(), before);
    } else {
      std::sort(order.begin(), order.end(), before);
    }
  }
  // The j-th element in the order chosen.
  auto element = [&](int64_t j) -> const std::string& {
    const size_t i = static_cast<size_t>(j);
    return items[order.empty() ? i : order[i]].value;
  };

  const int64_t rows = end - start + 1;
  const int64_t output = gets.empty() ? rows : static_cast<int64_t>(gets.size()) * rows;
  if (bad_weight) {
    ctx.Error(err::kSortNotDouble);
    return;
  }
  if (!store) {
    ctx.reply.Array(static_cast<size_t>(output));
    for (int64_t j = start; j <= end; ++j) {
      const std::string& value = element(j);
      if (gets.empty()) ctx.reply.Bulk(value);
      for (std::string_view pattern : gets) {
        std::optional<std::string_view> v = LookupByPattern(ctx, pattern, value);
        if (v) {
          ctx.reply.Bulk(*v);
        } else {
          ctx.reply.Null();
        }
      }
    }
    return;
  }
  if (output == 0) {
    ctx.db().Delete(*store, ctx.now_ms);
    ctx.reply.Int(0);
    return;
  }
  auto list = std::make_unique<List>(ctx.config().list_max_listpack_size);
  for (int64_t j = start; j <= end; ++j) {
    const std::string& value = element(j);
    if (gets.empty()) list->PushBack(value);
    for (std::string_view pattern : gets) {
      list->PushBack(LookupByPattern(ctx, pattern, value).value_or(std::string_view()));
    }
  }
  ctx.db().PutObject(*store, ValueType::kList, list.release(), Entry::kNoExpire, ctx.now_ms);
  ctx.reply.Int(output);
}

void Sort(CommandContext& ctx) { SortCommand(ctx, false); }
void SortRo(CommandContext& ctx) { SortCommand(ctx, true); }

}  // namespace

std::vector<Command> SortCommands() {
  return {
      {.name = "sort",
       .arity = -2,
       .flags = kWrite | kDenyOom,
       .keys = {1, 1, 1},
       .run = Sort,
       .group = "generic",
       .since = "1.0.0",
       .summary = "Sorts a list, set or sorted set, returning or storing the result",
       .syntax = "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] "
                 "[ASC|DESC] [ALPHA] [STORE destination]"},
      {.name = "sort_ro",
       .arity = -2,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = SortRo,
       .group = "generic",
       .since = "7.0.0",
       .summary = "Sorts a list, set or sorted set",
       .syntax = "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] "
                 "[ASC|DESC] [ALPHA]"},
  };
}

}  // namespace firn
