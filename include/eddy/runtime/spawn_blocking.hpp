// SPDX-License-Identifier: BSL-1.0
/// \file
/// `spawn_blocking(f)`: runs a blocking function on the blocking pool and gives a `join_handle`.
///
/// ```cpp
/// join_handle<std::string> h = spawn_blocking([path] { return read_whole_file(path); });
/// result<std::string> r = co_await h;   // resumes on this task's own runtime
/// ```
///
/// Contract:
/// - `f` (moved into the task) is called once, with no argument, on a thread of the blocking
///   pool, never on a runtime's thread. The pool creates threads on demand up to a bound and
///   lets idle ones exit after a timeout (`blocking_pool_options`: 64 threads and 10 s by
///   default, `set_blocking_pool_options`); jobs beyond the bound wait in FIFO order.
/// - The handle is an ordinary `join_handle<R>` (`R` is what `f` returns): `co_await h` gives
///   the value, `errc::exception` when `f` threw, `errc::aborted` after an abort. The waiting
///   task resumes on its own runtime (the result is posted back; nothing runs on the pool
///   thread but `f`). `spawn_blocking(f)` uses the current executor (the task's runtime is where
///   the handle's task lives); `spawn_blocking(ex, f)` an explicit one. Outside any runtime
///   `spawn_blocking(f)` panics, like `spawn`.
/// - Abort (also a `timeout` around the join, a `task_set`, a `scope`, the runtime's destructor):
///   a job that has not started is removed from the queue and never runs; the join gives
///   `errc::aborted` at once. A job that runs cannot be interrupted: the abort is a request (as
///   for a foreign operation, docs/cancellation.md) and the join gives `errc::aborted` once `f`
///   has returned (its value is dropped). A runtime's destructor therefore waits for running
///   jobs of its tasks.
/// - On `sim_runtime` a job takes no virtual time: the simulator waits for it (real time)
///   before it moves its clock (`runtime::external_operations`).
/// - Targets without threads (`EDDY_NO_THREADS`, single-threaded emscripten, firmware): there is
///   no pool and `f` never runs; the handle is finished at once and its join gives
///   `errc::invalid_argument` (never a silent inline call, which would block the only thread).
/// - Cost: a spawn (task frame and block, as `spawn`); the job node lives in the task's frame:
///   nothing else is allocated. The pool's threads are created on demand.
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/unit.hpp"
#include "eddy/runtime/detail/blocking_pool.hpp"
#include "eddy/runtime/spawn.hpp"

namespace eddy {

#if EDDY_HAS_THREADS
/// Replaces the blocking pool's settings (`blocking_pool_options`); the bound applies to threads
/// created from now on, the idle timeout to waits that start from now on. Thread-safe. No-op
/// without threads.
void set_blocking_pool_options(const blocking_pool_options& o) noexcept;
/// The blocking pool's current settings. Thread-safe.
blocking_pool_options get_blocking_pool_options() noexcept;
#else
/// Replaces the blocking pool's settings: a no-op without threads (there is no pool).
inline void set_blocking_pool_options(const blocking_pool_options&) noexcept {}
/// The blocking pool's settings: the defaults without threads (there is no pool).
inline blocking_pool_options get_blocking_pool_options() noexcept {
  return {};
}
#endif

namespace detail {

#if EDDY_HAS_THREADS
/// The wait of a `spawn_blocking` task for its job: a foreign wait (task_header.hpp), so an
/// abort while the job runs keeps the frame (and `f`) alive until the job has returned.
template <class F, class R>
class blocking_awaiter final : foreign_wait, blocking_job {
 public:
  explicit blocking_awaiter(F& f) noexcept
      : foreign_wait(&on_cancel), blocking_job(&run_job), f_(f) {}
  blocking_awaiter(const blocking_awaiter&) = delete;
  blocking_awaiter& operator=(const blocking_awaiter&) = delete;
  ~blocking_awaiter() {
    if (rt_ && !is_done()) {  // destroyed outside the runner's protocol: never leave the job
      if (blocking_pool_cancel(*this))  // referring to a dead frame
        rt_->end_external();
      else
        while (!is_done()) yield_thread();
    }
    lock_guard<spin_lock> g(lock_);  // the completer is done with this object
    if (task_) task_->end_foreign(this);
  }
  bool await_ready() const noexcept { return false; }
  void await_suspend(coro::coroutine_handle<> h) noexcept {
    w_ = suspend_here(h, blocking_wait);
    task_ = w_.task();
    rt_ = task_->get_executor().get();
    task_->begin_foreign(this);
    rt_->begin_external();
    blocking_pool_submit(*this);
  }
  R await_resume() {
    task_->end_foreign(this);
#if EDDY_HAS_EXCEPTIONS
    if (ex_) std::rethrow_exception(ex_);
#endif
    if constexpr (!std::is_void_v<R>) return std::move(*out_);
  }

 private:
  static constexpr wait_kind blocking_wait{"spawn_blocking", nullptr};
  static void run_job(blocking_job* j) noexcept {
    auto* self = static_cast<blocking_awaiter*>(j);
#if EDDY_HAS_EXCEPTIONS
    try {
#endif
      if constexpr (std::is_void_v<R>) {
        self->f_();
        self->out_.emplace();
      } else {
        self->out_.emplace(self->f_());
      }
#if EDDY_HAS_EXCEPTIONS
    } catch (...) {
      self->ex_ = std::current_exception();
    }
#endif
    self->deliver();
  }
  // The cancellation request (the task's runner, on its executor): a job not started yet is
  // taken back and the wait completes at once; a running one is left to finish.
  static void on_cancel(foreign_wait* f) noexcept {
    auto* self = static_cast<blocking_awaiter*>(f);
    if (blocking_pool_cancel(*self)) self->deliver();
  }
  void deliver() noexcept {
    runtime* const rt = rt_;
    lock_guard<spin_lock> g(lock_);
    complete();
    w_.wake();
    rt->end_external();  // after the wake is posted: sim_runtime never sees a gap
  }

  F& f_;
  std::optional<std::conditional_t<std::is_void_v<R>, unit, R>> out_;
#if EDDY_HAS_EXCEPTIONS
  std::exception_ptr ex_;
#endif
  spin_lock lock_;
  waker w_;
  task_header* task_ = nullptr;
  runtime* rt_ = nullptr;
};

template <class F, class R>
task<R> blocking_task(F f) {
  if constexpr (std::is_void_v<R>)
    co_await blocking_awaiter<F, R>(f);
  else
    co_return co_await blocking_awaiter<F, R>(f);
}
#endif

}  // namespace detail

/// Runs `f()` on the blocking pool; the handle's task lives on `ex` (see the file comment).
template <class F>
auto spawn_blocking(executor ex, F f) -> join_handle<std::invoke_result_t<std::decay_t<F>&>> {
  using R = std::invoke_result_t<std::decay_t<F>&>;
  static_assert(!std::is_reference_v<R>,
                "eddy::spawn_blocking: f must return a value, not a "
                "reference");
#if EDDY_HAS_THREADS
  return spawn(ex, detail::blocking_task<std::decay_t<F>, R>(std::move(f)));
#else
  (void)ex;
  (void)f;
  return join_handle<R>::failed(errc::invalid_argument);
#endif
}

/// Runs `f()` on the blocking pool; the handle's task lives on the current executor.
template <class F>
auto spawn_blocking(F f) -> join_handle<std::invoke_result_t<std::decay_t<F>&>> {
  return spawn_blocking(current_executor(), std::move(f));
}

}  // namespace eddy
