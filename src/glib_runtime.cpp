// SPDX-License-Identifier: BSL-1.0
// glib_runtime: eddy's queue and timer heap behind one custom GSource. See glib_runtime.hpp.
#include "eddy/runtime/glib_runtime.hpp"

#include <chrono>

#include "loop_core.hpp"

namespace eddy {

namespace {
constexpr std::size_t cycle_budget = 1024;  // items per dispatch before the context turns again
constexpr std::size_t grab_max = 64;        // items taken from the queue per lock
using steady = std::chrono::steady_clock;

// GLib's monotonic clock (the one of g_source_set_ready_time), in microseconds.
struct glib_clock {
  using duration = std::chrono::microseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<glib_clock>;
  static time_point now() noexcept { return time_point{duration{g_get_monotonic_time()}}; }
};
}  // namespace

struct glib_runtime::impl {
  struct source {
    GSource base;
    impl* p;
  };

  impl(glib_runtime* r, GMainContext* c, int priority)
      : rt(r), ctx(g_main_context_ref(c)), src(g_source_new(&funcs, sizeof(source))) {
    reinterpret_cast<source*>(src)->p = this;
    g_source_set_priority(src, priority);
    g_source_set_name(src, "eddy::glib_runtime");
    g_source_attach(src, ctx);
  }
  ~impl() {
    g_source_destroy(src);
    g_source_unref(src);
    g_main_context_unref(ctx);
  }

  glib_runtime* rt;
  GMainContext* ctx;
  GSource* src;
  steady::time_point epoch = steady::now();
  // GLib's clock at `epoch`, rounded up: a ready time derived from it is never early.
  glib_clock::time_point g_epoch = glib_clock::now() + glib_clock::duration{1};
  detail::loop_core core;
  bool wake_pending = false;  // under core.lock: a wake-up is on its way to prepare()
  gint64 armed = -1;          // the source's ready time; the iterating thread only

  static GSourceFuncs funcs;
  static impl* of(GSource* s) noexcept { return reinterpret_cast<source*>(s)->p; }

  time_point now() const noexcept {
    return time_point{std::chrono::duration_cast<duration>(steady::now() - epoch)};
  }

  // The iterating thread: the source's ready time at `next` (-1 for none or `never`).
  void arm(time_point next) noexcept {
    const gint64 at =
        next == never ? -1 : to_native_deadline(g_epoch, next).time_since_epoch().count();
    if (at != armed) g_source_set_ready_time(src, at);
    armed = at;
  }

  // Before the context polls: ready when work is queued; otherwise the ready time is the
  // earliest deadline (GLib turns it into the poll's timeout and dispatches when it passes).
  static gboolean prepare(GSource* s, gint* timeout) noexcept {
    impl* p = of(s);
    *timeout = -1;
    bool ready;
    time_point next;
    {
      detail::lock_guard<detail::spin_lock> g(p->core.lock);
      p->wake_pending = false;  // a post from now on wakes the poll again
      ready = p->core.queued > 0 && !p->core.closing;
      next = p->core.closing ? never : p->core.next_deadline_locked();
    }
    p->arm(next);
    return ready;
  }
  static gboolean check(GSource* s) noexcept {
    impl* p = of(s);
    detail::lock_guard<detail::spin_lock> g(p->core.lock);
    return p->core.queued > 0 && !p->core.closing;
  }
  static gboolean dispatch(GSource* s, GSourceFunc, gpointer) noexcept {
    of(s)->cycle();
    return G_SOURCE_CONTINUE;
  }

  // One dispatch: due timers, then up to cycle_budget ready items, then the next ready time.
  void cycle() noexcept {
    runtime* prev = detail::set_thread_runtime(rt);
    if (!core.run_cycle(now(), cycle_budget, grab_max)) {
      detail::set_thread_runtime(prev);
      return;
    }
    time_point next;
    {
      detail::lock_guard<detail::spin_lock> g(core.lock);
      next = core.next_deadline_locked();
    }
    arm(next);  // the source is blocked while it dispatches: this wakes no one
    detail::set_thread_runtime(prev);
  }
};

GSourceFuncs glib_runtime::impl::funcs = {&impl::prepare, &impl::check, &impl::dispatch,
                                          nullptr,        nullptr,      nullptr};

glib_runtime::glib_runtime(GMainContext* ctx, int priority) : p_(new impl(this, ctx, priority)) {}

glib_runtime::~glib_runtime() {
  shutdown();
  delete p_;
}

void glib_runtime::shutdown() noexcept {
  runtime* prev = detail::set_thread_runtime(this);
  GMainContext* ctx = p_->ctx;
  p_->core.shutdown([this] { abort_all_tasks(); }, [this] { return live_tasks(); },
                    [this] { return draining_tasks(); },
                    [ctx] {
                      g_main_context_iteration(ctx, FALSE);  // the app's sources, not ours
                      detail::yield_thread();
                    });
  detail::set_thread_runtime(prev);
  p_->arm(never);
}

GMainContext* glib_runtime::context() const noexcept {
  return p_->ctx;
}
time_point glib_runtime::now() const noexcept {
  return p_->now();
}

bool glib_runtime::in_dispatch() const noexcept {
  GSource* s = g_main_current_source();
  return s != nullptr && g_source_get_context(s) == p_->ctx;
}

void glib_runtime::post(work_node& n) noexcept {
  impl& p = *p_;
  bool wake = detail::thread_runtime() != this;  // inside cycle(), prepare() follows up
  {
    detail::lock_guard<detail::spin_lock> g(p.core.lock);
    p.core.push_locked(n);
    wake = wake && !p.wake_pending && !p.core.closing;
    p.wake_pending = p.wake_pending || wake;
  }
  if (wake) g_main_context_wakeup(p.ctx);
}

void glib_runtime::post_at(time_point t, timer_node& n) noexcept {
  impl& p = *p_;
  bool wake = detail::thread_runtime() != this;
  n.deadline = t;
  {
    detail::lock_guard<detail::spin_lock> g(p.core.lock);
    p.core.timers.push(&n);
    // A new earliest deadline: prepare() re-arms the ready time.
    wake = wake && p.core.timers.top() == &n && t != never && !p.wake_pending && !p.core.closing;
    p.wake_pending = p.wake_pending || wake;
  }
  if (wake) g_main_context_wakeup(p.ctx);
}

bool glib_runtime::cancel(timer_node& n) noexcept {
  // No wake-up: a ready time left too early only costs one empty dispatch, which re-arms.
  detail::lock_guard<detail::spin_lock> g(p_->core.lock);
  return p_->core.timers.remove(&n);
}

void glib_runtime::wait(detail::done_flag& w) {
  while (!w.is_set()) g_main_context_iteration(p_->ctx, TRUE);  // our dispatch finishes the task
}

void glib_runtime::add_backend_metrics(runtime_metrics& m) const {
  m.pending_timers = p_->core.pending_timers();
}

}  // namespace eddy
