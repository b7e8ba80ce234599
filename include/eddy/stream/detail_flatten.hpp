// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::inner_ref<I>`: an inner stream of a flattening operator (`switch_map`,
/// `merge_map`) in its own port (see detail_port.hpp), created per outer value and sharing the
/// operator's `port_hub`. Dropping the reference aborts the inner's pump (an in-flight `next()`
/// of the inner is destroyed at its suspension point) and frees it once the pump is gone.
#pragma once
#include <utility>

#include "eddy/stream/detail_hub.hpp"

namespace eddy::detail {

template <class I>
class inner_block final : public shared_block {
 public:
  inner_block(I s, port_hub* hub) : shared_block(&destroy), p(std::move(s)), hub(hub) {
    hub->add_ref();
  }
  ~inner_block() { hub->release(); }
  port<I> p;
  port_hub* hub;

 private:
  static void destroy(shared_block* b) noexcept { delete static_cast<inner_block*>(b); }
};

template <class I>
class inner_ref {
 public:
  inner_ref() noexcept = default;
  inner_ref(I s, port_hub* hub) : b_(new inner_block<I>(std::move(s), hub)) {}
  inner_ref(inner_ref&& o) noexcept : b_(std::exchange(o.b_, nullptr)) {}
  inner_ref& operator=(inner_ref&& o) noexcept {
    if (this != &o) {
      reset();
      b_ = std::exchange(o.b_, nullptr);
    }
    return *this;
  }
  ~inner_ref() { reset(); }
  explicit operator bool() const noexcept { return b_ != nullptr; }
  void reset() noexcept {
    if (!b_) return;
    b_->p.stop();
    std::exchange(b_, nullptr)->release();
  }
  /// See `port::poll`.
  template <class V>
  bool poll(V& v) {
    return b_->p.poll(*b_->hub, *b_, v);
  }

 private:
  inner_block<I>* b_ = nullptr;
};

/// Forwards an inner item to the operator's visitor; records the end instead.
template <class V>
struct inner_visitor {
  V& v;
  bool ended = false;
  bool emitted = false;
  template <class U>
  void value(U&& x) {
    emitted = true;
    v.value(std::forward<U>(x));
  }
  void error(eddy::error&& e) {
    emitted = true;
    v.error(std::move(e));
  }
  void end() noexcept { ended = true; }
};

}  // namespace eddy::detail
