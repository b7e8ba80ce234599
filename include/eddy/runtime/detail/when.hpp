// SPDX-License-Identifier: BSL-1.0
/// \file
/// Internals of `when_all` / `when_any`: several awaitables run as branches of the awaiting
/// task, without a task or a frame allocation per operand.
///
/// How it works. The combinator owns two tiny coroutines whose frames live in a buffer inside
/// the combinator (no allocation unless the compiler makes them larger than the buffer):
/// - the *driver*, which the task resumes (it is the task's leaf, or the leaf of the enclosing
///   branch when combinators nest). Each time it runs it resumes, in argument order, every
///   branch with a pending wake, starts the branches not started yet, and, once the combinator
///   has its result, cancels what is left and transfers to the awaiting coroutine;
/// - the *sink*, the continuation handed to every operand's `await_suspend`: resuming it only
///   records "the branch that runs now has completed" and returns to the driver.
/// While a branch runs, the task's `current_branch()` names its `branch_node`, so
/// `suspend_here` records the branch's resume point there and hands out a waker that marks the
/// branch ready before it wakes the task (task_header.hpp). A cancel scope (`timeout`) pushed in
/// a branch resumes its owner through the branch; a foreign wait records its branch, so that a
/// losing branch in a foreign operation is asked to stop and waited for before its frames go.
#pragma once
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "eddy/core/config.hpp"
#include "eddy/core/coro.hpp"
#include "eddy/core/frame_allocator.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/core/unit.hpp"
#include "eddy/runtime/task_header.hpp"
#include "eddy/runtime/timeout.hpp"

#if EDDY_HAS_EXCEPTIONS
#include <exception>
#endif

namespace eddy::detail {

/// The state of one branch (`branch_node` plus what the driver needs).
struct when_branch : branch_node {
  static constexpr std::uint8_t unstarted = 0;  ///< not started yet
  static constexpr std::uint8_t live = 1;       ///< started, its awaiter exists, not complete
  static constexpr std::uint8_t done = 2;       ///< completed (result taken) or dropped
  std::uint8_t state = unstarted;               ///< driver only
  const void* owner = nullptr;                  ///< the combinator (to find its branches)
};

class when_core;

/// The coroutine type of the driver and the sink: a frame in the combinator's buffer.
struct when_frame {
  struct promise_type {
    static void* operator new(std::size_t n, when_core& c);
    static void operator delete(void* p, std::size_t n) noexcept;
    when_frame get_return_object() noexcept {
      return when_frame{coro::coroutine_handle<promise_type>::from_promise(*this)};
    }
    coro::suspend_always initial_suspend() noexcept { return {}; }
    coro::suspend_always final_suspend() noexcept { return {}; }  // never reached: both loop
    void return_void() noexcept {}
    void unhandled_exception() noexcept { panic("eddy::when_all/when_any: internal error"); }
  };
  coro::coroutine_handle<promise_type> h;  ///< the frame (owned by the combinator)
};

/// The part of every combinator that is not a template: the driver loop.
class when_core {
 public:
  /// Frame bytes reserved per coroutine (driver, sink); larger frames come from the
  /// `frame_allocator` hook.
  static constexpr std::size_t frame_cap = 128;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  /// `what`: the combinator's name in task dumps ("when_all", "when_any").
  when_core(when_branch* nodes, std::size_t n, const char* what) noexcept
      : nodes_(nodes), n_(n), what_(what) {}
  /// Sets the branches (range forms, whose branch array is made after the base).
  void set_nodes(when_branch* nodes, std::size_t n) noexcept {
    nodes_ = nodes;
    n_ = n;
  }
  when_core(const when_core&) = delete;
  when_core& operator=(const when_core&) = delete;

