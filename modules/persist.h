// Persistence commands and the snapshot life cycle: DUMP, RESTORE, SAVE, BGSAVE, LASTSAVE, the
// `save` rules, loading dump.rdb at start and saving at shutdown, all in Redis's RDB format
// (storage/rdb.h). The state lives in Engine::save; the server layer calls PersistCron from
// its cron, LoadSnapshotAtStartup before it listens and SaveBeforeShutdown on SIGTERM.
//
// Thread-safety: loop thread only. BGSAVE forks; the child writes the file and _exits, the
// parent never waits for it but reaps it from the cron.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "modules/command.h"

namespace firn {

struct Engine;

std::vector<Command> PersistCommands();

// dir + "/" + dbfilename.
std::string SnapshotPath(const Engine& engine);

// Writes the snapshot now, in this process: a temp file in dir, fsync, rename over
// dbfilename. Returns false with *error set (and logs) when a step fails.
bool SaveSnapshot(Engine& engine, int64_t now_ms, std::string* error);

// Forks a child that writes the snapshot. False with *error when a child already runs or
// fork fails.
bool StartBackgroundSave(Engine& engine, int64_t now_ms, std::string* error);

// From the server's cron: reaps a finished BGSAVE child (recording its outcome), starts a
// scheduled BGSAVE, and one the save rules call for.
void PersistCron(Engine& engine, int64_t now_ms);

// At start, before clients connect: loads dbfilename from dir when it exists. False (with
// *error naming the file and offset) when it exists but does not load; the server must not
// start then, as Redis does not.
bool LoadSnapshotAtStartup(Engine& engine, int64_t now_ms, std::string* error);

// SIGTERM and SHUTDOWN: stops a running child, then saves when force_save, or when save rules
// are set and not nosave. False when that save failed (the shutdown must not go on).
bool SaveBeforeShutdown(Engine& engine, int64_t now_ms, bool force_save, bool nosave);

// Recomputes Engine::save.deny_writes from the config and the last outcome (after CONFIG SET
// save / stop-writes-on-bgsave-error).
void RefreshDenyWrites(Engine& engine);

}  // namespace firn
