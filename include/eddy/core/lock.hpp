// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::spin_lock`: the short critical-section lock used inside eddy's primitives. Critical
/// sections under it are a few dozen instructions and never suspend or call user code.
///
/// Hosted builds spin on an atomic flag and yield the thread after a while. With
/// `EDDY_HAS_THREADS == 0` it calls the critical-section hook (`set_critical_section_hooks`),
/// which firmware sets to mask interrupts; by default the hooks do nothing (single context).
#pragma once
#include <atomic>

#include "eddy/core/config.hpp"

namespace eddy {

/// Firmware hooks: `enter` masks interrupts and returns a state that `leave` restores.
struct critical_section_hooks {
  unsigned (*enter)() noexcept;            ///< masks interrupts; returns the previous state
  void (*leave)(unsigned state) noexcept;  ///< restores the state `enter` returned
};
/// Installs the hooks used by every eddy lock when `EDDY_HAS_THREADS == 0`. Not thread-safe.
void set_critical_section_hooks(critical_section_hooks h) noexcept;

namespace detail {

void cpu_relax() noexcept;
void yield_thread() noexcept;
extern critical_section_hooks g_critical_section;
/// One step of a short spin-wait: a pause for the first 63 steps (counted in `spins`, 0 at
/// first), then a yield of the thread at every step.
inline void spin_pause(int& spins) noexcept {
  if (++spins < 64)
    cpu_relax();
  else
    yield_thread();
}

#if EDDY_HAS_THREADS
class spin_lock {
 public:
  void lock() noexcept {
    for (int spins = 0; flag_.exchange(true, std::memory_order_acquire);) {
      while (flag_.load(std::memory_order_relaxed)) spin_pause(spins);
    }
  }
  bool try_lock() noexcept { return !flag_.exchange(true, std::memory_order_acquire); }
  void unlock() noexcept { flag_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> flag_{false};
};
#else
class spin_lock {
 public:
  void lock() noexcept {
    if (g_critical_section.enter) state_ = g_critical_section.enter();
  }
  bool try_lock() noexcept {
    lock();
    return true;
  }
  void unlock() noexcept {
    if (g_critical_section.leave) g_critical_section.leave(state_);
  }

 private:
  unsigned state_ = 0;
};
#endif

/// RAII guard for any lock with lock()/unlock().
template <class L>
class lock_guard {
 public:
  explicit lock_guard(L& l) noexcept : l_(l) { l_.lock(); }
  ~lock_guard() { l_.unlock(); }
  lock_guard(const lock_guard&) = delete;
  lock_guard& operator=(const lock_guard&) = delete;

 private:
  L& l_;
};

}  // namespace detail
}  // namespace eddy