  /// The combinator's `await_suspend`: starts the driver (by symmetric transfer).
  coro::coroutine_handle<> begin(coro::coroutine_handle<> h) noexcept {
    task_ = current_task();
    if (!task_) panic("eddy::when_all/when_any: awaited outside a task (use spawn or block_on)");
    parent_ = h;
    parent_branch_ = task_->current_branch();
    for (std::size_t i = 0; i < n_; ++i) {
      nodes_[i].parent = parent_branch_;
      nodes_[i].owner = this;
    }
    driver_ = drive(*this).h;
    sink_ = sink(*this).h;
    suspend_here(driver_, wait_kind_,
                 this);  // the task (or the enclosing branch) resumes the driver
    return driver_;
  }

  /// Runs the branches that can run; see the file comment. The driver's only work.
  coro::coroutine_handle<> step() noexcept {
    for (;;) {
      task_->set_current_branch(parent_branch_);
      if (finished_) {
        if (!losers_quiet()) return coro::noop_coroutine();
        drop_live();
        return parent_;
      }
      const std::size_t i = pick();
      if (i == npos) return coro::noop_coroutine();
      when_branch& b = nodes_[i];
      task_->set_current_branch(&b);
      sink_hit_ = false;
      bool completed;
      if (b.state == when_branch::unstarted) {
        b.state = when_branch::live;
        completed = start(i, sink_);
      } else {
        b.leaf.resume();
        completed = false;
      }
      task_->set_current_branch(parent_branch_);
      if (completed || sink_hit_) {
        b.state = when_branch::done;
        if (take(i)) finished_ = true;
      }
      // A branch yielded (`yield_now`, an unbounded send's budget): back to the runner, which
      // puts the task at the back of the queue; the branch's wake is pending meanwhile.
      if (!finished_ && task_->yield_pending()) return coro::noop_coroutine();
    }
  }

  /// Records that the running branch completed (the sink's work).
  void on_sink() noexcept { sink_hit_ = true; }

  /// Allocates one of the two frames.
  void* alloc_frame(std::size_t n) noexcept {
    if (n > frame_cap) {
      void* p = frame_try_alloc(n);
      if (!p) panic("eddy::when_all/when_any: out of memory for the combinator's frames");
      return p;
    }
    return frames_[frames_used_++].bytes;
  }

 protected:
  /// Starts branch `i` (awaiter made, `await_ready` / `await_suspend(sink)`); true when it
  /// completed at once.
  virtual bool start(std::size_t i, coro::coroutine_handle<> sink) noexcept = 0;
  /// Takes branch `i`'s result (it completed) and destroys its awaiter; true when the
  /// combinator now has its result.
  virtual bool take(std::size_t i) noexcept = 0;
  /// Destroys branch `i`'s awaiter (it is live: a loser, or the combinator is destroyed).
  virtual void drop(std::size_t i) noexcept = 0;

  /// Destroys every live branch and the two frames (the typed destructor calls it first).
  void destroy_all() noexcept {
    drop_live();
    if (driver_) std::exchange(driver_, nullptr).destroy();
    if (sink_) std::exchange(sink_, nullptr).destroy();
  }
  ~when_core() = default;

 private:
  /// The next branch to run: the first (in argument order) with a pending wake, else the next
  /// one not started.
  std::size_t pick() noexcept {
    for (std::size_t i = 0; i < started_; ++i) {
      if (nodes_[i].ready.load(std::memory_order_acquire) &&
          nodes_[i].ready.exchange(false, std::memory_order_acq_rel) &&
          nodes_[i].state == when_branch::live)
        return i;
    }
    if (started_ < n_) return started_++;
    return npos;
  }

  /// True when no live branch waits in a foreign operation; otherwise asks those to stop (the
  /// driver runs again when their completions wake them).
  bool losers_quiet() noexcept {
    bool quiet = true;
    for (foreign_wait* f = task_->foreign_waits(); f; f = f->next_wait) {
      if (f->is_done()) continue;
      for (branch_node* b = f->branch; b; b = b->parent) {
        auto* wb = static_cast<when_branch*>(b);
        if (wb->owner == this) {  // every branch_node is a when_branch
          if (wb->state == when_branch::live) {
            quiet = false;
            f->request_cancel();  // may complete inline
          }
          break;
        }
      }
    }
    return quiet;
  }

