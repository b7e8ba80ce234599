#include "eddy/runtime/thread_pool.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "eddy/runtime/timer_heap.hpp"
#include "eddy/runtime/work_queue.hpp"

namespace eddy {

namespace detail {
struct blocking_observer::impl {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
};
blocking_observer::blocking_observer() noexcept : observer{&done}, p_(new impl) {}
blocking_observer::~blocking_observer() { delete p_; }
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

struct thread_pool::impl {
  std::chrono::steady_clock::time_point epoch = std::chrono::steady_clock::now();
  std::mutex m;
  std::condition_variable cv;
  detail::work_queue queue;   // under m
  detail::timer_heap timers;  // under m
  std::size_t idle = 0;       // under m
  bool stopping = false;      // under m
  std::vector<std::thread> workers;

  time_point now() const noexcept {
    return time_point{
        std::chrono::duration_cast<duration>(std::chrono::steady_clock::now() - epoch)};
  }

  void work(thread_pool* self) {
    detail::set_thread_runtime(self);
    std::unique_lock<std::mutex> lk(m);
    while (!stopping) {
      if (!timers.empty() && timers.top()->deadline <= now()) {
        timer_node* t = timers.pop();
        lk.unlock();
        t->run(t);
        lk.lock();
        continue;
      }
      if (work_node* n = queue.pop()) {
        lk.unlock();
        n->run(n);
        lk.lock();
        continue;
      }
      ++idle;
      if (timers.empty()) cv.wait(lk);
      else cv.wait_until(lk, epoch + timers.top()->deadline.time_since_epoch());
      --idle;
    }
    detail::set_thread_runtime(nullptr);
  }
};

thread_pool::thread_pool(std::size_t threads) : p_(new impl) {
  if (threads == 0) panic("eddy::thread_pool: the number of threads must be at least 1");
  p_->workers.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) p_->workers.emplace_back([this] { p_->work(this); });
}

thread_pool::~thread_pool() {
  // Abort what is left and let the workers run it to completion, so nothing leaks.
  abort_all_tasks();
  while (live_tasks() != 0) detail::yield_thread();
  {
    std::lock_guard<std::mutex> g(p_->m);
    p_->stopping = true;
  }
  p_->cv.notify_all();
  for (auto& t : p_->workers) t.join();
}

std::size_t thread_pool::size() const noexcept { return p_->workers.size(); }
time_point thread_pool::now() const noexcept { return p_->now(); }

void thread_pool::post(work_node& n) noexcept {
  bool wake;
  {
    std::lock_guard<std::mutex> g(p_->m);
    p_->queue.push(&n);
    wake = p_->idle > 0;
  }
  if (wake) p_->cv.notify_one();
}

void thread_pool::post_at(time_point t, timer_node& n) noexcept {
  n.deadline = t;
  bool wake;
  {
    std::lock_guard<std::mutex> g(p_->m);
    p_->timers.push(&n);
    wake = p_->idle > 0 && p_->timers.top() == &n;
  }
  if (wake) p_->cv.notify_one();
}

bool thread_pool::cancel(timer_node& n) noexcept {
  std::lock_guard<std::mutex> g(p_->m);
  return p_->timers.remove(&n);
}

}  // namespace eddy
