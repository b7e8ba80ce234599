// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::metrics_cell`: the counters the task runner keeps while a runtime's metrics are
/// enabled (`runtime::enable_metrics`). One cell per runtime, plus one per worker on a runtime
/// with per-worker state (thread_pool): a worker counts into its own cell, so polls cost no
/// shared-cacheline increment; `runtime::metrics()` sums the cells.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "eddy/core/config.hpp"

namespace eddy::detail {

/// A counter read by any thread while one or more threads add to it. With threads, a relaxed
/// atomic (a `fetch_add` on a line only its worker writes, for the per-worker cells); without
/// (wasm, firmware: no 64-bit atomics on Cortex-M), a plain integer.
class stat_counter {
 public:
  /// Adds `n`.
  void add(std::uint64_t n = 1) noexcept {
#if EDDY_HAS_THREADS
    v_.fetch_add(n, std::memory_order_relaxed);
#else
    v_ += n;
#endif
  }
  /// The current value (approximate while others add).
  std::uint64_t get() const noexcept {
#if EDDY_HAS_THREADS
    return v_.load(std::memory_order_relaxed);
#else
    return v_;
#endif
  }

 private:
#if EDDY_HAS_THREADS
  std::atomic<std::uint64_t> v_{0};
#else
  std::uint64_t v_ = 0;
#endif
};

/// Buckets of the schedule-latency histogram (see `runtime_metrics::schedule_latency`).
inline constexpr std::size_t latency_buckets = 40;

/// The bucket of a latency of `ns` nanoseconds: 0 for 0, else 1 + floor(log2(ns)), capped.
constexpr std::size_t latency_bucket(std::uint64_t ns) noexcept {
  std::size_t b = 0;
  while (ns != 0 && b + 1 < latency_buckets) {
    ++b;
    ns >>= 1;
  }
  return b;
}

/// The counters of one runtime or worker (see the file comment).
struct alignas(64) metrics_cell {
  stat_counter polls;    ///< resumptions of tasks
  stat_counter wakes;    ///< wakes of tasks
  stat_counter busy_ns;  ///< time spent inside polls, on the runtime clock
  stat_counter steals;   ///< items this worker took from another's queue (thread_pool)
  stat_counter latency[latency_buckets];  ///< wake (or spawn, or yield) to resume
};

}  // namespace eddy::detail
