// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::time_batch<Op, S>`: the body shared by `buffer_time` and `chunks`, which both
/// collect values into a `std::vector` and emit it when a deadline passes or when it holds
/// `max` values, whichever comes first. They differ only in where a batch's deadline comes
/// from (`batch_clock`):
/// - `aligned` (`buffer_time`): a fixed grid of periods `[t0 + k*d, t0 + (k+1)*d)` from the
///   first pull; a value belongs to the period of its arrival; a full batch leaves the period
///   running;
/// - `from_first` (`chunks`): a batch's deadline is `d` after the arrival of its first value;
///   a full batch ends it, and the next batch starts with the next value.
/// Common rules: an empty batch never emits; a value arriving exactly at the deadline goes to
/// the next batch; errors pass through at once and keep the batch (and its deadline); at the
/// end of the input a non-empty batch is emitted at once, then the end.
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

#include "eddy/stream/detail/timed.hpp"

namespace eddy::detail {

/// Where a batch's deadline comes from (see the file comment).
enum class batch_clock : unsigned char { aligned, from_first };

/// The body of a batching time operator `Op` over `S` (CRTP; `Op` befriends `hub_access`).
template <class Op, class S>
class time_batch : public hub_stage<Op> {
  using T = stream_value_t<S>;

 public:
  /// A batch.
  using value_type = std::vector<T>;

 protected:
  /// `bad_max` is the message when `max == 0`.
  time_batch(S s, checked_duration d, std::size_t max, batch_clock c, const char* bad_max)
      : hub_stage<Op>(d.bad), in_(std::move(s)), d_(d.d), max_(max), clock_(c) {
    if (max == 0) this->reject(bad_max);
  }
  time_batch(time_batch&&) = default;

  port_hub* hub() const noexcept { return in_.hub(); }
  bool deadline(time_point& t) const noexcept {
    if (buf_.empty()) return false;
    t = end_;
    return true;
  }

  template <class V>
  bool produce(V& v) {
    if (!started_) {
      started_ = true;
      if (clock_ == batch_clock::aligned) end_ = saturating_add(now(), d_);
    }
    for (;;) {
      if (in_.fill()) {
        const time_point t = in_.arrival();
        if (!buf_.empty() && t >= end_) return emit_batch(v);
        if (clock_ == batch_clock::aligned && t >= end_)
          end_ = next_period(end_, d_, t);  // skip the empty periods
        auto it = in_.take();
        if (it.is_error()) {
          v.error(std::move(it).error());
          return true;
        }
        if (buf_.empty()) {
          buf_.reserve(max_ < 16 ? max_ : 16);
          if (clock_ == batch_clock::from_first) end_ = saturating_add(t, d_);
        }
        buf_.push_back(std::move(it).value());
        if (buf_.size() == max_) {
          v.value(std::exchange(buf_, value_type{}));  // an aligned period goes on
          return true;
        }
        continue;
      }
      if (in_.ended()) {
        if (!buf_.empty()) {
          v.value(std::exchange(buf_, value_type{}));
          return true;
        }
        v.end();
        return true;
      }
      if (!buf_.empty() && now() >= end_) return emit_batch(v);
      return false;
    }
  }

 private:
  /// The deadline passed with a non-empty batch.
  template <class V>
  bool emit_batch(V& v) {
    if (clock_ == batch_clock::aligned) end_ = saturating_add(end_, d_);
    v.value(std::exchange(buf_, value_type{}));
    return true;
  }

  timed_input<S> in_;
  duration d_;
  std::size_t max_;
  batch_clock clock_;
  bool started_ = false;
  time_point end_{};  ///< the deadline of the current batch (aligned: of the current period)
  value_type buf_;
};

}  // namespace eddy::detail
