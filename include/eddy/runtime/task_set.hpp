// SPDX-License-Identifier: BSL-1.0
/// \file
/// `task_set<T>`: a set of spawned tasks joined in completion order (tokio's `JoinSet`).
///
/// ```cpp
/// task_set<int> set;
/// for (int i = 0; i < 3; ++i) set.spawn(fetch(i));
/// while (std::optional<result<int>> r = co_await set.join_next()) use(*r);  // first done first
/// ```
///
/// Contract:
/// - `spawn(t)` starts `t` on the current executor, `spawn(ex, t)` on `ex` (as `eddy::spawn`);
///   the child belongs to the set. A spawn that runs out of memory adds a child whose result is
///   `errc::out_of_memory`.
/// - `co_await join_next()` gives `std::optional<result<T>>`: the result of the next child to
///   finish, in completion order (a child that finished before the call is given at once), or
///   an empty optional when the set has no child left. Each child's result is given exactly
///   once. It is cancel-safe: a `join_next` that is aborted or timed out
///   (`timeout(d, set.join_next())`) takes no result; a child that finished meanwhile stays in
///   the set for the next call. A second task calling `join_next` while one waits gets
///   `errc::invalid_argument` at once.
/// - `try_join_next()` never suspends: a finished child's result, or empty when no child has
///   finished yet (or none is left; tell them apart with `empty()`).
/// - `size()` counts the children not yet joined (running or finished); `empty()` is
///   `size() == 0`.
/// - `abort_all()` aborts every running child as `join_handle::abort` does; they stay in the set
///   and `join_next` gives `errc::aborted` for each (or its value, if it finished first). A wait
///   on an eddy primitive ends at once; a wait in a foreign operation (Asio through `use_task`,
///   an `eddy/uv/` request, a `spawn_blocking` job that already runs) is a request: the child
///   finishes once that operation's completion has run (docs/cancellation.md).
/// - Dropping the set aborts every running child; each finishes on its own executor (its
///   destructors run there) and its result is dropped, as are the results of finished
///   children not joined (destroyed by the set's destructor). An error a dropped child ends
///   with is not reported to the unhandled-error hook.
/// - Thread-safety: the set is thread-compatible (one owner uses it at a time, like a
///   `join_handle`); its children may run on any runtimes and threads (a `thread_pool`), and
///   complete concurrently with the owner's calls. The task waiting in `join_next` resumes on its
///   own runtime.
/// - Cost: one allocation for the set's shared state (on the first spawn), and per child what
///   `spawn` costs (its frame and a block for the task's state); nothing per completion or
///   wake.
#pragma once
#include <cstddef>
#include <optional>
#include <utility>

#include "eddy/core/result.hpp"
#include "eddy/runtime/spawn.hpp"

namespace eddy {

namespace detail {

/// The state shared by a `task_set` and its children (non-template; src/task_set.cpp). Children
/// are linked through their `link`s (task_header.hpp): running ones in a list, finished ones in a
/// FIFO.
class task_set_state final : public task_header::observer {
 public:
  task_set_state() noexcept;
  /// Registers `child` (holding a reference for the set) before it starts.
  void adopt(task_header* child) noexcept;
  /// Records a child that could not be spawned (out of memory).
  void fail() noexcept;
  /// Aborts every running child.
  void abort_all() noexcept;
  /// The set is gone: aborts the running children, drops the finished ones and the set's
  /// reference to this state.
  void drop() noexcept;
  /// Children not yet joined.
  std::size_t size() noexcept;
  /// What `join_next` finds, under `lock`: a failed spawn (`*failed`), a finished child (the
  /// set's reference passes to the caller), or neither (null, `*failed` false).
  task_header* pop_locked(bool* failed) noexcept;
  /// True (under `lock`) when `join_next` need not wait: something finished, or nothing left.
  bool ready_locked() const noexcept { return done_ || failures_ || !running_; }

  spin_lock lock;
  waker joiner;  ///< under lock: the task waiting in `join_next`

