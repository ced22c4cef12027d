#include "server/clock.h"

#include <pthread.h>
#include <sched.h>

#include <thread>

#include <catch2/catch.hpp>

namespace firn {
namespace {

// Spins until the monotonic clock has moved on by `us`.
void SpinFor(int64_t us) {
  const int64_t until = MonotonicClockUs() + us;
  while (MonotonicClockUs() < until) {
  }
}

}  // namespace

TEST_CASE("the command clock follows CLOCK_MONOTONIC and never steps back", "[server][clock]") {
  RecalibrateCommandClock();
  SpinFor(60'000);
  RecalibrateCommandClock();  // calibrated from here, where the CPU's counter is invariant
  int64_t last = CommandClockUs();
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 100'000; ++i) {
      const int64_t now = CommandClockUs();
      REQUIRE(now >= last);
      last = now;
    }
    SpinFor(20'000);
    // Within a millisecond of the reference, read on both sides of it, after 60-160 ms of
    // calibration.
    const int64_t before = MonotonicClockUs();
    const int64_t cmd = CommandClockUs();
    const int64_t after = MonotonicClockUs();
    REQUIRE(cmd >= before - 1000);
    REQUIRE(cmd <= after + 1000);
    RecalibrateCommandClock();
    REQUIRE(CommandClockUs() >= cmd);
  }
}

TEST_CASE("the command clock measures a known interval", "[server][clock]") {
  RecalibrateCommandClock();
  SpinFor(60'000);
  RecalibrateCommandClock();
  // The reference is read on both sides of each reading, so a preemption between two reads
  // widens the bounds instead of failing the test.
  const int64_t m0 = MonotonicClockUs();
  const int64_t c0 = CommandClockUs();
  const int64_t m1 = MonotonicClockUs();
  SpinFor(30'000);
  const int64_t m2 = MonotonicClockUs();
  const int64_t c1 = CommandClockUs();
  const int64_t m3 = MonotonicClockUs();
  REQUIRE(c1 - c0 >= (m2 - m1) - 300);
  REQUIRE(c1 - c0 <= (m3 - m0) + 300);
}

TEST_CASE("the run-queue wait is read, and grows while another thread holds the CPU",
          "[server][clock]") {
  RunQueueWait closed;
  CHECK(closed.Us() == -1);

  // Two threads spinning on one CPU take turns: each waits about half the time.
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  bool opened = false;
  int64_t waited_us = -1;
  std::thread measured([&] {
    pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
    RunQueueWait wait;
    opened = wait.Open();
    const int64_t before = wait.Us();
    std::thread other([&] {
      pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
      SpinFor(300000);
    });
    SpinFor(300000);
    other.join();
    waited_us = wait.Us() - before;
  });
  measured.join();
  REQUIRE(opened);  // Debian's kernels keep schedstat; without it busy polling is off
  CHECK(waited_us > 50000);  // about 150 ms when both share the CPU evenly
}

}  // namespace firn
