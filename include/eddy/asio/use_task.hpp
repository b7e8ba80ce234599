// SPDX-License-Identifier: BSL-1.0
/// \file
/// `eddy::use_task`: an Asio completion token that lets an eddy task `co_await` any Asio
/// asynchronous operation (target `eddy::asio`).
///
/// ```cpp
/// asio::steady_timer t{io, 10ms};
/// std::error_code ec = co_await t.async_wait(eddy::use_task);
/// auto [ec2, n] = co_await sock.async_read_some(buf, eddy::use_task);
/// ```
///
/// - Result: the completion arguments as values, never thrown: nothing for `void()`, the
///   argument itself for one (`std::error_code`), a `std::tuple` for several.
/// - The operation starts when the task suspends. Its completion handler, on whatever thread
///   Asio runs it, stores the arguments and wakes the task through its waker: the task resumes
///   on its own runtime (any eddy runtime, not only `asio_runtime`), never inline on the Asio
///   thread.
/// - Cancellation: if the task is aborted (or a `timeout` around the wait expires) while the
///   operation is pending, the awaiter emits `cancellation_type::terminal` on the operation's
///   cancellation slot, inline on the aborting thread, and the completion that follows is
///   dropped. The frames are gone by then; the handler only owns a small shared state (one
///   allocation per operation, freed by whichever side finishes last).
/// - Asio's rules for cancellation apply: the emission must not race with the operation's own
///   steps. That holds for operations whose cancellation handlers lock (timers, socket
///   operations) and for single-threaded loops; a composed operation (`async_read`) on an
///   `io_context` run by several threads needs a strand, as in plain Asio. The I/O object must
///   outlive the awaiter (declare it before the `co_await`, as usual).
/// - If the operation's handler is destroyed without being called (its `io_context` destroyed
///   first), the task stays suspended until it is aborted.
#pragma once
#include <asio/async_result.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/cancellation_type.hpp>
#include <atomic>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy {

/// The completion token type; use the `use_task` constant.
struct use_task_t {
  constexpr use_task_t() noexcept = default;
};
/// Completion token: `co_await op(args..., eddy::use_task)` inside an eddy task.
inline constexpr use_task_t use_task{};

namespace detail {

template <class... Args>
struct asio_result {
  using type = std::tuple<Args...>;
  static type make(std::tuple<Args...>&& t) { return std::move(t); }
};
template <class A>
struct asio_result<A> {
  using type = A;
  static type make(std::tuple<A>&& t) { return std::move(std::get<0>(t)); }
};
template <>
struct asio_result<> {
  using type = void;
  static void make(std::tuple<>&&) noexcept {}
};

/// Shared by the awaiter (in the task's frame) and the completion handler (owned by Asio).
template <class... Args>
struct asio_op_state {
  spin_lock lock;
  waker w;                 // set before the operation starts
  bool completed = false;  // under lock
  bool abandoned = false;  // under lock: the awaiter is gone
  std::optional<std::tuple<Args...>> values;
  asio::cancellation_signal signal;
  std::atomic<int> refs{2};
  void release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

template <class... Args>
class asio_task_handler {
 public:
  using cancellation_slot_type = asio::cancellation_slot;

  explicit asio_task_handler(asio_op_state<Args...>* s) noexcept : s_(s) {}
  asio_task_handler(asio_task_handler&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  asio_task_handler& operator=(asio_task_handler&&) = delete;
  ~asio_task_handler() {
    if (s_) s_->release();
  }

  cancellation_slot_type get_cancellation_slot() const noexcept { return s_->signal.slot(); }

  template <class... A>
  void operator()(A&&... a) {
    asio_op_state<Args...>* s = std::exchange(s_, nullptr);
    {
      lock_guard<spin_lock> g(s->lock);
      s->completed = true;
      if (!s->abandoned) {
        s->values.emplace(std::forward<A>(a)...);
        s->w.wake();  // under the lock: the awaiter cannot vanish meanwhile
      }
    }
    s->release();
  }

 private:
  asio_op_state<Args...>* s_;
};

/// What `op(..., use_task)` returns: co_await it once, inside an eddy task.
template <class Initiation, class InitArgs, class... Args>
class [[nodiscard]] asio_op_awaiter {
 public:
  using value_type = typename asio_result<Args...>::type;

  template <class I, class T>
  asio_op_awaiter(I&& init, T&& args)
      : init_(std::forward<I>(init)), args_(std::forward<T>(args)) {}
  asio_op_awaiter(asio_op_awaiter&& o) noexcept(std::is_nothrow_move_constructible_v<Initiation>&&
                                                    std::is_nothrow_move_constructible_v<InitArgs>)
      : init_(std::move(o.init_)), args_(std::move(o.args_)), s_(std::exchange(o.s_, nullptr)) {}
  asio_op_awaiter& operator=(asio_op_awaiter&&) = delete;
  ~asio_op_awaiter() {
    if (!s_) return;
    bool pending;
    {
      lock_guard<spin_lock> g(s_->lock);
      pending = !s_->completed;
      s_->abandoned = true;
    }
    // Outside the lock: a cancellation handler may complete the operation at once.
    if (pending) s_->signal.emit(asio::cancellation_type::terminal);
    s_->release();
  }

  bool await_ready() const noexcept { return false; }
  void await_suspend(coro::coroutine_handle<> h) {
    s_ = new asio_op_state<Args...>();
    s_->w = suspend_here(h);
    std::apply(
        [&](auto&&... a) {
          std::move(init_)(asio_task_handler<Args...>{s_}, std::forward<decltype(a)>(a)...);
        },
        std::move(args_));
  }
  value_type await_resume() {
    std::optional<std::tuple<Args...>> v;
    {
      lock_guard<spin_lock> g(s_->lock);
      v.swap(s_->values);
    }
    if (!v) panic("eddy::use_task: resumed without a completion");
    return asio_result<Args...>::make(std::move(*v));
  }

 private:
  Initiation init_;
  InitArgs args_;
  asio_op_state<Args...>* s_ = nullptr;
};

}  // namespace detail
}  // namespace eddy

namespace asio {

/// Asio's completion-token hook for `eddy::use_task`: an Asio async operation called with
/// `use_task` returns an eddy awaitable instead of starting at once (see the file comment).
template <class... Args>
class async_result<eddy::use_task_t, void(Args...)> {
 public:
  /// Called by Asio: packs the operation into an awaitable; the operation starts when awaited.
  template <class Initiation, class... InitArgs>
  static auto initiate(Initiation&& init, eddy::use_task_t, InitArgs&&... args) {
    using awaiter =
        eddy::detail::asio_op_awaiter<std::decay_t<Initiation>,
                                      std::tuple<std::decay_t<InitArgs>...>, std::decay_t<Args>...>;
    return awaiter(std::forward<Initiation>(init),
                   std::tuple<std::decay_t<InitArgs>...>(std::forward<InitArgs>(args)...));
  }
};

}  // namespace asio
