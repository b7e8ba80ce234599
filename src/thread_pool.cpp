// SPDX-License-Identifier: BSL-1.0
// thread_pool: per-worker queues with stealing, one injection queue for posts from outside the
// pool, one shared timer heap. Workers sleep on a condition variable when no queue holds work
// they may take (until the next timer, or until young work they watch may be stolen); posters
// take the sleep mutex only when somebody sleeps.
//
// A worker's own queue is shared with thieves, under a spin lock; the worker moves items in and
// out of it in batches, so that a task that spawns or wakes many others takes that lock once
// per batch rather than once per item (W5 with two threads: the lock and its counter were half
// of the samples). A post into its empty queue goes there at once (visible to thieves right
// away); further posts collect in a private list that is published when the current
// item returns to the loop, or at once when `publish_batch` have gathered (so a task that
// keeps running holds back at most `publish_batch - 1` of its posts); it takes up to
// `take_max` items at a time, and never more than half of what is queued, so that a thief
// always finds the other half.
//
// An idle worker steals only work that waits: queued items their owner has not got through
// within 100 us (`detail::steal_watch`, which watches each queue's count of removed items).
// Tasks that hand work to each other (a channel's producers and consumer) then stay on one
// worker, where a hand-off is a queue push, instead of spreading over the cores and paying a
// cache-line transfer per message (W3 on two threads: 80 ns an item with immediate stealing,
// 8 with the delay); what queues behind a task that runs long is still taken by another worker
// after the delay. While it watches young work the idle worker sleeps until the delay runs out
// rather than spinning; a post from outside the pool still wakes it at once.
#include "eddy/runtime/thread_pool.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "eddy/core/detail/biased_lock.hpp"
#include "eddy/runtime/detail/steal_watch.hpp"
#include "eddy/runtime/detail/timer_heap.hpp"
#include "eddy/runtime/detail/work_queue.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy {

namespace detail {
struct blocking_observer::impl {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
};
blocking_observer::blocking_observer() noexcept : observer{&done}, p_(new impl) {}
blocking_observer::~blocking_observer() {
  delete p_;
}
void blocking_observer::done(observer* o, task_header*, const error*) noexcept {
  auto* self = static_cast<blocking_observer*>(o);
  std::lock_guard<std::mutex> g(self->p_->m);
  self->p_->done = true;
  self->p_->cv.notify_all();
}
void blocking_observer::wait() noexcept {
  std::unique_lock<std::mutex> lk(p_->m);
  p_->cv.wait(lk, [&] { return p_->done; });
}
}  // namespace detail

namespace {

constexpr std::int64_t no_deadline = INT64_MAX;
constexpr unsigned timer_check_interval = 61;  // items between timer checks while busy
constexpr std::size_t steal_max = 64;
constexpr std::size_t publish_batch = 64;  // private posts that are published at once
constexpr std::size_t take_max = 16;       // items a worker takes from its own queue at a time
constexpr unsigned spin_rounds = 1024;     // queue checks before a worker sleeps

struct locked_queue {
  detail::spin_lock lock;
  detail::work_queue q;              // under lock
  std::atomic<std::size_t> size{0};  // hint for thieves and sleepers
  /// Items taken out so far (by the owner or thieves), written under lock: how thieves tell a
  /// queue that moves from one that is stuck behind a long item.
  std::atomic<std::size_t> removed{0};

  /// Returns whether the queue was empty before.
  bool push(work_node* n) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock);
    q.push(n);
    return size.fetch_add(1, std::memory_order_relaxed) == 0;
  }
  /// Moves `k` items (in order) to the back; returns how many were queued before.
  std::size_t push_all(detail::work_queue& items, std::size_t k) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock);
    q.splice(items);
    return size.fetch_add(k, std::memory_order_relaxed);
  }
  work_node* pop() noexcept {
    if (size.load(std::memory_order_relaxed) == 0) return nullptr;
    detail::lock_guard<detail::spin_lock> g(lock);
    work_node* n = q.pop();
    if (n) {
      size.fetch_sub(1, std::memory_order_relaxed);
      count_removed(1);
    }
    return n;
  }
  /// Moves up to `most` items, never more than half of a queue of two or more, from the front
  /// to the back of `out`; returns how many (0: the queue was empty). The worker's own takes
  /// and thieves' steals both go through here, so either leaves the other half.
  std::size_t take(detail::work_queue& out, std::size_t most) noexcept {
    if (size.load(std::memory_order_relaxed) == 0) return 0;
    detail::lock_guard<detail::spin_lock> g(lock);
    const std::size_t avail = size.load(std::memory_order_relaxed);
    const std::size_t want = avail < 2 ? avail : std::min(avail / 2, most);
    std::size_t k = 0;
    for (; k < want; ++k) {
      work_node* n = q.pop();
      if (!n) break;
      out.push(n);
    }
    size.fetch_sub(k, std::memory_order_relaxed);
    count_removed(k);
    return k;
  }

 private:
  void count_removed(std::size_t k) noexcept {  // under lock
    removed.store(removed.load(std::memory_order_relaxed) + k, std::memory_order_relaxed);
  }
};

