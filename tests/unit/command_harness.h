// In-process command runner for unit tests: an Engine with a default (or given) Config, one
// client, and a clock the test sets. Run() dispatches one command and returns the raw RESP
// reply, so tests compare exactly what a client would read.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "conf/config.h"
#include "modules/dispatch.h"
#include "modules/engine.h"

namespace firn::testing {

inline int64_t FakeClockUs() { return 0; }

class CommandHarness {
 public:
  explicit CommandHarness(Config config = Config{}) : engine(std::move(config)) {
    engine.clock_us = FakeClockUs;
    client.authenticated = engine.config.requirepass.empty();
  }

  std::string Run(std::initializer_list<std::string_view> args) {
    return Run(std::vector<std::string_view>(args));
  }
  std::string Run(const std::vector<std::string_view>& args) {
    std::string out;
    Dispatch(engine, client, args, &out, now_ms);
    return out;
  }
  std::string Run(const std::vector<std::string>& args) {
    return Run(std::vector<std::string_view>(args.begin(), args.end()));
  }

  Engine engine;
  ClientInfo client;
  int64_t now_ms = 1700000000000;  // a fixed Unix time in ms; tests move it
};

}  // namespace firn::testing
