// SPDX-License-Identifier: BSL-1.0
// The blocking pool of spawn_blocking (runtime/detail/blocking_pool.hpp). Hosted builds with
// threads only (CMakeLists.txt leaves it out of EDDY_NO_THREADS, emscripten and firmware).
#include <condition_variable>
#include <mutex>
#include <new>
#include <thread>

#include "eddy/core/panic.hpp"
#include "eddy/runtime/spawn_blocking.hpp"

namespace eddy {
namespace detail {
namespace {

class blocking_pool {
 public:
  void submit(blocking_job& j) noexcept {
    std::unique_lock<std::mutex> lk(m_);
    j.prev = tail_;
    j.next = nullptr;
    if (tail_)
      tail_->next = &j;
    else
      head_ = &j;
    tail_ = &j;
    j.queued = true;
    ++queued_;
    const std::size_t max = opts_.max_threads ? opts_.max_threads : 1;
    if (queued_ > idle_ && threads_ < max) {
      ++threads_;
      if (!start_thread()) {
        --threads_;
        if (threads_ == 0) {  // the job could never run
          unlink(j);
          lk.unlock();
          panic("eddy::spawn_blocking: cannot create a blocking-pool thread");
        }
      }
    }
    if (idle_) cv_.notify_one();
  }

  bool cancel(blocking_job& j) noexcept {
    std::lock_guard<std::mutex> g(m_);
    if (!j.queued) return false;
    unlink(j);
    return true;
  }

  void set(const blocking_pool_options& o) noexcept {
    std::lock_guard<std::mutex> g(m_);
    opts_ = o;
    cv_.notify_all();  // idle threads start a wait with the new timeout
  }
  blocking_pool_options get() noexcept {
    std::lock_guard<std::mutex> g(m_);
    return opts_;
  }
  std::size_t threads() noexcept {
    std::lock_guard<std::mutex> g(m_);
    return threads_;
  }
  std::size_t queued() noexcept {
    std::lock_guard<std::mutex> g(m_);
    return queued_;
  }

 private:
  bool start_thread() noexcept {
#if EDDY_HAS_EXCEPTIONS
    try {
      std::thread([this] { work(); }).detach();
    } catch (...) {
      return false;
    }
#else
    std::thread([this] { work(); }).detach();
#endif
    return true;
  }

  void unlink(blocking_job& j) noexcept {  // under m_
    if (j.prev)
      j.prev->next = j.next;
    else
      head_ = j.next;
    if (j.next)
      j.next->prev = j.prev;
    else
      tail_ = j.prev;
    j.prev = j.next = nullptr;
    j.queued = false;
    --queued_;
  }

  void work() noexcept {
    std::unique_lock<std::mutex> lk(m_);
    for (;;) {
      if (!head_) {
        ++idle_;
        const auto since = std::chrono::steady_clock::now();
        // The deadline is read again after each wake-up: set() may have changed the timeout.
        while (!head_ && std::chrono::steady_clock::now() < since + opts_.idle_timeout)
          cv_.wait_until(lk, since + opts_.idle_timeout);
        --idle_;
        if (!head_) {  // idle for the whole timeout
          --threads_;
          return;
        }
      }
      blocking_job* j = head_;
      unlink(*j);
      lk.unlock();
      j->run(j);  // `j` may be gone once this returns
      lk.lock();
    }
  }

  std::mutex m_;
  std::condition_variable cv_;
  blocking_job* head_ = nullptr;  // under m_
  blocking_job* tail_ = nullptr;  // under m_
  std::size_t queued_ = 0;        // under m_
  std::size_t idle_ = 0;          // under m_: threads waiting for a job
  std::size_t threads_ = 0;       // under m_
  blocking_pool_options opts_;    // under m_
};

// Never destroyed: detached threads may still wait on it at process exit.
blocking_pool& pool() noexcept {
  static blocking_pool* p = new blocking_pool;
  return *p;
}

}  // namespace

void blocking_pool_submit(blocking_job& j) noexcept {
  pool().submit(j);
}
bool blocking_pool_cancel(blocking_job& j) noexcept {
  return pool().cancel(j);
}
std::size_t blocking_pool_threads() noexcept {
  return pool().threads();
}
std::size_t blocking_pool_queued() noexcept {
  return pool().queued();
}

}  // namespace detail

void set_blocking_pool_options(const blocking_pool_options& o) noexcept {
  detail::pool().set(o);
}
blocking_pool_options get_blocking_pool_options() noexcept {
  return detail::pool().get();
}

}  // namespace eddy
