// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::locked_wait<Ready>`: the one wait of the stream layer's shared states (a port's pump
/// waiting for a request, a hot source's reader waiting for its buffer, `subscribe_latest`'s
/// two tasks waiting for each other): suspends until `ready()` holds under a lock, registered in
/// a waker slot of the state (the task_header.hpp protocol: register under the lock, wake once
/// under the lock). Cancel-safe: the destructor deregisters.
#pragma once
#include "eddy/core/coro.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy::detail {

/// Task dumps: what the stream layer's waits are.
struct stream_waits {
  static constexpr wait_kind generic{"stream: waiting for the other side", nullptr};
  static constexpr wait_kind pump_request{"stream port: the pump waits for a request", nullptr};
  static constexpr wait_kind pump_room{"stream buffer: the pump waits for room", nullptr};
  static constexpr wait_kind reader{"stream: the reader waits for items", nullptr};
};

/// See the file comment. `ready` is called under `lock`; whoever makes it true wakes `slot`.
/// `kind`: what a dump says the task waits on.
template <class Ready>
class locked_wait {
 public:
  locked_wait(spin_lock& lock, waker& slot, Ready ready,
              const wait_kind& kind = stream_waits::generic) noexcept
      : l_(lock), slot_(slot), ready_(ready), kind_(&kind) {}
  locked_wait(const locked_wait&) = delete;
  locked_wait& operator=(const locked_wait&) = delete;
  ~locked_wait() {
    if (me_) {
      lock_guard<spin_lock> g(l_);
      if (slot_ == me_) slot_ = waker{};
    }
  }
  bool await_ready() {
    lock_guard<spin_lock> g(l_);
    return ready_();
  }
  bool await_suspend(coro::coroutine_handle<> h) {
    lock_guard<spin_lock> g(l_);
    if (ready_()) return false;
    me_ = suspend_here(h, *kind_);
    slot_ = me_;
    return true;
  }
  void await_resume() noexcept { me_ = waker{}; }

 private:
  spin_lock& l_;
  waker& slot_;
  Ready ready_;
  const wait_kind* kind_;
  waker me_;
};

}  // namespace eddy::detail
