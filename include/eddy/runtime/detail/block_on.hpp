// SPDX-License-Identifier: BSL-1.0
/// \file
/// The shared shape of `block_on`: start a root task on a runtime, drive or wait until it is
/// finished, hand back its result. Each runtime supplies `wait_until_done(pred)`.
#pragma once
#include <atomic>

#include "eddy/core/panic.hpp"
#include "eddy/runtime/spawn.hpp"

namespace eddy::detail {

/// True when called on a runtime's thread or inside a task: blocking there would deadlock.
bool inside_runtime() noexcept;

inline constexpr const char* block_on_inside_message =
    "eddy: block_on called from inside a runtime (a task or a runtime thread); it would block "
    "that runtime. co_await the task instead";

/// How `block_on` spawns its root task: named "block_on" (its location is the `block_on` call).
inline constexpr task_options block_on_options{"block_on"};

/// The completion observer of a root task driven by a foreign loop's `block_on` (uv, GLib): the
/// loop turns until `done` is set. Set on the thread that finishes the task; read anywhere.
struct done_flag : task_header::observer {
  done_flag() noexcept : observer{&complete} {}
  static void complete(observer* o, task_header*, const error*) noexcept {
    static_cast<done_flag*>(o)->done.store(true, std::memory_order_release);
  }
  /// True once the task has finished.
  bool is_set() const noexcept { return done.load(std::memory_order_acquire); }
  std::atomic<bool> done{false};  ///< set at completion
};

/// `rt.block_on(t)` on top of `rt.try_block_on(t)`: the value, or the error as a panic (a
/// captured exception is rethrown).
template <class T>
T unwrap_block_on(result<T>&& r) {
  if constexpr (std::is_void_v<T>)
    r.value();
  else
    return std::move(r).value();
}

/// Base of every runtime class (CRTP): its `block_on` on top of its own `try_block_on`.
template <class Rt>
class block_on_base {
 public:
  /// Runs `t` to completion from a thread outside any runtime and gives its value, as
  /// `try_block_on(t)` does; an error panics (called from inside a runtime, or `t`'s own error),
  /// a captured exception is rethrown. The root task is named "block_on" and located at `loc`.
  template <class T>
  T block_on(task<T> t, const source_location& loc = source_location::current()) {
    if (inside_runtime()) panic(block_on_inside_message);
    return unwrap_block_on(static_cast<Rt*>(this)->try_block_on(std::move(t), loc));
  }
};

}  // namespace eddy::detail
