// SPDX-License-Identifier: BSL-1.0
/// \file
/// The one implementation of the awaitable bridge (`asio_await` / `to_awaitable` for standalone
/// Asio, `boost_asio_await` / `to_boost_awaitable` for Boost.Asio): an Asio asynchronous
/// operation that joins an eddy task, written against a flavour `Net`. This header includes no
/// Asio header; eddy/asio/awaitable.hpp and eddy/boost_asio/awaitable.hpp supply the flavour.
/// The contract is in eddy/asio/awaitable.hpp.
///
/// A flavour `Net` has static function templates `post(ex, f)`, `executor_of(handler)`,
/// `work_guard(handler)` and `cancellation_slot_of(handler)` (the library's
/// `get_associated_executor`, `make_work_guard`, `get_associated_cancellation_slot`).
#pragma once
#include <atomic>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/runtime/spawn.hpp"

namespace eddy {

namespace detail {

template <class T>
struct asio_join_state {
  explicit asio_join_state(join_handle<T>&& handle) noexcept : h(std::move(handle)) {}
  spin_lock lock;
  join_handle<T> h;   // awaited by the joiner task; aborted by the canceller
  bool done = false;  // under lock: the join finished, abort is pointless
  std::atomic<int> refs{1};
  void add_ref() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

template <class T>
class asio_join_canceller {
 public:
  explicit asio_join_canceller(asio_join_state<T>* s) noexcept : s_(s) { s_->add_ref(); }
  asio_join_canceller(const asio_join_canceller&) = delete;
  asio_join_canceller& operator=(const asio_join_canceller&) = delete;
  ~asio_join_canceller() { s_->release(); }
  template <class CancellationType>
  void operator()(CancellationType) noexcept {
    lock_guard<spin_lock> g(s_->lock);
    if (!s_->done) s_->h.abort();
  }

 private:
  asio_join_state<T>* s_;
};

template <class Net, class Handler, class R>
void asio_complete(Handler handler, R r) {
  auto ex = Net::executor_of(handler);
  Net::post(ex, [handler = std::move(handler), r = std::move(r)]() mutable {
    std::move(handler)(std::move(r));
  });
}

template <class Net, class T, class Handler>
task<void> asio_join_task(asio_join_state<T>* s, Handler handler) {
  auto work = Net::work_guard(handler);
  result<T> r = co_await s->h;
  {
    lock_guard<spin_lock> g(s->lock);
    s->done = true;
  }
  s->release();
  asio_complete<Net>(std::move(handler), std::move(r));
}

template <class Net, class T>
struct asio_join_initiation {
  template <class Handler>
  void operator()(Handler&& handler, join_handle<T> h) const {
    if (!h.valid()) {
      asio_complete<Net>(std::forward<Handler>(handler), result<T>(error{errc::invalid_argument}));
      return;
    }
    const executor ex = h.get_executor();
    auto* s = new asio_join_state<T>(std::move(h));
    auto slot = Net::cancellation_slot_of(handler);
    if (slot.is_connected()) slot.template emplace<asio_join_canceller<T>>(s);
    spawn(ex, asio_join_task<Net, T>(s, std::forward<Handler>(handler))).detach();
  }
};

}  // namespace detail
}  // namespace eddy
