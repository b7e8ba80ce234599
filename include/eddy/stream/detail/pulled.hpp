// SPDX-License-Identifier: BSL-1.0
/// \file
/// The machinery shared by the pull-driven hot sources (`share`, `partition`, `group_by`): one
/// upstream, several readers, no task of their own. The reader that finds its buffer empty takes
/// the *puller role* (one reader at a time) and pulls the upstream through its port (see
/// detail/port.hpp): inline when the upstream answers synchronously, else through the port's
/// pump, whose item it (or whoever holds the role next) collects and routes to the buffers.
/// - `pulled_source<S>`: the state's common part (the port, the role flag, the count of
///   handles whose last one stops the pump);
/// - `hot_reader<R, T>`: a reader's `next()`, `try_visit()` and awaiter. The reader `R` (deriving
///   from it and befriending it) supplies, privately: `int step_once(std::optional<item<T>>&
///   out, bool& role)`, one attempt giving `done` (an item or the end in `out`), `wait_buffer`
///   (wait for its buffer) or `wait_upstream` (it holds the role: wait for the pump);
///   `source()`, its `pulled_source` (with `wake_all()`: under the lock, every reader may look
///   again); `waker& reader()` (where it waits for its buffer); `bool can_go()` (under the
///   lock: something to take, or the role is free).
/// The awaiter is cancel-safe: destroyed while it waits, it gives the role back and takes
/// nothing from the buffer; a pull in flight goes on in the pump and is collected later.
#pragma once
#include <cstddef>
#include <optional>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/stream/detail/hot.hpp"
#include "eddy/stream/detail/hub.hpp"
#include "eddy/stream/detail/port.hpp"
#include "eddy/stream/detail/wait.hpp"

namespace eddy::detail {

/// See the file comment. Under `lock` unless said otherwise.
template <class S>
class pulled_source : public port_hub {
 public:
  /// `name`: the operator's name, given to the pump task.
  pulled_source(destroy_fn d, S s, std::size_t handles, const char* name)
      : port_hub(d), up(std::move(s), name) {
    externals = handles;
  }

  port<S> up;                 ///< used by the role holder only
  bool pulling = false;       ///< the puller role is taken
  std::size_t externals = 0;  ///< handles and readers alive

  /// One handle or reader less (not under the lock); the last one stops the pump. Then
  /// releases the reference it held.
  void drop_external() noexcept {
    bool last = false;
    {
      lock_guard<spin_lock> g(lock);
      last = --externals == 0;
    }
    if (last) up.stop();
    release();
  }
};

/// What a reader's `step_once` returns (see the file comment).
struct hot_step {
  static constexpr int done = 0, wait_buffer = 1, wait_upstream = 2;
};

/// See the file comment.
template <class R, class T>
class hot_reader {
 public:
  /// What `step_once` returns.
  static constexpr int done = hot_step::done, wait_buffer = hot_step::wait_buffer,
                       wait_upstream = hot_step::wait_upstream;

  /// The awaiter of `next()` (see the file comment).
  class awaiter {
   public:
    explicit awaiter(R* r) noexcept : r_(r) {}
    /// Movable before it suspended (e.g. into `timeout`); the puller role moves along.
    awaiter(awaiter&& o) noexcept
        : r_(o.r_),
          out_(std::move(o.out_)),
          role_(std::exchange(o.role_, false)),
          frame_(std::move(o.frame_)) {}
    awaiter& operator=(awaiter&&) = delete;
    ~awaiter() {
      if (!frame_ && role_) role_guard{r_, role_}.release();  // else the loop's guard does
    }
    bool await_ready() { return r_->step(out_, role_) == done; }
    template <class P>
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<P> h) {
      return frame_.start(loop(r_->cache_, this), h);
    }
    std::optional<item<T>> await_resume() {
      frame_.rethrow();
      return std::move(out_);
    }

   private:
    /// Gives the puller role back if the loop is destroyed while holding it.
    struct role_guard {
      R* r;
      bool& role;
      ~role_guard() { release(); }
      void release() {
        if (!role) return;
        role = false;
        r->give_back_role();
      }
    };
    static pump_handle loop(frame_cache&, awaiter* self) {
      R* r = self->r_;
      role_guard guard{r, self->role_};
      for (int s = r->last_; s != done; s = r->step(self->out_, self->role_)) {
        if (s == wait_upstream) {
          co_await hub_wait(r->source(), nullptr);
        } else {
          co_await locked_wait(
              r->source()->lock, r->reader(), [r] { return r->can_go(); }, stream_waits::reader);
        }
      }
    }

    R* r_;
    std::optional<item<T>> out_;
    bool role_ = false;
    loop_frame frame_;  // last: destroyed first, while `role_` is still there
  };

  /// The next element: an awaitable of `std::optional<item<T>>` (empty at the end). One `next()`
  /// at a time; cancel-safe (see stream/concept.hpp); resumes on the caller's runtime.
  awaiter next() noexcept { return awaiter(static_cast<R*>(this)); }

  /// Answers when an item is buffered or the upstream answers synchronously.
  template <class V>
  bool try_visit(V& v) {
    std::optional<item<T>> out;
    bool role = false;
    const int s = step(out, role);
    if (role) give_back_role();  // the pump has the pull now: whoever comes next collects it
    if (s != done) return false;
    visit_result(std::move(out), v);
    return true;
  }

 protected:
  hot_reader() noexcept = default;
  hot_reader(hot_reader&&) noexcept = default;

 private:
  int step(std::optional<item<T>>& out, bool& role) {
    return last_ = static_cast<R*>(this)->step_once(out, role);
  }
  void give_back_role() {
    auto* src = static_cast<R*>(this)->source();
    lock_guard<spin_lock> g(src->lock);
    src->pulling = false;
    src->wake_all();
  }

  int last_ = done;
  frame_cache cache_;
};

}  // namespace eddy::detail
