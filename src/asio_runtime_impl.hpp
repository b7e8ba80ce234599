// SPDX-License-Identifier: BSL-1.0
// The compiled part of `detail::basic_asio_runtime` (eddy/asio/detail/basic_runtime.hpp):
// eddy's queue and timer heap driven by an Asio executor. One implementation for both Asio
// flavours: a source file includes the flavour's runtime header and the Asio headers below,
// defines EDDY_ASIO_NS (`::asio` or `::boost::asio`) and EDDY_ASIO_FLAVOUR (the flavour struct),
// then includes this file once; it instantiates the runtime for that flavour.
//
// Asio headers the includer provides: io_context, any_io_executor, steady_timer, post, prefer,
// execution/outstanding_work, executor_work_guard.
#pragma once
#if !defined(EDDY_ASIO_NS) || !defined(EDDY_ASIO_FLAVOUR)
#error "define EDDY_ASIO_NS and EDDY_ASIO_FLAVOUR before including asio_runtime_impl.hpp"
#endif
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "loop_core.hpp"

namespace eddy::detail {

namespace {
constexpr std::size_t drain_budget = 256;  // items per drain before Asio's own handlers get a turn
constexpr std::size_t grab_max = 32;       // items taken from the queue per lock
using steady = std::chrono::steady_clock;
thread_local const void* t_draining = nullptr;  // the runtime whose solo drain runs here
}  // namespace

template <class Net>
struct basic_asio_runtime<Net>::impl {
  impl(basic_asio_runtime* r, asio_executor_type e, io_context_type* c, std::size_t concurrency)
      : rt(r), ex(std::move(e)), io(c) {
    if (concurrency == 0) concurrency = std::thread::hardware_concurrency();
    max_drainers = concurrency == 0 ? 1 : concurrency;
    solo = max_drainers == 1;
    timer.emplace(ex);
  }

  std::atomic<std::size_t> refs{1};  // the runtime's + one per handler queued in Asio
  basic_asio_runtime* rt;
  asio_executor_type ex;
  io_context_type* io;
  steady::time_point epoch = steady::now();
  detail::loop_core core;
  std::size_t max_drainers = 1;
  std::size_t drainers = 0;  // under core.lock: drains queued or running
  // Solo mode (one drain at a time): the running drain owns `local`, and posts made inside it
  // skip the lock. Posts from elsewhere go to core.queue and raise `has_shared`.
  bool solo = false;
  detail::work_queue local;
  std::atomic<bool> has_shared{false};
  bool disarm_check = false;  // under core.lock: the heap emptied during a drain

  detail::spin_lock work_lock;  // orders the updates below (taken before the runtime's task lock)
  bool work_held = false;       // under work_lock: outstanding work counted for live tasks
  std::optional<asio_executor_type> work;  // under work_lock (bare executor mode)

  std::mutex tm;
  std::optional<EDDY_ASIO_NS::steady_timer> timer;  // under tm
  time_point armed = time_point::max();             // under tm: the deadline the timer waits for
  std::uint64_t gen = 0;                            // under tm: identifies the current wait

  std::mutex bm;  // block_on without an io_context
  std::condition_variable bcv;

  void add_ref() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  time_point now() const noexcept {
    return time_point{std::chrono::duration_cast<duration>(steady::now() - epoch)};
  }

  // Live tasks hold outstanding work on the executor, as co_spawn does. Brought in line at the
  // end of every drain: a task completes inside a drain, and a new one is posted (so a drain
  // is queued, which is outstanding work itself) right after it is registered.
  void update_work() noexcept {
    detail::lock_guard<detail::spin_lock> g(work_lock);
    bool closing;
    {
      detail::lock_guard<detail::spin_lock> l(core.lock);
      closing = core.closing;
    }
    const bool want = !closing && rt->live_tasks() > 0;
    if (want == work_held) return;
    work_held = want;
    if (io) {
      if (want)
        io->get_executor().on_work_started();
      else
        io->get_executor().on_work_finished();
    } else if (want) {
      work.emplace(EDDY_ASIO_NS::prefer(ex, EDDY_ASIO_NS::execution::outstanding_work.tracked));
    } else {
      work.reset();
    }
  }

