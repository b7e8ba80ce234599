// SPDX-License-Identifier: BSL-1.0
// qt_runtime: eddy's queue and timer heap driven by a Qt thread's event loop. See qt_runtime.hpp.
#include "eddy/runtime/qt_runtime.hpp"

#include <QCoreApplication>
#include <QEvent>
#include <QEventLoop>
#include <QObject>
#include <QThread>
#include <QTimer>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <thread>

#include "loop_core.hpp"

namespace eddy {

namespace {
constexpr std::size_t cycle_budget = 256;  // items per callback before Qt's events get a turn
constexpr std::size_t grab_max = 64;       // items taken from the queue per lock
using steady = std::chrono::steady_clock;

QEvent::Type wake_type() noexcept {
  static const auto t = static_cast<QEvent::Type>(QEvent::registerEventType());
  return t;
}
}  // namespace

struct qt_runtime::impl {
  // The wake-up: an event built in one of the runtime's two cells. Qt deletes a posted event
  // once it was delivered (or removed with its receiver); this class's operator delete runs
  // after the destructors, frees nothing and hands the cell back. Two cells, because the next
  // wake-up is posted while the current one is still being delivered; with nested event loops
  // inside eddy work both can be in delivery, and the wake-up then waits for the first freed.
  struct wake_event final : QEvent {
    wake_event() noexcept : QEvent(wake_type()) {}
    static void* operator new(std::size_t, void* where) noexcept { return where; }
    static void operator delete(void* p) noexcept;
  };
  struct wake_cell {
    impl* owner = nullptr;
    int index = 0;
    alignas(wake_event) unsigned char bytes[sizeof(wake_event)];
  };
  // Lives in the runtime's thread and receives the wake-ups (no signals: no moc needed).
  struct context final : QObject {
    explicit context(impl* p) : owner(p) {}
    bool event(QEvent* e) override {
      if (e->type() != wake_type()) return QObject::event(e);
      owner->on_wake();
      return true;
    }
    impl* owner;
  };

  explicit impl(qt_runtime* r) : rt(r) {
    for (int i = 0; i < 2; ++i) cells[i] = {this, i, {}};
    timer.setTimerType(Qt::PreciseTimer);
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &ctx, [this] {
      armed = time_point::max();  // a single-shot QTimer is inactive once it fired
      cycle();
    });
  }

  qt_runtime* rt;
  steady::time_point epoch = steady::now();
  std::thread::id thread = std::this_thread::get_id();
  detail::loop_core core;
  // under core.lock
  bool wake_pending = false;           // a wake-up is queued in Qt and not yet being handled
  bool cell_busy[2] = {false, false};  // the cell holds an event (queued or being delivered)
  bool wake_wanted = false;            // a wake-up was due while both cells were busy
  wake_cell cells[2];
  // runtime thread only (declared after the state above: destroyed first, which deletes a
  // wake-up still queued in Qt)
  context ctx{this};
  QTimer timer;
  time_point armed = time_point::max();  // the deadline the QTimer waits for

  time_point now() const noexcept {
    return time_point{std::chrono::duration_cast<duration>(steady::now() - epoch)};
  }

  // Under core.lock: builds a wake-up in a free cell when none is queued; nullptr: nothing to
  // post. Built under the lock, so whoever handles it (after taking the lock) sees it whole
  // without relying on Qt's queue (which ThreadSanitizer cannot see into).
  wake_event* request_wake_locked() noexcept {
    if (wake_pending || core.closing) return nullptr;
    for (int i = 0; i < 2; ++i) {
      if (!cell_busy[i]) {
        cell_busy[i] = wake_pending = true;
        return new (cells[i].bytes) wake_event;
      }
    }
    wake_wanted = true;
    return nullptr;
  }
  void send_wake(wake_event* e) noexcept {
    if (e) QCoreApplication::postEvent(&ctx, e);
  }
  void cell_freed(int i) noexcept {  // Qt delivered or removed the event (never under its lock)
    wake_event* w = nullptr;
    {
      detail::lock_guard<detail::spin_lock> g(core.lock);
      cell_busy[i] = false;
      if (wake_wanted) {
        wake_wanted = false;
        w = request_wake_locked();
      }
    }
    send_wake(w);
  }

  void on_wake() noexcept {
    {
      detail::lock_guard<detail::spin_lock> g(core.lock);
      wake_pending = false;  // posts from now on need a new wake-up
    }
    cycle();
  }

  // One turn: due timers, then up to cycle_budget ready items, then the timer and the next
  // wake-up brought in line.
  void cycle() noexcept {
    runtime* prev = detail::set_thread_runtime(rt);
    if (core.run_cycle(now(), cycle_budget, grab_max)) reconcile();
    detail::set_thread_runtime(prev);
  }

