// SPDX-License-Identifier: BSL-1.0
// Helpers of the stream tests: collecting a stream, an asynchronous source, printing items.
#pragma once
#include <gtest/gtest.h>

#include <eddy/eddy.hpp>
#include <ostream>
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
}  // namespace eddy

namespace eddy_stream_test {

using namespace eddy;

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

}  // namespace eddy_stream_test
