// SPDX-License-Identifier: BSL-1.0
// asio_runtime: eddy's queue and timer heap driven by an Asio executor. See asio_runtime.hpp.
#include "eddy/runtime/asio_runtime.hpp"

#include <asio/execution/outstanding_work.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/prefer.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "loop_core.hpp"

namespace eddy {

namespace {
constexpr std::size_t drain_budget = 256;  // items per drain before Asio's own handlers get a turn
constexpr std::size_t grab_max = 32;       // items taken from the queue per lock
using steady = std::chrono::steady_clock;
thread_local const void* t_draining = nullptr;  // the runtime whose solo drain runs here
}  // namespace

struct asio_runtime::impl {
  impl(asio_runtime* r, asio::any_io_executor e, asio::io_context* c, std::size_t concurrency)
      : rt(r), ex(std::move(e)), io(c) {
    if (concurrency == 0) concurrency = std::thread::hardware_concurrency();
    max_drainers = concurrency == 0 ? 1 : concurrency;
    solo = max_drainers == 1;
    timer.emplace(ex);
  }

  std::atomic<std::size_t> refs{1};  // the runtime's + one per handler queued in Asio
  asio_runtime* rt;
  asio::any_io_executor ex;
  asio::io_context* io;
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
  std::optional<asio::any_io_executor> work;  // under work_lock (bare executor mode)

  std::mutex tm;
  std::optional<asio::steady_timer> timer;  // under tm
  time_point armed = time_point::max();     // under tm: the deadline the timer waits for
  std::uint64_t gen = 0;                    // under tm: identifies the current wait

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
      work.emplace(asio::prefer(ex, asio::execution::outstanding_work.tracked));
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
      asio::post(*io, drainer{this});
    else
      asio::post(ex, drainer{this});
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
    void operator()(const asio::error_code&) noexcept { p->on_timer(gen); }
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

asio_runtime::asio_runtime(asio::io_context& io, std::size_t concurrency)
    : p_(new impl(this, io.get_executor(), &io, concurrency)) {}

asio_runtime::asio_runtime(asio::any_io_executor ex, std::size_t concurrency)
    : p_(new impl(this, std::move(ex), nullptr, concurrency)) {}

asio_runtime::~asio_runtime() {
  shutdown();
  {
    std::lock_guard<std::mutex> g(p_->tm);
    p_->timer.reset();  // its pending wait completes with operation_aborted and does nothing
  }
  p_->release();
}

void asio_runtime::shutdown() noexcept {
  runtime* prev = detail::set_thread_runtime(this);
  p_->core.shutdown([this] { abort_all_tasks(); }, [this] { return live_tasks(); });
  detail::set_thread_runtime(prev);
  p_->update_work();  // releases the outstanding work
  std::lock_guard<std::mutex> g(p_->tm);
  if (p_->timer) p_->timer->cancel();
  p_->armed = time_point::max();
  ++p_->gen;
}

asio::any_io_executor asio_runtime::get_asio_executor() const noexcept {
  return p_->ex;
}
time_point asio_runtime::now() const noexcept {
  return p_->now();
}

void asio_runtime::post(work_node& n) noexcept {
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

void asio_runtime::post_at(time_point t, timer_node& n) noexcept {
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

bool asio_runtime::cancel(timer_node& n) noexcept {
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

void asio_runtime::block_waiter::complete(observer* o, detail::task_header*,
                                          const error*) noexcept {
  auto* w = static_cast<block_waiter*>(o);
  impl* p = w->rt->p_;  // read before `done`: the waiter may be gone right after
  if (p->io) {
    w->done.store(true, std::memory_order_release);
    asio::post(*p->io, [] {});  // wakes the block_on thread if it waits in run_one
  } else {
    std::lock_guard<std::mutex> g(p->bm);
    w->done.store(true, std::memory_order_release);
    p->bcv.notify_all();
  }
}

void asio_runtime::wait(block_waiter& w) {
  impl& p = *p_;
  if (!p.io) {
    std::unique_lock<std::mutex> lk(p.bm);
    p.bcv.wait(lk, [&] { return w.done.load(std::memory_order_acquire); });
    return;
  }
  auto guard = asio::make_work_guard(*p.io);
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

}  // namespace eddy
