// SPDX-License-Identifier: BSL-1.0
/// \file
/// `emscripten_runtime`: eddy on the JavaScript event loop (a browser page or node), for
/// single-threaded WebAssembly built with Emscripten.
///
/// How it runs:
/// - `post` puts the node on an intrusive ready queue; when the queue goes from empty to
///   non-empty outside a pump, one pump is scheduled with `emscripten_set_immediate` (node:
///   `setImmediate`; browsers: a `postMessage` macrotask, which, unlike `setTimeout(0)`, is not
///   clamped to 4 ms).
/// - `post_at` puts the node in an intrusive timer heap; one `emscripten_set_timeout` is kept
///   armed for the earliest deadline (re-armed when an earlier one arrives, cleared when the heap
///   empties, so node exits once nothing is pending).
/// - A pump runs the timers that are due, then ready work until the queue is empty or about
///   8 ms have passed; then it returns to the event loop (another pump is scheduled if work is
///   left), so the page keeps painting and handling input.
/// - `now()` is `performance.now()` (`emscripten_get_now`), monotonic, counted from construction.
/// - It never blocks and never busy-waits. `main` may return: the work goes on on the loop
///   (the default `-sEXIT_RUNTIME=0`).
///
/// Starting work from C++ or JavaScript, without blocking:
/// - `eddy::spawn(rt.get_executor(), t)` (a `join_handle`), or `rt.start(t, on_done)`, which
///   calls `on_done(result<T>)` on the loop when `t` finishes;
/// - `rt.start_promise(t)` returns the id of a JavaScript `Promise`; JavaScript gets it with
///   `Module.eddyPromise(id)`. It resolves with the value (numbers and `bool` as JS numbers and
///   booleans, `std::string` as a string, `void` as `undefined`) or rejects with an `Error`
///   whose `message` is the error's message (an exception's `what()`) and `code` its `errc`
///   number. A `task<result<U>>` resolves with the `U` or rejects with the error value.
///
/// `block_on` (node programs and tests only): runs the same queue and timer heap on the
/// caller's stack until the task is done. When only timers are pending it sleeps the thread
/// until the next deadline with `Atomics.wait` (no busy-wait), as `block_on` on every other
/// runtime does; while it runs, JavaScript callbacks do not run. In a browser page blocking is
/// impossible: `try_block_on` gives `errc::invalid_argument` (`block_on` panics). When nothing
/// is ready and no timer is pending the root can never finish (nothing from JavaScript can run
/// meanwhile): `try_block_on` gives `errc::deadlock`. Called from inside a task it is an error,
/// as on every runtime. Work left over when it returns (detached tasks, timers) goes on on the
/// event loop.
///
/// Thread-safety: none needed and none given: Emscripten builds without pthreads have one
/// thread. Destroying the runtime aborts its remaining tasks and runs their destructors there,
/// then clears its pending JS callbacks.
#pragma once
#ifndef __EMSCRIPTEN__
#error "eddy/runtime/emscripten_runtime.hpp is for Emscripten (emcc) builds"
#endif
#ifdef __EMSCRIPTEN_PTHREADS__
#error "eddy's emscripten_runtime is for single-threaded wasm (build without -pthread)"
#endif
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "eddy/runtime/detail/block_on.hpp"

namespace eddy {

namespace detail {
// The JavaScript side of `start_promise` (src/emscripten_runtime.cpp).
int em_promise_new() noexcept;
void em_promise_resolve_undefined(int id) noexcept;
void em_promise_resolve_number(int id, double v) noexcept;
void em_promise_resolve_bool(int id, bool v) noexcept;
void em_promise_resolve_string(int id, const char* data, std::size_t size) noexcept;
void em_promise_reject(int id, const error& e) noexcept;

template <class T>
void em_promise_settle(int id, result<T>&& r) noexcept {
  if (!r.has_value()) {
    em_promise_reject(id, r.error());
  } else if constexpr (is_result_v<T>) {  // task<result<U>>: an error value rejects
    em_promise_settle(id, std::move(r).value());
  } else if constexpr (std::is_void_v<T>) {
    em_promise_resolve_undefined(id);
  } else if constexpr (std::is_same_v<T, bool>) {
    em_promise_resolve_bool(id, r.value());
  } else if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
    em_promise_resolve_number(id, static_cast<double>(r.value()));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    const std::string_view s = r.value();
    em_promise_resolve_string(id, s.data(), s.size());
  } else {
    static_assert(std::is_void_v<T>,
                  "start_promise: the task must give void, bool, a number, an enum or a string "
                  "(or a result<> of one)");
  }
}

template <class T, class F>
task<void> em_root(task<T> t, F on_done) {
  auto h = spawn(std::move(t));
  auto r = co_await h;
  on_done(std::move(r));
}
}  // namespace detail

/// The eddy runtime on the JavaScript event loop (browser or node), single-threaded wasm.
/// Never blocks in a browser; see the file comment for how work and timers run.
class emscripten_runtime final : public runtime, public detail::block_on_base<emscripten_runtime> {
 public:
  emscripten_runtime();
  ~emscripten_runtime();

  /// A copyable handle to this runtime, for `spawn(ex, t)`; valid while the runtime lives.
  executor get_executor() noexcept { return executor{*this}; }

  /// Starts `t` on the event loop and returns at once. When `t` finishes (value, error, abort
  /// or exception), `on_done(result<T>)` is called on the loop. Cost: two spawns.
  template <class T, class F>
  void start(task<T> t, F on_done) {
    spawn(get_executor(), detail::em_root(std::move(t), std::move(on_done))).detach();
  }

  /// Starts `t` on the event loop; returns the id of a JS Promise for its result (see the file
  /// comment). JavaScript takes it once with `Module.eddyPromise(id)`.
  template <class T>
  int start_promise(task<T> t) {
    const int id = detail::em_promise_new();
    start(std::move(t), [id](result<T>&& r) { detail::em_promise_settle(id, std::move(r)); });
    return id;
  }

  /// True where `block_on` may block the thread (node); false in a browser.
  static bool can_block() noexcept;

  /// Runs the ready work and the timers already due, on the caller's stack, without waiting.
  /// Returns the items run. Not from inside a task.
  std::size_t run_until_idle();
  /// Ready items plus pending timers (for tests and diagnostics).
  std::size_t pending() const noexcept;

  void post(work_node& n) noexcept override;
  void post_at(time_point t, timer_node& n) noexcept override;
  bool cancel(timer_node& n) noexcept override;
  time_point now() const noexcept override;

 private:
  void add_backend_metrics(runtime_metrics& m) const override;  // pending timers
  struct impl;
  static constexpr const char* no_block_message =
      "eddy: emscripten_runtime::block_on cannot block a browser's event loop; use start(), "
      "start_promise() or spawn() and let main return";
  using done_fn = bool (*)(void*);
  // `block_on` refuses and drives here (detail::block_on_base):
  friend detail::block_on_base<emscripten_runtime>;
  static const char* block_refusal() noexcept {
    if (detail::inside_runtime()) return detail::block_on_inside_message;
    return can_block() ? nullptr : no_block_message;
  }
  bool drive(done_fn done, void* ctx);  // false on deadlock
  static error deadlock_error() noexcept {
    return error{errc::deadlock, 0,
                 "emscripten_runtime: deadlock (nothing ready, no timer, root unfinished)"};
  }
  std::unique_ptr<impl> p_;
};

}  // namespace eddy
