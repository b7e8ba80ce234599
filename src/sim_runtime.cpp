// SPDX-License-Identifier: BSL-1.0
#include "eddy/runtime/sim_runtime.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "eddy/core/lock.hpp"
#include "eddy/runtime/detail/timer_heap.hpp"

namespace eddy {

struct sim_runtime::impl {
  std::uint64_t seed;
  std::uint64_t rng;
  std::uint64_t steps = 0;
  std::atomic<std::int64_t> now_ns{0};
  detail::spin_lock lock;         // guards ready and timers
  std::vector<work_node*> ready;  // grows to the peak, then reused: no per-post allocation
  detail::timer_heap timers;
  std::string deadlock_report;  // the last one (`record_deadlock`)

  std::uint64_t next_random() noexcept {  // splitmix64
    std::uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  work_node* pick() noexcept {
    detail::lock_guard<detail::spin_lock> g(lock);
    if (ready.empty()) return nullptr;
    const std::size_t i = seed == 0 ? 0 : next_random() % ready.size();
    work_node* n = ready[i];
    if (seed == 0)
      ready.erase(ready.begin());  // seed 0: plain FIFO order
    else {
      ready[i] = ready.back();
      ready.pop_back();
    }
    return n;
  }
  // The earliest deadline that can fire (a timer at `never` never does). Under lock.
  bool next_due(std::int64_t& t) const noexcept {
    if (timers.empty() || timers.top()->deadline == never) return false;
    t = timers.top()->deadline.time_since_epoch().count();
    return true;
  }
  // Fires every timer due at the current time. Returns how many fired.
  std::size_t fire_due() noexcept {
    std::size_t fired = 0;
    for (;;) {
      timer_node* t;
      {
        detail::lock_guard<detail::spin_lock> g(lock);
        std::int64_t due;
        if (!next_due(due) || due > now_ns.load()) return fired;
        t = timers.pop();
      }
      t->run(t);
      ++fired;
    }
  }
  // Jumps to the next deadline; false when there is none (timers at `never` do not count).
  bool jump() noexcept {
    detail::lock_guard<detail::spin_lock> g(lock);
    std::int64_t t;
    if (!next_due(t)) return false;
    if (t > now_ns.load()) now_ns.store(t);
    return true;
  }
};

sim_runtime::sim_runtime(std::uint64_t seed) : p_(new impl) {
  p_->seed = seed;
  p_->rng = seed;
  p_->ready.reserve(64);
}
sim_runtime::~sim_runtime() {
  abort_all_tasks();
  run_until_idle();
  // A task aborted in a foreign operation (task_header.hpp) waits for its completion, which
  // another thread delivers.
  while (draining_tasks() > 0) {
    detail::yield_thread();
    run_until_idle();
  }
}

std::uint64_t sim_runtime::seed() const noexcept {
  return p_->seed;
}
std::uint64_t sim_runtime::steps() const noexcept {
  return p_->steps;
}
time_point sim_runtime::now() const noexcept {
  return time_point{duration{p_->now_ns.load()}};
}

void sim_runtime::post(work_node& n) noexcept {
  detail::lock_guard<detail::spin_lock> g(p_->lock);
  p_->ready.push_back(&n);
}
void sim_runtime::post_at(time_point t, timer_node& n) noexcept {
  n.deadline = t;
  detail::lock_guard<detail::spin_lock> g(p_->lock);
  p_->timers.push(&n);
}
bool sim_runtime::cancel(timer_node& n) noexcept {
  detail::lock_guard<detail::spin_lock> g(p_->lock);
  return p_->timers.remove(&n);
}

std::size_t sim_runtime::run_until_idle() {
  runtime* prev = detail::set_thread_runtime(this);
  std::size_t ran = p_->fire_due();
  while (work_node* n = p_->pick()) {
    ++p_->steps;
    n->run(n);
    ++ran;
    ran += p_->fire_due();
  }
  detail::set_thread_runtime(prev);
  return ran;
}

bool sim_runtime::drive(done_fn done, void* ctx) {
  runtime* prev = detail::set_thread_runtime(this);
  bool ok = true;
  while (!(done && done(ctx))) {
    // Read before looking for work: an external operation posts its completion before it ends,
    // so when none is pending here, whatever they posted is seen by `pick` below (and only this
    // thread's tasks start new ones).
    const bool external = external_operations() > 0;
    if (work_node* n = p_->pick()) {
      ++p_->steps;
      n->run(n);
      continue;
    }
    if (p_->fire_due()) continue;
    if (external) {  // a blocking job takes no virtual time: wait for it
      detail::yield_thread();
      continue;
    }
    if (!p_->jump()) {
      ok = done == nullptr;  // run(): finished; block_on: deadlock
      break;
    }
  }
  detail::set_thread_runtime(prev);
  return ok;
}

const char* sim_runtime::record_deadlock() {
  p_->deadlock_report =
      "sim_runtime: deadlock (nothing ready, no timer, root unfinished); the tasks:\n";
  p_->deadlock_report += dump_string();
  return p_->deadlock_report.c_str();
}

const char* sim_runtime::deadlock_report() const noexcept {
  return p_->deadlock_report.c_str();
}

void sim_runtime::run() {
  drive(nullptr, nullptr);
}

void sim_runtime::advance(duration d) {
  // Saturating, and never backwards; the clock stops one tick short of `never`, so that a
  // timer at `never` stays in the future.
  if (d < duration::zero()) d = duration::zero();
  const time_point last = never - duration{1};
  const std::int64_t target = std::min(saturating_add(now(), d), last).time_since_epoch().count();
  run_until_idle();
  for (;;) {
    {
      detail::lock_guard<detail::spin_lock> g(p_->lock);
      std::int64_t due;
      if (!p_->next_due(due) || due > target) break;
    }
    p_->jump();
    run_until_idle();
  }
  p_->now_ns.store(target);
  run_until_idle();
}

void sim_runtime::add_backend_metrics(runtime_metrics& m) const {
  detail::lock_guard<detail::spin_lock> g(p_->lock);
  m.pending_timers = p_->timers.size();
}

}  // namespace eddy
