// SPDX-License-Identifier: BSL-1.0
/// \file
/// `local_runtime`: a single-threaded runtime driven by the thread that calls `block_on`,
/// `run` or `run_until_idle`.
///
/// - Work posted from the driving thread goes to a lock-free local queue; from other threads
///   (thread-safe) to a locked remote queue that wakes the driver.
/// - Timers live in an intrusive heap; the clock is `std::chrono::steady_clock` from
///   construction, or a user clock (firmware: a SysTick counter) given to the constructor.
/// - `block_on(t)` runs until `t` has finished (sleeping when idle; with a user clock and no
///   threads it calls the idle hook instead), then returns its value (rethrows its exception).
///   Called from inside any runtime it is a clear error (panic; `try_block_on` gives
///   `errc::invalid_argument`).
///
/// - Without threads (`EDDY_NO_THREADS`, firmware) every post goes through the locked queue, so
///   `post` (and so `waker::wake`) may be called from an interrupt handler once the lock hooks
///   mask interrupts (`set_critical_section_hooks`); see docs/firmware.md.
///
/// Only one thread drives the runtime at a time. The runtime must outlive its tasks.
#pragma once
#include <cstddef>
#include <memory>

#include "eddy/runtime/detail/block_on.hpp"

namespace eddy {

/// A single-threaded runtime driven by its caller (see the file comment).
class local_runtime final : public runtime, public detail::block_on_base<local_runtime> {
 public:
  /// A clock function for runtimes without `std::chrono::steady_clock` (firmware).
  using clock_fn = time_point (*)() noexcept;
  /// Called by the driver when nothing is ready, with the next deadline (or max when none), in
  /// builds without threads; e.g. `__WFI()`. May return early. Without threads it is called
  /// inside the critical section (interrupts masked), after the last look at the queue, so a
  /// WFI there cannot miss a post from an interrupt handler. It must not call eddy.
  using idle_fn = void (*)(time_point next_deadline) noexcept;

  /// A runtime on `std::chrono::steady_clock`.
  local_runtime();
  /// A runtime on a user clock, with an optional idle hook (firmware).
  explicit local_runtime(clock_fn clock, idle_fn idle = nullptr);
  /// Aborts the tasks still alive and runs them to completion on the calling thread.
  ~local_runtime();

  /// This runtime as an executor (for `spawn(ex, t)`).
  executor get_executor() noexcept { return executor{*this}; }

  /// Runs until `stop()` is called, or nothing is ready and no timer is pending.
  void run();
  /// Runs what is ready and the timers already due, without waiting. Returns items run.
  std::size_t run_until_idle();
  /// Makes `run` return after the current item. Thread-safe.
  void stop() noexcept;

  void post(work_node& n) noexcept override;
  void post_at(time_point t, timer_node& n) noexcept override;
  bool cancel(timer_node& n) noexcept override;
  time_point now() const noexcept override;

 private:
  void add_backend_metrics(runtime_metrics& m) const override;  // pending timers
  using done_fn = bool (*)(void*);
  // `block_on` drives its root here (detail::block_on_base):
  friend detail::block_on_base<local_runtime>;
  void drive(done_fn done, void* ctx);
  struct impl;
  std::unique_ptr<impl> p_;
};

}  // namespace eddy