  void drop_live() noexcept {
    for (std::size_t i = 0; i < n_; ++i) {
      if (nodes_[i].state == when_branch::live) {
        nodes_[i].state = when_branch::done;
        drop(i);
      }
    }
  }

  static when_frame drive(when_core& c);
  static when_frame sink(when_core& c);

  // Task dumps: "when_all of 3 (2 pending)", then what each live branch waits on.
  static void describe(const wait_kind&, const void* obj, dump_sink& out) {
    const auto* c = static_cast<const when_core*>(obj);
    std::size_t pending = 0;
    for (std::size_t i = 0; i < c->n_; ++i) pending += c->nodes_[i].state != when_branch::done;
    out << c->what_ << " of " << static_cast<std::uint64_t>(c->n_) << " ("
        << static_cast<std::uint64_t>(pending) << " pending)";
    for (std::size_t i = 0; i < c->n_; ++i) {
      if (c->nodes_[i].state != when_branch::live) continue;
      out << "\n        branch " << static_cast<std::uint64_t>(i) << ": ";
      describe_wait(c->nodes_[i].wait, out);
    }
  }
  static constexpr wait_kind wait_kind_{"when_all/when_any", &describe};

  struct drive_step {
    when_core* c;
    bool await_ready() const noexcept { return false; }
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<>) const noexcept {
      return c->step();
    }
    void await_resume() const noexcept {}
  };
  struct sink_step {
    when_core* c;
    bool await_ready() const noexcept { return false; }
    void await_suspend(coro::coroutine_handle<>) const noexcept { c->on_sink(); }
    void await_resume() const noexcept {}
  };

  struct alignas(std::max_align_t) frame_bytes {
    unsigned char bytes[frame_cap];
  };
  frame_bytes frames_[2];
  std::size_t frames_used_ = 0;
  when_branch* nodes_;
  std::size_t n_;
  std::size_t started_ = 0;
  task_header* task_ = nullptr;
  branch_node* parent_branch_ = nullptr;
  coro::coroutine_handle<> parent_{};
  coro::coroutine_handle<> driver_{};
  coro::coroutine_handle<> sink_{};
  bool sink_hit_ = false;
  bool finished_ = false;
  const char* what_;
};

inline void* when_frame::promise_type::operator new(std::size_t n, when_core& c) {
  return c.alloc_frame(n);
}
inline void when_frame::promise_type::operator delete(void* p, std::size_t n) noexcept {
  if (n > when_core::frame_cap) frame_free(p, n);
}

// The pointer `c` is copied into each awaiter: the loop reads nothing else from its frame.
inline when_frame when_core::drive(when_core& c) {
  when_core* self = &c;
  for (;;) co_await drive_step{self};
}
inline when_frame when_core::sink(when_core& c) {
  when_core* self = &c;
  for (;;) co_await sink_step{self};
}

// ---------------------------------------------------------------------------------------------
// Operands

/// `result<T>` for any `T`; a `result` stays itself (what `when_all` gives per operand).
template <class T>
struct when_result {
  using type = result<T>;
};
template <class T>
struct when_result<result<T>> {
  using type = result<T>;
};
template <class T>
using when_result_t = typename when_result<T>::type;

/// The value a `result` carries (`unit` for void); other types as they are (`try_when_all`).
template <class T>
struct when_unwrapped {
  using type = T;
  static constexpr bool is_result = false;
};
template <>
struct when_unwrapped<void> {
  using type = unit;
  static constexpr bool is_result = false;
};
template <class T>
struct when_unwrapped<result<T>> {
  using type = std::conditional_t<std::is_void_v<T>, unit, T>;
  static constexpr bool is_result = true;
};
template <class T>
using when_unwrapped_t = typename when_unwrapped<T>::type;

