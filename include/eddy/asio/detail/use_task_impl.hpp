// SPDX-License-Identifier: BSL-1.0
/// \file
/// The one implementation of `eddy::use_task` behind both Asio flavours: the token itself and
/// the awaiter an operation called with it returns, written against a flavour `Net` that names
/// the library's cancellation types and `dispatch`. This header includes no Asio header; the
/// public headers eddy/asio/use_task.hpp (standalone Asio) and eddy/boost_asio/use_task.hpp
/// (Boost.Asio) supply the flavour and specialise their library's `async_result` for the same
/// token, so one `eddy::use_task` serves both. The contract is in eddy/asio/use_task.hpp.
///
/// A flavour `Net` has: `cancellation_signal`, `cancellation_slot`, `static void
/// emit_terminal(cancellation_signal&)` and `static void dispatch(const Ex&, F&&)`.
#pragma once
#include <atomic>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "eddy/core/config.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy {

/// The completion token type; use the `use_task` constant. Thread-safety: a stateless value.
struct use_task_t {
  constexpr use_task_t() noexcept = default;
};
/// Completion token: `co_await op(args..., eddy::use_task)` inside an eddy task, for an
/// operation of standalone Asio (eddy/asio/use_task.hpp) or of Boost.Asio
/// (eddy/boost_asio/use_task.hpp). The task resumes on its own runtime once the operation's
/// handler ran; see eddy/asio/use_task.hpp for results and cancellation.
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
template <class Net, class... Args>
struct asio_op_state {
  spin_lock lock;
  waker w;                     // set before the operation starts
  foreign_wait* fw = nullptr;  // the awaiter's registration with its task
  bool completed = false;      // under lock: the handler ran or was destroyed
  bool abandoned = false;      // under lock: the awaiter is gone
  bool initiating = false;     // under lock: the initiation runs on the awaiting thread
  std::optional<std::tuple<Args...>> values;  // under lock
  typename Net::cancellation_signal signal;
  std::atomic<int> refs{2};  // the awaiter, the handler, and one per emission on its way
  void add_ref() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

template <class Net, class... Args>
class asio_task_handler {
 public:
  using cancellation_slot_type = typename Net::cancellation_slot;

  explicit asio_task_handler(asio_op_state<Net, Args...>* s) noexcept : s_(s) {}
  asio_task_handler(asio_task_handler&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  asio_task_handler& operator=(asio_task_handler&&) = delete;
  /// Destroyed uncalled (its io_context is gone): the operation will never complete, so the
  /// task is aborted (during the initiation, the awaiter handles it).
  ~asio_task_handler() {
    if (!s_) return;
    {
      lock_guard<spin_lock> g(s_->lock);
      if (!s_->completed) {
        s_->completed = true;
        if (!s_->abandoned && !s_->initiating) {
          s_->fw->complete();
          s_->w.task()->abort();  // under the lock: the task cannot complete meanwhile
          s_->w.wake();
        }
      }
    }
    s_->release();
  }

  cancellation_slot_type get_cancellation_slot() const noexcept { return s_->signal.slot(); }

  template <class... A>
  void operator()(A&&... a) {
    asio_op_state<Net, Args...>* s = std::exchange(s_, nullptr);
    {
      lock_guard<spin_lock> g(s->lock);
      s->completed = true;
      if (!s->abandoned) {
        s->values.emplace(std::forward<A>(a)...);
        s->fw->complete();
        s->w.wake();  // under the lock: the awaiter cannot vanish meanwhile
      }
    }
    s->release();
  }

 private:
  asio_op_state<Net, Args...>* s_;
};

/// Emits the terminal cancellation, unless the operation completed first.
template <class Net, class... Args>
class asio_cancel_emitter {
 public:
  /// Adopts one reference to `s`.
  explicit asio_cancel_emitter(asio_op_state<Net, Args...>* s) noexcept : s_(s) {}
  asio_cancel_emitter(asio_cancel_emitter&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  asio_cancel_emitter& operator=(asio_cancel_emitter&&) = delete;
  ~asio_cancel_emitter() {
    if (s_) s_->release();
  }
  void operator()() noexcept {
    bool pending;
    {
      lock_guard<spin_lock> g(s_->lock);
      pending = !s_->completed;
    }
    // Outside the lock: a cancellation handler may complete the operation at once.
    if (pending) Net::emit_terminal(s_->signal);
  }

 private:
  asio_op_state<Net, Args...>* s_;
};

template <class I>
concept has_io_executor = requires(const I& i) { i.get_executor(); };

template <class I>
struct io_executor_of {
  using type = int;  // unused: no executor known
};
template <has_io_executor I>
struct io_executor_of<I> {
  using type = std::decay_t<decltype(std::declval<const I&>().get_executor())>;
};

/// What `op(..., use_task)` returns: co_await it once, inside an eddy task.
template <class Net, class Initiation, class InitArgs, class... Args>
class [[nodiscard]] asio_op_awaiter : private foreign_wait {
  // Task dumps: "asio initiate_async_read_until_delim_v2" (the initiation's type name).
  static void describe(const wait_kind&, const void*, dump_sink& out) {
    out << "asio ";
    print_type_name(out, pretty_name<Initiation>());
  }
  static constexpr wait_kind wait_kind_{"asio operation", &describe};

