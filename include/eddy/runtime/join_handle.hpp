// SPDX-License-Identifier: BSL-1.0
/// \file
/// `join_handle<T>`: the owner's handle to a spawned task.
///
/// - `co_await h` (or `co_await h.join()`) gives `result<T>`: the value, `errc::aborted`, or the
///   captured exception as `errc::exception`. The result is moved out: a second join, or a join
///   on a moved-from handle, gives `errc::invalid_argument`.
/// - `co_await std::move(h)` (and `co_await spawn(...)`) joins the same way and consumes the
///   handle: `h` is empty at once, and the task's state is freed as soon as the join is over,
///   while it is still in cache (a loop joining many handles this way skips a later pass over
///   them). If the joiner is cancelled while it waits, the task is detached, as by `detach()`.
/// - `abort()` makes the task stop at its current or next suspension point; its frames are
///   destroyed (destructors run) on its own executor. No-op on a finished or empty handle.
///   A wait on an eddy primitive ends at once. A wait in a foreign operation (an Asio
///   operation through `use_task`, an `eddy/uv/` request) makes abort a request: the operation
///   is asked to stop through its own mechanism and the frames, with the buffers it uses, stay
///   until its completion has run; only then does the join give `errc::aborted`
///   (runtime/task_header.hpp, `foreign_wait`).
/// - `detach()` and the destructor let the task run on; its result is dropped, except an
///   exception it ends with: that goes to its runtime's unhandled-error hook (by default one
///   line on stderr), so that it is never silently lost. An error *value* is dropped.
/// - A spawn that ran out of memory (the task's frame or the spawn block could not be
///   allocated, see core/frame_allocator.hpp) gives a handle that refers to no task, is
///   finished, and whose join yields `errc::out_of_memory` (once). `failed(code)` makes such a
///   handle for another error (`spawn_blocking` on a target without threads).
///
/// Thread-safety: `abort`, `is_finished` are thread-safe. A handle itself is move-only and used
/// by one owner at a time; only one task may wait on it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy {

namespace detail {

/// A `join_handle`'s one word: its task (a `spawned<T>*`; 0 when empty) or, with the low bit
/// set, the error that a handle referring to no task joins to (`join_handle::failed`), with
/// `failure_taken` set once that join took place. Task blocks are at least 8-byte aligned, so a
/// task's word never has the low bits set.
struct join_word {
  static constexpr std::uintptr_t failure = 1, failure_taken = 2;
  /// The word of a failed handle that joins to `code`.
  static constexpr std::uintptr_t failed(errc code) noexcept {
    return (static_cast<std::uintptr_t>(code) << 2) | failure;
  }
  /// True when `w` is a failure not joined yet.
  static constexpr bool failure_pending(std::uintptr_t w) noexcept {
    return (w & (failure | failure_taken)) == failure;
  }
  /// The code a failure word joins to.
  static constexpr errc code(std::uintptr_t w) noexcept { return static_cast<errc>(w >> 2); }
};

/// A spawned task's state: the scheduling header and the result. The root frame is destroyed
/// when the task ends (on its executor), the state when the last reference goes. The state is a
/// block of its own, from the frame allocator (core/frame_allocator.hpp). The result has no
/// flag of its own: its state is in the header's `result_flags_`. A result that fits the
/// header's `result_space` (a value or an `error`: most `T` up to 32 bytes) takes no room
/// after the header.
template <class T>
class spawned final : public task_header {
  using handle_type = typename task<T>::handle_type;

 public:
  /// Takes `t`'s frame (`t` valid) with `refs` references; with an observer `obs`, the block
  /// has a `link` in front of the header (see `task_header::link`). Null, and `t` untouched,
  /// when the block cannot be allocated.
  static spawned* create(executor ex, task<T>&& t, std::uint32_t refs,
                         observer* obs = nullptr) noexcept {
    const std::size_t front = obs ? prefix() : 0;
    auto* mem = static_cast<char*>(frame_try_alloc(front + sizeof(spawned)));
    if (!mem) return nullptr;
    if (obs) ::new (static_cast<void*>(mem + front - sizeof(link))) link{obs};
    return ::new (static_cast<void*>(mem + front)) spawned(ex, t.release(), refs, obs != nullptr);
  }
  ~spawned() {
    if (!(result_flags_ & result_stored)) return;
    if (!(result_flags_ & result_ok))
      err().~error();
    else if constexpr (!std::is_void_v<T>)
      val().~T();
  }

  /// True once the owner has moved the result out (owner's side).
  bool taken() const noexcept { return result_flags_ & result_taken; }
  /// Moves the result out: only once the task has completed, and only once (owner's side).
  result<T> take() noexcept {
    result_flags_ |= result_taken;
    if (!(result_flags_ & result_ok)) return std::move(err());
    if constexpr (std::is_void_v<T>)
      return {};
    else
      return result<T>(std::move(val()));
  }