  // --- work ---
  struct drainer {
    impl* p;
    explicit drainer(impl* q) noexcept : p(q) { p->add_ref(); }
    drainer(drainer&& o) noexcept : p(std::exchange(o.p, nullptr)) {}
    drainer& operator=(drainer&&) = delete;
    ~drainer() {
      if (p) p->release();
    }
    void operator()() noexcept { p->drain(); }
  };

  void post_drainer() {
    if (io)
      EDDY_ASIO_NS::post(*io, drainer{this});
    else
      EDDY_ASIO_NS::post(ex, drainer{this});
  }

  void drain() noexcept {
    if (solo) return drain_solo();
    runtime* prev = detail::set_thread_runtime(rt);
    std::size_t budget = drain_budget;
    bool repost = false;
    for (;;) {
      detail::work_queue q;
      {
        detail::lock_guard<detail::spin_lock> g(core.lock);
        if (core.closing) {
          --drainers;
          break;
        }
        if (budget == 0) {
          if (core.queued == 0)
            --drainers;
          else
            repost = true;  // keep our slot, let Asio run its handlers first
          break;
        }
        std::size_t share = core.queued / drainers;
        if (share < 1) share = 1;
        if (share > grab_max) share = grab_max;
        if (share > budget) share = budget;
        if (core.pop_locked(q, share) == 0) {
          --drainers;
          break;
        }
      }
      budget -= detail::loop_core::run_all(q);
    }
    finish_drain(prev, repost);
  }

  // Takes what other threads posted (under core.lock).
  void take_shared_locked() noexcept {
    local.splice(core.queue);
    core.queued = 0;
    has_shared.store(false, std::memory_order_relaxed);
  }

  void drain_solo() noexcept {
    {
      detail::lock_guard<detail::spin_lock> g(core.lock);
      if (core.closing) {  // also a drain left in the io_context by a destroyed runtime
        --drainers;
        return;
      }
      take_shared_locked();
    }
    runtime* prev = detail::set_thread_runtime(rt);
    t_draining = this;
    bool repost = false;
    for (std::size_t budget = drain_budget;;) {
      if (has_shared.load(std::memory_order_relaxed)) {
        detail::lock_guard<detail::spin_lock> g(core.lock);
        take_shared_locked();
      }
      work_node* n = local.pop();
      if (!n) {
        detail::lock_guard<detail::spin_lock> g(core.lock);
        if (core.queue.empty()) {
          --drainers;
          break;
        }
        take_shared_locked();
        continue;
      }
      n->run(n);
      if (--budget == 0) {  // hand the rest back and let Asio run its handlers first
        detail::lock_guard<detail::spin_lock> g(core.lock);
        local.splice(core.queue);
        core.queue.splice(local);
        repost = !core.queue.empty();
        if (!repost) --drainers;
        break;
      }
    }
    t_draining = nullptr;
    finish_drain(prev, repost);
  }

  void finish_drain(runtime* prev, bool repost) noexcept {
    bool check;
    {
      detail::lock_guard<detail::spin_lock> g(core.lock);
      check = std::exchange(disarm_check, false);
    }
    detail::set_thread_runtime(prev);
    if (check) disarm_if_idle();
    update_work();
    if (repost) post_drainer();
  }

  // --- timers ---
  struct timer_handler {
    impl* p;
    std::uint64_t gen;
    timer_handler(impl* q, std::uint64_t g) noexcept : p(q), gen(g) { p->add_ref(); }
    timer_handler(timer_handler&& o) noexcept : p(std::exchange(o.p, nullptr)), gen(o.gen) {}
    timer_handler& operator=(timer_handler&&) = delete;
    ~timer_handler() {
      if (p) p->release();
    }
    template <class ErrorCode>
    void operator()(const ErrorCode&) noexcept {
      p->on_timer(gen);
    }
  };