/// A worker's queue and what only the worker itself touches.
struct worker_queue {
  locked_queue shared;           // the worker's queue, open to thieves
  detail::work_queue taken;      // owner only: taken from `shared`, run before anything else
  detail::work_queue posted;     // owner only: posted by the worker, not yet in `shared`
  std::size_t posted_count = 0;  // owner only
  std::vector<detail::steal_watch> watch;  // owner only, as a thief: one per worker
};

struct worker_slot {
  void* pool = nullptr;
  std::size_t index = 0;
};
EDDY_THREAD_LOCAL worker_slot t_worker;

}  // namespace

struct thread_pool::impl {
  std::chrono::steady_clock::time_point epoch = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<worker_queue>> locals;
  std::unique_ptr<detail::metrics_cell[]> cells;  // one per worker (metrics while enabled)
  thread_pool* pool = nullptr;
  locked_queue global;

  detail::spin_lock timer_lock;
  detail::timer_heap timers;  // under timer_lock
  std::atomic<std::int64_t> next_deadline{no_deadline};

  std::mutex sleep_m;
  std::condition_variable cv;
  std::atomic<int> sleepers{0};
  std::atomic<int> watchers{0};  // of the sleepers, those that watch young work (timed sleep)
  std::atomic<bool> stopping{false};
  std::vector<std::thread> workers;

  time_point now() const noexcept {
    return time_point{
        std::chrono::duration_cast<duration>(std::chrono::steady_clock::now() - epoch)};
  }

  /// Moves the worker's private posts into its shared queue (owner only). Wakes a sleeper, as
  /// `post` does, only when that leaves a backlog: one item the worker runs itself next.
  void publish(worker_queue& w) noexcept {
    if (w.posted_count == 0) return;
    const std::size_t k = w.posted_count;
    w.posted_count = 0;
    if (w.shared.push_all(w.posted, k) + k > 1) wake_idle();
  }

