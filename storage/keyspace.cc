#include "storage/keyspace.h"

#include <algorithm>

namespace firn {

Keyspace::Keyspace(int databases) {
  for (int i = 0; i < databases; ++i) {
    dbs_.push_back(std::make_unique<Db>(&stats_, &evictor_, &signal_, i));
  }
  sweeps_.assign(static_cast<size_t>(databases), Sweep{});
}

size_t Keyspace::ActiveExpireCycle(int64_t now_ms, int hz, int effort, int64_t (*clock_us)()) {
  const int64_t start_us = clock_us();
  const int64_t budget_us =
      1000000LL * kSlowCycleBudgetPercent * (effort + 3) / 4 / 100 / (hz > 0 ? hz : 10);
  size_t deleted = 0;
  for (size_t i = 0; i < dbs_.size(); ++i) {
    Db& db = *dbs_[i];
    // Enough buckets a tick that a whole sweep takes at most kSweepSeconds / effort.
    const size_t sweep_ticks = static_cast<size_t>(hz > 0 ? hz : 10) * kSweepSeconds /
                               static_cast<size_t>(effort > 0 ? effort : 1);
    const size_t chunk =
        std::max(kBaseBuckets * static_cast<size_t>(effort), db.dict().buckets() / sweep_ticks);
    Sweep& sweep = sweeps_[i];
    while (db.expires() > 0) {
      Db::ExpireStep step = db.ActiveExpire(now_ms, &sweep.cursor, chunk);
      deleted += step.expired;
      sweep.earliest_this = std::min(sweep.earliest_this, step.earliest_expire_ms);
      if (sweep.cursor == 0) {
        // A sweep ended: what it saw is now the earliest expiry anywhere in the table.
        sweep.earliest_last = sweep.earliest_this;
        sweep.earliest_this = INT64_MAX;
      }
      // Keep going while expired keys are dense here, or while a key the sweeps have seen is
      // known to be past its deadline, and time is left.
      bool dense = step.sampled > 0 && step.expired * 4 > step.sampled;
      bool known_expired = std::min(sweep.earliest_this, sweep.earliest_last) <= now_ms;
      if (!dense && !known_expired) break;
      if (clock_us() - start_us > budget_us) return deleted;
    }
  }
  return deleted;
}

void Keyspace::Cron() {
  for (auto& db : dbs_) db->Cron(100);
}

size_t Keyspace::TotalKeys() const {
  size_t n = 0;
  for (const auto& db : dbs_) n += db->size();
  return n;
}

void Keyspace::Clear(bool lazy) {
  for (auto& db : dbs_) db->Clear(lazy);
}


}  // namespace firn
