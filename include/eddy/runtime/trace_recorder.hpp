// SPDX-License-Identifier: BSL-1.0
/// \file
/// `trace_recorder`: records what a runtime's tasks do and writes it as a Chrome trace
/// (the trace-event JSON that Perfetto and `chrome://tracing` open).
///
/// ```cpp
/// eddy::thread_pool pool{2};
/// eddy::trace_recorder rec;
/// rec.attach(pool);              // before the first spawn (it installs task hooks)
/// pool.block_on(work());
/// rec.detach();
/// rec.write_json("trace.json");
/// ```
///
/// What the trace holds: one track per thread that ran a poll (named "eddy thread N"); on it
/// one span per poll (one resumption of a task, from `before_poll` to `after_poll`), named
/// after the task ("task 12" when unnamed) with the task's id, parent and spawn location as
/// arguments; and a flow arrow for each wake made by a running task, from the poll that woke to
/// the start of the first poll it caused. Timestamps come from the runtime clock (virtual on
/// `sim_runtime`), in microseconds.
///
/// Bounded memory: the recorder preallocates `capacity` events (a span, a flow start and a flow
/// end are one each; an event is under 100 bytes) and counts the ones that did not fit
/// (`dropped()`); a task name is cut to 47 bytes. Recording takes no lock on the poll path
/// (a slot is claimed with one atomic increment); a wake by a task and the first poll after
/// it take a short spin lock. Safe on every runtime, thread_pool included.
///
/// Thread-safety: `attach` and `detach` follow `runtime::set_task_hooks` (only while the
/// runtime has no live task); the counters are thread-safe; `to_json` / `write_json` read the
/// events and must not run while the recorder is attached to a runtime with running tasks.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/task_hooks.hpp"

namespace eddy {

/// Records polls and wakes of one runtime's tasks as a Chrome trace (see the file comment).
/// Not copyable or movable (the runtime holds a pointer to its hooks).
class trace_recorder {
 public:
  /// A recorder with room for `capacity` events (allocated now).
  explicit trace_recorder(std::size_t capacity = 65536);
  /// Detaches if still attached (which must then be allowed: see `detach`).
  ~trace_recorder();
  trace_recorder(const trace_recorder&) = delete;
  trace_recorder& operator=(const trace_recorder&) = delete;

  /// Installs the recorder's hooks on `rt`. False (nothing changes) if it is attached already
  /// or `rt` refuses (it has live tasks, or other hooks are installed).
  bool attach(runtime& rt) noexcept;
  /// Removes the hooks; false (still attached) while the runtime has live tasks. True when not
  /// attached.
  bool detach() noexcept;

  /// Events recorded (at most the capacity). Thread-safe.
  std::size_t recorded() const noexcept;
  /// Events that did not fit. Thread-safe.
  std::size_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }
  /// Polls seen, recorded or not. Thread-safe.
  std::uint64_t polls() const noexcept { return polls_.load(std::memory_order_relaxed); }
  /// Forgets every event and counter (not while attached to a runtime with running tasks).
  void clear() noexcept;

  /// The trace as Chrome trace-event JSON (an object with `traceEvents`).
  std::string to_json() const;
  /// Writes `to_json()` to the file `path`; false if it cannot be written.
  bool write_json(const char* path) const;

  /// One recorded event (an implementation detail, public for the hooks).
  struct event;

 private:
  static void on_before(void* ctx, task_view t) noexcept;
  static void on_after(void* ctx, task_view t) noexcept;
  static void on_wake(void* ctx, task_view waker, task_view woken) noexcept;
  event* claim() noexcept;
  std::uint32_t thread_track() noexcept;

  struct pending_flow {
    std::uint64_t task;
    std::uint64_t flow;
  };

  task_hooks hooks_;
  runtime* rt_ = nullptr;
  std::size_t capacity_;
  std::unique_ptr<event[]> events_;
  std::atomic<std::size_t> next_{0};
  std::atomic<std::size_t> dropped_{0};
  std::atomic<std::uint64_t> polls_{0};
  std::atomic<std::uint32_t> tracks_{0};
  std::atomic<std::uint64_t> flows_{0};
  const std::uint64_t generation_;  // tells this recorder's thread tracks from another's
  detail::spin_lock pending_lock_;
  static constexpr std::size_t max_pending = 256;
  pending_flow pending_[max_pending];  // under pending_lock_: woken, not yet polled
  std::size_t pending_n_ = 0;          // under pending_lock_
  std::atomic<std::size_t> pending_hint_{0};
};

}  // namespace eddy
