// SPDX-License-Identifier: BSL-1.0
/// \file
/// Internal: what every libuv awaitable of `eddy/uv/` shares (`op`) and the handle memory of
/// streams and listeners (`handle_block`). Not a public header.
///
/// `op`: the awaiter registers itself with its task as a foreign wait (task_header.hpp) and runs
/// its libuv calls on the loop's thread: inline when the awaiting task already runs there,
/// otherwise posted to the `uv_runtime` (so tasks on any runtime can await libuv requests).
/// A cancellation from the task runner is run on the loop's thread the same way. The request's
/// callback calls `finish()`; the task resumes, or its cancellation goes on, only once the
/// callback and any cancellation on its way have run ("loop references"), so the frame (the
/// request, the buffers) outlives everything libuv may touch.
#pragma once
#include <thread>

#include "eddy/core/coro.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/runtime/task_header.hpp"
#include "eddy/runtime/uv_runtime.hpp"

namespace eddy::uv::detail {

class op : private eddy::detail::foreign_wait {
 public:
  op(const op&) = delete;
  op& operator=(const op&) = delete;

  /// Ready at once (nothing started) when there is nothing to act on (a moved-from object).
  bool await_ready() const noexcept { return rt_ == nullptr; }
  void await_suspend(coro::coroutine_handle<> h) noexcept;

 protected:
  using step_fn = void (*)(op*) noexcept;  // runs on the loop's thread
  /// `start` issues the request; `cancel` asks it to stop (both on the loop's thread). A null
  /// `rt` makes the awaiter ready at once (the derived `await_resume` reports the misuse).
  /// `what` names the operation in task dumps ("uv connect").
  op(uv_runtime* rt, step_fn start, step_fn cancel, const char* what = "uv operation") noexcept;
  /// Before `await_suspend` only (the awaitable is passed around, e.g. into `timeout`).
  op(op&& o) noexcept;
  ~op();
  /// First thing in the derived `await_resume`.
  void resumed() noexcept;
  /// On the loop's thread: the request is over (its result stored). The last touch of `*this`.
  void finish() noexcept { release(); }

  uv_runtime* rt_;

 private:
  static void describe(const eddy::detail::wait_kind&, const void* obj, dump_sink& out);
  const char* what_;
  struct node : work_node {
    op* self;
  };
  static void cancel_entry(eddy::detail::foreign_wait* f) noexcept;
  static void run_start(work_node* n) noexcept;
  static void run_cancel(work_node* n) noexcept;
  void release() noexcept;

  step_fn start_;
  step_fn cancel_;
  node start_node_;
  node cancel_node_;
  eddy::detail::spin_lock lock_;
  int loop_refs_ = 0;  // under lock_: the request until its callback, a cancellation on its way
  waker w_;            // under lock_ once started
  eddy::detail::task_header* task_ = nullptr;
};

class read_op;
class accept_op;
class close_op;

/// A libuv stream handle with the memory libuv needs until its close callback. Owned by the
/// eddy object (`tcp_stream`, `tcp_listener`) and by the open handle; freed when both are gone.
/// Every field but `rt` and `loop_thread` belongs to the loop's thread.
struct handle_block {
  union {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_tcp_t tcp;
  };
  uv_runtime* rt;
  std::thread::id loop_thread;
  int refs = 2;  // the owner, the open handle (until the close callback)
  bool closing = false;
  bool closed = false;
  read_op* reader = nullptr;      // the read in progress
  accept_op* acceptor = nullptr;  // the accept waiting for a connection
  close_op* closer = nullptr;     // the close waiting for the close callback
  int ready_connections = 0;      // listeners: connections to accept
  int listen_status = 0;          // listeners: the last connection error
  int local_port = 0;             // listeners: the bound port
  struct drop_node_t : work_node {
    handle_block* self;
  } drop_node;

  /// A new TCP handle on `rt`'s loop (loop thread); null with `*status` set on failure.
  static handle_block* new_tcp(uv_runtime* rt, int* status) noexcept;
  /// Loop thread: starts closing the handle (once); fails the pending read and accept.
  void begin_close() noexcept;
  /// Any thread: the owner lets go (closes the handle if still open). With the owner on
  /// another thread than the loop's, the runtime must still be alive.
  void drop_owner() noexcept;
};

}  // namespace eddy::uv::detail
