// How the ACL describes command rights (modules/acl.cc, "Describing command rights"): the
// description is derived from the bits, as Redis 7.0's, not kept as the rules were given.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../command_harness.h"
#include "modules/acl.h"

using firn::testing::CommandHarness;

namespace {

// The commands field of ACL GETUSER name, after SETUSER name reset rules...
std::string Described(const std::vector<std::string_view>& rules) {
  firn::CommandTable table;
  firn::Acl acl(table);
  std::vector<std::string_view> all = {"reset"};
  all.insert(all.end(), rules.begin(), rules.end());
  REQUIRE_FALSE(acl.SetUser("u", all).has_value());
  return acl.DescribeCommands(acl.Find("u")->selectors.front());
}

}  // namespace

TEST_CASE("a category rule repeated after an unrelated removal is described once", "[acl]") {
  CHECK(Described({"+@read", "-@dangerous", "+@read"}) == "-@all +@read");
  CHECK(Described({"+@hash", "-hset", "+@write"}) == "-@all +@write +@hash");
  CHECK(Described({"+@all", "-@dangerous"}) == "+@all -@dangerous");
  CHECK(Described({"allcommands", "-flushall"}) == "+@all -flushall");
  CHECK(Described({"nocommands", "+get"}) == "-@all +get");
  CHECK(Described({"+get", "+set", "-get"}) == "-@all +set");
  CHECK(Described({}) == "-@all");
}

TEST_CASE("single commands left over are described by name, then first arguments", "[acl]") {
  CHECK(Described({"+@read", "-@dangerous"}) == "-@all +@read -keys -sort_ro");
  CHECK(Described({"+select|0", "+select|AbC", "+select|abc"}) == "-@all +select|0 +select|AbC");
  // A first argument of an allowed command says nothing more.
  CHECK(Described({"+@all", "+select|0"}) == "+@all");
  CHECK(Described({"+@all", "-config", "+config|get"}) == "+@all -config +config|get");
}

TEST_CASE("a category rule reaches the subcommands of a container in it, as Redis's", "[acl]") {
  CommandHarness h;
  REQUIRE(h.Run({"ACL", "SETUSER", "u", "on", "nopass", "allkeys", "-@all", "+@slow"}) ==
          "+OK\r\n");
  // CONFIG is @slow; CONFIG GET is @admin @slow @dangerous, OBJECT FREQ @keyspace @read @slow.
  CHECK(h.Run({"ACL", "DRYRUN", "u", "config", "get", "x"}) == "+OK\r\n");
  CHECK(h.Run({"ACL", "DRYRUN", "u", "object", "freq", "k"}) == "+OK\r\n");
  CHECK(h.Run({"ACL", "DRYRUN", "u", "get", "k"}) ==
        "$53\r\nThis user has no permissions to run the 'get' command\r\n");
}

TEST_CASE("rules may name Redis's commands that Firn lacks, and they are described", "[acl]") {
  CHECK(Described({"+@all", "-debug"}) == "+@all -debug");
  CHECK(Described({"+cluster|info"}) == "-@all +cluster|info");
  CHECK(Described({"+debug|object"}) == "-@all +debug|object");
  CHECK(Described({"+@admin", "-@admin", "+module"}).find("+module") != std::string::npos);
}

TEST_CASE("command rules Redis refuses are refused with its texts", "[acl]") {
  CommandHarness h;
  CHECK(h.Run({"ACL", "SETUSER", "u", "+config|get|x"}) ==
        "-ERR Error in ACL SETUSER modifier '+config|get|x': Allowing first-arg of a subcommand "
        "is not supported\r\n");
  CHECK(h.Run({"ACL", "SETUSER", "u", "+config|"}) ==
        "-ERR Error in ACL SETUSER modifier '+config|': Syntax error\r\n");
  for (std::string_view rule : {"+", "-", "-@", "+get|a|b", "-config|", "-select|0", "+nosuch"}) {
    CHECK(h.Run({"ACL", "SETUSER", "u", rule}) == "-ERR Error in ACL SETUSER modifier '" +
                                                      std::string(rule) +
                                                      "': Unknown command or category name "
                                                      "in ACL\r\n");
  }
}

TEST_CASE("a described user reloads to the same bits and the same description", "[acl]") {
  firn::CommandTable table;
  firn::Acl acl(table);
  const std::vector<std::string_view> rules = {
      "on",           "+@read",    "-@dangerous", "+config|get", "-object",
      "+object|freq", "+select|0", "-debug",      "+@write",     "-set"};
  REQUIRE_FALSE(acl.SetUser("u", rules).has_value());
  firn::Acl fresh(table);
  std::vector<std::shared_ptr<firn::AclUser>> replaced;
  REQUIRE_FALSE(fresh.Load(acl.Save(), &replaced).has_value());
  CHECK(fresh.Save() == acl.Save());
  CHECK(fresh.Find("u")->selectors.front().allowed == acl.Find("u")->selectors.front().allowed);
}

TEST_CASE("an aclfile without the default user gives it its start-up rules and flags", "[acl]") {
  firn::CommandTable table;
  firn::Acl acl(table);
  const std::string initial = acl.Save();
  std::vector<std::shared_ptr<firn::AclUser>> replaced;
  REQUIRE_FALSE(acl.Load("user default on nopass skip-sanitize-payload ~a -@all\n", &replaced));
  CHECK(acl.Save() == "user default on nopass skip-sanitize-payload ~a resetchannels -@all\n");
  REQUIRE_FALSE(acl.Load("user u off\n", &replaced));
  CHECK(acl.Save() == initial + "user u off resetchannels -@all\n");
}
