// SPDX-License-Identifier: BSL-1.0
/// \file
/// `sample_ratio(r, seed)`: keeps each value with probability `r`, deterministically per seed.
///
/// ```
/// source:  --1--2--3--E--4--5--6--|
///          sample_ratio(0.5, seed)
/// output:  --1-----3--E-----5-----|   (which values depends only on the seed and the order)
/// ```
/// - Every error passes through (errors are never sampled away). `r == 0` drops every value,
///   `r == 1` keeps every value. The same seed over the same values keeps the same values, on
///   every platform (SplitMix64, 53-bit uniform draws).
/// - `r` outside [0, 1] (or NaN): the stream yields one `errc::invalid_argument` error and ends.
/// - Does not buffer.
#pragma once
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

namespace detail {
/// SplitMix64 (public-domain constants).
struct splitmix64 {
  std::uint64_t s;
  std::uint64_t next() noexcept {
    s += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1).
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};
}  // namespace detail

/// The stream of `sample_ratio`: see the file comment and stream/concept.hpp.
template <class S>
class sample_ratio_stream : public detail::stage<sample_ratio_stream<S>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `sample_ratio(...)`.
  sample_ratio_stream(S s, double ratio, std::uint64_t seed)
      : sample_ratio_stream::stage(std::move(s)),
        ratio_(ratio),
        rng_{seed},
        check_(ratio >= 0.0 && ratio <= 1.0 ? nullptr : "sample_ratio: ratio outside [0, 1]") {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  template <class E>
  void pre(E& e) {
    check_.report(e);
  }
  template <class E>
  void on_value(value_type&& v, E& e) {
    if (rng_.uniform() < ratio_) e.value(std::move(v));
  }

  double ratio_;
  detail::splitmix64 rng_;
  detail::arg_check check_;
};

/// `s | sample_ratio(r, seed)`: see the file comment.
inline auto sample_ratio(double ratio, std::uint64_t seed) {
  return detail::bind_stream<sample_ratio_stream>(ratio, seed);
}

}  // namespace eddy
