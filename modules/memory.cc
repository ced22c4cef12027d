#include "modules/memory.h"

#include <string>

#include "modules/args.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "storage/memory.h"
#include "storage/value.h"

namespace firn {
namespace {

// What a key costs: its entry's allocation, its share of the bucket array (one slot) and
// what its value holds out of line (the type's TypeOps says).
int64_t KeyBytes(const Entry* e) {
  return static_cast<int64_t>(e->AllocatedBytes() + sizeof(Entry*) +
                              TypeOpsOf(e->type()).memory_usage(*e));
}

// MEMORY USAGE key [SAMPLES count] -> bytes the key takes, or nil.
void Usage(CommandContext& ctx) {
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    int64_t samples;
    if (!EqualsNoCase(ctx.arg(i), "SAMPLES") || i + 1 >= ctx.argc()) {
      ctx.Error(err::kSyntax);
      return;
    }
    if (!ArgInt(ctx, i + 1, &samples)) return;
  }
  Entry* e = ctx.db().Find(ctx.arg(2), ctx.now_ms);
  if (e == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Int(KeyBytes(e));
  }
}

// MEMORY STATS -> a map of memory figures under Redis's names.
void Stats(CommandContext& ctx) {
  MemoryStats m = ReadMemoryStats();
  const int64_t used = UsedMemoryBytes();
  Keyspace& ks = ctx.keyspace();
  size_t table_bytes = 0;
  int nonempty = 0;
  for (int d = 0; d < ks.count(); ++d) {
    table_bytes += ks.db(d).dict().OverheadBytes();
    nonempty += ks.db(d).size() > 0;
  }
  const size_t keys = ks.TotalKeys();
  const int64_t dataset =
      used > static_cast<int64_t>(table_bytes) ? used - static_cast<int64_t>(table_bytes) : 0;
  ctx.reply.Map(13 + static_cast<size_t>(nonempty));
  ctx.reply.Bulk("peak.allocated");
  ctx.reply.Int(static_cast<int64_t>(std::max<uint64_t>(ctx.engine.stats.peak_memory, used)));
  ctx.reply.Bulk("total.allocated");
  ctx.reply.Int(used);
  ctx.reply.Bulk("clients.normal");
  ctx.reply.Int(0);
  ctx.reply.Bulk("overhead.total");
  ctx.reply.Int(static_cast<int64_t>(table_bytes));
  for (int d = 0; d < ks.count(); ++d) {
    if (ks.db(d).size() == 0) continue;
    ctx.reply.Bulk("db." + std::to_string(d));
    ctx.reply.Map(2);
    ctx.reply.Bulk("overhead.hashtable.main");
    ctx.reply.Int(static_cast<int64_t>(ks.db(d).dict().OverheadBytes()));
    ctx.reply.Bulk("overhead.hashtable.expires");
    ctx.reply.Int(0);  // the expiry lives in the entry: no second table
  }
  ctx.reply.Bulk("keys.count");
  ctx.reply.Int(static_cast<int64_t>(keys));
  ctx.reply.Bulk("keys.bytes-per-key");
  ctx.reply.Int(keys == 0 ? 0 : used / static_cast<int64_t>(keys));
  ctx.reply.Bulk("dataset.bytes");
  ctx.reply.Int(dataset);
  ctx.reply.Bulk("dataset.percentage");
  ctx.reply.Double(used > 0 ? 100.0 * static_cast<double>(dataset) / static_cast<double>(used) : 0);
  ctx.reply.Bulk("allocator.allocated");
  ctx.reply.Int(static_cast<int64_t>(m.allocated));
  ctx.reply.Bulk("allocator.active");
  ctx.reply.Int(static_cast<int64_t>(m.active));
  ctx.reply.Bulk("allocator.resident");
  ctx.reply.Int(static_cast<int64_t>(m.resident));
  ctx.reply.Bulk("rss");
  ctx.reply.Int(static_cast<int64_t>(m.rss));
  ctx.reply.Bulk("fragmentation");
  ctx.reply.Double(used > 0 ? static_cast<double>(m.rss) / static_cast<double>(used) : 0);
}

// MEMORY DOCTOR -> a sentence, as Redis gives when nothing is wrong.
void Doctor(CommandContext& ctx) {
  ctx.reply.Verbatim(
      "Hi Sam, I can't find any memory issue in your instance. I can only account "
      "for what occurs on this base.");
}

// MEMORY MALLOC-STATS -> the allocator's summary line.
void MallocStats(CommandContext& ctx) {
  MemoryStats m = ReadMemoryStats();
  ctx.reply.Verbatim(std::string(AllocatorName()) + " allocated=" + std::to_string(m.allocated) +
                     " active=" + std::to_string(m.active) +
                     " resident=" + std::to_string(m.resident));
}

// MEMORY PURGE -> OK.
void Purge(CommandContext& ctx) { ctx.reply.Ok(); }

void Help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return memory problems reports.",
      "MALLOC-STATS",
      "    Return internal statistics report from the memory allocator.",
      "PURGE",
      "    Attempt to purge dirty pages for reclamation by the allocator.",
      "STATS",
      "    Return information about the memory usage of the server.",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      "HELP",
      "    Print this help.",
  };
  ctx.reply.Array(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.Simple(line);
}

}  // namespace

std::vector<Command> MemoryCommands() {
  return {
      {.name = "memory",
       .arity = -2,
       .flags = 0,
       .run = RunSubcommand,
       .group = "server",
       .since = "4.0.0",
       .summary = "Reports on memory use (see its subcommands).",
       .syntax = "<subcommand> [arguments]",
       .subcommands =
           {
               {.name = "memory|usage",
                .arity = -3,
                .flags = kReadOnly,
                .keys = {2, 2, 1},
                .run = Usage,
                .group = "server",
                .since = "4.0.0",
                .summary = "Estimates the bytes a key and its value take.",
                .syntax = "key [SAMPLES count]"},
               {.name = "memory|stats",
                .arity = 2,
                .flags = 0,
                .run = Stats,
                .group = "server",
                .since = "4.0.0",
                .summary = "Breaks down the server's memory use."},
               {.name = "memory|doctor",
                .arity = 2,
                .flags = 0,
                .run = Doctor,
                .group = "server",
                .since = "4.0.0",
                .summary = "Advises on the server's memory use."},
               {.name = "memory|malloc-stats",
                .arity = 2,
                .flags = 0,
                .run = MallocStats,
                .group = "server",
                .since = "4.0.0",
                .summary = "Answers the allocator's own statistics."},
               {.name = "memory|purge",
                .arity = 2,
                .flags = 0,
                .run = Purge,
                .group = "server",
                .since = "4.0.0",
                .summary = "Asks the allocator to hand unused memory back."},
               {.name = "memory|help",
                .arity = 2,
                .flags = kLoading | kStale,
                .run = Help,
                .group = "server",
                .since = "4.0.0",
                .summary = "Lists the MEMORY subcommands."},
           }},
  };
}

}  // namespace firn
