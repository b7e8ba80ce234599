// SPDX-License-Identifier: BSL-1.0
/// \file
/// `runtime_metrics`: what `rt.metrics()` reports about a runtime (runtime/runtime.hpp).
///
/// Always counted (cheap, exact): `live_tasks`, `spawned`, `pending_timers`, and on thread_pool
/// each worker's `queue_depth`. Counted only while `rt.enable_metrics(true)` (each costs a clock
/// read or a counter per poll or wake): `polls`, `wakes`, `busy`, `schedule_latency` and the
/// workers' `steals` and `polls`; they stay 0 while disabled and keep their values when it is
/// turned off.
///
/// Exactness: `live_tasks` and `spawned` are read under the locks of the runtime's task list and
/// exact. Everything else is a sum of per-worker counters read without stopping the workers, so
/// while tasks run it is approximate (each counter is exact, but they are not read at one instant);
/// once the runtime is idle all figures are exact. On `sim_runtime` time is virtual: `busy` and
/// the latencies are 0 unless a task advances the clock itself.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "eddy/runtime/detail/metrics_cell.hpp"
#include "eddy/runtime/time.hpp"

namespace eddy {

/// One worker thread of a runtime with several (thread_pool). A plain value.
struct worker_metrics {
  /// Items in the worker's own queue now, the part other workers can take: not counted are
  /// up to 63 items the worker's current poll posted and up to 15 it took to run next (see
  /// thread_pool.hpp).
  std::size_t queue_depth = 0;
  std::uint64_t steals = 0;  ///< items it took from other workers (while enabled)
  std::uint64_t polls = 0;   ///< task resumptions it ran (while enabled)
};

/// A snapshot of a runtime's figures (see the file comment). A plain value; owns its data.
struct runtime_metrics {
  /// Buckets of `schedule_latency`.
  static constexpr std::size_t latency_buckets = detail::latency_buckets;
  bool enabled = false;            ///< metrics were being collected when this was read
  std::size_t live_tasks = 0;      ///< tasks spawned and not yet ended
  std::uint64_t spawned = 0;       ///< tasks spawned since the runtime was created
  std::uint64_t polls = 0;         ///< task resumptions (while enabled)
  std::uint64_t wakes = 0;         ///< task wakes (while enabled)
  std::size_t pending_timers = 0;  ///< timers armed and not yet fired or cancelled
  duration busy{};                 ///< time spent inside polls, runtime clock (while enabled)
  /// Schedule latency (from the wake, spawn or yield that made a task ready to the start of its
  /// next run), runtime clock, log2 buckets: bucket 0 counts 0 ns, bucket `b` counts
  /// [2^(b-1), 2^b) ns; the last bucket also counts everything longer. While enabled.
  std::uint64_t schedule_latency[latency_buckets] = {};
  /// One entry per worker thread (thread_pool); empty on other runtimes.
  std::vector<worker_metrics> workers;

  /// The lower bound, in nanoseconds, of bucket `b` of `schedule_latency` (0 for bucket 0).
  static constexpr std::uint64_t bucket_floor_ns(std::size_t b) noexcept {
    return b == 0 ? 0 : std::uint64_t{1} << (b - 1);
  }
};

namespace detail {
/// Adds the counters of `c` to `m` (polls, wakes, busy time, latency). Used by
/// `runtime::metrics()` and by backends' `add_backend_metrics` for their workers' cells.
void accumulate(runtime_metrics& m, const metrics_cell& c) noexcept;
}  // namespace detail

}  // namespace eddy
