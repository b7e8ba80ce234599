// SPDX-License-Identifier: BSL-1.0
/// \file
/// The shared shape of `block_on`: start a root task on a runtime, drive or wait until it is
/// finished, hand back its result. Each runtime supplies its refusals and how it waits or
/// drives (`block_on_base`).
#pragma once
#include <atomic>
#include <type_traits>

#include "eddy/core/lock.hpp"
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

/// Base of every runtime class (CRTP): `try_block_on` and `block_on`, the same on every runtime
/// (refuse where blocking would deadlock, spawn the root task named "block_on" and located at
/// the call, wait or drive until it has finished, take its result), over what the runtime `Rt`
/// states as its own (private members are fine: `Rt` befriends this base):
/// - `const char* block_refusal()`: why blocking is refused on the calling thread, or null. The
///   default refuses inside any runtime or task; hide it to refuse in more places.
/// - Either a waiter: `W root_waiter()` gives a fresh completion observer for the root and
///   `void wait(W&)` returns once it has been told (a loop turned by the caller, or a thread
///   blocked while other threads run the root);
/// - or a driver (the runtime runs on the caller's thread): `drive(done, ctx)` runs until
///   `done(ctx)`; `void`, or `bool` false when nothing can run any more and the root is not
///   finished, then `error deadlock_error()` gives the error (taken before the root is aborted
///   and the runtime run until idle).
template <class Rt>
class block_on_base {
 public:
  /// Runs `t` to completion from a thread outside any runtime and gives its result: the root
  /// task is named "block_on" and located at `loc`. `errc::invalid_argument` where the runtime
  /// refuses to block (inside any runtime or task, and its own cases: see its file comment),
  /// `errc::deadlock` where it finds one. Blocks the calling thread (not thread-safe beyond what
  /// the runtime allows: see its file comment) and returns on it; the root task owns `t`.
  template <class T>
  result<T> try_block_on(task<T> t, const source_location& loc = source_location::current()) {
    Rt& rt = static_cast<Rt&>(*this);
    if (const char* why = rt.block_refusal()) return error{errc::invalid_argument, 0, why};
    if constexpr (requires { rt.root_waiter(); }) {
      auto w = rt.root_waiter();
      join_handle<T> h{spawn_raw(rt.get_executor(), std::move(t), 2, &w, block_on_options, loc)};
      rt.wait(w);
      // On a threaded runtime the finish is published right after `w` is told (at once on a
      // loop turned by this thread).
      while (!h.is_finished()) cpu_relax();
      return h.try_take();
    } else {
      join_handle<T> h = eddy::spawn(rt.get_executor(), std::move(t), block_on_options, loc);
      bool (*finished)(void*) = [](void* p) {
        return static_cast<join_handle<T>*>(p)->is_finished();
      };
      if constexpr (std::is_void_v<decltype(rt.drive(finished, &h))>) {
        rt.drive(finished, &h);
      } else if (!rt.drive(finished, &h)) {
        error e = rt.deadlock_error();  // before the abort: the tasks as they wait
        h.abort();
        rt.run_until_idle();
        return e;
      }
      return h.try_take();
    }
  }

  /// Runs `t` to completion from a thread outside any runtime and gives its value, as
  /// `try_block_on(t)` does; an error panics (where the runtime refuses to block, or `t`'s own
  /// error), a captured exception is rethrown. The root task is named "block_on" and located at
  /// `loc`.
  template <class T>
  T block_on(task<T> t, const source_location& loc = source_location::current()) {
    if (const char* why = static_cast<Rt&>(*this).block_refusal()) panic(why);
    return unwrap_block_on(try_block_on(std::move(t), loc));
  }

 protected:
  /// The default refusal: inside any runtime or task.
  static const char* block_refusal() noexcept {
    return inside_runtime() ? block_on_inside_message : nullptr;
  }
};

}  // namespace eddy::detail