  using io_executor = typename io_executor_of<Initiation>::type;

 public:
  using value_type = typename asio_result<Args...>::type;

  template <class I, class T>
  asio_op_awaiter(I&& init, T&& args)
      : foreign_wait(&cancel_op), init_(std::forward<I>(init)), args_(std::forward<T>(args)) {}
  asio_op_awaiter(asio_op_awaiter&& o) noexcept(std::is_nothrow_move_constructible_v<Initiation>&&
                                                    std::is_nothrow_move_constructible_v<InitArgs>)
      : foreign_wait(&cancel_op),
        init_(std::move(o.init_)),
        args_(std::move(o.args_)),
        s_(std::exchange(o.s_, nullptr)) {}
  asio_op_awaiter& operator=(asio_op_awaiter&&) = delete;
  ~asio_op_awaiter() {
    if (!s_) return;
    bool pending;
    {
      lock_guard<spin_lock> g(s_->lock);
      pending = !s_->completed;
      s_->abandoned = true;
    }
    task_->end_foreign(this);
    // Only when the frame is destroyed outside the runner's protocol (task_header.hpp): stop
    // the operation and drop its completion.
    if (pending) emit();
    s_->release();
  }

  bool await_ready() const noexcept { return false; }
  void await_suspend(coro::coroutine_handle<> h) {
    s_ = new asio_op_state<Net, Args...>();
    s_->w = suspend_here(h, wait_kind_);
    s_->fw = this;
    s_->initiating = true;  // before any handler exists
    task_ = s_->w.task();
    if constexpr (has_io_executor<Initiation>) ex_.emplace(init_.get_executor());
    task_->begin_foreign(this);
#if EDDY_HAS_EXCEPTIONS
    try {
#endif
      // The arguments go to the initiation exactly as the library's initiating function gave
      // them; a conversion there is the library's (Beast passes an `int` for a `size_t`), not
      // a warning for eddy's users.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#endif
      std::apply(
          [&](auto&&... a) {
            std::move(init_)(asio_task_handler<Net, Args...>{s_}, std::forward<decltype(a)>(a)...);
          },
          std::move(args_));
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#if EDDY_HAS_EXCEPTIONS
    } catch (...) {
      {
        lock_guard<spin_lock> g(s_->lock);
        s_->initiating = false;
        s_->completed = true;
      }
      task_->end_foreign(this);
      throw;  // the co_await throws; the destructor releases the state
    }
#endif
    bool dropped;
    {
      lock_guard<spin_lock> g(s_->lock);
      s_->initiating = false;
      dropped = s_->completed && !s_->values;
    }
    if (dropped) {  // the initiation destroyed the handler uncalled: it will never complete
      complete();
      task_->abort();
      s_->w.wake();
    }
  }
  value_type await_resume() {
    task_->end_foreign(this);
    std::optional<std::tuple<Args...>> v;
    {
      lock_guard<spin_lock> g(s_->lock);
      v.swap(s_->values);
    }
    if (!v) panic("eddy::use_task: resumed without a completion");
    return asio_result<Args...>::make(std::move(*v));
  }

 private:
  static void cancel_op(foreign_wait* f) noexcept { static_cast<asio_op_awaiter*>(f)->emit(); }
  void emit() noexcept {
    s_->add_ref();
    if constexpr (has_io_executor<Initiation>) {
      Net::dispatch(*ex_, asio_cancel_emitter<Net, Args...>{s_});
    } else {
      asio_cancel_emitter<Net, Args...>{s_}();
    }
  }

  Initiation init_;
  InitArgs args_;
  asio_op_state<Net, Args...>* s_ = nullptr;
  task_header* task_ = nullptr;
  std::optional<io_executor> ex_;
};

/// What a flavour's `async_result<use_task_t, void(Args...)>::initiate` returns: the operation
/// packed into an awaiter (started when awaited).
template <class Net, class... Args, class Initiation, class... InitArgs>
auto make_asio_op_awaiter(Initiation&& init, InitArgs&&... args) {
  using awaiter = asio_op_awaiter<Net, std::decay_t<Initiation>,
                                  std::tuple<std::decay_t<InitArgs>...>, std::decay_t<Args>...>;
  return awaiter(std::forward<Initiation>(init),
                 std::tuple<std::decay_t<InitArgs>...>(std::forward<InitArgs>(args)...));
}

}  // namespace detail
}  // namespace eddy
