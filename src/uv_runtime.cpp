// SPDX-License-Identifier: BSL-1.0
// uv_runtime: eddy's queue and timer heap driven by libuv handles. See uv_runtime.hpp.
#include "eddy/runtime/uv_runtime.hpp"

#include <chrono>
#include <thread>

#include "loop_core.hpp"

namespace eddy {

namespace {
constexpr std::size_t cycle_budget = 1024;  // items per callback before the loop polls again
constexpr std::size_t grab_max = 64;        // items taken from the queue per lock
using steady = std::chrono::steady_clock;
}  // namespace

struct uv_runtime::impl {
  impl(uv_runtime* r, uv_loop_t* l) : rt(r), loop(l) {
    uv_async_init(loop, &async, &on_async);
    uv_timer_init(loop, &timer);
    uv_idle_init(loop, &idle);
    async.data = timer.data = idle.data = this;
    uv_unref(reinterpret_cast<uv_handle_t*>(&async));  // referenced only while tasks live
  }

  uv_runtime* rt;
  uv_loop_t* loop;
  uv_async_t async;
  uv_timer_t timer;
  uv_idle_t idle;
  steady::time_point epoch = steady::now();
  std::thread::id loop_thread = std::this_thread::get_id();  // the runtime is built there
  detail::loop_core core;
  bool wake_pending = false;  // under core.lock: an async send is on its way

  // loop thread only
  time_point armed = time_point::max();
  bool idle_on = false;
  bool async_refd = false;
  int blockers = 0;  // block_on calls in progress
  int open_handles = 3;

  time_point now() const noexcept {
    return time_point{std::chrono::duration_cast<duration>(steady::now() - epoch)};
  }

  static impl* of(void* handle) noexcept {
    return static_cast<impl*>(static_cast<uv_handle_t*>(handle)->data);
  }
  static void on_async(uv_async_t* h) {
    impl* p = of(h);
    {
      detail::lock_guard<detail::spin_lock> g(p->core.lock);
      p->wake_pending = false;
    }
    p->cycle();
  }
  static void on_idle(uv_idle_t* h) { of(h)->cycle(); }
  static void on_timer(uv_timer_t* h) {
    impl* p = of(h);
    p->armed = time_point::max();  // a libuv timer without repeat stops once it fires
    p->cycle();
  }
  static void on_close(uv_handle_t* h) {
    impl* p = of(h);
    if (--p->open_handles == 0) delete p;
  }

  // One turn: due timers, then up to cycle_budget ready items, then bring the handles in line.
  void cycle() noexcept {
    runtime* prev = detail::set_thread_runtime(rt);
    if (core.run_cycle(now(), cycle_budget, grab_max)) reconcile();
    detail::set_thread_runtime(prev);
  }

  // Loop thread: idle handle on while items are ready, timer at the earliest deadline, async
  // handle referenced while tasks live or block_on runs.
  void reconcile() noexcept {
    bool more;
    time_point next;
    {
      detail::lock_guard<detail::spin_lock> g(core.lock);
      if (core.closing) return;
      more = core.queued > 0;
      next = core.next_deadline_locked();
    }
    const bool want_ref = blockers > 0 || rt->live_tasks() > 0;
    if (more != idle_on) {
      if (more)
        uv_idle_start(&idle, &on_idle);
      else
        uv_idle_stop(&idle);
      idle_on = more;
    }
    if (next != armed) {
      if (next == time_point::max()) {
        uv_timer_stop(&timer);
      } else {
        uv_update_time(loop);
        // Saturating (a deadline near the end of the clock), rounded up to whole milliseconds.
        const duration left = saturating_sub(next, now());
        const auto ns = static_cast<std::uint64_t>(left.count() < 0 ? 0 : left.count());
        const std::uint64_t ms = ns / 1'000'000 + (ns % 1'000'000 != 0 ? 1 : 0);
        uv_timer_start(&timer, &on_timer, ms, 0);
      }
      armed = next;
    }
    if (want_ref != async_refd) {
      if (want_ref)
        uv_ref(reinterpret_cast<uv_handle_t*>(&async));
      else
        uv_unref(reinterpret_cast<uv_handle_t*>(&async));
      async_refd = want_ref;
    }
  }

