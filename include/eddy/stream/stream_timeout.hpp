// SPDX-License-Identifier: BSL-1.0
/// \file
/// `timeout(d)` as a stream operator: an `errc::timed_out` error, then the end, when the
/// upstream gives no item for `d`.
///
/// ```
/// time:    0    10   20   30   40   50   60
/// source:  a----b-------------------c--|     (d = 25)
///          timeout(25)
/// output:  a----b------------E(35)|          (timed_out 25 after the operator began waiting at 10)
/// ```
/// - The timer runs while the operator waits for the upstream's next item: it starts when a
///   `next()` finds no item ready (after the previous item was handed on) and restarts with
///   every item (value or error). If `d` passes first, the output is one `errc::timed_out`
///   error, then the end; the upstream's pull in flight is cancelled (its pump is aborted;
///   the upstream's cancel-safety applies) and the upstream is never pulled again.
/// - **Output timestamp: the item's own** (items pass unchanged).
/// - An item that arrives in the very instant the timer fires may come first or not (on
///   `sim_runtime` the seed decides); an item that is already there always comes first.
/// - Errors of the upstream pass through at once (and restart the timer). The end passes.
/// - Buffering: one head. A synchronous upstream never waits, so it never times out.
/// - `d <= 0`: the stream yields one `errc::invalid_argument` error and ends.
/// - Naming: `s | timeout(d)` (one argument, this operator) and `co_await timeout(d, aw)`
///   (runtime/timeout.hpp, two arguments) are overloads of the same name and live together.
#pragma once
#include <optional>
#include <utility>

#include "eddy/core/detail/chrono.hpp"
#include "eddy/runtime/timeout.hpp"
#include "eddy/stream/detail/timed.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `timeout`: see the file comment and stream/concept.hpp.
template <class S>
class timeout_stream : public detail::hub_stage<timeout_stream<S>> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `timeout(...)`.
  timeout_stream(S s, detail::checked_duration d)
      : timeout_stream::hub_stage(d.bad), in_(std::move(s)), d_(d.d) {}

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }
  bool deadline(time_point& t) const noexcept {
    if (!waiting_) return false;
    t = saturating_add(since_, d_);
    return true;
  }

  template <class V>
  bool produce(V& v) {
    if (in_.fill()) {
      waiting_ = false;
      detail::visit_result(std::optional<item<value_type>>(in_.take()), v);
      return true;
    }
    if (in_.ended()) return this->finish(v);
    const time_point t = now();
    if (!waiting_) {
      waiting_ = true;
      since_ = t;
      return false;
    }
    if (t < saturating_add(since_, d_)) return false;
    this->close();
    in_.stop();
    v.error(error{errc::timed_out, 0, "timeout: no item within the duration"});
    return true;
  }

  detail::timed_input<S> in_;
  duration d_;
  bool waiting_ = false;
  time_point since_{};
};

/// `s | timeout(d)`: see the file comment. (`timeout(d, awaitable)` is the awaitable form.)
template <class D>
auto timeout(D d) {
  static_assert(detail::is_duration<D>,
                "eddy::timeout: the argument must be a std::chrono::duration (e.g. 100ms)");
  return detail::bind_stream<timeout_stream>(
      detail::checked_duration::make(d, "timeout: duration must be positive"));
}

}  // namespace eddy