 private:
  // The bytes in front of the header of an observed task's block.
  static constexpr std::size_t prefix() noexcept { return link_space(alignof(spawned)); }
  spawned(executor ex, handle_type h, std::uint32_t refs, bool linked) noexcept
      : task_header(&vt, ex, h, refs, linked) {}
  handle_type handle() const noexcept { return handle_type::from_address(root().address()); }
  void store_error(const error& e) noexcept {
    ::new (outcome()) error(e);
    result_flags_ |= result_stored;
  }
  void store(result<T>&& r) noexcept {
    if (!r.has_value()) return store_error(r.error());
    if constexpr (!std::is_void_v<T>) ::new (outcome()) T(std::move(r).value());
    result_flags_ |= result_stored | result_ok;
  }

  static const error* finish(task_header* h, bool aborted) noexcept {
    auto* self = static_cast<spawned*>(h);
    // The frames go first: the result may take the room of what destroying them still uses.
    if (aborted) {
      self->handle().destroy();
      self->store_error(error{errc::aborted});
    } else {
      result<T> r = self->handle().promise().take_result();
      self->handle().destroy();
      self->store(std::move(r));
    }
    if (!(self->result_flags_ & result_ok)) return &self->err();
    if constexpr (is_result_v<T>) {  // a task<result<U>> that returned an error failed too
      if (!self->val().has_value()) return &self->val().error();
    }
    return nullptr;
  }
  static void destroy(task_header* h) noexcept {
    auto* self = static_cast<spawned*>(h);
    const std::size_t front = self->observed() ? prefix() : 0;
    self->~spawned();
    frame_free(reinterpret_cast<char*>(self) - front, front + sizeof(spawned));
  }
  static promise_base* root_promise(const task_header* h) noexcept {
    return &static_cast<const spawned*>(h)->handle().promise();
  }
  static constexpr vtable vt{&finish, &destroy, &root_promise};

  // The outcome, constructed by the runner before `complete` is published: the value
  // (`result_ok`; a `void` task has none) or the error. Its flag is in `result_flags_`, where the
  // header has room, so that the block is a `result<T>`'s flag (8 bytes for most T) smaller. It
  // lives in the header's `result_space` when it fits there, else in `own_` after the header.
  struct no_value {};
  using value_type = std::conditional_t<std::is_void_v<T>, no_value, T>;
  static constexpr std::size_t outcome_size = sizeof(value_type) > sizeof(error)
                                                  ? sizeof(value_type)
                                                  : sizeof(error);
  static constexpr std::size_t outcome_align = alignof(value_type) > alignof(error)
                                                   ? alignof(value_type)
                                                   : alignof(error);
  static constexpr bool in_header =
      outcome_size <= result_space_size && outcome_align <= result_space_align;
  struct own_space {
    alignas(outcome_align) unsigned char bytes[outcome_size];
  };
  struct no_space {};
  void* outcome() noexcept {
    if constexpr (in_header)
      return result_space();
    else
      return own_.bytes;
  }
  error& err() noexcept { return *std::launder(static_cast<error*>(outcome())); }
  value_type& val() noexcept { return *std::launder(static_cast<value_type*>(outcome())); }
  [[no_unique_address]] std::conditional_t<in_header, no_space, own_space> own_;
};

}  // namespace detail

/// The owner's handle to a spawned task (see the file comment). One word: a vector of handles
/// costs a pointer per task.
template <class T>
class join_handle {
 public:
  /// An empty handle (refers to no task).
  join_handle() noexcept = default;
  /// Used by `spawn`: adopts one reference to `s`.
  explicit join_handle(detail::spawned<T>* s) noexcept : w_(reinterpret_cast<std::uintptr_t>(s)) {
    static_assert(alignof(detail::spawned<T>) >= 4, "the low bits of a task's word are tags");
  }
  /// Moves leave the source empty; assigning over a handle detaches its task first.
  ///@{
  join_handle(join_handle&& o) noexcept : w_(std::exchange(o.w_, 0)) {}
  join_handle& operator=(join_handle&& o) noexcept {
    if (this != &o) {
      detach();
      w_ = std::exchange(o.w_, 0);
    }
    return *this;
  }
  ///@}
  /// The handle of a spawn that ran out of memory: finished; joins to `errc::out_of_memory`.
  static join_handle failed_allocation() noexcept { return failed(errc::out_of_memory); }
  /// A handle that refers to no task, is finished, and joins (once) to `code`.
  static join_handle failed(errc code) noexcept {
    join_handle h;
    h.w_ = detail::join_word::failed(code);
    return h;
  }
  join_handle(const join_handle&) = delete;
  join_handle& operator=(const join_handle&) = delete;
  ~join_handle() { detach(); }