  // After a change made outside the runtime's callbacks: on the loop thread, bring the handles
  // in line at once; from another thread, make the loop run a cycle (one send until it has).
  void changed_outside() noexcept {
    if (std::this_thread::get_id() == loop_thread) {
      reconcile();
      return;
    }
    bool send;
    {
      detail::lock_guard<detail::spin_lock> g(core.lock);
      send = !wake_pending && !core.closing;
      wake_pending = true;
    }
    if (send) uv_async_send(&async);
  }
};

uv_runtime::uv_runtime(uv_loop_t* loop) : p_(new impl(this, loop)) {}

uv_runtime::~uv_runtime() {
  shutdown();
  impl* p = p_;
  uv_close(reinterpret_cast<uv_handle_t*>(&p->async), &impl::on_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&p->timer), &impl::on_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&p->idle), &impl::on_close);
}

void uv_runtime::shutdown() noexcept {
  runtime* prev = detail::set_thread_runtime(this);
  // A task aborted while it waits in a libuv request (eddy/uv/) finishes once the request's
  // callback has run: turn the loop here until it has (uv_run is not running now).
  uv_loop_t* loop = p_->loop;
  p_->core.shutdown([this] { abort_all_tasks(); }, [this] { return live_tasks(); },
                    [this] { return draining_tasks(); },
                    [loop] {
                      uv_run(loop, UV_RUN_NOWAIT);
                      detail::yield_thread();
                    });
  detail::set_thread_runtime(prev);
  uv_idle_stop(&p_->idle);
  uv_timer_stop(&p_->timer);
  p_->idle_on = false;
  p_->armed = time_point::max();
}

uv_loop_t* uv_runtime::loop() const noexcept {
  return p_->loop;
}
bool uv_runtime::in_loop_thread() const noexcept {
  return std::this_thread::get_id() == p_->loop_thread;
}
time_point uv_runtime::now() const noexcept {
  return p_->now();
}

void uv_runtime::post(work_node& n) noexcept {
  impl& p = *p_;
  bool outside = detail::thread_runtime() != this;  // in a callback, cycle() follows up
  {
    detail::lock_guard<detail::spin_lock> g(p.core.lock);
    p.core.push_locked(n);
    outside = outside && !p.wake_pending;  // a cycle is already on its way
  }
  if (outside) p.changed_outside();
}

void uv_runtime::post_at(time_point t, timer_node& n) noexcept {
  impl& p = *p_;
  bool outside = detail::thread_runtime() != this;
  n.deadline = t;
  {
    detail::lock_guard<detail::spin_lock> g(p.core.lock);
    p.core.timers.push(&n);
    outside = outside && !p.wake_pending && p.core.timers.top() == &n;
  }
  if (outside) p.changed_outside();
}

bool uv_runtime::cancel(timer_node& n) noexcept {
  impl& p = *p_;
  bool outside = detail::thread_runtime() != this;
  {
    detail::lock_guard<detail::spin_lock> g(p.core.lock);
    if (!p.core.timers.remove(&n)) return false;
    // The last timer gone: the uv timer must stop, or it keeps uv_run from returning.
    outside = outside && p.core.timers.empty() && !p.wake_pending;
  }
  if (outside) p.changed_outside();
  return true;
}

void uv_runtime::wait(detail::done_flag& w) {
  impl& p = *p_;
  ++p.blockers;
  p.reconcile();
  while (!w.is_set()) uv_run(p.loop, UV_RUN_ONCE);
  --p.blockers;
  p.reconcile();
}

void uv_runtime::add_backend_metrics(runtime_metrics& m) const {
  m.pending_timers = p_->core.pending_timers();
}

}  // namespace eddy
