// CommandIndex: every row is found by its name in any case; nothing else is.
#include <catch2/catch.hpp>

#include <string>

#include "modules/command_index.h"
#include "modules/engine.h"

namespace firn {
namespace {

TEST_CASE("CommandIndex finds every command of the table, in any case", "[command-index]") {
  Engine engine{Config{}};
  const CommandTable& table = engine.commands;
  for (const Command& c : table.all()) {
    INFO(c.name);
    CHECK(table.Find(c.name) == &c);
    std::string upper(c.name);
    for (char& ch : upper) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
    CHECK(table.Find(upper) == &c);
  }
  CHECK(table.Find("GeT")->name == "get");
  CHECK(table.Find("CL.Throttle")->name == "cl.throttle");
}

TEST_CASE("CommandIndex answers nullptr for unknown and near-miss names", "[command-index]") {
  Engine engine{Config{}};
  const CommandTable& table = engine.commands;
  for (std::string_view name : {"", "ge", "gett", "g\0t", "GET ", "config|get", "get|", "GeT\x80",
                                "cl,throttle", "[et", "Get\x01"}) {
    INFO(name);
    CHECK(table.Find(name) == nullptr);
  }
  CHECK(table.Find(std::string(33, 'a')) == nullptr);
  CHECK(table.Find(std::string(100000, 'x')) == nullptr);
  // Non-letters are not case-folded: '@' is not '`', '[' is not '{'.
  CommandIndex index;
  std::vector<Command> rows(2);
  rows[0].name = "a`b";
  rows[1].name = "x{y";
  index.Build(rows);
  CHECK(index.Find("A`B") == &rows[0]);
  CHECK(index.Find("a@b") == nullptr);
  CHECK(index.Find("X[Y") == nullptr);
  CHECK(index.Find("X{Y") == &rows[1]);
}

}  // namespace
}  // namespace firn
