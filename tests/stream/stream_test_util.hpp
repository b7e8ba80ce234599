// SPDX-License-Identifier: BSL-1.0
// Helpers of the stream tests: collecting a stream, an asynchronous source, printing items, and
// for the time operators timed sources and marbles on sim_runtime (exact virtual times).
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <eddy/eddy.hpp>
#include <optional>
#include <ostream>
#include <utility>
#include <vector>

#include "conformance/runtimes.hpp"

namespace eddy {
template <class T>
void PrintTo(const item<T>& it, std::ostream* os) {
  if (it.is_error()) {
    *os << "E(" << to_string(it.error().code()) << "," << it.error().count() << ")";
  } else {
    *os << ::testing::PrintToString(it.value());
  }
}
template <class T>
void PrintTo(const with_previous<T>& w, std::ostream* os) {
  *os << "{" << (w.previous ? ::testing::PrintToString(*w.previous) : std::string("-")) << ","
      << ::testing::PrintToString(w.current) << "}";
}
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

namespace eddy_stream_test {

using namespace eddy;
using namespace std::chrono_literals;

/// A user error with code `n` (errors compare by code and count).
inline error E(std::uint64_t n) {
  return error{errc::user, n};
}

template <class T>
using items = std::vector<item<T>>;

/// `items<int>` from values and errors. Use it inside coroutines instead of a braced list:
/// g++ 12 miscompiles some `std::initializer_list` temporaries in coroutine bodies ("array used
/// as initializer").
template <class... A>
items<int> L(A... a) {
  items<int> v;
  (v.push_back(item<int>(a)), ...);
  return v;
}

/// Every item of `s`, by `co_await s.next()` until the end.
template <class S>
task<items<stream_value_t<S>>> collect(S s) {
  items<stream_value_t<S>> out;
  while (auto r = co_await s.next()) out.push_back(std::move(*r));
  co_return out;
}

/// Every item of `s`, through `subscribe` (which uses the synchronous fast path when it can).
template <class S>
task<items<stream_value_t<S>>> collect_subscribe(S s) {
  using T = stream_value_t<S>;
  items<T> out;
  auto r = co_await subscribe(
      std::move(s), [&out](T v) { out.push_back(std::move(v)); },
      [&out](error e) { out.push_back(std::move(e)); });
  EXPECT_TRUE(r.has_value());
  co_return out;
}

/// A source that suspends (yield_now) before every item and before the end: every `next()`
/// of a stage over it goes through the asynchronous path.
template <class T>
generator<T> async_items(items<T> v) {
  for (auto& x : v) {
    co_await yield_now();
    co_yield std::move(x);
  }
  co_await yield_now();
}

/// The same items, with no fast path and no suspension (a plain awaitable `next()`).
template <class T>
class plain_source {
 public:
  explicit plain_source(items<T> v) : v_(std::move(v)) {}
  struct awaiter {
    std::optional<item<T>> r;
    bool await_ready() const noexcept { return true; }
    void await_suspend(coro::coroutine_handle<>) const noexcept {}
    std::optional<item<T>> await_resume() { return std::move(r); }
  };
  awaiter next() {
    if (i_ == v_.size()) return {std::nullopt};
    return {std::optional<item<T>>(v_[i_++])};
  }

 private:
  items<T> v_;
  std::size_t i_ = 0;
};

/// Runs `build(source)` over the input given four ways (a synchronous range, a plain awaitable
/// source, an asynchronous generator, and through `subscribe`) and checks each output.
template <class Fx, class T, class Build, class U>
void check_all(Fx& f, const items<T>& input, Build build, const items<U>& expected) {
  EXPECT_EQ(f.block_on(collect(build(from_range(items<T>(input))))), expected) << "sync range";
  EXPECT_EQ(f.block_on(collect(build(plain_source<T>(input)))), expected) << "plain awaitable";
  EXPECT_EQ(f.block_on(collect(build(async_items<T>(input)))), expected) << "async generator";
  EXPECT_EQ(f.block_on(collect_subscribe(build(from_range(items<T>(input))))), expected)
      << "subscribe, sync range";
  EXPECT_EQ(f.block_on(collect_subscribe(build(async_items<T>(input)))), expected)
      << "subscribe, async generator";
}

/// The same on a `local_runtime` and a `sim_runtime`.
template <class T, class Build, class U>
void check_all(const items<T>& input, Build build, const items<U>& expected) {
  {
    SCOPED_TRACE("local_runtime");
    eddy_test::local_fixture f;
    check_all(f, input, build, expected);
  }
  {
    SCOPED_TRACE("sim_runtime");
    eddy_test::sim_fixture f;
    check_all(f, input, build, expected);
  }
}

/// Runs the task made by `make()` on a `local_runtime`, then (made again) on a `sim_runtime`;
/// checks that both give the same result and returns it.
template <class Make>
auto both(Make make) {
  eddy_test::local_fixture l;
  auto a = l.block_on(make());
  eddy_test::sim_fixture s;
  auto b = s.block_on(make());
  EXPECT_EQ(a, b) << "local_runtime and sim_runtime disagree";
  return a;
}

/// The operator tests run on the single-threaded runtimes (the consumers also on pools).
using op_runtimes = ::testing::Types<eddy_test::local_fixture, eddy_test::sim_fixture>;

// ---- timed sources and marbles (the time operators, on sim_runtime) ----------------------

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

/// `marble` for a slow consumer: after each item it works `per` (virtual time) before asking
/// for the next.
template <class S>
task<std::vector<seen<stream_value_t<S>>>> slow(S& s, std::chrono::milliseconds per) {
  std::vector<seen<stream_value_t<S>>> out;
  for (;;) {
    auto r = co_await s.next();
    out.push_back({ms_of(now()), r});
    if (!r) break;
    co_await sleep(per);
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

}  // namespace eddy_stream_test
