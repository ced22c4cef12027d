// Firn's own version, and the Redis version whose behaviour Firn matches (INFO redis_version,
// HELLO's version: clients such as RQ choose code paths by it). Here rather than in server/ so
// the command families (INFO, HELLO) can report them.
#pragma once

namespace firn {

inline constexpr const char* kFirnVersion = "0.1.0";
inline constexpr const char* kRedisVersion = "7.0.15";

}  // namespace firn