  // Under tm.
  void arm_locked(time_point t) {
    armed = t;
    ++gen;
    timer->expires_at(to_native_deadline(epoch, t));  // saturating
    timer->async_wait(timer_handler{this, gen});
  }

  void arm_if_earlier(time_point t) {
    std::lock_guard<std::mutex> g(tm);
    if (timer && t < armed) arm_locked(t);
  }

  // No eddy timer left: drop the Asio wait, which would keep io.run() from returning.
  void disarm_if_idle() noexcept {
    std::lock_guard<std::mutex> lk(tm);
    if (!timer || armed == time_point::max()) return;
    {
      detail::lock_guard<detail::spin_lock> l(core.lock);
      if (!core.timers.empty()) return;
    }
    armed = time_point::max();
    ++gen;
    timer->cancel();
  }

  void on_timer(std::uint64_t g) noexcept {
    detail::work_queue due;
    {
      std::lock_guard<std::mutex> lk(tm);
      if (g != gen || !timer) return;  // superseded by a later arm (or shut down)
      armed = time_point::max();
      time_point next;
      {
        detail::lock_guard<detail::spin_lock> l(core.lock);
        if (core.closing) return;
        core.take_due_locked(now(), due);
        next = core.next_deadline_locked();
      }
      if (next != time_point::max()) arm_locked(next);
    }
    runtime* prev = detail::set_thread_runtime(rt);
    detail::loop_core::run_all(due);
    detail::set_thread_runtime(prev);
  }
};

template <class Net>
basic_asio_runtime<Net>::basic_asio_runtime(io_context_type& io, std::size_t concurrency)
    : p_(new impl(this, io.get_executor(), &io, concurrency)) {}

template <class Net>
basic_asio_runtime<Net>::basic_asio_runtime(asio_executor_type ex, std::size_t concurrency)
    : p_(new impl(this, std::move(ex), nullptr, concurrency)) {}

template <class Net>
basic_asio_runtime<Net>::~basic_asio_runtime() {
  shutdown();
  {
    std::lock_guard<std::mutex> g(p_->tm);
    p_->timer.reset();  // its pending wait completes with operation_aborted and does nothing
  }
  p_->release();
}

template <class Net>
void basic_asio_runtime<Net>::shutdown() noexcept {
  runtime* prev = detail::set_thread_runtime(this);
  io_context_type* io = p_->io;
  const bool was_stopped = io && io->stopped();
  bool drove = false;
  // A task aborted while it waits in an Asio operation (use_task) finishes once the operation's
  // completion has run: run the io_context here until it has (the loop is not running now).
  p_->core.shutdown([this] { abort_all_tasks(); }, [this] { return live_tasks(); },
                    [this] { return draining_tasks(); },
                    [io, &drove] {
                      if (!io) {
                        detail::yield_thread();  // other threads run the executor
                        return;
                      }
                      drove = true;
                      if (io->stopped()) io->restart();
#if defined(__cpp_exceptions)
                      try {
#endif
                        io->run_one_for(std::chrono::milliseconds(1));
#if defined(__cpp_exceptions)
                      } catch (...) {  // a user handler threw: nothing to report it to here
                      }
#endif
                    });
  if (drove) {  // leave the loop as the application left it (stopped or not)
    if (was_stopped)
      io->stop();
    else if (io->stopped())
      io->restart();
  }
  detail::set_thread_runtime(prev);
  p_->update_work();  // releases the outstanding work
  std::lock_guard<std::mutex> g(p_->tm);
  if (p_->timer) p_->timer->cancel();
  p_->armed = time_point::max();
  ++p_->gen;
}

template <class Net>
typename basic_asio_runtime<Net>::asio_executor_type basic_asio_runtime<Net>::get_asio_executor()
    const noexcept {
  return p_->ex;
}
template <class Net>
time_point basic_asio_runtime<Net>::now() const noexcept {
  return p_->now();
}
template <class Net>
void basic_asio_runtime<Net>::add_backend_metrics(runtime_metrics& m) const {
  m.pending_timers = p_->core.pending_timers();
}

template <class Net>
void basic_asio_runtime<Net>::post(work_node& n) noexcept {
  impl& p = *p_;
  if (t_draining == &p) {  // inside this runtime's solo drain: it runs the item
    p.local.push(&n);
    return;
  }
  bool wake = false;
  {
    detail::lock_guard<detail::spin_lock> g(p.core.lock);
    p.core.push_locked(n);
    if (p.solo) p.has_shared.store(true, std::memory_order_relaxed);
    if (!p.core.closing && p.drainers < p.max_drainers && (p.solo || p.drainers < p.core.queued)) {
      ++p.drainers;
      wake = true;
    }
  }
  if (wake) p.post_drainer();
}

template <class Net>
void basic_asio_runtime<Net>::post_at(time_point t, timer_node& n) noexcept {
  impl& p = *p_;
  n.deadline = t;
  bool earliest;
  {
    detail::lock_guard<detail::spin_lock> g(p.core.lock);
    p.core.timers.push(&n);
    earliest = p.core.timers.top() == &n && !p.core.closing;
  }
  if (earliest) p.arm_if_earlier(t);
}

template <class Net>
bool basic_asio_runtime<Net>::cancel(timer_node& n) noexcept {
  impl& p = *p_;
  const bool inside = detail::thread_runtime() == this;
  bool now_empty;
  {
    detail::lock_guard<detail::spin_lock> g(p.core.lock);
    if (!p.core.timers.remove(&n)) return false;
    now_empty = p.core.timers.empty();
    // In a drain, the check waits for the drain's end (a loop of timeouts arms and cancels
    // without touching the Asio timer each time).
    if (now_empty && inside) p.disarm_check = true;
  }
  if (now_empty && !inside) p.disarm_if_idle();
  return true;
}

template <class Net>
void basic_asio_runtime<Net>::block_waiter::complete(observer* o, detail::task_header*,
                                                     const error*) noexcept {
  auto* w = static_cast<block_waiter*>(o);
  impl* p = w->rt->p_;  // read before `done`: the waiter may be gone right after
  if (p->io) {
    w->done.store(true, std::memory_order_release);
    EDDY_ASIO_NS::post(*p->io, [] {});  // wakes the block_on thread if it waits in run_one
  } else {
    std::lock_guard<std::mutex> g(p->bm);
    w->done.store(true, std::memory_order_release);
    p->bcv.notify_all();
  }
}

template <class Net>
void basic_asio_runtime<Net>::wait(block_waiter& w) {
  impl& p = *p_;
  if (!p.io) {
    std::unique_lock<std::mutex> lk(p.bm);
    p.bcv.wait(lk, [&] { return w.done.load(std::memory_order_acquire); });
    return;
  }
  auto guard = EDDY_ASIO_NS::make_work_guard(*p.io);
  if (p.io->stopped()) p.io->restart();
#if defined(__cpp_exceptions)
  std::exception_ptr failure;  // a user handler threw: keep driving until the task is done
#endif
  while (!w.done.load(std::memory_order_acquire)) {
#if defined(__cpp_exceptions)
    try {
#endif
      // Bounded wait: with several threads in run(), another one may take the wake-up post.
      if (p.io->run_one_for(std::chrono::milliseconds(1)) == 0 && p.io->stopped()) p.io->restart();
#if defined(__cpp_exceptions)
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
#endif
  }
#if defined(__cpp_exceptions)
  if (failure) std::rethrow_exception(failure);
#endif
}

template class basic_asio_runtime<EDDY_ASIO_FLAVOUR>;

}  // namespace eddy::detail
