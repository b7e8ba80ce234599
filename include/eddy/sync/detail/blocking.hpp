// SPDX-License-Identifier: BSL-1.0
/// \file
/// Internal: parking a plain thread on an eddy wait, for the blocking channel calls
/// (`mpsc::sender::blocking_send`, `mpsc::receiver::blocking_recv`,
/// `oneshot::receiver::blocking_recv`). Hosted targets with threads only.
///
/// eddy's waits resume *tasks*, so a plain thread that must wait runs the wait as a small task
/// on a `thread_parker`: a runtime whose only thread is the caller, which sleeps on a condition
/// variable until a wake is posted to it. That costs one task (frame and spawn block) per call
/// that has to wait; the callers try the non-blocking path first, which allocates nothing.
#pragma once
#include "eddy/core/config.hpp"
#include "eddy/core/detail/chrono.hpp"

#if EDDY_HAS_THREADS
#include <condition_variable>
#include <mutex>
#include <type_traits>
#include <utility>

#include "eddy/core/panic.hpp"
#include "eddy/runtime/detail/block_on.hpp"
#include "eddy/runtime/detail/work_queue.hpp"
#include "eddy/runtime/spawn.hpp"

namespace eddy::detail {

/// The message of `errc::deadlock` from a blocking call made on a runtime's thread.
inline constexpr const char* blocking_inside_message =
    "eddy: a blocking channel call on a runtime's thread or in a task would block that runtime; "
    "co_await instead";

/// A runtime driven by the one thread that waits in `run` (see the file comment). No timers.
class thread_parker final : public runtime {
 public:
  thread_parker() = default;
  ~thread_parker() = default;

  /// Runs `t` on the calling thread, sleeping while it waits; its result (or its spawn error).
  template <class T>
  result<T> run(task<T> t) {
    join_handle<T> h = spawn(executor{*this}, std::move(t));
    std::unique_lock<std::mutex> lk(m_);
    while (!h.is_finished()) {
      if (work_node* n = q_.pop()) {
        lk.unlock();
        n->run(n);
        lk.lock();
      } else {
        cv_.wait(lk);
      }
    }
    lk.unlock();
    return h.try_take();
  }

  void post(work_node& n) noexcept override {
    std::lock_guard<std::mutex> g(m_);
    q_.push(&n);
    cv_.notify_one();  // under the lock: the parker may return and vanish right after
  }
  void post_at(time_point, timer_node&) noexcept override {
    panic("eddy: a blocking channel call armed a timer");
  }
  bool cancel(timer_node&) noexcept override { return false; }
  time_point now() const noexcept override {
    return time_point{
        std::chrono::duration_cast<duration>(std::chrono::steady_clock::now().time_since_epoch())};
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  work_queue q_;  // under m_
};

template <class F>
using parked_result_t = decltype(std::declval<std::invoke_result_t<F&>&>().await_resume());

template <class F>
task<parked_result_t<F>> parked_wait(F& f) {
  co_return co_await f();
}

/// `co_await f()` on the calling (plain) thread: its result, or `errc::out_of_memory` when the
/// task could not be allocated (then `f` was never called).
template <class F>
result<parked_result_t<F>> park_thread_on(F f) {
  thread_parker p;
  return p.run(parked_wait(f));
}

}  // namespace eddy::detail
#endif
