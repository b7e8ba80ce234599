// SPDX-License-Identifier: BSL-1.0
// Helpers of the Streams II tests (s2_*): stamped inputs, timed sources on sim_runtime.
#pragma once
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "stream/stream_test_util.hpp"

namespace eddy {
template <class T>
void PrintTo(const stamped<T>& s, std::ostream* os) {
  *os << ::testing::PrintToString(s.value) << "@" << s.at.time_since_epoch().count() / 1000000
      << "ms";
}
template <class T>
void PrintTo(const sequenced<T>& s, std::ostream* os) {
  *os << ::testing::PrintToString(s.value) << "#" << s.seq;
}
}  // namespace eddy

namespace s2 {

using namespace eddy;
using namespace eddy_stream_test;
using namespace std::chrono_literals;

/// A time point `ms` milliseconds after the epoch (sim_runtime starts at 0).
inline time_point at_ms(std::int64_t ms) {
  return time_point{std::chrono::milliseconds(ms)};
}

/// Milliseconds since the epoch of `t`.
inline std::int64_t ms_of(time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

/// A timed item of a marble: `item` at absolute virtual time `ms` (an empty optional = the end).
template <class T>
struct timed {
  std::int64_t ms;
  std::optional<item<T>> it;
};

/// A generator that sleeps until each item's time and yields it (ends at the last entry's time
/// if that entry is the end, else right after the last item).
template <class T>
generator<T> timed_source(std::vector<timed<T>> v) {
  for (auto& x : v) {
    co_await sleep_until(at_ms(x.ms));
    if (!x.it) co_return;
    co_yield std::move(*x.it);
  }
}

/// The same, with each value stamped with its time.
template <class T>
generator<stamped<T>> stamped_source(std::vector<timed<T>> v) {
  for (auto& x : v) {
    co_await sleep_until(at_ms(x.ms));
    if (!x.it) co_return;
    if (x.it->is_value())
      co_yield stamped<T>{std::move(*x.it).value(), at_ms(x.ms)};
    else
      co_yield x.it->error();
  }
}

/// An observed output: the item (or end) and the virtual time it was received at.
template <class T>
struct seen {
  std::int64_t ms;
  std::optional<item<T>> it;
  friend bool operator==(const seen&, const seen&) = default;
};
template <class T>
void PrintTo(const seen<T>& s, std::ostream* os) {
  *os << "@" << s.ms << ":";
  if (s.it)
    PrintTo(*s.it, os);
  else
    *os << "|";
}

/// Collects every item of `s` with the virtual time it arrived; the end is the last entry.
template <class S>
task<std::vector<seen<stream_value_t<S>>>> marble(S s) {
  std::vector<seen<stream_value_t<S>>> out;
  for (;;) {
    auto r = co_await s.next();
    out.push_back({ms_of(now()), r});
    if (!r) break;
  }
  co_return out;
}

template <class T>
seen<T> V(std::int64_t ms, T v) {
  return {ms, item<T>(std::move(v))};
}
template <class T>
seen<T> Err(std::int64_t ms, std::uint64_t code) {
  return {ms, item<T>(E(code))};
}
template <class T>
seen<T> End(std::int64_t ms) {
  return {ms, std::nullopt};
}

/// Values of a vector of stamped items (errors become -1).
template <class T>
std::vector<T> values_of(const items<stamped<T>>& v) {
  std::vector<T> out;
  for (auto& x : v) out.push_back(x.is_value() ? x.value().value : T(-1));
  return out;
}

/// `n` stamped values `base, base+step, ...` at times `t0, t0+dt, ...` (a synchronous source).
inline items<stamped<int>> stamped_ints(int n, int base, int step, std::int64_t t0,
                                        std::int64_t dt) {
  items<stamped<int>> out;
  for (int i = 0; i < n; ++i) out.push_back(stamped<int>{base + i * step, at_ms(t0 + i * dt)});
  return out;
}

}  // namespace s2
