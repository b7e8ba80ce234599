// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::lock_hold<M, Exclusive>`: the RAII guard of `mutex` (`mutex_guard`) and of
/// `shared_mutex` (`exclusive_guard`, `shared_guard`).
///
/// Owns one hold on `M` — alone (`Exclusive`) or shared — or nothing. Move-only. Destroying it,
/// or `unlock()`, gives the hold back through `M::release_hold(Exclusive)` (which hands the
/// lock to the first waiter). An empty guard (default-constructed, moved-from, unlocked, or a
/// failed `try_lock*`) does nothing. Only `M` makes a non-empty one.
/// Thread-safety: a guard may be unlocked from any thread or task; one guard is not shared.
#pragma once
#include <utility>

namespace eddy::detail {

template <class M, bool Exclusive>
class [[nodiscard]] lock_hold {
 public:
  lock_hold() noexcept = default;
  /// Takes over `o`'s hold (if any); `o` becomes empty.
  lock_hold(lock_hold&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
  /// Releases what this held, then takes over `o`'s hold; `o` becomes empty.
  lock_hold& operator=(lock_hold&& o) noexcept {
    if (this != &o) {
      unlock();
      m_ = std::exchange(o.m_, nullptr);
    }
    return *this;
  }
  lock_hold(const lock_hold&) = delete;
  lock_hold& operator=(const lock_hold&) = delete;
  ~lock_hold() { unlock(); }

  /// Releases the hold now. No-op on an empty guard. Idempotent.
  void unlock() noexcept {
    if (m_) std::exchange(m_, nullptr)->release_hold(Exclusive);
  }
  /// True while this guard holds the lock.
  bool owns_lock() const noexcept { return m_ != nullptr; }
  /// `owns_lock()`.
  explicit operator bool() const noexcept { return m_ != nullptr; }
  /// The lock held, or null.
  M* get_mutex() const noexcept { return m_; }

 private:
  friend M;
  explicit lock_hold(M* m) noexcept : m_(m) {}
  M* m_ = nullptr;
};

}  // namespace eddy::detail
