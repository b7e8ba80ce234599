// SPDX-License-Identifier: BSL-1.0
#include "eddy/runtime/local_runtime.hpp"

#include <chrono>

#include "eddy/core/lock.hpp"
#include "eddy/runtime/detail/timer_heap.hpp"
#include "eddy/runtime/detail/work_queue.hpp"
#include "eddy/runtime/task_header.hpp"

#if EDDY_HAS_THREADS
#include <condition_variable>
#include <mutex>
#endif

namespace eddy {

namespace detail {
bool inside_runtime() noexcept {
  return thread_runtime() != nullptr || current_task() != nullptr;
}
}  // namespace detail

namespace {
constexpr std::size_t batch = 256;  // items run before timers and remote posts are looked at again
}

struct local_runtime::impl {
  clock_fn clock = nullptr;
  idle_fn idle = nullptr;
#if EDDY_HAS_THREADS
  std::chrono::steady_clock::time_point epoch = std::chrono::steady_clock::now();
  std::mutex m;
  std::condition_variable cv;
  bool sleeping = false;  // under m
#endif
  detail::work_queue local;  // driver thread only
  detail::spin_lock lock;    // guards remote and timers
  detail::work_queue remote;
  detail::timer_heap timers;
  std::atomic<bool> remote_pending{false};
  std::atomic<bool> stop{false};

  void wake_driver() noexcept {
#if EDDY_HAS_THREADS
    std::lock_guard<std::mutex> g(m);
    if (sleeping) cv.notify_one();
#endif
  }
};

local_runtime::local_runtime() : p_(new impl) {}
local_runtime::local_runtime(clock_fn clock, idle_fn idle) : p_(new impl) {
  p_->clock = clock;
  p_->idle = idle;
}
local_runtime::~local_runtime() {
  // Abort what is left and run it to completion here, so destructors run and nothing leaks.
  abort_all_tasks();
  drive([](void* self) { return static_cast<local_runtime*>(self)->live_tasks() == 0; }, this);
}

time_point local_runtime::now() const noexcept {
  if (p_->clock) return p_->clock();
#if EDDY_HAS_THREADS
  return time_point{
      std::chrono::duration_cast<duration>(std::chrono::steady_clock::now() - p_->epoch)};
#else
  return time_point{};
#endif
}

void local_runtime::post(work_node& n) noexcept {
#if EDDY_HAS_THREADS
  if (detail::thread_runtime() == this) {
    p_->local.push(&n);
    return;
  }
#endif
  // Without threads an interrupt handler may post while the driver runs, and "this thread" cannot
  // tell the two apart: every post goes through the locked queue (a critical section).
  {
    detail::lock_guard<detail::spin_lock> g(p_->lock);
    p_->remote.push(&n);
  }
  p_->remote_pending.store(true, std::memory_order_seq_cst);
  p_->wake_driver();
}

void local_runtime::post_at(time_point t, timer_node& n) noexcept {
  n.deadline = t;
  {
    detail::lock_guard<detail::spin_lock> g(p_->lock);
    p_->timers.push(&n);
  }
  if (detail::thread_runtime() != this) {
    p_->remote_pending.store(true, std::memory_order_seq_cst);
    p_->wake_driver();
  }
}

bool local_runtime::cancel(timer_node& n) noexcept {
  detail::lock_guard<detail::spin_lock> g(p_->lock);
  return p_->timers.remove(&n);
}

void local_runtime::stop() noexcept {
  p_->stop.store(true, std::memory_order_release);
  p_->remote_pending.store(true, std::memory_order_seq_cst);
  p_->wake_driver();
}

namespace {
// One round: remote posts, due timers, then up to `batch` local items. Returns items run.
std::size_t step(local_runtime& rt, auto& p) {
  std::size_t ran = 0;
  detail::work_queue due;
  {
    p.remote_pending.store(false, std::memory_order_relaxed);
    const time_point now = rt.now();
    detail::lock_guard<detail::spin_lock> g(p.lock);
    p.local.splice(p.remote);
    while (!p.timers.empty() && p.timers.top()->deadline <= now) due.push(p.timers.pop());
  }
  while (work_node* n = due.pop()) {
    n->run(n);
    ++ran;
  }
  for (std::size_t i = 0; i < batch; ++i) {
    work_node* n = p.local.pop();
    if (!n) break;
    // What the next node touches starts loading while this one runs (see prefetch_queued).
    if (const work_node* next = p.local.front()) detail::task_header::prefetch_queued(next);
    n->run(n);
    ++ran;
  }
  return ran;
}
}  // namespace

std::size_t local_runtime::run_until_idle() {
  runtime* prev = detail::set_thread_runtime(this);
  std::size_t total = 0;
  while (std::size_t n = step(*this, *p_)) total += n;
  detail::set_thread_runtime(prev);
  return total;
}

void local_runtime::drive(done_fn done, void* ctx) {
  runtime* prev = detail::set_thread_runtime(this);
  impl& p = *p_;
  while (!(done ? done(ctx) : p.stop.load(std::memory_order_acquire))) {
    if (step(*this, p)) continue;
    if (!p.local.empty()) continue;
    // Nothing ready: wait for a remote post or the next deadline.
    time_point next = time_point::max();
    bool idled = false;
    {
      detail::lock_guard<detail::spin_lock> g(p.lock);
      if (!p.timers.empty()) next = p.timers.top()->deadline;
      if (!p.remote.empty()) p.remote_pending.store(true);
#if !EDDY_HAS_THREADS
      // The idle hook runs inside the critical section, after the last look at the queue, so a
      // post from an interrupt handler cannot slip in unseen: WFI in the hook still wakes up on
      // the masked interrupt, whose handler runs as soon as the section ends.
      if (p.idle && p.remote.empty() && (done || next != time_point::max()) && next > now()) {
        p.idle(next);
        idled = true;
      }
#endif
    }
    if (idled) continue;
    if (!done && next == time_point::max() && !p.remote_pending.load())
      break;  // run(): nothing left
#if EDDY_HAS_THREADS
    if (p.idle) {
      p.idle(next);
      continue;
    }
    std::unique_lock<std::mutex> lk(p.m);
    p.sleeping = true;
    if (!p.remote_pending.load(std::memory_order_seq_cst)) {
      if (p.clock)
        p.cv.wait_for(lk, std::chrono::milliseconds(1));
      else if (next == time_point::max())
        p.cv.wait(lk);
      else
        p.cv.wait_until(lk, to_native_deadline(p.epoch, next));  // saturating
    }
    p.sleeping = false;
#endif
  }
  detail::set_thread_runtime(prev);
}

void local_runtime::run() {
  p_->stop.store(false, std::memory_order_release);
  drive(nullptr, nullptr);
}

void local_runtime::add_backend_metrics(runtime_metrics& m) const {
  detail::lock_guard<detail::spin_lock> g(p_->lock);
  m.pending_timers = p_->timers.size();
}

}  // namespace eddy
