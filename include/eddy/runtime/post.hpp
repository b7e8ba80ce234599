// SPDX-License-Identifier: BSL-1.0
/// \file
/// `post(ex, f)`: run a plain callable on an executor, fire and forget.
///
/// ```cpp
/// eddy::post(pool.get_executor(), [&] { stats.flush(); });   // runs soon, on a pool thread
/// ```
///
/// - `f` (any callable with no arguments; its result is discarded) is moved into one block
///   allocated through the frame allocator, and runs once, soon, on one of the executor's
///   threads — never inline inside `post`, even when the caller is on that runtime. Inside `f`,
///   `current_executor()` is `ex`. `f` is not a task: it cannot `co_await` (spawn a task for
///   that) and is not aborted by anything.
/// - An exception escaping `f` goes to the runtime's unhandled-error hook (see
///   `runtime::set_unhandled_error_hook`; default: one line on stderr), as for a detached task
///   (`task_name` is null), then the block is freed. Without exceptions there is nothing to
///   report.
/// - `post` with an empty executor panics (programming error, as `spawn`); when the block cannot
///   be allocated it panics with "out of memory". `try_post` reports both as values instead
///   (`errc::invalid_argument`, `errc::out_of_memory`; `f` is not run).
/// - Thread-safe: any thread may post to any executor. The runtime must outlive the call (a
///   callable still pending when its runtime is destroyed never runs, and its block is not freed).
/// - Cost: one allocation and one post per call (no allocation by the runtime).
#pragma once
#include <new>
#include <type_traits>
#include <utility>

#include "eddy/core/config.hpp"
#include "eddy/core/error.hpp"
#include "eddy/core/frame_allocator.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"
#include "eddy/runtime/runtime.hpp"

#if EDDY_HAS_EXCEPTIONS
#include <exception>
#endif

namespace eddy {

namespace detail {

/// The block of one `post`: the work node and the callable.
template <class F>
struct posted_call : work_node {
  template <class G>
  posted_call(runtime* r, G&& g) : work_node(&run_it), rt(r), fn(std::forward<G>(g)) {}

  static void run_it(work_node* n) noexcept {
    auto* self = static_cast<posted_call*>(n);
#if EDDY_HAS_EXCEPTIONS
    try {
      self->fn();
    } catch (...) {
      const error e = error::from_exception(std::current_exception());
      self->rt->report_unhandled_error(unhandled_error{e, nullptr, *self->rt});
    }
#else
    self->fn();
#endif
    self->~posted_call();
    frame_free(self, sizeof(posted_call));
  }

  runtime* rt;
  F fn;
};

}  // namespace detail

/// Runs `f()` once, soon, on `ex` (see the file comment). `errc::invalid_argument` for an empty
/// executor and `errc::out_of_memory` when the block cannot be allocated (then `f` is not run and,
/// when passed as an rvalue, not moved from). A throwing move of `f` propagates (nothing posted).
template <class F>
result<void> try_post(executor ex, F&& f) {
  using fn_t = std::decay_t<F>;
  static_assert(std::is_invocable_v<fn_t&>, "eddy::post: f must be callable with no arguments");
  if (!ex) return error{errc::invalid_argument, 0, "eddy::post: no executor"};
  using block = detail::posted_call<fn_t>;
  static_assert(alignof(block) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__,
                "eddy::post: the callable is over-aligned");
  void* mem = detail::frame_try_alloc(sizeof(block));
  if (!mem) return error{errc::out_of_memory, 0, "eddy::post: out of memory"};
  block* b;
#if EDDY_HAS_EXCEPTIONS
  try {
    b = ::new (mem) block(ex.get(), std::forward<F>(f));
  } catch (...) {
    detail::frame_free(mem, sizeof(block));
    throw;
  }
#else
  b = ::new (mem) block(ex.get(), std::forward<F>(f));
#endif
  ex.post(*b);
  return {};
}

/// Runs `f()` once, soon, on `ex`, fire and forget (see the file comment). Panics on an empty
/// executor or when out of memory.
template <class F>
void post(executor ex, F&& f) {
  result<void> r = try_post(ex, std::forward<F>(f));
  if (!r) panic(r.error().message());
}

}  // namespace eddy