  /// Requests abort (see the file comment: prompt for eddy waits, after the completion for a
  /// foreign operation). Thread-safe; no-op when finished or empty.
  void abort() noexcept {
    if (detail::spawned<T>* s = task()) s->abort();
  }
  /// Gives up the handle; the task runs on. No-op when empty. If the task then ends with an
  /// exception, its runtime's unhandled-error hook is told (see `runtime`).
  void detach() noexcept {
    detail::spawned<T>* s = task();
    w_ = 0;
    if (!s) return;
    if (!s->is_complete()) s->mark_detached();  // a finished task has no use for the mark
    s->release();
  }
  /// True once the task has completed (value, error, or aborted), or when the spawn ran out of
  /// memory. False for an empty handle.
  bool is_finished() const noexcept {
    if (w_ & detail::join_word::failure) return true;
    detail::spawned<T>* s = task();
    return s && s->is_complete();
  }
  /// True if this handle refers to a task.
  bool valid() const noexcept { return task() != nullptr; }
  /// The task's process-wide id (runtime/task_header.hpp, identity); 0 for an empty handle.
  std::uint64_t id() const noexcept {
    detail::spawned<T>* s = task();
    return s ? s->id() : 0;
  }
  /// The task's executor (empty for an empty handle).
  executor get_executor() const noexcept {
    detail::spawned<T>* s = task();
    return s ? s->get_executor() : executor{};
  }

  /// If finished, moves the result out (once); otherwise `errc::invalid_argument`.
  result<T> try_take() noexcept { return take_from(w_); }

  /// Awaiter of `co_await h`: gives `result<T>`; cancel-safe (an aborted joiner deregisters).
  class awaiter {
   public:
    /// Used by `co_await h` and `join()`: borrows `h`'s word.
    explicit awaiter(join_handle& h) noexcept : s_(h.task()), w_(&h.w_) {}
    /// Used by `co_await std::move(h)`: takes over `h`'s word (its reference, or its failure),
    /// which the destructor gives up, detaching the task if it has not completed.
    explicit awaiter(join_handle&& h) noexcept : s_(h.task()), own_(std::move(h)), w_(&own_.w_) {}
    awaiter(const awaiter&) = delete;
    awaiter& operator=(const awaiter&) = delete;
    ~awaiter() {
      if (registered_) {
        detail::lock_guard<detail::spin_lock> g(s_->join_lock);
        if (s_->joiner == me_) s_->joiner = waker{};
      }
    }
    bool await_ready() const noexcept { return !s_ || s_->is_complete(); }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      detail::lock_guard<detail::spin_lock> g(s_->join_lock);
      if (s_->is_complete()) return false;
      if (s_->joiner) {  // somebody else already waits: report instead of hanging
        second_ = true;
        return false;
      }
      if (!s_->announce_joiner()) return false;  // it completed meanwhile
      me_ = detail::suspend_here(h, detail::join_wait, static_cast<detail::task_header*>(s_));
      s_->joiner = me_;
      registered_ = true;
      return true;
    }
    result<T> await_resume() noexcept {
      registered_ = false;
      if (second_) return error{errc::invalid_argument};
      return take_from(*w_);
    }

   private:
    detail::spawned<T>* s_;  // the task joined, or null
    join_handle own_;        // a consumed handle (empty when borrowing)
    std::uintptr_t* w_;      // the word joined: the borrowed handle's, or `own_`'s
    waker me_;
    bool registered_ = false;
    bool second_ = false;
  };
  /// Waits for the task and moves its result out (see `awaiter`); `co_await std::move(h)`
  /// consumes the handle (see the file comment).
  ///@{
  awaiter operator co_await() & noexcept { return awaiter{*this}; }
  awaiter operator co_await() && noexcept { return awaiter{std::move(*this)}; }
  ///@}
  /// The same as `co_await h`.
  awaiter join() noexcept { return awaiter{*this}; }

 private:
  detail::spawned<T>* task() const noexcept {
    if (w_ & detail::join_word::failure) return nullptr;
    return reinterpret_cast<detail::spawned<T>*>(w_);
  }
  // A failure joins once; a task's result once it has completed; otherwise invalid_argument.
  static result<T> take_from(std::uintptr_t& w) noexcept {
    if (detail::join_word::failure_pending(w)) {
      w |= detail::join_word::failure_taken;
      return error{detail::join_word::code(w)};
    }
    if (!w || (w & detail::join_word::failure)) return error{errc::invalid_argument};
    auto* s = reinterpret_cast<detail::spawned<T>*>(w);
    if (!s->is_complete() || s->taken()) return error{errc::invalid_argument};
    return s->take();
  }

  std::uintptr_t w_ = 0;  // see `detail::join_word`
};

}  // namespace eddy
