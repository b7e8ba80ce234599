// SPDX-License-Identifier: BSL-1.0
/// \file
/// eddy's time types. Every runtime has its own clock (`runtime::now()`); `sim_runtime`'s is
/// virtual and starts at zero. `time_point` counts nanoseconds from the runtime's epoch.
#pragma once
#include <chrono>
#include <cstdint>

namespace eddy {

/// The clock tag of every runtime clock. It has no static `now()`: ask a runtime (`eddy::now()`).
struct runtime_clock {
  using rep = std::int64_t;                                   ///< nanosecond count
  using period = std::nano;                                   ///< nanoseconds
  using duration = std::chrono::nanoseconds;                  ///< a span of runtime time
  using time_point = std::chrono::time_point<runtime_clock>;  ///< an instant of runtime time
  static constexpr bool is_steady = true;                     ///< runtime clocks never go back
};

/// A span of runtime time, in nanoseconds.
using duration = runtime_clock::duration;
/// An instant on a runtime's clock, in nanoseconds from the runtime's epoch.
using time_point = runtime_clock::time_point;

}  // namespace eddy
