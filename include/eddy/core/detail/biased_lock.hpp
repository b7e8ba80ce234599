// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::biased_lock`: a `spin_lock` that costs no atomic read-modify-write while one thread
/// is the only one to take it. Internal; used by long-lived primitives whose every operation
/// takes a short lock (the `mpsc` channel), where two locked instructions per item were most of
/// the cost of a channel used on one runtime thread.
///
/// How it works (a biased lock with an asymmetric barrier, as the JVM's biased locking and
/// userspace RCU do):
/// - The first thread to lock it becomes its *owner*. The owner takes and releases it with
///   plain (relaxed) stores and loads: `held_ = true`, then check `revoking_`. No fence.
/// - Any other thread *revokes* the bias once: it takes the spin lock, sets `revoking_`, runs a
///   process-wide memory barrier (Linux `membarrier(PRIVATE_EXPEDITED)`: every running thread of
///   the process executes a full fence), then waits while the owner is inside. After the
///   barrier the owner's `held_` store is visible to it, and the owner's next `revoking_` load
///   sees the flag, so the two can never both be inside. From then on the lock is an ordinary
///   spin lock for every thread, the owner included (`owner_ == shared`). A revocation costs
///   about a microsecond; it happens once per lock, the first time a second thread uses it.
/// - Where the barrier is not available (not Linux, the syscall refused, no threads), the lock
///   is an ordinary spin lock from its first use.
///
/// Thread-safety: as `spin_lock` (any thread; not recursive). Critical sections are short and
/// never suspend. Each thread gets a unique token on its first lock (never reused).
#pragma once
#include <atomic>
#include <cstdint>

#include "eddy/core/lock.hpp"

namespace eddy::detail {

#if EDDY_HAS_THREADS && defined(__linux__)
#define EDDY_BIASED_LOCK 1

/// A new unique token for the calling thread (never 0 or 1).
std::uintptr_t new_thread_token() noexcept;
/// True when the process-wide barrier works here (checked once, registers the process).
bool biased_locks_enabled() noexcept;
/// Runs a full memory fence on every running thread of this process (`membarrier`).
void heavy_barrier() noexcept;

/// This thread's token (see `biased_lock`), made on the first call.
inline constinit thread_local std::uintptr_t t_lock_token = 0;
inline std::uintptr_t this_thread_token() noexcept {
  std::uintptr_t t = t_lock_token;
  if (t == 0) [[unlikely]]
    t = t_lock_token = new_thread_token();
  return t;
}

class biased_lock {
 public:
  [[gnu::always_inline]] void lock() noexcept { (void)lock_mode(); }
  /// `lock`, telling how it was taken: true when through the bias (then `unlock_biased`, else
  /// `unlock_shared`, releases it; `unlock` finds out by itself).
  [[gnu::always_inline]] bool lock_mode() noexcept {
    const std::uintptr_t me = this_thread_token();
    if (owner_.load(std::memory_order_relaxed) == me && enter_as_owner()) [[likely]]
      return true;
    return lock_slow(me);
  }
  /// For a structure with a thread-safe lock-free path beside its locked one (the bounded
  /// `mpsc` ring): true when this thread is now inside as the bias owner, with no atomic
  /// read-modify-write (leave with `unlock_biased`); no other thread can then be inside or on
  /// the lock-free path. False when the lock is shared (made so first, revoking another
  /// thread's bias, if needed): the caller takes its lock-free path, without the lock.
  [[gnu::always_inline]] bool enter_biased_or_share() noexcept {
    const std::uintptr_t o = owner_.load(std::memory_order_acquire);
    if (o == this_thread_token() && enter_as_owner()) [[likely]]
      return true;
    if (o == shared) return false;
    return enter_slow(this_thread_token());
  }
  [[gnu::always_inline]] void unlock_biased() noexcept {
    held_.store(false, std::memory_order_release);
  }
  [[gnu::always_inline]] void unlock_shared() noexcept { flag_.unlock(); }
  /// True while this thread owns the bias and no revocation has begun: then no other thread
  /// can be inside, and none can enter without first running the revocation's process-wide
  /// barrier. A Dekker pair whose other side takes this lock needs no fence on this side when
  /// this is true: store, then call this, then load.
  [[gnu::always_inline]] bool owned_by_this_thread() const noexcept {
    std::atomic_signal_fence(std::memory_order_seq_cst);
    return owner_.load(std::memory_order_relaxed) == this_thread_token() &&
           !revoking_.load(std::memory_order_relaxed);
  }
  /// `owned_by_this_thread()` for a caller that asks often from one thread: `lost` (the
  /// caller's, false at first, only ever used by that thread) becomes true once the answer can
  /// never be true again (another thread holds the bias, or it is revoked), and from then on
  /// the lock's line is not read at all (it stays with the threads that take the lock).
  [[gnu::always_inline]] bool owned_by_this_thread(bool& lost) const noexcept {
    if (lost) return false;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    const std::uintptr_t o = owner_.load(std::memory_order_relaxed);
    if (o == this_thread_token() && !revoking_.load(std::memory_order_relaxed)) return true;
    if (o != unowned) lost = true;  // the owner never changes back, nor `revoking_`
    return false;
  }
  [[gnu::always_inline]] void unlock() noexcept {
    // The owner cannot change while its holder is inside, so this tells the mode it took.
    if (owner_.load(std::memory_order_relaxed) == this_thread_token()) [[likely]]
      unlock_biased();
    else
      unlock_shared();
  }

