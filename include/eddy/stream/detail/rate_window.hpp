// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::rate_window_stream<S>`: the window machine of the rate limiters that hold a value
/// until a window closes: `throttle(d, mode)` (throttle.hpp) and `audit(d)` (audit.hpp).
///
/// The machine is idle or has one window `[open, due)` of length `d` open:
/// - idle, a value arrives at `t`: a window `[t, t + d)` opens; the value is emitted at once
///   (`leading`) or becomes the pending value;
/// - a window is open and a value arrives before `due`: it replaces the pending value
///   (`trailing`), or is dropped;
/// - the window closes at `due` (a timer, or an arrival at `due` or later, which is decided
///   first: a value arriving at exactly `due` belongs to what comes after): the pending value,
///   if any, is emitted; then the next window `[due, due + d)` opens (`chain`: throttle, an
///   emission starts a window) or the machine goes idle (audit, and a window that closes with
///   nothing pending).
/// Decisions compare arrival times (detail/timed.hpp), so a late consumer sees the same output.
/// Errors pass through at once and touch neither the window nor the pending value. At the end
/// of the input a pending value is emitted when its window closes, then the end (a rate limit
/// holds to the end); with nothing pending the end comes at once. A window of `never` (a huge
/// `d`) never closes: a pending value then holds the end back for ever.
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/detail/timed.hpp"

namespace eddy::detail {

/// How a `rate_window_stream` opens, fills and chains its windows (see the file comment).
struct rate_window_rule {
  bool leading = true;   ///< the value that opens a window is emitted at once
  bool trailing = true;  ///< a value inside a window becomes the pending value (else dropped)
  bool chain = true;     ///< an emission at a window's end opens the next window
};

/// The stream of the window machine: see the file comment and stream/concept.hpp. The public
/// streams (`throttle_window_stream`, `audit_stream`) derive from it.
template <class S>
class rate_window_stream : public hub_stage<rate_window_stream<S>> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// `bad_rule`: a message if the rule was not valid (`errc::invalid_argument`, then the end).
  rate_window_stream(S s, checked_duration d, rate_window_rule rule, const char* bad_rule)
      : rate_window_stream::hub_stage(d.bad), in_(std::move(s)), d_(d.d), rule_(rule) {
    this->reject(bad_rule);
  }

 private:
  friend struct hub_access;
  port_hub* hub() const noexcept { return in_.hub(); }
  bool deadline(time_point& t) const noexcept {
    if (!pending_) return false;  // a window with nothing pending closes lazily
    t = due_;
    return true;
  }

  template <class V>
  bool produce(V& v) {
    for (;;) {
      if (in_.fill()) {
        if (open_ && in_.arrival() >= due_) {  // the window closed before this arrival
          if (close(v)) return true;
          continue;
        }
        auto it = in_.take();
        if (it.is_error()) {
          v.error(std::move(it).error());
          return true;
        }
        if (!open_) {
          open_ = true;
          due_ = saturating_add(in_.arrival(), d_);
          if (rule_.leading) {
            v.value(std::move(it).value());
            return true;
          }
          pending_.emplace(std::move(it).value());
        } else if (rule_.trailing) {
          pending_.emplace(std::move(it).value());
        }
        continue;
      }
      if (open_ && now() >= due_) {
        if (close(v)) return true;
        continue;
      }
      if (in_.ended()) {
        if (pending_) return false;  // held until its window closes (the deadline)
        v.end();
        return true;
      }
      return false;
    }
  }
  /// The window closes: emits the pending value (true), or goes idle (false).
  template <class V>
  bool close(V& v) {
    if (!pending_) {
      open_ = false;
      return false;
    }
    value_type x = std::move(*pending_);
    pending_.reset();
    if (rule_.chain)
      due_ = saturating_add(due_, d_);  // the emission at `due` opens `[due, due + d)`
    else
      open_ = false;
    v.value(std::move(x));
    return true;
  }

  timed_input<S> in_;
  duration d_;
  rate_window_rule rule_;
  bool open_ = false;  ///< a window is open; it ends at `due_`
  time_point due_{};
  std::optional<value_type> pending_;
};

}  // namespace eddy::detail
