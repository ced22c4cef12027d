#include "storage/lazyfree.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <vector>

#include "storage/db.h"
#include "storage/entry.h"
#include "storage/evict.h"
#include "storage/keyspace.h"
#include "storage/memory.h"
#include "storage/value.h"

using namespace firn;

namespace {

// A value of many allocations, as a big collection's: a vector of small blocks.
struct Blocks {
  std::vector<void*> blocks;
};

Blocks* MakeBlocks(size_t n) {
  auto* b = new Blocks();
  for (size_t i = 0; i < n; ++i) b->blocks.push_back(std::malloc(32));
  return b;
}

const TypeOps kBlocksOps = {
    .name = "blocks",
    .encoding = [](const Entry&) -> std::string_view { return "blocks"; },
    .free_object =
        [](void* object) {
          auto* b = static_cast<Blocks*>(object);
          for (void* p : b->blocks) std::free(p);
          delete b;
        },
    .copy_object = [](const void*) -> void* { return nullptr; },
    .memory_usage = [](const Entry&) -> size_t { return 0; },
    .serialize = [](const Entry&, std::string*) {},
    .deserialize = [](std::string_view, std::string_view, int64_t) -> Entry* { return nullptr; },
    .free_effort = [](const Entry& e) { return e.object_as<Blocks>()->blocks.size(); },
};

struct BlocksRow {
  const TypeOps* previous;
  BlocksRow() : previous(RegisterTypeOps(ValueType::kSet, &kBlocksOps)) {}
  ~BlocksRow() { RegisterTypeOps(ValueType::kSet, previous); }
};

}  // namespace

TEST_CASE("a big value goes to the background freer, a small one is freed at once",
          "[lazyfree]") {
  BlocksRow row;
  LazyFreer& freer = LazyFreer::Instance();
  freer.Drain();
  const uint64_t before = freer.freed();
  CHECK_FALSE(freer.FreeEntry(
      Entry::MakeObject("small", ValueType::kSet, MakeBlocks(LazyFreer::kThreshold), -1)));
  CHECK(freer.FreeEntry(Entry::MakeObject("big", ValueType::kSet, MakeBlocks(10000), -1)));
  freer.Drain();
  CHECK(freer.freed() == before + 1);
  CHECK(freer.pending() == 0);
}

TEST_CASE("UNLINK-style deletes and lazy flushes leave used memory where it started",
          "[lazyfree]") {
  BindMemoryAccountingToThisThread();
  BlocksRow row;
  Keyspace ks(2);
  LazyFreer::Instance().Drain();
  const int64_t base = UsedMemoryBytes();
  ks.db(0).PutObject("a", ValueType::kSet, MakeBlocks(50000), -1, 0);
  ks.db(1).PutObject("b", ValueType::kSet, MakeBlocks(50000), -1, 0);
  CHECK(UsedMemoryBytes() - base > 50000 * 32);
  CHECK(ks.db(0).Delete("a", 0, firn::FreeMode::kBackground));
  CHECK(ks.db(0).size() == 0);
  ks.Clear(/*lazy=*/true);
  CHECK(ks.TotalKeys() == 0);
  LazyFreer::Instance().Drain();
#ifndef FIRN_NO_JEMALLOC
  // The blocks were freed on the helper thread; used memory counts its frees too.
  CHECK(UsedMemoryBytes() - base < 64 * 1024);
#endif
}
