// The command table and its metadata (command_docs.h): every row has an entry and every entry
// a row; key specs, ACL categories and argument trees agree with the rows' flags; COMMAND
// GETKEYS and GETKEYSANDFLAGS follow the key specs.
#include <catch2/catch.hpp>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "../command_harness.h"
#include "modules/command_docs.h"

using firn::AclCategories;
using firn::AllCommandMeta;
using firn::Command;
using firn::DocArg;
using firn::KeyRule;
using firn::KeySpec;
using firn::testing::CommandHarness;

namespace {

// Every row of the table, subcommands included.
std::vector<const Command*> AllRows(const CommandHarness& h) {
  std::vector<const Command*> out;
  for (const Command& c : h.engine.commands.all()) {
    out.push_back(&c);
    for (const Command& sub : c.subcommands) out.push_back(&sub);
  }
  return out;
}

bool Has(const std::vector<std::string_view>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

int CountBits(unsigned v) { return __builtin_popcount(v); }

constexpr uint16_t kAccessKind = firn::kKeyRO | firn::kKeyRW | firn::kKeyOW | firn::kKeyRM;
constexpr uint16_t kWriting = firn::kKeyRW | firn::kKeyOW | firn::kKeyRM;

}  // namespace

TEST_CASE("every command row has a metadata entry and every entry a row", "[command_table]") {
  CommandHarness h;
  std::set<std::string_view> rows;
  for (const Command* c : AllRows(h)) {
    INFO(c->name);
    CHECK(c->meta != nullptr);
    rows.insert(c->name);
  }
  std::string_view prev;
  for (const firn::CommandMeta& m : AllCommandMeta()) {
    INFO(m.name);
    CHECK(rows.count(m.name) == 1);
    CHECK(prev < m.name);  // sorted, for the binary search
    prev = m.name;
  }
}

TEST_CASE("key specs agree with the row's flags and legacy key range", "[command_table]") {
  CommandHarness h;
  for (const Command* c : AllRows(h)) {
    INFO(c->name);
    REQUIRE(c->meta != nullptr);
    const auto specs = c->meta->key_specs;
    for (const KeyRule& k : specs) {
      // Exactly one of RO / RW / OW / RM; none for a not_key spec (a shard channel), as in
      // Redis 7.0.
      CHECK(CountBits(k.flags & kAccessKind) == ((k.flags & firn::kKeyNotKey) ? 0 : 1));
      CHECK(k.key_step >= 1);
      CHECK((k.unknown || (k.keyword.empty() ? k.index >= 1 : k.index != 0)));
    }
    // A command that writes has a key it writes; a read-only one writes none.
    if (!specs.empty() && (c->flags & firn::kWrite)) {
      CHECK(std::any_of(specs.begin(), specs.end(),
                        [](const KeyRule& k) { return (k.flags & kWriting) != 0; }));
    }
    // PFCOUNT is Redis's one exception: read-only, yet it stores a recomputed cached count.
    if ((c->flags & firn::kReadOnly) && c->name != "pfcount") {
      for (const KeyRule& k : specs) CHECK((k.flags & kWriting) == 0);
    }
    // A command with keys has specs, and the row's legacy range is what they imply (none for
    // a command whose keys are all movable, as LMPOP's numkeys-counted keys).
    const bool all_movable = !specs.empty() && firn::LegacyRange(specs).first == 0;
    CHECK((specs.empty() || all_movable) == (c->keys.first == 0));
    const KeySpec legacy = firn::LegacyRange(specs);
    CHECK(legacy.first == c->keys.first);
    CHECK(legacy.last == c->keys.last);
    CHECK(legacy.step == c->keys.step);
  }
}

TEST_CASE("ACL categories follow the flags and the group", "[command_table]") {
  CommandHarness h;
  for (const Command* c : AllRows(h)) {
    INFO(c->name);
    const std::vector<std::string_view> cats = AclCategories(*c);
    REQUIRE(!cats.empty());
    CHECK(Has(cats, "@write") == ((c->flags & firn::kWrite) != 0));
    // As Redis, read-only scripting commands (EVAL_RO, FCALL_RO) are not in @read.
    CHECK(Has(cats, "@read") ==
          ((c->flags & firn::kReadOnly) != 0 && c->group != "scripting"));
    CHECK(Has(cats, "@fast") != Has(cats, "@slow"));
    CHECK(Has(cats, "@fast") == ((c->flags & firn::kFast) != 0));
    if (c->flags & firn::kAdmin) {
      CHECK(Has(cats, "@admin"));
      CHECK(Has(cats, "@dangerous"));
    }
    if (c->group == "string" && c->subcommands.empty()) CHECK(Has(cats, "@string"));
    // SORT and SORT_RO are "generic" without being in @keyspace, as in Redis.
    if (c->group == "generic" && c->subcommands.empty() && c->name != "sort" &&
        c->name != "sort_ro") {
      CHECK(Has(cats, "@keyspace"));
    }
    if (c->group == "connection" && c->subcommands.empty()) CHECK(Has(cats, "@connection"));
    for (std::string_view cat : cats) CHECK(cat.rfind('@', 0) == 0);
  }
}

TEST_CASE("argument trees are well formed and name their key specs", "[command_table]") {
  CommandHarness h;
  for (const Command* c : AllRows(h)) {
    INFO(c->name);
    REQUIRE(c->meta != nullptr);
    const auto args = c->meta->args;
    std::set<int> key_args;
    // Every subtree fits inside its parent's.
    std::function<void(size_t, size_t)> walk = [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; i += 1 + args[i].descendants) {
        const DocArg& a = args[i];
        CHECK(i + a.descendants < end);
        CHECK(!a.name.empty());
        CHECK((a.type == "block" || a.type == "oneof") == (a.descendants > 0));
        // SORT's BY and GET patterns name the key spec of the keys they make, as in Redis.
        if (a.type == "key" || (a.type == "pattern" && a.key_spec_index >= 0)) {
          CHECK(a.key_spec_index >= 0);
          CHECK(static_cast<size_t>(a.key_spec_index) < c->meta->key_specs.size());
          key_args.insert(a.key_spec_index);
        } else {
          CHECK(a.key_spec_index == -1);
        }
        walk(i + 1, i + 1 + a.descendants);
      }
    };
    walk(0, args.size());
    // Every key spec is some argument's, but a not_key spec (a shard channel, which Redis
    // 7.0's argument trees leave a plain string).
    size_t not_key = 0;
    for (const KeyRule& k : c->meta->key_specs) not_key += (k.flags & firn::kKeyNotKey) ? 1 : 0;
    CHECK(key_args.size() + not_key == c->meta->key_specs.size());
  }
}

