// SPDX-License-Identifier: BSL-1.0
// The task runner: the state machine every spawned task goes through. See task_header.hpp.
#include "eddy/runtime/task_header.hpp"

#include <chrono>
#include <cstring>
#include <type_traits>

#include "eddy/core/frame_allocator.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/runtime/task_hooks.hpp"

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
  loc_ = loc;
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
  runtime::task_list& l = ex_.get()->list_of(id_);
  lock_guard<spin_lock> g(l.lock);
  rt_prev = nullptr;
  rt_next = l.head;
  if (l.head) l.head->rt_prev = this;
  l.head = this;
  ++l.live;
  ++l.spawned;
}

void task_header::unregister_from_runtime() noexcept {
  runtime::task_list& l = ex_.get()->list_of(id_);
  lock_guard<spin_lock> g(l.lock);
  if (rt_prev)
    rt_prev->rt_next = rt_next;
  else
    l.head = rt_next;
  if (rt_next) rt_next->rt_prev = rt_prev;
  rt_prev = rt_next = nullptr;
  --l.live;
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
  post_first_run();
}

void task_header::start_fresh() noexcept {
  // Scheduled before anyone can signal it: a signal that comes once the registration has
  // published the task (`abort_all_tasks`) only records its bits, as before a start.
  state_.store(scheduled | notified, std::memory_order_relaxed);
  register_with_runtime();
  post_first_run();
}

void task_header::post_first_run() noexcept {
  runtime* const rt = ex_.get();
  if (const std::uint8_t w = rt->watch_.load(std::memory_order_relaxed)) [[unlikely]]
    watched_start(rt, w);
  ex_.post(*this);
}

void task_header::signal(std::uint32_t bits) noexcept {
  const std::uint32_t s = state_.load(std::memory_order_acquire);
  // A finished task may outlive its runtime (a join handle aborted after the runtime is gone):
  // it must not read the runtime.
  if (s & complete) return;
  runtime* const rt = ex_.get();
  const std::uint8_t watch = rt->watch_.load(std::memory_order_relaxed);
  if (watch) [[unlikely]]
    signal_watched(bits, s, rt, watch);
  else
    signal_as<false>(bits, s, rt, 0);
}

// Out of line, so that the path without instrumentation saves no registers for it.
[[gnu::noinline]] void task_header::signal_watched(std::uint32_t bits, std::uint32_t s, runtime* rt,
                                                   std::uint8_t watch) noexcept {
  signal_as<true>(bits, s, rt, watch);
}

// The loop of `signal`, once without instrumentation (inlined: the hot path keeps no state
// across calls) and once with it (out of line).
template <bool Watched>
void task_header::signal_as(std::uint32_t bits, std::uint32_t s, runtime* rt,
                            std::uint8_t watch) noexcept {
  // Once the state changes below, a running task may end and be freed at once: everything
  // that reads the task happens before (the waker's registration keeps it alive until then).
  if constexpr (Watched) {
    if (bits & notified) watched_wake(rt, watch);
  }
  for (;;) {
    if (s & complete) return;
    // A draining task runs again only for the wake of its foreign operation's completion; an
    // abort or interrupt meanwhile is recorded and taken up then.
    const bool idle =
        !(s & (running | scheduled | unstarted)) && (!(s & draining) || (bits & notified));
    const std::uint32_t ns = s | bits | (idle ? scheduled : 0u);
    if (state_.compare_exchange_weak(s, ns, std::memory_order_acq_rel, std::memory_order_acquire)) {
      if (idle) {  // scheduled by this call: nobody runs or frees the task until the post
        if constexpr (Watched) {
          if (watch & runtime::watch_metrics) stamp_ready(rt);
        }
        ex_.post(*this);
      }
      return;
    }
  }
}

void task_header::remove_scope(cancel_scope* s) noexcept {
  for (cancel_scope** p = &live_.scopes; *p; p = &(*p)->outer) {
    if (*p == s) {
      *p = s->outer;
      s->outer = nullptr;
      return;
    }
  }
}