/// `unit` for void, else `T` (what `when_any` gives per operand).
template <class T>
using when_value_t = std::conditional_t<std::is_void_v<T>, unit, T>;

/// One operand: the awaitable as given (see `when_all`'s rules) and its awaiter.
template <class A>
class when_operand {
  using D = std::remove_cvref_t<A>;
  using H = held_awaitable_t<A&&>;
  using got = decltype(get_awaiter(std::declval<H&&>()));

 public:
  /// The operand is an awaiter itself (no `operator co_await`): it is its own awaiter.
  static constexpr bool self = std::is_reference_v<got>;
  /// The awaiter's type.
  using awaiter = std::remove_cvref_t<got>;
  /// What `await_resume` gives (a reference is decayed to a value).
  using value_type = std::remove_cvref_t<decltype(std::declval<awaiter&>().await_resume())>;

  static_assert(!is_task_v<D> || !std::is_lvalue_reference_v<A>,
                "eddy::when_all/when_any: pass a task as an rvalue (std::move(t)): a losing or "
                "aborted branch's task is destroyed");
  /// An awaiter that cannot be moved, used in place, that the combinator can still cancel
  /// (a nested `when_all` / `when_any`).
  static constexpr bool cancel_in_place = requires(awaiter& w) { w.when_cancel(); };
  static_assert(!self || !std::is_reference_v<H> || cancel_in_place,
                "eddy::when_all/when_any: an awaiter operand (one without operator co_await) must "
                "be a movable temporary (rx.recv(), sleep(d), m.lock(), timeout(d, x)): the "
                "combinator owns it and destroys it when its branch is cancelled. Wrap another "
                "awaiter in a task");

  /// Holds `x` (moved in, or referred to; see `held_awaitable_t`).
  template <class X>
  explicit when_operand(X&& x) {
    if constexpr (by_value_self)
      ::new (static_cast<void*>(&obj_)) D(std::forward<X>(x));
    else
      ::new (static_cast<void*>(&held_)) held_box{std::forward<X>(x)};
    has_held_ = true;
  }
  when_operand(const when_operand&) = delete;
  when_operand& operator=(const when_operand&) = delete;
  ~when_operand() {
    destroy_awaiter();
    if constexpr (!by_value_self) held_.~held_box();
  }

  /// Makes the awaiter (once, when the branch starts).
  awaiter& make() {
    if constexpr (self) {
      return get();
    } else {
      ::new (static_cast<void*>(&aw_)) awaiter(get_awaiter(static_cast<H&&>(held_.h)));
      has_aw_ = true;
      return aw_;
    }
  }
  /// The awaiter (after `make`).
  awaiter& get() noexcept {
    if constexpr (by_value_self)
      return obj_;
    else if constexpr (self)
      return held_.h;
    else
      return aw_;
  }
  /// Destroys the awaiter (which deregisters it), and a task operand's frame. Idempotent.
  void destroy_awaiter() noexcept {
    if constexpr (self && std::is_reference_v<H>) {
      if (has_held_) {
        has_held_ = false;
        held_.h.when_cancel();  // used in place: cancelled now, destroyed by its owner later
      }
    } else if constexpr (self) {
      if (has_held_) {
        has_held_ = false;
        obj_.~D();
      }
    } else {
      if (has_aw_) {
        has_aw_ = false;
        aw_.~awaiter();
      }
      if constexpr (is_task_v<D>) held_.h.reset();
    }
  }

 private:
  struct held_box {
    H h;
  };
  struct none {};
  static constexpr bool by_value_self = self && !std::is_reference_v<H>;
  using obj_t = std::conditional_t<by_value_self, D, none>;
  using box_t = std::conditional_t<by_value_self, none, held_box>;
  using aw_t = std::conditional_t<self, none, awaiter>;
  union {
    obj_t obj_;  // self: the awaiter operand
  };
  union {
    box_t held_;  // otherwise: the awaitable (a value, or a reference)
  };
  union {
    aw_t aw_;  // otherwise: its awaiter, once started
  };
  bool has_held_ = false;
  bool has_aw_ = false;
};

