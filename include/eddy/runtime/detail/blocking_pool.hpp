// SPDX-License-Identifier: BSL-1.0
/// \file
/// Internal: the blocking pool behind `spawn_blocking` (src/blocking_pool.cpp), and its
/// options. Hosted targets with threads only; on other targets only the types exist.
///
/// The pool is one process-wide set of plain threads (no runtime: `current_executor()` is empty
/// on them and the blocking channel calls work there). A thread is created when a job is
/// submitted and no idle thread can take it, up to `max_threads`; beyond that, jobs wait in a
/// FIFO queue. A thread that has been idle for `idle_timeout` exits. The pool is never
/// destroyed (threads still idle at process exit are simply abandoned).
#pragma once
#include <cstddef>

#include "eddy/core/config.hpp"
#include "eddy/core/detail/chrono.hpp"

namespace eddy {

/// Settings of the blocking pool (`set_blocking_pool_options`).
struct blocking_pool_options {
  /// Most threads running blocking jobs at once (0 is taken as 1); further jobs queue. Default 64.
  std::size_t max_threads = 64;
  /// How long an idle thread waits for a job before it exits. Default 10 s.
  std::chrono::milliseconds idle_timeout{10000};
};

namespace detail {

/// A job of the blocking pool: intrusive, owned by the submitter, which keeps it alive until
/// `run` has been called (or `blocking_pool_cancel` removed it).
struct blocking_job {
  using run_fn = void (*)(blocking_job*) noexcept;  ///< what running the job calls
  /// A job that runs `fn(this)`.
  explicit blocking_job(run_fn fn) noexcept : run(fn) {}
  blocking_job* prev = nullptr;  ///< owned by the pool's queue
  blocking_job* next = nullptr;  ///< owned by the pool's queue
  run_fn run;                    ///< called once on a pool thread
  bool queued = false;           ///< under the pool's lock
};

#if EDDY_HAS_THREADS
/// Queues `j`; a pool thread calls `j.run(&j)` soon (FIFO). Thread-safe. Panics when no thread
/// exists and none can be created.
void blocking_pool_submit(blocking_job& j) noexcept;
/// Removes `j` if it has not started: true, and it will never run. False once it runs or ran.
/// Thread-safe.
bool blocking_pool_cancel(blocking_job& j) noexcept;
/// Threads of the pool alive now (tests, diagnostics). Thread-safe.
std::size_t blocking_pool_threads() noexcept;
/// Jobs waiting for a thread (tests, diagnostics). Thread-safe.
std::size_t blocking_pool_queued() noexcept;
#endif

}  // namespace detail
}  // namespace eddy
