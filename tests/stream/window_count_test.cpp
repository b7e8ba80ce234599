// SPDX-License-Identifier: BSL-1.0
// window_count(n): windows of n values as streams, errors to the outer stream only, the end ends
// the partial window, exact times on sim_runtime, an undrained window (policies), a window
// dropped unread, a dropped outer stream, composition, the empty stream, bad arguments.
#include <algorithm>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::window_count_test {
namespace {

/// What a window_count gave: each window's items (drained concurrently) and the outer errors.
struct windows_out {
  std::vector<items<int>> windows;
  items<int> errors;
  friend bool operator==(const windows_out&, const windows_out&) = default;
};

template <class W>
task<windows_out> collect_windows(W w) {
  windows_out out;
  std::vector<join_handle<items<int>>> hs;
  while (auto x = co_await w.next()) {
    if (x->is_error()) {
      out.errors.push_back(item<int>(std::move(*x).error()));
      continue;
    }
    hs.push_back(spawn(collect(std::move(*x).value())));
  }
  for (auto& h : hs) {
    auto r = co_await h;
    out.windows.push_back(r.value());
  }
  co_return out;
}

TEST(WindowCount, WindowsOfNErrorsToTheOuterStreamPartialLastWindow) {
  const auto sync =
      both([] { return collect_windows(from_range(L(1, 2, 3, E(9), 4, 5)) | window_count(2)); });
  const auto async =
      both([] { return collect_windows(async_items(L(1, 2, 3, E(9), 4, 5)) | window_count(2)); });
  for (const auto& out : {sync, async}) {
    ASSERT_EQ(out.windows.size(), 3u);
    EXPECT_EQ(out.windows[0], L(1, 2));
    EXPECT_EQ(out.windows[1], L(3, 4));  // the error does not count and closes nothing
    EXPECT_EQ(out.windows[2], L(5));
    EXPECT_EQ(out.errors, L(E(9)));
  }
}

std::vector<timed<int>> marble_input() {  // (g++ 12: no braced lists inside coroutine bodies)
  return {{10, 1}, {20, 2}, {30, 3}, {40, E(5)}, {50, 4}, {60, 5}, {70, std::nullopt}};
}

TEST(WindowCount, ExactTimesAWindowEndsWithItsNthValue) {
  // The file comment's marble, on virtual time.
  sim_runtime sim{1};
  using marbles_t = std::vector<std::vector<seen<int>>>;
  auto out = sim.block_on([]() -> task<std::pair<std::vector<seen<int>>, marbles_t>> {
    auto w = timed_source<int>(marble_input()) | window_count(2);
    std::vector<seen<int>> outer;  // a window appears as value k (its number)
    std::vector<join_handle<std::vector<seen<int>>>> hs;
    int k = 0;
    while (auto x = co_await w.next()) {
      if (x->is_error()) {
        outer.push_back({ms_of(now()), item<int>(std::move(*x).error())});
        continue;
      }
      outer.push_back(V(ms_of(now()), k++));
      hs.push_back(spawn(marble(std::move(*x).value())));
    }
    outer.push_back(End<int>(ms_of(now())));
    marbles_t ws;
    for (auto& h : hs) ws.push_back((co_await h).value());
    co_return std::pair{outer, ws};
  }());
  EXPECT_EQ(out.first,
            (std::vector<seen<int>>{V(10, 0), V(30, 1), Err<int>(40, 5), V(60, 2), End<int>(70)}));
  ASSERT_EQ(out.second.size(), 3u);
  EXPECT_EQ(out.second[0], (std::vector<seen<int>>{V(10, 1), V(20, 2), End<int>(20)}));
  EXPECT_EQ(out.second[1], (std::vector<seen<int>>{V(30, 3), V(50, 4), End<int>(50)}));
  EXPECT_EQ(out.second[2], (std::vector<seen<int>>{V(60, 5), End<int>(70)}));
}

TEST(WindowCount, ReadingWindowsOneAfterAnotherNeedsNoConcurrency) {
  // concat_map drains each window before asking for the next: a window of n values through a
  // buffer of 1 under overflow::wait.
  auto out = both([] {
    return collect(async_items(L(1, 2, 3, 4, 5, 6, 7)) | window_count(3, buffer_policy::wait(1)) |
                   concat_map([](auto w) { return std::move(w) | window_by_count(10); }));
  });
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].value(), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(out[1].value(), (std::vector<int>{4, 5, 6}));
  EXPECT_EQ(out[2].value(), (std::vector<int>{7}));
}

