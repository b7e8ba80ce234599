// SPDX-License-Identifier: BSL-1.0
/// \file
/// `sim_runtime`: a deterministic runtime with virtual time, for tests.
///
/// - Time starts at zero and only moves when nothing is ready: it then jumps to the earliest
///   timer. An hour of timers runs in microseconds, and every time assertion is exact. A timer
///   at `never` never fires: `run()` ends and `try_block_on` reports a deadlock when only such
///   timers are left.
/// - A job of the blocking pool (`spawn_blocking`, `runtime::external_operations`) takes no
///   virtual time: while one is outstanding, `block_on` and `run` wait for it (on the real
///   clock) instead of jumping to the next timer or reporting a deadlock.
/// - The seed decides which ready item runs next (uniformly among all ready items), so running
///   the same program with the same seed gives the same trace, and sweeping seeds explores
///   schedules.
/// - `try_block_on(t)` reports `errc::deadlock` when nothing is ready, no timer is pending and
///   `t` has not finished; `block_on` panics then. The error's message is the deadlock report:
///   a first line, then the task dump (`runtime::dump`) taken at that moment, so it reads as a
///   list of who waits on what (`deadlock_report()` keeps it).
///
/// Single-threaded: it runs on the thread that calls `block_on`/`run`. `post` is thread-safe,
/// but posts from other threads make a run non-deterministic.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "eddy/runtime/detail/block_on.hpp"

namespace eddy {

/// A deterministic runtime with virtual time (see the file comment).
class sim_runtime final : public runtime, public detail::block_on_base<sim_runtime> {
 public:
  /// A simulator whose ready-work order is drawn from `seed`; seed 0 is plain FIFO.
  explicit sim_runtime(std::uint64_t seed = 0);
  /// Aborts the tasks still alive and runs them to completion.
  ~sim_runtime();

  /// This runtime as an executor (for `spawn(ex, t)`).
  executor get_executor() noexcept { return executor{*this}; }
  /// The seed given at construction.
  std::uint64_t seed() const noexcept;

  /// Runs until nothing is ready and no timer is pending (advancing virtual time).
  void run();
  /// Runs what is ready now without advancing time. Returns items run.
  std::size_t run_until_idle();
  /// Advances virtual time by `d`, running everything due on the way. Saturating: a `d` past
  /// the end of the clock stops just short of `never` (timers at `never` do not fire); a
  /// negative `d` advances nothing (virtual time never goes back).
  void advance(duration d);
  /// `advance` for any `std::chrono::duration` (`hours::max()` included), saturating.
  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> d) {
    advance(saturating_duration(d));
  }
  /// Work items run so far (a cheap trace fingerprint together with `now()`).
  std::uint64_t steps() const noexcept;
  /// The report of the last deadlock `try_block_on` found ("sim_runtime: deadlock ..." and the
  /// task dump), or "" if none. Valid until the next deadlock or the runtime's destruction (the
  /// `errc::deadlock` error's message points to it). Not thread-safe.
  const char* deadlock_report() const noexcept;

  void post(work_node& n) noexcept override;
  void post_at(time_point t, timer_node& n) noexcept override;
  bool cancel(timer_node& n) noexcept override;
  time_point now() const noexcept override;

 private:
  void add_backend_metrics(runtime_metrics& m) const override;  // pending timers
  using done_fn = bool (*)(void*);
  // `block_on` drives its root here (detail::block_on_base):
  friend detail::block_on_base<sim_runtime>;
  bool drive(done_fn done, void* ctx);  // false on deadlock
  const char* record_deadlock();        // stores the report, returns it
  error deadlock_error() { return error{errc::deadlock, 0, record_deadlock()}; }
  struct impl;
  std::unique_ptr<impl> p_;
};

}  // namespace eddy