  // Runtime thread: a wake-up while items are ready, the QTimer at the earliest deadline.
  void reconcile() noexcept {
    time_point next;
    wake_event* w = nullptr;
    {
      detail::lock_guard<detail::spin_lock> g(core.lock);
      if (core.closing) return;
      next = core.next_deadline_locked();
      if (core.queued > 0) w = request_wake_locked();
    }
    send_wake(w);
    if (next == armed) return;
    armed = next;
    if (next == time_point::max()) {
      timer.stop();
      return;
    }
    // Saturating (a deadline near the end of the clock), rounded up to whole milliseconds.
    const duration left = saturating_sub(next, now());
    const auto ns = static_cast<std::uint64_t>(left.count() < 0 ? 0 : left.count());
    const std::uint64_t ms = ns / 1'000'000 + (ns % 1'000'000 != 0 ? 1 : 0);
    timer.start(static_cast<int>(ms > INT_MAX ? INT_MAX : ms));  // a far deadline re-arms
  }
};

void qt_runtime::impl::wake_event::operator delete(void* p) noexcept {
  auto* cell =
      reinterpret_cast<wake_cell*>(static_cast<unsigned char*>(p) - offsetof(wake_cell, bytes));
  cell->owner->cell_freed(cell->index);
}

qt_runtime::qt_runtime() {
  if (!QCoreApplication::instance()) panic("eddy: qt_runtime needs a QCoreApplication");
  p_ = new impl(this);
}

qt_runtime::~qt_runtime() {
  shutdown();
  delete p_;
}

void qt_runtime::shutdown() noexcept {
  runtime* prev = detail::set_thread_runtime(this);
  p_->core.shutdown([this] { abort_all_tasks(); }, [this] { return live_tasks(); },
                    [this] { return draining_tasks(); },
                    [] {
                      QCoreApplication::processEvents();
                      detail::yield_thread();
                    });
  detail::set_thread_runtime(prev);
  p_->timer.stop();
  p_->armed = time_point::max();
}

bool qt_runtime::in_loop_thread() const noexcept {
  return std::this_thread::get_id() == p_->thread;
}
time_point qt_runtime::now() const noexcept {
  return p_->now();
}

void qt_runtime::post(work_node& n) noexcept {
  impl& p = *p_;
  const bool in_cycle = detail::thread_runtime() == this;  // the cycle drains after this
  qt_runtime::impl::wake_event* w = nullptr;
  {
    detail::lock_guard<detail::spin_lock> g(p.core.lock);
    p.core.push_locked(n);
    if (!in_cycle) w = p.request_wake_locked();
  }
  p.send_wake(w);
}

void qt_runtime::post_at(time_point t, timer_node& n) noexcept {
  impl& p = *p_;
  n.deadline = t;
  qt_runtime::impl::wake_event* w = nullptr;
  {
    detail::lock_guard<detail::spin_lock> g(p.core.lock);
    p.core.timers.push(&n);
    if (p.core.timers.top() != &n || detail::thread_runtime() == this) return;
    if (!in_loop_thread()) w = p.request_wake_locked();  // the cycle re-arms the QTimer
  }
  if (w)
    p.send_wake(w);
  else if (in_loop_thread())
    p.reconcile();
}

bool qt_runtime::cancel(timer_node& n) noexcept {
  // A QTimer left armed for a cancelled deadline fires once and finds nothing due.
  detail::lock_guard<detail::spin_lock> g(p_->core.lock);
  return p_->core.timers.remove(&n);
}

const char* qt_runtime::block_refusal() const noexcept {
  if (detail::inside_runtime()) return detail::block_on_inside_message;
  if (!in_loop_thread())
    return "eddy: qt_runtime::block_on called off the runtime's thread; call it on the thread "
           "that constructed the runtime";
  if (QThread::currentThread()->loopLevel() > 0)
    return "eddy: qt_runtime::block_on called inside a running Qt event loop (a slot or a "
           "callback); spawn the task and co_await it or connect to its end instead";
  return nullptr;
}

void qt_runtime::block_waiter::complete(observer* o, detail::task_header*, const error*) noexcept {
  auto* w = static_cast<block_waiter*>(o);  // on the runtime's thread, where the task ran
  w->done.store(true, std::memory_order_release);
  if (w->loop) static_cast<QEventLoop*>(w->loop)->quit();
}

void qt_runtime::wait(block_waiter& w) {
  QEventLoop loop;
  w.loop = &loop;
  if (!w.done.load(std::memory_order_acquire)) loop.exec();
  w.loop = nullptr;
}

void qt_runtime::add_backend_metrics(runtime_metrics& m) const {
  m.pending_timers = p_->core.pending_timers();
}

}  // namespace eddy