TEST_CASE("COMMAND GETKEYS follows the key specs", "[command_table]") {
  CommandHarness h;
  CHECK(h.Run({"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2", "c", "3"}) ==
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "SET", "k", "v", "EX", "10"}) == "*1\r\n$1\r\nk\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "GETEX", "k", "PERSIST"}) == "*1\r\n$1\r\nk\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "COPY", "src", "dst", "DB", "2", "REPLACE"}) ==
        "*2\r\n$3\r\nsrc\r\n$3\r\ndst\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "RENAME", "old", "new"}) ==
        "*2\r\n$3\r\nold\r\n$3\r\nnew\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "CL.THROTTLE", "user:7", "15", "30", "60"}) ==
        "*1\r\n$6\r\nuser:7\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "RL.WINDOW", "w", "10", "1000", "APPROX"}) ==
        "*1\r\n$1\r\nw\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "OBJECT", "ENCODING", "k"}) == "*1\r\n$1\r\nk\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "MEMORY", "USAGE", "k"}) == "*1\r\n$1\r\nk\r\n");
  // Redis's order of errors: unknown command, then no keys, then the arity.
  CHECK(h.Run({"COMMAND", "GETKEYS", "OBJECT", "NOSUCH", "k"}) ==
        "-ERR Invalid command specified\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "PING", "a", "b", "c"}) ==
        "-ERR The command has no key arguments\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "OBJECT", "ENCODING"}) ==
        "-ERR Invalid number of arguments specified for command\r\n");
  // As Redis: the arity allows it, so the range is followed to the end.
  CHECK(h.Run({"COMMAND", "GETKEYS", "MSET", "a", "1", "b"}) == "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
}

TEST_CASE("COMMAND GETKEYSANDFLAGS gives each key its spec's flags", "[command_table]") {
  CommandHarness h;
  // SET overwrites, unless GET also reads the old value.
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v"}) ==
        "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v", "get"}) ==
        "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "RENAME", "a", "b"}) ==
        "*2\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n"
        "*2\r\n$1\r\nb\r\n*2\r\n+OW\r\n+update\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "MSET", "a", "1", "b", "2"}) ==
        "*2\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n"
        "*2\r\n$1\r\nb\r\n*2\r\n+OW\r\n+update\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "CL.THROTTLE", "u", "1", "2", "3"}) ==
        "*1\r\n*2\r\n$1\r\nu\r\n*3\r\n+RW\r\n+access\r\n+update\r\n");
}