TEST(WindowCount, AnUndrainedWindowWithADroppingPolicyKeepsItsNewestAndHoldsNothingBack) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    auto w = from_range(L(1, 2, 3, 4, 5, 6, 7)) | window_count(5, buffer_policy::drop_oldest(2));
    auto first = co_await w.next();  // window 0, not read yet
    EXPECT_TRUE(first && first->is_value());
    if (!first || !first->is_value()) co_return;
    auto w0 = std::move(*first).value();
    auto second = co_await w.next();  // pulls 2..6 through window 0 (which keeps 4, 5)
    EXPECT_TRUE(second && second->is_value());
    if (!second || !second->is_value()) co_return;
    EXPECT_EQ(w0.dropped(), 3u);  // 1, 2, 3 made room for 4, 5
    EXPECT_EQ(co_await collect(std::move(w0)), L(4, 5));
    EXPECT_EQ(co_await collect(std::move(*second).value()), L(6, 7));
    EXPECT_FALSE(co_await w.next());
  }());
}

TEST(WindowCount, AWindowDroppedUnreadDiscardsTheRestOfItsValues) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    auto w = async_items(L(1, 2, 3, 4, 5, 6)) | window_count(3);
    {
      auto first = co_await w.next();
      EXPECT_TRUE(first && first->is_value());
    }  // window 0 dropped after its first value: 2 and 3 are discarded, no window reopens
    auto next = co_await w.next();
    EXPECT_TRUE(next && next->is_value());
    if (!next || !next->is_value()) co_return;
    EXPECT_EQ(co_await collect(std::move(*next).value()), L(4, 5, 6));
    EXPECT_FALSE(co_await w.next());
  }());
}

TEST(WindowCount, DroppingTheOuterStreamLetsHandedOutWindowsFinish) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    std::optional<items<int>> got;
    {
      auto w = async_items(L(1, 2, 3, 4, 5)) | window_count(3);
      auto first = co_await w.next();
      EXPECT_TRUE(first && first->is_value());
      if (!first || !first->is_value()) co_return;
      auto w0 = std::move(*first).value();
      { auto drop = std::move(w); }
      got = co_await collect(std::move(w0));
    }
    EXPECT_EQ(*got, L(1, 2, 3));
  }());
}

TEST(WindowCount, EmptyAndBadArguments) {
  local_runtime rt;
  EXPECT_TRUE(rt.block_on(collect(empty<int>() | window_count(2))).empty());
  auto bad = [&](auto closure) {
    auto out = rt.block_on(collect(from_range(L(1, 2)) | std::move(closure)));
    EXPECT_EQ(out.size(), 1u);
    if (!out.empty()) {
      EXPECT_EQ(out[0].error().code(), errc::invalid_argument);
    }
  };
  bad(window_count(0));
  bad(window_count(-1));
  bad(window_count(2, buffer_policy::wait(0)));
}

TEST(WindowCount, ComposesWithMergeMap) {
  auto out = both([] {
    return collect(
        async_items(L(1, 2, 3, 4, 5)) | window_count(2) |
        merge_map([](auto w) { return std::move(w) | map([](int x) { return x * 10; }); }, 4));
  });
  auto vals = out;
  std::sort(vals.begin(), vals.end(), [](auto& a, auto& b) { return a.value() < b.value(); });
  EXPECT_EQ(vals, L(10, 20, 30, 40, 50));
}

}  // namespace
}  // namespace eddy_stream_test::window_count_test