 private:
  static constexpr std::uintptr_t unowned = 0, shared = 1;

  // The owner's way in: say it is inside, then look for a revoker (the revoker's barrier orders
  // the two). False, having stepped back out, when a revocation has begun.
  [[gnu::always_inline]] bool enter_as_owner() noexcept {
    held_.store(true, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (!revoking_.load(std::memory_order_relaxed)) [[likely]]
      return true;
    held_.store(false, std::memory_order_release);
    return false;
  }

  // The first use: this thread becomes the owner (or, without the barrier, the lock becomes
  // shared for good). True when it is now inside as the owner.
  bool enter_first(std::uintptr_t me) noexcept {
    std::uintptr_t o = owner_.load(std::memory_order_acquire);
    if (o != unowned) return false;
    const std::uintptr_t want = biased_locks_enabled() ? me : shared;
    return owner_.compare_exchange_strong(o, want, std::memory_order_acq_rel) && want == me &&
           enter_as_owner();
  }

  // The first lock, a revocation, or shared mode: out of line, so the fast path inlines.
  [[gnu::noinline]] bool lock_slow(std::uintptr_t me) noexcept {
    if (enter_first(me)) return true;
    flag_.lock();
    if (owner_.load(std::memory_order_acquire) != shared) revoke();
    return false;
  }

  // `enter_biased_or_share`'s first use or revocation.
  [[gnu::noinline]] bool enter_slow(std::uintptr_t me) noexcept {
    if (enter_first(me)) return true;
    if (owner_.load(std::memory_order_acquire) == shared) return false;
    flag_.lock();
    if (owner_.load(std::memory_order_acquire) != shared) revoke();
    flag_.unlock();
    return false;
  }

  // Holding flag_: takes the bias away from its owner for good.
  [[gnu::noinline]] void revoke() noexcept {
    revoking_.store(true, std::memory_order_seq_cst);
    heavy_barrier();
    for (int spins = 0; held_.load(std::memory_order_acquire);) spin_pause(spins);
    owner_.store(shared, std::memory_order_release);
  }

  std::atomic<std::uintptr_t> owner_{unowned};  ///< unowned, shared, or the owner's token
  std::atomic<bool> held_{false};               ///< the owner is inside (biased mode only)
  std::atomic<bool> revoking_{false};           ///< set once, by the first revoker
  spin_lock flag_;                              ///< the lock once shared
};

/// The guard, inlined (g++ leaves the generic guard's constructor out of line in large
/// coroutine bodies, which cost a call per lock); it remembers how the lock was taken, so the
/// release needs no second look at the owner.
template <>
class lock_guard<biased_lock> {
 public:
  [[gnu::always_inline]] explicit lock_guard(biased_lock& l) noexcept
      : l_(l), biased_(l.lock_mode()) {}
  /// True when the lock was taken through its bias: no other thread can be inside, nor on a
  /// lock-free path beside it (see `biased_lock::enter_biased_or_share`).
  bool biased() const noexcept { return biased_; }
  [[gnu::always_inline]] ~lock_guard() {
    if (biased_) [[likely]]
      l_.unlock_biased();
    else
      l_.unlock_shared();
  }
  lock_guard(const lock_guard&) = delete;
  lock_guard& operator=(const lock_guard&) = delete;

 private:
  biased_lock& l_;
  bool biased_;
};

#else
/// Without threads or without the barrier: the plain lock.
class biased_lock : public spin_lock {
 public:
  /// Without threads: takes the lock (on firmware, the critical section that masks
  /// interrupts) and says true, so the caller's exclusive path runs inside it. With threads
  /// but no barrier: false, the caller takes its thread-safe lock-free path.
  bool enter_biased_or_share() noexcept {
    if (EDDY_HAS_THREADS) return false;
    lock();
    return true;
  }
  /// Leaves what `enter_biased_or_share` entered.
  void unlock_biased() noexcept { unlock(); }
  /// Without threads one context runs at a time (an interrupt sees every store of the code it
  /// interrupted): true. With threads but no barrier: false, the caller fences.
  bool owned_by_this_thread() const noexcept { return !EDDY_HAS_THREADS; }
  /// The same; `lost` is not used.
  bool owned_by_this_thread(bool& lost) const noexcept {
    (void)lost;
    return !EDDY_HAS_THREADS;
  }
};
/// The guard of the plain lock, telling whether the caller's exclusive path may run under it
/// (as the biased guard does).
template <>
class lock_guard<biased_lock> {
 public:
  explicit lock_guard(biased_lock& l) noexcept : l_(l) { l_.lock(); }
  ~lock_guard() { l_.unlock(); }
  lock_guard(const lock_guard&) = delete;
  lock_guard& operator=(const lock_guard&) = delete;
  /// Without threads, true: nothing else runs inside the lock. With threads, false.
  bool biased() const noexcept { return !EDDY_HAS_THREADS; }

 private:
  biased_lock& l_;
};
#endif

}  // namespace eddy::detail