TEST_CASE("key positions: keyword and keynum specs, ranges with a limit", "[command_table]") {
  auto positions = [](std::initializer_list<KeyRule> specs, std::vector<std::string_view> argv) {
    return firn::KeyPositions(std::span<const KeyRule>(specs.begin(), specs.size()), argv.size(),
                              argv);
  };
  // ZUNIONSTORE-like: destination, then numkeys and that many keys (more than 256).
  std::vector<std::string> many = {"zunionstore", "dst", "260"};
  for (int i = 0; i < 260; ++i) many.push_back("k" + std::to_string(i));
  std::vector<std::string_view> argv(many.begin(), many.end());
  std::vector<size_t> got = positions(
      {{.flags = firn::kKeyOW, .index = 1, .last_key = 0},
       {.flags = firn::kKeyRO, .index = 2, .keynum = true, .keynum_index = 0, .first_key = 1}},
      argv);
  REQUIRE(got.size() == 261);
  CHECK(got.front() == 1);
  CHECK(got[1] == 3);
  CHECK(got.back() == 262);
  // A count past the end finds nothing; so does a count that is not a number.
  CHECK(positions({{.flags = firn::kKeyRO, .index = 1, .keynum = true, .first_key = 1}},
                  {"cmd", "5", "a"})
            .size() == 1);
  CHECK(positions({{.flags = firn::kKeyRO, .index = 1, .keynum = true, .first_key = 1}},
                  {"cmd", "x", "a"})
            .empty());
  // SORT-like: the key after STORE, searched from the end.
  CHECK(positions({{.flags = firn::kKeyOW, .index = -1, .keyword = "STORE", .last_key = 0}},
                  {"sort", "k", "BY", "w", "store", "dst"}) == std::vector<size_t>{5});
  CHECK(positions({{.flags = firn::kKeyOW, .index = 1, .keyword = "STORE", .last_key = 0}},
                  {"sort", "k"})
            .empty());
  // A range to the end, every second argument, and half of it (limit 2).
  CHECK(positions({{.flags = firn::kKeyRO, .index = 1, .last_key = -1, .key_step = 2}},
                  {"mset", "a", "1", "b", "2"}) == std::vector<size_t>{1, 3});
  CHECK(positions({{.flags = firn::kKeyRO, .index = 1, .last_key = -1, .limit = 2}},
                  {"xread", "s1", "s2", "id1", "id2"}) == std::vector<size_t>{1, 2});
}

TEST_CASE("legacy range and movablekeys derive from the key specs", "[command_table]") {
  auto range = [](std::initializer_list<KeyRule> specs) {
    return firn::LegacyRange(std::span<const KeyRule>(specs.begin(), specs.size()));
  };
  auto movable = [](std::initializer_list<KeyRule> specs) {
    return firn::HasMovableKeys(std::span<const KeyRule>(specs.begin(), specs.size()));
  };
  const KeySpec get = range({{.flags = firn::kKeyRO, .index = 1, .last_key = 0}});
  CHECK((get.first == 1 && get.last == 1 && get.step == 1));
  const KeySpec mset = range({{.flags = firn::kKeyOW, .index = 1, .last_key = -1, .key_step = 2}});
  CHECK((mset.first == 1 && mset.last == -1 && mset.step == 2));
  // RENAME / COPY: two consecutive single-key specs make one range.
  const KeySpec rename = range({{.flags = firn::kKeyRW, .index = 1, .last_key = 0},
                                {.flags = firn::kKeyOW, .index = 2, .last_key = 0}});
  CHECK((rename.first == 1 && rename.last == 2 && rename.step == 1));
  CHECK(!movable({{.flags = firn::kKeyRW, .index = 1, .last_key = 0},
                  {.flags = firn::kKeyOW, .index = 2, .last_key = 0}}));
  // A keynum spec is movable; the range before it still makes the legacy triple.
  const KeySpec zunion =
      range({{.flags = firn::kKeyOW, .index = 1, .last_key = 0},
             {.flags = firn::kKeyRO, .index = 2, .keynum = true, .first_key = 1}});
  CHECK((zunion.first == 1 && zunion.last == 1 && zunion.step == 1));
  CHECK(movable({{.flags = firn::kKeyOW, .index = 1, .last_key = 0},
                 {.flags = firn::kKeyRO, .index = 2, .keynum = true, .first_key = 1}}));
  CHECK(movable({{.flags = firn::kKeyOW, .index = -1, .keyword = "STORE", .last_key = 0}}));
  const KeySpec none = range({});
  CHECK((none.first == 0 && none.last == 0 && none.step == 0));
}