 private:
  static void on_child_complete(observer* o, task_header* t, const error* e) noexcept;
  void release() noexcept;
  task_header* running_list_ = nullptr;  // under lock
  task_header* done_head_ = nullptr;     // under lock, FIFO through link::next
  task_header* done_tail_ = nullptr;     // under lock
  std::size_t running_ = 0;              // under lock
  std::size_t done_ = 0;                 // under lock
  std::size_t failures_ = 0;             // under lock
  bool dropped_ = false;                 // under lock
  std::atomic<std::uint32_t> refs_{1};   // the set, and each running child
};

/// A new `task_set_state`; panics when out of memory.
task_set_state* new_task_set_state();

}  // namespace detail

/// A set of spawned tasks joined in completion order (see the file comment).
template <class T>
class task_set {
 public:
  /// An empty set (allocates nothing until the first spawn).
  task_set() noexcept = default;
  /// Moves leave the source empty; assigning over a set first drops (aborts) its children.
  ///@{
  task_set(task_set&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  task_set& operator=(task_set&& o) noexcept {
    if (this != &o) {
      if (s_) s_->drop();
      s_ = std::exchange(o.s_, nullptr);
    }
    return *this;
  }
  ///@}
  task_set(const task_set&) = delete;
  task_set& operator=(const task_set&) = delete;
  /// Aborts every running child (each finishes on its own executor); drops unjoined results.
  ~task_set() {
    if (s_) s_->drop();
  }

  /// Starts `t` as a child on the current executor (`current_executor()`); panics outside any
  /// runtime, as `eddy::spawn` does. The child is named "task_set child" and located at the
  /// caller's line.
  void spawn(task<T> t, const source_location& loc = source_location::current()) {
    spawn(current_executor(), std::move(t), "task_set child", loc);
  }
  /// Starts `t` as a child on `ex`. An empty (moved-from) task or executor panics.
  void spawn(executor ex, task<T> t, const source_location& loc = source_location::current()) {
    spawn(ex, std::move(t), "task_set child", loc);
  }
  /// Starts `t` as a child on `ex`, named `name` (not copied: it must outlive the child).
  void spawn(executor ex, task<T> t, const char* name,
             const source_location& loc = source_location::current()) {
    spawn(ex, std::move(t), task_options{name}, loc);
  }
  /// Starts `t` as a child on `ex`, named as `o` says (`copy_name` for a name built at run time).
  void spawn(executor ex, task<T> t, const task_options& o,
             const source_location& loc = source_location::current()) {
    if (!ex) detail::spawn_misuse("eddy::task_set::spawn: no executor (outside any runtime?)");
    detail::task_set_state* st = state();
    if (!t.valid()) {
      if (!t.out_of_memory()) detail::spawn_misuse("eddy::task_set::spawn: empty task");
      st->fail();
      return;
    }
    // References: the set's and the task's own.
    auto* s = detail::spawned<T>::create(ex, std::move(t), 2, st);
    if (!s) {
      st->fail();
      return;
    }
    s->identify(o.name, o.copy_name, loc);
    st->adopt(s);
    s->start();
  }

  /// Aborts every running child; each is still joined (`errc::aborted`). Thread-safe.
  void abort_all() noexcept {
    if (s_) s_->abort_all();
  }
  /// Children not yet joined (running or finished).
  std::size_t size() const noexcept { return s_ ? s_->size() : 0; }
  /// True when no child is left to join.
  bool empty() const noexcept { return size() == 0; }

  /// A finished child's result, without waiting; empty when none has finished (or none is left).
  std::optional<result<T>> try_join_next() noexcept {
    if (!s_) return std::nullopt;
    bool failed = false;
    detail::task_header* c;
    {
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      c = s_->pop_locked(&failed);
    }
    if (failed) return result<T>{error{errc::out_of_memory}};
    if (!c) return std::nullopt;
    return take(c);
  }

  /// Awaiter of `join_next()`: gives `std::optional<result<T>>`; cancel-safe (see the file
  /// comment): a result is only taken when it resumes.
  class [[nodiscard]] join_next_awaiter {
   public:
    /// Made by `join_next()`.
    explicit join_next_awaiter(detail::task_set_state* s) noexcept : s_(s) {}
    join_next_awaiter(const join_next_awaiter&) = delete;
    join_next_awaiter& operator=(const join_next_awaiter&) = delete;
    ~join_next_awaiter() {
      if (registered_) {
        detail::lock_guard<detail::spin_lock> g(s_->lock);
        if (s_->joiner == me_) s_->joiner = waker{};
      }
    }
    bool await_ready() noexcept {
      if (!s_) return true;
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      return s_->ready_locked();
    }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      if (s_->ready_locked()) return false;
      if (s_->joiner) {  // another task already waits: report instead of stealing its wake
        second_ = true;
        return false;
      }
      me_ = detail::suspend_here(h, join_next_wait);
      s_->joiner = me_;
      registered_ = true;
      return true;
    }
    std::optional<result<T>> await_resume() noexcept {
      if (!s_) return std::nullopt;
      bool failed = false;
      detail::task_header* c;
      {
        detail::lock_guard<detail::spin_lock> g(s_->lock);
        if (registered_ && s_->joiner == me_) s_->joiner = waker{};
        registered_ = false;
        if (second_)
          return result<T>{error{errc::invalid_argument, 0,
                                 "eddy::task_set: join_next while another join_next waits"}};
        c = s_->pop_locked(&failed);
      }
      if (failed) return result<T>{error{errc::out_of_memory}};
      if (!c) return std::nullopt;
      return take(c);
    }

   private:
    static constexpr detail::wait_kind join_next_wait{"task_set::join_next", nullptr};
    detail::task_set_state* s_;
    waker me_;
    bool registered_ = false;
    bool second_ = false;
  };
  /// Waits for the next child to finish and gives its result; empty when none is left.
  join_next_awaiter join_next() noexcept { return join_next_awaiter{s_}; }

 private:
  detail::task_set_state* state() {
    if (!s_) s_ = detail::new_task_set_state();
    return s_;
  }
  // Moves the result out of a finished child and drops the set's reference to it.
  static result<T> take(detail::task_header* c) noexcept {
    auto* s = static_cast<detail::spawned<T>*>(c);
    result<T> r = s->take();
    s->release();
    return r;
  }

  detail::task_set_state* s_ = nullptr;
};

}  // namespace eddy