  /// After a worker queued work on its own queue: wakes a sleeper that watches nothing (one that
  /// watches young work looks again when its delay runs out; a futex call per hand-off would
  /// cost more than it saves).
  void wake_idle() noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (sleepers.load(std::memory_order_relaxed) > watchers.load(std::memory_order_relaxed))
      notify();
  }
  /// After work any worker may take at once (the injection queue, a new earliest timer).
  void wake_one() noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (sleepers.load(std::memory_order_relaxed) > 0) notify();
  }
  void notify() noexcept {
    std::lock_guard<std::mutex> g(sleep_m);
    cv.notify_one();
  }

  // True when the earliest timer is due. Reads the clock only when a timer is pending: an idle
  // worker's spin and a busy worker's periodic check would otherwise call clock_gettime for
  // nothing (it was a sixth of W5's samples on two threads, most of them spinning).
  bool timer_due() const noexcept {
    const std::int64_t d = next_deadline.load(std::memory_order_acquire);
    return d != no_deadline && d <= now().time_since_epoch().count();
  }

  // Fires every due timer. Returns how many ran.
  std::size_t fire_due() noexcept {
    if (!timer_due()) return 0;
    detail::work_queue due;
    {
      detail::lock_guard<detail::spin_lock> g(timer_lock);
      const time_point t = now();
      while (!timers.empty() && timers.top()->deadline <= t) due.push(timers.pop());
      next_deadline.store(
          timers.empty() ? no_deadline : timers.top()->deadline.time_since_epoch().count(),
          std::memory_order_release);
    }
    std::size_t ran = 0;
    while (work_node* n = due.pop()) {
      n->run(n);
      ++ran;
    }
    return ran;
  }

  /// Takes half of another worker's queue (at most `steal_max`) whose owner is stuck behind
  /// it (`detail::steal_watch`); null otherwise. `recheck`: when a watched queue may next become
  /// stealable (no_deadline: none holds work).
  work_node* steal(std::size_t self, std::int64_t& recheck) noexcept {
    using verdict = detail::steal_watch::verdict;
    const std::size_t n = locals.size();
    recheck = no_deadline;
    std::int64_t t = -1;  // the clock, read once and only when some queue holds work
    for (std::size_t k = 1; k < n; ++k) {
      const std::size_t v = (self + k) % n;
      locked_queue& q = locals[v]->shared;
      detail::steal_watch& w = locals[self]->watch[v];
      const std::size_t size = q.size.load(std::memory_order_relaxed);
      if (size != 0 && t < 0) t = now().time_since_epoch().count();
      const verdict what = w.look(size, q.removed.load(std::memory_order_relaxed), t);
      if (what == verdict::idle) continue;
      if (what == verdict::steal) {
        detail::work_queue taken;
        const std::size_t count = q.take(taken, steal_max);
        if (count == 0) continue;
        w.stole(q.size.load(std::memory_order_relaxed), q.removed.load(std::memory_order_relaxed),
                t);
        if (pool->metrics_enabled()) cells[self].steals.add(count);
        work_node* const first = taken.pop();
        if (count > 1) locals[self]->shared.push_all(taken, count - 1);
        return first;
      }
      recheck = std::min(recheck, w.recheck());
    }
    return nullptr;
  }

  /// Work worker `self` may take now, or new work in another queue to start watching.
  bool any_work(std::size_t self) noexcept {
    if (global.size.load(std::memory_order_relaxed)) return true;
    for (std::size_t v = 0; v < locals.size(); ++v) {
      if (locals[v]->shared.size.load(std::memory_order_relaxed) &&
          (v == self || !locals[self]->watch[v].watching()))
        return true;
    }
    return timer_due();
  }

  // Before sleeping, a worker that just ran out of work watches the queues for a short while
  // (about a microsecond or two, no syscall): a producer on another worker that posts again
  // soon then finds it awake, and the hand-off costs no futex wake and no context switch.
  bool spin_for_work(std::size_t self) noexcept {
    for (unsigned i = 0; i < spin_rounds; ++i) {
      if (any_work(self) || stopping.load(std::memory_order_relaxed)) return true;
      detail::cpu_relax();
    }
    return false;
  }

  void work(thread_pool* self, std::size_t index) {
    detail::set_thread_runtime(self);
    t_worker = worker_slot{this, index};
    worker_queue& mine = *locals[index];
    unsigned tick = 0;
    while (!stopping.load(std::memory_order_acquire)) {
      if (++tick % timer_check_interval == 0) fire_due();
      publish(mine);  // what the last item (or a timer) posted
      work_node* n = mine.taken.pop();
      if (!n && mine.shared.take(mine.taken, take_max)) n = mine.taken.pop();
      if (!n) n = global.pop();
      if (!n && fire_due()) continue;
      std::int64_t recheck = no_deadline;
      if (!n) n = steal(index, recheck);
      if (n) {
        // As in local_runtime: what the next node of the batch touches loads while this one
        // runs.
        if (const work_node* next = mine.taken.front()) detail::task_header::prefetch_queued(next);
        n->run(n);
        continue;
      }
      if (spin_for_work(index)) continue;
      // Asleep until woken, the earliest timer, or (watching young work) its delay's end.
      const bool watching = recheck != no_deadline;
      std::unique_lock<std::mutex> lk(sleep_m);
      if (watching) watchers.fetch_add(1, std::memory_order_relaxed);
      sleepers.fetch_add(1, std::memory_order_seq_cst);
      if (!any_work(index) && !stopping.load(std::memory_order_acquire)) {
        const std::int64_t d = std::min(next_deadline.load(std::memory_order_acquire), recheck);
        if (d == no_deadline)
          cv.wait(lk);
        else
          cv.wait_until(lk, to_native_deadline(epoch, time_point{duration{d}}));  // saturating
      }
      sleepers.fetch_sub(1, std::memory_order_relaxed);
      if (watching) watchers.fetch_sub(1, std::memory_order_relaxed);
    }
    t_worker = worker_slot{};
    detail::set_thread_runtime(nullptr);
  }
};

