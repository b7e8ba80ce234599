// SPDX-License-Identifier: BSL-1.0
// The seeded pauses of the schedule explorations (stream and stress suites): a deterministic
// xorshift sequence, and a pause chosen by it (nothing, a yield, or a short sleep, virtual on
// sim_runtime).
#pragma once
#include <chrono>
#include <cstdint>
#include <eddy/eddy.hpp>

namespace eddy_test {

/// A deterministic pseudo-random sequence for a task's pauses.
struct rng {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

/// Pauses a seed-chosen way: nothing, a yield, or a sleep of under 50 microseconds.
inline eddy::task<void> pause(rng& r) {
  switch (r.next() % 4) {
    case 0:
      break;
    case 1:
    case 2:
      co_await eddy::yield_now();
      break;
    default:
      co_await eddy::sleep(std::chrono::microseconds(r.next() % 50));
  }
}

}  // namespace eddy_test
