// SPDX-License-Identifier: BSL-1.0
// The task runner: the state machine every spawned task goes through. See task_header.hpp.
#include "eddy/runtime/task_header.hpp"

#include <cstring>

#include "eddy/core/frame_allocator.hpp"
#include "eddy/core/panic.hpp"

namespace eddy {
namespace detail {
namespace {
EDDY_THREAD_LOCAL task_header* t_current_task = nullptr;
EDDY_THREAD_LOCAL runtime* t_thread_runtime = nullptr;
constexpr int run_budget =
    64;  // resumptions in a row before the task goes to the back of the queue
#if EDDY_HAS_THREADS
std::atomic<std::uint64_t> g_next_task_id{1};
std::uint64_t next_task_id() noexcept {
  return g_next_task_id.fetch_add(1, std::memory_order_relaxed);
}
#else
std::uint64_t g_next_task_id = 1;  // one thread: no atomic (no 64-bit atomics on Cortex-M)
std::uint64_t next_task_id() noexcept {
  return g_next_task_id++;
}
#endif
}  // namespace

task_header::~task_header() {
  if (owns_name_) frame_free(const_cast<char*>(name_), std::strlen(name_) + 1);
}

void task_header::identify(const char* name, bool copy_name, const source_location& loc) noexcept {
  id_ = next_task_id();
  parent_id_ = t_current_task ? t_current_task->id_ : 0;
  file_ = loc.file_name();
  function_ = loc.function_name();
  line_ = loc.line();
  if (name && copy_name) {
    const std::size_t n = std::strlen(name) + 1;
    if (void* p = frame_try_alloc(n)) {
      std::memcpy(p, name, n);
      name_ = static_cast<const char*>(p);
      owns_name_ = true;
    }
  } else {
    name_ = name;
  }
}

task_header* current_task() noexcept {
  return t_current_task;
}

runtime* set_thread_runtime(runtime* rt) noexcept {
  runtime* prev = t_thread_runtime;
  t_thread_runtime = rt;
  return prev;
}
runtime* thread_runtime() noexcept {
  return t_thread_runtime;
}

waker suspend_here(coro::coroutine_handle<> h, const wait_kind* kind, const void* obj) noexcept {
  task_header* t = t_current_task;
  if (!t) panic("eddy: an eddy awaitable suspended outside a task (use spawn or block_on)");
  if (branch_node* b = t->current_branch()) {
    // Inside a combinator branch: the branch resumes at `h`; a pending wake of the branch is
    // stale (as below). Other branches' wakes stay: the combinator looks at them.
    b->leaf = h;
#if EDDY_TASK_DUMP
    b->wait = wait_desc{kind, obj};
#endif
    b->ready.store(false, std::memory_order_relaxed);
    return waker{t, b};
  }
  t->set_leaf(h);
#if EDDY_TASK_DUMP
  t->wait = wait_desc{kind, obj};
#else
  (void)kind;
  (void)obj;
#endif
  t->discard_wakes();  // stale: this suspension's registration comes after this call
  return waker{t};
}

void task_header::register_with_runtime() noexcept {
  runtime* rt = ex_.get();
  lock_guard<spin_lock> g(rt->tasks_lock_);
  rt_prev = nullptr;
  rt_next = rt->tasks_;
  if (rt->tasks_) rt->tasks_->rt_prev = this;
  rt->tasks_ = this;
  ++rt->live_;
}

void task_header::unregister_from_runtime() noexcept {
  runtime* rt = ex_.get();
  lock_guard<spin_lock> g(rt->tasks_lock_);
  if (rt_prev)
    rt_prev->rt_next = rt_next;
  else
    rt->tasks_ = rt_next;
  if (rt_next) rt_next->rt_prev = rt_prev;
  rt_prev = rt_next = nullptr;
  --rt->live_;
}

void task_header::abort_list(task_header* head) noexcept {
  for (task_header* t = head; t; t = t->rt_next) t->abort();
}

void task_header::start(bool aborted) noexcept {
  register_with_runtime();
  // An abort that arrived before start (a scope cancelled concurrently) is kept.
  const std::uint32_t add = scheduled | notified | (aborted ? notified_free_abort : 0u);
  std::uint32_t s = state_.load(std::memory_order_acquire);
  while (!state_.compare_exchange_weak(s, (s & ~unstarted) | add, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
  }
  ex_.post(*this);
}

void task_header::signal(std::uint32_t bits) noexcept {
  std::uint32_t s = state_.load(std::memory_order_acquire);
  for (;;) {
    if (s & complete) return;
    // A draining task runs again only for the wake of its foreign operation's completion; an
    // abort or interrupt meanwhile is recorded and taken up then.
    const bool idle =
        !(s & (running | scheduled | unstarted)) && (!(s & draining) || (bits & notified));
    const std::uint32_t ns = s | bits | (idle ? scheduled : 0u);
    if (state_.compare_exchange_weak(s, ns, std::memory_order_acq_rel, std::memory_order_acquire)) {
      if (idle) ex_.post(*this);
      return;
    }
  }
}

void task_header::remove_scope(cancel_scope* s) noexcept {
  for (cancel_scope** p = &scopes_; *p; p = &(*p)->outer) {
    if (*p == s) {
      *p = s->outer;
      s->outer = nullptr;
      return;
    }
  }
}

void task_header::push_scope_above(cancel_scope* s, cancel_scope* below) noexcept {
  cancel_scope** p = &scopes_;
  while (*p != below) p = &(*p)->outer;
  s->branch = branch_;
  s->outer = below;
  *p = s;
}

void task_header::run_entry(work_node* n) noexcept {
  static_cast<task_header*>(n)->run();
}

bool task_header::try_inspect() noexcept {
  std::uint32_t s = state_.load(std::memory_order_acquire);
  for (;;) {
    if (s & (running | complete)) return false;
    if (state_.compare_exchange_weak(s, s | inspected, std::memory_order_acq_rel,
                                     std::memory_order_acquire))
      return true;
  }
}

void task_header::run() noexcept {
  // Expects `inspected` clear: while a dump reads the frames (rare), the exchange fails and
  // the runner waits here until the dump lets the task go.
  std::uint32_t s = state_.load(std::memory_order_acquire) & ~inspected;
  while (!state_.compare_exchange_weak(s, (s & ~scheduled) | running, std::memory_order_acq_rel,
                                       std::memory_order_acquire))
    s &= ~inspected;
  task_header* const prev = t_current_task;
  t_current_task = this;
  int budget = run_budget;
  bool deferred = false;  // the interrupt waits for one resumption that was already pending
  for (;;) {
    s = state_.load(std::memory_order_acquire);
    if (s & interrupted) {
      // A fired cancel scope (timeout) and a wake pending together: the wake happened at the
      // same instant, so the leaf resumes once first (the inner work may complete: the value
      // wins), then the interrupt is handled. Not for an abort, and only once per interrupt.
      const bool wake_first = (s & notified) && !(s & (abort_requested | yielded)) && !deferred;
      if (!wake_first) {
        deferred = false;
        state_.fetch_and(~interrupted, std::memory_order_acq_rel);
        if (handle_interrupt()) break;  // completed (aborted); `this` may be gone
        continue;
      }
      deferred = true;
    }
    if (s & notified) {
      if (s & draining) {  // only a foreign completion lets the cancellation go on
        state_.fetch_and(~notified, std::memory_order_acq_rel);
        if (handle_drain()) break;  // completed (aborted); `this` may be gone
        continue;
      }
      if ((s & yielded) || budget-- == 0) {
        // Go to the back of the executor's queue (yield_now, or fairness after a long run).
        const std::uint32_t ns = (s & ~(running | yielded)) | scheduled;
        if (!state_.compare_exchange_weak(s, ns, std::memory_order_acq_rel)) continue;
        t_current_task = prev;
        ex_.post(*this);
        return;
      }
      state_.fetch_and(~notified, std::memory_order_acq_rel);
      leaf_.resume();
      if (root_.done()) {
        finish(false);
        break;
      }
      continue;
    }
    if (state_.compare_exchange_weak(s, s & ~running, std::memory_order_acq_rel,
                                     std::memory_order_acquire)) {
      break;  // idle: from here on another thread may run (or free) this task
    }
  }
  t_current_task = prev;
}

void task_header::set_draining(bool on) noexcept {
  runtime* rt = ex_.get();
  if (on) {
    state_.fetch_or(draining, std::memory_order_acq_rel);
    rt->draining_.fetch_add(1, std::memory_order_acq_rel);
  } else {
    state_.fetch_and(~draining, std::memory_order_acq_rel);
    rt->draining_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

bool task_header::handle_drain() noexcept {
  if (foreign_pending()) return false;  // a stale wake: the operation has not completed yet
  return handle_interrupt();            // what asked for the cancellation is still recorded
}

bool task_header::handle_interrupt() noexcept {
  const std::uint32_t s = state_.load(std::memory_order_acquire);
  const bool pending = foreign_pending();  // read once: the operation may complete any time
  if ((s & draining) && !pending) set_draining(false);
  const bool aborting = s & abort_requested;
  cancel_scope* target = nullptr;  // the outermost fired scope cancels everything inside it
  if (!aborting) {
    for (cancel_scope* sc = scopes_; sc; sc = sc->outer) {
      if (!sc->cancelled && sc->fired.load(std::memory_order_acquire)) target = sc;
    }
    if (!target) return false;
  }
  // The task is suspended at one point, so a pending foreign wait is inside every scope on the
  // stack: the frames stay until the operation has completed (an abort or a wider scope that
  // arrives meanwhile is taken up then: the abort bit and `fired` flags stay set).
  if (pending) {
    if (!(s & draining)) {
      set_draining(true);
      // Each may complete inline: the wake only sets `notified`.
      for (foreign_wait* f = foreign_; f; f = f->next_wait)
        if (!f->is_done()) f->request_cancel();
    }
    return false;
  }
  if (aborting) {
    finish(true);
    return true;
  }
  target->cancelled = true;
  target->cancel_inner(target);  // destroys the inner frames; their waits deregister
  // Wakes that arrived for the destroyed waits are stale; the owner is what runs next.
  state_.fetch_and(~notified, std::memory_order_acq_rel);
  if (branch_node* b = target->branch) {
    // The scope is inside a combinator branch: the owner resumes through the branch (the
    // combinator, the task's leaf, looks at every ready branch, so no other wake is lost).
    b->leaf = target->owner;
    notify_branch(b);
  } else {
    leaf_ = target->owner;
  }
  // Scopes of other branches may have fired too: they are not inside this one.
  for (cancel_scope* sc = scopes_; sc; sc = sc->outer) {
    if (sc != target && !sc->cancelled && sc->fired.load(std::memory_order_acquire)) {
      state_.fetch_or(interrupted, std::memory_order_acq_rel);
      break;
    }
  }
  state_.fetch_or(notified, std::memory_order_acq_rel);
  return false;
}

void task_header::finish(bool aborted) noexcept {
  const error* err = vt_->finish(this, aborted);
  scopes_ = nullptr;
  foreign_ = nullptr;
  branch_ = nullptr;
  unregister_from_runtime();
  if (obs) obs->on_complete(obs, this, err);
  std::uint32_t before;
  {
    lock_guard<spin_lock> g(join_lock);
    before = state_.fetch_or(complete, std::memory_order_acq_rel);
    const waker w = joiner;
    joiner = waker{};
    if (w) w.wake();
  }
  // An exception nobody can join (the handle was dropped before the task finished; a scope's
  // children report to their scope): the runtime's hook, so that it is never silently lost.
  if ((before & detached) && !obs && err && err->code() == errc::exception)
    ex_.get()->report_unhandled_error(unhandled_error{*err, name_, *ex_.get()});
  release();  // the task's own reference
}

}  // namespace detail

std::size_t runtime::live_tasks() const noexcept {
  detail::lock_guard<detail::spin_lock> g(tasks_lock_);
  return live_;
}

void runtime::abort_all_tasks() noexcept {
  detail::lock_guard<detail::spin_lock> g(tasks_lock_);
  detail::task_header::abort_list(tasks_);
}

executor current_executor() noexcept {
  if (detail::t_current_task) return detail::t_current_task->get_executor();
  if (detail::t_thread_runtime) return executor{*detail::t_thread_runtime};
  return executor{};
}

}  // namespace eddy