thread_pool::thread_pool(std::size_t threads) : p_(new impl) {
  if (threads == 0) panic("eddy::thread_pool: the number of threads must be at least 1");
#if EDDY_BIASED_LOCK
  // Registers the process for the biased locks' barrier now, while it may still have one thread
  // (microseconds), rather than at a worker's first channel operation, where registering with
  // threads running waits for an RCU grace period (a millisecond or more; the worker stalls,
  // and the other takes its queue).
  (void)detail::biased_locks_enabled();
#endif
  p_->pool = this;
  p_->cells.reset(new detail::metrics_cell[threads]);
  for (std::size_t i = 0; i < threads; ++i) {
    p_->locals.push_back(std::make_unique<worker_queue>());
    p_->locals.back()->watch.resize(threads);
  }
  p_->workers.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    p_->workers.emplace_back([this, i] { p_->work(this, i); });
  }
}

thread_pool::~thread_pool() {
  // Abort what is left and let the workers run it to completion, so nothing leaks.
  abort_all_tasks();
  while (live_tasks() != 0) detail::yield_thread();
  {
    std::lock_guard<std::mutex> g(p_->sleep_m);
    p_->stopping.store(true, std::memory_order_release);
  }
  p_->cv.notify_all();
  for (auto& t : p_->workers) t.join();
}

std::size_t thread_pool::size() const noexcept {
  return p_->workers.size();
}
time_point thread_pool::now() const noexcept {
  return p_->now();
}

void thread_pool::post(work_node& n) noexcept {
  if (t_worker.pool == p_.get()) {
    // A worker's posts gather privately until the current item returns to the loop (see the
    // file comment). Posting into its own empty queue, the worker runs the item right after
    // the current one: waking a sleeper for it would only add a futex call per hand-off (a
    // mutex ping-pong becomes one syscall per lock). A backlog does wake a sleeper, to steal.
    worker_queue& w = *p_->locals[t_worker.index];
    if (w.posted_count == 0 && w.shared.size.load(std::memory_order_relaxed) == 0) {
      // Into an empty queue at once, where an idle worker sees it (and takes it if this
      // worker does not get to it within the steal delay).
      if (!w.shared.push(&n)) p_->wake_idle();  // another post came in meanwhile: a backlog
      return;
    }
    w.posted.push(&n);
    if (++w.posted_count == publish_batch) p_->publish(w);
    return;
  }
  p_->global.push(&n);
  p_->wake_one();
}

void thread_pool::post_at(time_point t, timer_node& n) noexcept {
  n.deadline = t;
  bool earliest;
  {
    detail::lock_guard<detail::spin_lock> g(p_->timer_lock);
    p_->timers.push(&n);
    earliest = p_->timers.top() == &n;
    if (earliest) p_->next_deadline.store(t.time_since_epoch().count(), std::memory_order_release);
  }
  if (earliest) p_->wake_one();  // a sleeper re-reads the earliest deadline
}

bool thread_pool::cancel(timer_node& n) noexcept {
  detail::lock_guard<detail::spin_lock> g(p_->timer_lock);
  const bool removed = p_->timers.remove(&n);
  if (removed) {
    p_->next_deadline.store(
        p_->timers.empty() ? no_deadline : p_->timers.top()->deadline.time_since_epoch().count(),
        std::memory_order_release);
  }
  return removed;
}

detail::metrics_cell& thread_pool::metrics_cell_here() noexcept {
  if (t_worker.pool == p_.get()) return p_->cells[t_worker.index];
  return runtime::metrics_cell_here();
}

void thread_pool::add_backend_metrics(runtime_metrics& m) const {
  {
    detail::lock_guard<detail::spin_lock> g(p_->timer_lock);
    m.pending_timers = p_->timers.size();
  }
  m.workers.resize(p_->locals.size());
  for (std::size_t i = 0; i < p_->locals.size(); ++i) {
    const detail::metrics_cell& c = p_->cells[i];
    detail::accumulate(m, c);
    m.workers[i].queue_depth = p_->locals[i]->shared.size.load(std::memory_order_relaxed);
    m.workers[i].steals = c.steals.get();
    m.workers[i].polls = c.polls.get();
  }
}

}  // namespace eddy