/// Runs `w.await_ready()` / `w.await_suspend(sink)`; true when it completed at once.
template <class W>
bool start_awaiter(W& w, coro::coroutine_handle<> sink) {
  if (w.await_ready()) return true;
  using S = decltype(w.await_suspend(sink));
  if constexpr (std::is_void_v<S>) {
    w.await_suspend(sink);
    return false;
  } else if constexpr (std::is_same_v<S, bool>) {
    return !w.await_suspend(sink);
  } else {
    coro::coroutine_handle<> next = w.await_suspend(sink);
    next.resume();  // completion reaches the sink
    return false;
  }
}

/// What the combinator does with each completion.
enum class when_mode { all, try_all, any };

/// The fixed-arity combinator: `M` over the operands `A...` (forwarding-reference types).
template <when_mode M, class... A>
class [[nodiscard]] when_awaiter final : private when_core {
  static constexpr std::size_t N = sizeof...(A);
  template <std::size_t I>
  using op_t = when_operand<std::tuple_element_t<I, std::tuple<A...>>>;
  template <class X>
  using value_of = typename when_operand<X>::value_type;

 public:
  /// What `co_await` gives.
  using result_type =
      std::conditional_t<M == when_mode::all, std::tuple<when_result_t<value_of<A>>...>,
                         std::conditional_t<M == when_mode::try_all,
                                            result<std::tuple<when_unwrapped_t<value_of<A>>...>>,
                                            std::variant<when_value_t<value_of<A>>...>>>;

  /// Holds the operands (see `when_all`).
  template <class... X>
  explicit when_awaiter(std::in_place_t, X&&... x)
      : when_core(nullptr, N, M == when_mode::any ? "when_any" : "when_all"),
        ops_(std::forward<X>(x)...) {
    set_nodes(nodes_.data(), N);
  }
  when_awaiter(const when_awaiter&) = delete;
  when_awaiter& operator=(const when_awaiter&) = delete;
  ~when_awaiter() { destroy_all(); }

  /// Cancels every live branch now (this combinator is a branch of an enclosing one that
  /// cancels it, and is destroyed later by its owner).
  void when_cancel() noexcept { destroy_all(); }

  bool await_ready() const noexcept { return false; }
  coro::coroutine_handle<> await_suspend(coro::coroutine_handle<> h) noexcept { return begin(h); }
  result_type await_resume() {
    if constexpr (M == when_mode::all) {
      return collect(std::make_index_sequence<N>{});
    } else if constexpr (M == when_mode::try_all) {
      if (err_) return std::move(*err_);
      return collect(std::make_index_sequence<N>{});
    } else {
#if EDDY_HAS_EXCEPTIONS
      if (exc_) std::rethrow_exception(exc_);
#endif
      return std::move(*out_);
    }
  }

 private:
  template <std::size_t... I>
  auto collect(std::index_sequence<I...>) {
    if constexpr (M == when_mode::all)
      return std::tuple<when_result_t<value_of<A>>...>(std::move(*std::get<I>(slots_))...);
    else
      return std::tuple<when_unwrapped_t<value_of<A>>...>(std::move(*std::get<I>(slots_))...);
  }

  bool start(std::size_t i, coro::coroutine_handle<> sink) noexcept override {
    return dispatch(i, [&]<std::size_t I>(std::integral_constant<std::size_t, I>) {
#if EDDY_HAS_EXCEPTIONS
      try {
#endif
        return start_awaiter(std::get<I>(ops_).make(), sink);
#if EDDY_HAS_EXCEPTIONS
      } catch (...) {
        start_exc_ = std::current_exception();
        return true;
      }
#endif
    });
  }
  bool take(std::size_t i) noexcept override {
    return dispatch(
        i, [&]<std::size_t I>(std::integral_constant<std::size_t, I> k) { return take_at(k); });
  }
  void drop(std::size_t i) noexcept override {
    dispatch(i, [&]<std::size_t I>(std::integral_constant<std::size_t, I>) {
      std::get<I>(ops_).destroy_awaiter();
      return true;
    });
  }