void task_header::push_scope_above(cancel_scope* s, cancel_scope* below) noexcept {
  cancel_scope** p = &live_.scopes;
  while (*p != below) p = &(*p)->outer;
  s->branch = live_.branch;
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

// One resumption of the leaf; true when it completed the task (then finished: `this` may be
// gone).
template <bool Watched>
inline bool task_header::resume_leaf(runtime* rt, std::uint8_t watch, metrics_cell* cell) noexcept {
  if constexpr (Watched) {
    const std::int64_t t0 = watched_poll_begin(rt, watch);
    leaf_.resume();
    watched_poll_end(rt, watch, cell, t0);
  } else {
    (void)rt;
    (void)watch;
    (void)cell;
    leaf_.resume();
  }
  if (!root_.done()) return false;
  finish(false);
  return true;
}

void task_header::run() noexcept {
  runtime* const rt = ex_.get();
  const std::uint8_t watch = rt->watch_.load(std::memory_order_relaxed);
  if (watch) [[unlikely]]
    run_watched(rt, watch);
  else
    run_as<false>(rt, 0);
}

// Out of line, so that the path without instrumentation saves no registers for it.
[[gnu::noinline]] void task_header::run_watched(runtime* rt, std::uint8_t watch) noexcept {
  run_as<true>(rt, watch);
}

// The runner, once without instrumentation (inlined into `run`) and once with it.
template <bool Watched>
void task_header::run_as(runtime* rt, std::uint8_t watch) noexcept {
  // Expects `inspected` clear: while a dump reads the frames (rare), the exchange fails and
  // the runner waits here until the dump lets the task go.
  // The common case, a plain wake (nothing but `notified` to handle), is taken in the same
  // exchange: one atomic read-modify-write fewer per poll.
  constexpr std::uint32_t special = notified | interrupted | draining | yielded;
  std::uint32_t s = state_.load(std::memory_order_acquire) & ~inspected;
  bool woken;  // the exchange took a plain wake: resume the leaf first
  for (;;) {
    woken = (s & special) == notified;
    const std::uint32_t ns = (s & ~(scheduled | (woken ? notified : 0u))) | running;
    if (state_.compare_exchange_weak(s, ns, std::memory_order_acq_rel, std::memory_order_acquire))
      break;
    s &= ~inspected;
  }
  task_header* const prev = t_current_task;
  t_current_task = this;
  metrics_cell* cell = nullptr;
  if constexpr (Watched) cell = watched_run_begin(rt, watch);
  int budget = run_budget;
  bool deferred = false;  // the interrupt waits for one resumption that was already pending
  for (;;) {
    if (woken) {
      woken = false;
      --budget;
      if (resume_leaf<Watched>(rt, watch, cell)) break;  // completed; `this` may be gone
      continue;
    }
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
        if constexpr (Watched) {
          if (watch & runtime::watch_metrics) stamp_ready(rt);
        }
        if (!state_.compare_exchange_weak(s, ns, std::memory_order_acq_rel)) continue;
        t_current_task = prev;
        ex_.post(*this);
        return;
      }
      state_.fetch_and(~notified, std::memory_order_acq_rel);
      if (resume_leaf<Watched>(rt, watch, cell)) break;  // completed; `this` may be gone
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
    for (cancel_scope* sc = live_.scopes; sc; sc = sc->outer) {
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
      for (foreign_wait* f = live_.foreign; f; f = f->next_wait)
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
  for (cancel_scope* sc = live_.scopes; sc; sc = sc->outer) {
    if (sc != target && !sc->cancelled && sc->fired.load(std::memory_order_acquire)) {
      state_.fetch_or(interrupted, std::memory_order_acq_rel);
      break;
    }
  }
  state_.fetch_or(notified, std::memory_order_acq_rel);
  return false;
}

void task_header::finish(bool aborted) noexcept {
  // From here on the runner's fields of `live_` are gone: a small result lives there now.
  const error* err = vt_->finish(this, aborted);
  {
    runtime* const rt = ex_.get();
    if (const std::uint8_t w = rt->watch_.load(std::memory_order_relaxed); w & runtime::watch_hooks)
        [[unlikely]]
      watched_finish(rt, aborted, err);
  }
  unregister_from_runtime();
  link* const l = observed();
  if (l) l->obs->on_complete(l->obs, this, err);
  // A joiner announces itself on the state before it waits (`announce_joiner`), so one of the
  // two sees the other: the joiner sees `complete` and does not wait, or this sees the
  // announcement and wakes the joiner under the lock (it has stored its waker by then).
  const std::uint32_t before = state_.fetch_or(complete, std::memory_order_acq_rel);
  if (before & join_waiting) {
    lock_guard<spin_lock> g(join_lock);
    const waker w = joiner;
    joiner = waker{};
    if (w) w.wake();
  }
  // An exception nobody can join (the handle was dropped before the task finished; a scope's
  // children report to their scope): the runtime's hook, so that it is never silently lost.
  if ((before & detached) && !l && err && err->code() == errc::exception)
    ex_.get()->report_unhandled_error(unhandled_error{*err, name_, *ex_.get()});
  release();  // the task's own reference
}

// --- instrumentation: only reached while hooks are installed or metrics enabled ---

namespace {
std::int64_t now_ns(runtime* rt) noexcept {
  return rt->now().time_since_epoch().count();
}
static_assert(std::is_same_v<duration, std::chrono::nanoseconds>, "the runtime clock is in ns");
}  // namespace

void task_header::stamp_ready(runtime* rt) noexcept {
  live_.ready_ns = now_ns(rt);
}

void task_header::watched_start(runtime* rt, std::uint8_t watch) noexcept {
  if (watch & runtime::watch_metrics) stamp_ready(rt);
  if (watch & runtime::watch_hooks) {
    const task_hooks* h = rt->hooks_.load(std::memory_order_acquire);
    if (h && h->on_spawn) h->on_spawn(h->ctx, task_view{this});
  }
}

void task_header::watched_wake(runtime* rt, std::uint8_t watch) noexcept {
  if (watch & runtime::watch_metrics) rt->metrics_cell_here().wakes.add();
  if (watch & runtime::watch_hooks) {
    const task_hooks* h = rt->hooks_.load(std::memory_order_acquire);
    if (h && h->on_wake) h->on_wake(h->ctx, task_view{t_current_task}, task_view{this});
  }
}

void task_header::watched_finish(runtime* rt, bool aborted, const error* err) noexcept {
  const task_hooks* h = rt->hooks_.load(std::memory_order_acquire);
  if (!h || !h->on_terminate) return;
  const task_end how = aborted                          ? task_end::aborted
                       : !err                           ? task_end::value
                       : err->code() == errc::exception ? task_end::exception
                                                        : task_end::error;
  h->on_terminate(h->ctx, task_view{this}, how);
}

metrics_cell* task_header::watched_run_begin(runtime* rt, std::uint8_t watch) noexcept {
  if (!(watch & runtime::watch_metrics)) return nullptr;
  metrics_cell* cell = &rt->metrics_cell_here();
  if (live_.ready_ns != not_ready) {
    const std::int64_t d = now_ns(rt) - live_.ready_ns;
    cell->latency[latency_bucket(d > 0 ? static_cast<std::uint64_t>(d) : 0)].add();
    live_.ready_ns = not_ready;
  }
  return cell;
}

std::int64_t task_header::watched_poll_begin(runtime* rt, std::uint8_t watch) noexcept {
  if (watch & runtime::watch_hooks) {
    const task_hooks* h = rt->hooks_.load(std::memory_order_acquire);
    if (h && h->before_poll) h->before_poll(h->ctx, task_view{this});
  }
  return (watch & runtime::watch_metrics) ? now_ns(rt) : 0;
}

void task_header::watched_poll_end(runtime* rt, std::uint8_t watch, metrics_cell* cell,
                                   std::int64_t t0) noexcept {
  if (cell) {
    const std::int64_t d = now_ns(rt) - t0;
    cell->polls.add();
    cell->busy_ns.add(d > 0 ? static_cast<std::uint64_t>(d) : 0);
  }
  if (watch & runtime::watch_hooks) {
    const task_hooks* h = rt->hooks_.load(std::memory_order_acquire);
    if (h && h->after_poll) h->after_poll(h->ctx, task_view{this});
  }
}

}  // namespace detail

void runtime::lock_lists() const noexcept {
  for (const task_list& l : lists_) l.lock.lock();
}

void runtime::unlock_lists() const noexcept {
  for (const task_list& l : lists_) l.lock.unlock();
}

std::size_t runtime::live_locked() const noexcept {
  std::size_t n = 0;
  for (const task_list& l : lists_) n += l.live;
  return n;
}

std::size_t runtime::live_tasks() const noexcept {
  // Every part at once: a task that spawns a child and ends could otherwise be missed in one
  // part and its child in another, and a shutdown would see 0 while the child lives.
  lock_lists();
  const std::size_t n = live_locked();
  unlock_lists();
  return n;
}

void runtime::abort_all_tasks() noexcept {
  for (const task_list& l : lists_) {
    detail::lock_guard<detail::spin_lock> g(l.lock);
    detail::task_header::abort_list(l.head);
  }
}

bool runtime::set_task_hooks(const task_hooks* h) noexcept {
  lock_lists();  // a spawn registers under one of these locks
  const bool idle = live_locked() == 0;
  if (idle) {
    hooks_.store(h, std::memory_order_release);
    if (h)
      watch_.fetch_or(watch_hooks, std::memory_order_acq_rel);
    else
      watch_.fetch_and(static_cast<std::uint8_t>(~watch_hooks), std::memory_order_acq_rel);
  }
  unlock_lists();
  return idle;
}

void runtime::enable_metrics(bool on) noexcept {
  if (on)
    watch_.fetch_or(watch_metrics, std::memory_order_acq_rel);
  else
    watch_.fetch_and(static_cast<std::uint8_t>(~watch_metrics), std::memory_order_acq_rel);
}

void runtime::add_backend_metrics(runtime_metrics&) const {}

runtime_metrics runtime::metrics() const {
  runtime_metrics m;
  m.enabled = metrics_enabled();
  lock_lists();
  m.live_tasks = live_locked();
  for (const task_list& l : lists_) m.spawned += l.spawned;
  unlock_lists();
  detail::accumulate(m, cell_);
  add_backend_metrics(m);
  return m;
}

void detail::accumulate(runtime_metrics& m, const metrics_cell& c) noexcept {
  m.polls += c.polls.get();
  m.wakes += c.wakes.get();
  m.busy += duration{static_cast<duration::rep>(c.busy_ns.get())};
  for (std::size_t b = 0; b < latency_buckets; ++b) m.schedule_latency[b] += c.latency[b].get();
}

executor current_executor() noexcept {
  if (detail::t_current_task) return detail::t_current_task->get_executor();
  if (detail::t_thread_runtime) return executor{*detail::t_thread_runtime};
  return executor{};
}

}  // namespace eddy
