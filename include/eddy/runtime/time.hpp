/// \file
/// eddy's time types. Every runtime has its own clock (`runtime::now()`); `sim_runtime`'s is
/// virtual and starts at zero. `time_point` counts nanoseconds from the runtime's epoch.
#pragma once
#include <chrono>
#include <cstdint>

namespace eddy {

/// The clock tag of every runtime clock. It has no static `now()`: ask a runtime (`eddy::now()`).
struct runtime_clock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<runtime_clock>;
  static constexpr bool is_steady = true;
};

using duration = runtime_clock::duration;
using time_point = runtime_clock::time_point;

}  // namespace eddy