  template <class F>
  static bool dispatch(std::size_t i, F&& f) noexcept {
    return dispatch_seq(i, f, std::make_index_sequence<N>{});
  }
  template <class F, std::size_t... I>
  static bool dispatch_seq(std::size_t i, F& f, std::index_sequence<I...>) noexcept {
    bool r = false;
    (void)((i == I ? (r = f(std::integral_constant<std::size_t, I>{}), true) : false) || ...);
    return r;
  }

  template <std::size_t I>
  bool take_at(std::integral_constant<std::size_t, I>) noexcept {
    auto& op = std::get<I>(ops_);
    using V = value_of<std::tuple_element_t<I, std::tuple<A...>>>;
    bool finished = false;
#if EDDY_HAS_EXCEPTIONS
    try {
      if (start_exc_) std::rethrow_exception(std::exchange(start_exc_, nullptr));
#endif
      auto& w = op.get();
      if constexpr (M == when_mode::all) {
        if constexpr (std::is_void_v<V>) {
          w.await_resume();
          std::get<I>(slots_).emplace();
        } else {
          std::get<I>(slots_).emplace(w.await_resume());
        }
      } else if constexpr (M == when_mode::try_all) {
        if constexpr (std::is_void_v<V>) {
          w.await_resume();
          std::get<I>(slots_).emplace();
        } else if constexpr (when_unwrapped<V>::is_result) {
          V r = w.await_resume();
          if (!r.has_value()) {
            err_.emplace(r.error());
            finished = true;
          } else if constexpr (std::is_same_v<V, result<void>>) {
            std::get<I>(slots_).emplace();
          } else {
            std::get<I>(slots_).emplace(std::move(r).value());
          }
        } else {
          std::get<I>(slots_).emplace(w.await_resume());
        }
      } else {
        if constexpr (std::is_void_v<V>) {
          w.await_resume();
          out_.emplace(std::in_place_index<I>);
        } else {
          out_.emplace(std::in_place_index<I>, w.await_resume());
        }
        finished = true;
      }
#if EDDY_HAS_EXCEPTIONS
    } catch (...) {
      if constexpr (M == when_mode::all) {
        std::get<I>(slots_).emplace(error::from_exception(std::current_exception()));
      } else if constexpr (M == when_mode::try_all) {
        err_.emplace(error::from_exception(std::current_exception()));
        finished = true;
      } else {
        exc_ = std::current_exception();
        finished = true;
      }
    }
#endif
    op.destroy_awaiter();
    return finished || ++completed_ == N;
  }

  template <class X>
  using slot_t = std::optional<std::conditional_t<M == when_mode::all, when_result_t<value_of<X>>,
                                                  when_unwrapped_t<value_of<X>>>>;
  std::array<when_branch, N> nodes_{};
  std::tuple<when_operand<A>...> ops_;
  struct none {};
  std::conditional_t<M == when_mode::any, none, std::tuple<slot_t<A>...>> slots_{};
  std::conditional_t<M == when_mode::try_all, std::optional<error>, none> err_{};
  std::conditional_t<M == when_mode::any, std::optional<result_type>, none> out_{};
  std::size_t completed_ = 0;
#if EDDY_HAS_EXCEPTIONS
  std::exception_ptr start_exc_;
  std::exception_ptr exc_;
#endif
};

/// The range combinator: `M` over a vector of tasks.
template <when_mode M, class T>
class [[nodiscard]] when_range_awaiter final : private when_core {
  using slot_value = std::conditional_t<M == when_mode::all, when_result_t<T>, when_unwrapped_t<T>>;

 public:
  /// What `co_await` gives.
  using result_type = std::conditional_t<
      M == when_mode::all, std::vector<when_result_t<T>>,
      std::conditional_t<M == when_mode::try_all, result<std::vector<when_unwrapped_t<T>>>,
                         result<std::pair<std::size_t, when_value_t<T>>>>>;

  /// Takes the tasks; each must be valid (an empty task panics when the branch starts).
  explicit when_range_awaiter(std::vector<task<T>> tasks)
      : when_core(nullptr, 0, M == when_mode::any ? "when_any" : "when_all"),
        tasks_(std::move(tasks)),
        nodes_(tasks_.size()) {
    set_nodes(nodes_.data(), nodes_.size());
    if constexpr (M != when_mode::any) slots_.resize(tasks_.size());
  }
  when_range_awaiter(const when_range_awaiter&) = delete;
  when_range_awaiter& operator=(const when_range_awaiter&) = delete;
  ~when_range_awaiter() { destroy_all(); }

  /// Cancels every live branch now (see `when_awaiter::when_cancel`).
  void when_cancel() noexcept { destroy_all(); }

  bool await_ready() const noexcept { return tasks_.empty(); }
  coro::coroutine_handle<> await_suspend(coro::coroutine_handle<> h) noexcept { return begin(h); }
  result_type await_resume() {
    if constexpr (M == when_mode::any) {
      if (tasks_.empty()) return error{errc::invalid_argument, 0, "eddy::when_any: empty range"};
      auto& p = tasks_[winner_].handle().promise();
      if constexpr (std::is_void_v<T>) {
        p.take();
        return std::pair<std::size_t, unit>(winner_, unit{});
      } else {
        return std::pair<std::size_t, T>(winner_, p.take());
      }
    } else {
      if constexpr (M == when_mode::try_all) {
        if (err_) return std::move(*err_);
      }
      std::vector<slot_value> out;
      out.reserve(slots_.size());
      for (auto& s : slots_) out.push_back(std::move(*s));
      return out;
    }
  }

 private:
  bool start(std::size_t i, coro::coroutine_handle<> sink) noexcept override {
    task<T>& t = tasks_[i];
    if (!t.valid())
      panic(t.out_of_memory() ? "eddy::when_all/when_any: a task's frame could not be allocated"
                              : "eddy::when_all/when_any: empty (moved-from) task");
    t.handle().promise().continuation_ = sink;
    t.handle().resume();  // completion reaches the sink
    return false;
  }
  bool take(std::size_t i) noexcept override {
    auto& p = tasks_[i].handle().promise();
    if constexpr (M == when_mode::any) {
      winner_ = i;  // the value (or exception) is taken in await_resume
      return true;
    } else {
      result<T> r = p.take_result();
      bool failed = false;
      if constexpr (M == when_mode::all) {
        if constexpr (when_unwrapped<T>::is_result) {
          if (r.has_value())
            slots_[i].emplace(std::move(r).value());
          else
            slots_[i].emplace(r.error());
        } else {
          slots_[i].emplace(std::move(r));
        }
      } else {
        if (!r.has_value()) {
          err_.emplace(r.error());
          failed = true;
        } else if constexpr (when_unwrapped<T>::is_result) {
          T inner = std::move(r).value();
          if (!inner.has_value()) {
            err_.emplace(inner.error());
            failed = true;
          } else if constexpr (std::is_same_v<T, result<void>>) {
            slots_[i].emplace();
          } else {
            slots_[i].emplace(std::move(inner).value());
          }
        } else if constexpr (std::is_void_v<T>) {
          slots_[i].emplace();
        } else {
          slots_[i].emplace(std::move(r).value());
        }
      }
      tasks_[i].reset();
      return failed || ++completed_ == tasks_.size();
    }
  }
  void drop(std::size_t i) noexcept override { tasks_[i].reset(); }

  std::vector<task<T>> tasks_;
  std::vector<when_branch> nodes_;
  std::vector<std::optional<slot_value>> slots_;
  std::optional<error> err_;
  std::size_t completed_ = 0;
  std::size_t winner_ = 0;
};

}  // namespace eddy::detail
