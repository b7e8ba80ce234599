// SPDX-License-Identifier: BSL-1.0
// merge (arrival order) and merge_with (stateful): values, errors, composition, empty.
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::merge_test {
namespace {

using SI = stamped<int>;

TEST(Merge, SynchronousInputsTakeTurns) {
  local_runtime rt;
  auto out = rt.block_on(collect(from_items<int>({1, 2, 3}) | merge(from_items<int>({10, 20}))));
  EXPECT_EQ(out, (items<int>{1, 10, 2, 20, 3}));
}

TEST(Merge, ArrivalOrderOnVirtualTime) {
  sim_runtime sim{4};
  auto a = timed_source<int>({{10, 1}, {40, 4}, {50, std::nullopt}});
  auto b = timed_source<int>({{20, 2}, {30, 3}, {35, E(9)}, {60, 5}});
  auto out = sim.block_on(marble(std::move(a) | merge(std::move(b))));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), V(20, 2), V(30, 3), Err<int>(35, 9), V(40, 4),
                                         V(60, 5), End<int>(60)}));
}

TEST(Merge, ErrorsPassAndEndNothing) {
  local_runtime rt;
  auto out = rt.block_on(collect(from_items<int>({1, E(1), 2}) | merge(from_items<int>({E(2)}))));
  EXPECT_EQ(out, (items<int>{1, E(2), E(1), 2}));
}

TEST(Merge, VectorFormAndComposition) {
  sim_runtime sim{2};
  std::vector<generator<int>> in;
  for (int k = 0; k < 3; ++k) in.push_back(timed_source<int>({{10 * (k + 1), k}, {100, k + 10}}));
  auto s = merge(std::move(in)) | map([](int x) { return x * 2; }) | take(5);
  auto out = sim.block_on(marble(std::move(s)));
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0], V(10, 0));
  EXPECT_EQ(out[1], V(20, 2));
  EXPECT_EQ(out[2], V(30, 4));
  EXPECT_EQ(out[3].ms, 100);
  EXPECT_EQ(out[5], End<int>(100));
}

TEST(Merge, Empty) {
  local_runtime rt;
  EXPECT_TRUE(rt.block_on(collect(empty<int>() | merge(empty<int>(), empty<int>()))).empty());
  std::vector<decltype(empty<int>())> none;
  auto bad = rt.block_on(collect(merge(std::move(none))));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
}

// Four synchronous inputs of different lengths: every item once, in turns (an input that has
// ended is skipped), the same through `subscribe` (the run form, `visit_while`) as through
// `next()`, and through a stage over the merge.
TEST(Merge, SynchronousRunGivesEveryItemOnceInTurns) {
  local_runtime rt;
  auto make = [] {
    std::vector<decltype(from_range(items<int>{}))> in;
    in.push_back(from_range(L(1, 2, 3)));
    in.push_back(from_range(L(10)));
    in.push_back(from_range(items<int>{}));
    in.push_back(from_range(L(20, 21, 22, 23, 24)));
    return merge(std::move(in));
  };
  const items<int> turns = L(1, 10, 20, 2, 21, 3, 22, 23, 24);
  EXPECT_EQ(rt.block_on(collect(make())), turns);
  EXPECT_EQ(rt.block_on(collect_subscribe(make())), turns);
  EXPECT_EQ(rt.block_on(collect_subscribe(make() | map([](int x) { return x * 2; }))),
            L(2, 20, 40, 4, 42, 6, 44, 46, 48));
}

// Errors go through the run in their turn and end nothing.
TEST(Merge, SynchronousRunPassesErrorsInTurn) {
  local_runtime rt;
  auto out = rt.block_on(collect_subscribe(from_items<int>({1, E(1), 2, 3}) |
                                           merge(from_items<int>({E(2), 10}), empty<int>())));
  EXPECT_EQ(out, (items<int>{1, E(2), E(1), 10, 2, 3}));
}

/// Counts values and stops (`more()` false) after `limit` of them.
struct counting_visitor {
  std::vector<int>& out;
  std::size_t limit;
  bool ended = false;
  void value(int v) { out.push_back(v); }
  void error(error&&) { out.push_back(-1); }
  void end() noexcept { ended = true; }
  bool more() const noexcept { return !ended && out.size() < limit; }
};

// A run stopped by its visitor leaves the merge where it stopped: the rest comes next, in the
// same turns, nothing lost or repeated.
TEST(Merge, AStoppedRunResumesInTurn) {
  local_runtime rt;
  std::vector<int> first;
  auto rest = rt.block_on([](auto s, std::vector<int>* first) -> task<std::vector<int>> {
    counting_visitor v{*first, 3};
    EXPECT_TRUE(detail::visit_while_of(s, v));  // stopped on more()
    std::vector<int> later;
    while (auto r = co_await s.next()) later.push_back(r->value());
    co_return later;
  }(from_range(L(1, 2, 3)) | merge(from_range(L(10, 20, 30))), &first));
  EXPECT_EQ(first, (std::vector<int>{1, 10, 2}));
  EXPECT_EQ(rest, (std::vector<int>{20, 3, 30}));
}

// A cancel from the handler stops a synchronous run of the merge right after that handler.
TEST(Merge, CancelFromTheHandlerStopsTheRun) {
  local_runtime rt;
  std::vector<int> seen;
  auto r = rt.block_on([](std::vector<int>* seen) -> task<result<void>> {
    cancellation_token token;
    co_return co_await subscribe(
        from_range(L(1, 2, 3, 4)) | merge(from_range(L(10, 20, 30, 40))),
        [seen](int v, const cancellation_token& t) {
          seen->push_back(v);
          if (v == 20) t.cancel();
        },
        [](const error&) {}, token);
  }(&seen));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(seen, (std::vector<int>{1, 10, 2, 20}));
}

// Synchronous and asynchronous inputs under `subscribe`: the run serves the synchronous ones in
// turns while the asynchronous ones' pumps are started; their items come after (the consumer
// waits), nothing lost, errors in place, the end after every input ended.
TEST(Merge, SynchronousAndAsynchronousInputsUnderSubscribe) {
  local_runtime rt;
  auto out = rt.block_on(
      collect_subscribe(from_items<int>({1, 2, 3}) |
                        merge(plain_source<int>(L(100, 200)), from_items<int>({4}),
                              async_items<int>(items<int>{item<int>(7), E(5), item<int>(8)}))));
  EXPECT_EQ(out.size(), 9u);
  EXPECT_EQ(items<int>(out.begin(), out.begin() + 4), L(1, 4, 2, 3));
  items<int> late(out.begin() + 4, out.end());
  std::vector<int> from_plain, from_async;
  for (auto& x : late) {
    if (x.is_error()) {
      from_async.push_back(-static_cast<int>(x.error().count()));
      continue;
    }
    (x.value() >= 100 ? from_plain : from_async).push_back(x.value());
  }
  EXPECT_EQ(from_plain, (std::vector<int>{100, 200}));
  EXPECT_EQ(from_async, (std::vector<int>{7, -5, 8}));

  sim_runtime sim{3};
  using got_t = std::vector<std::pair<std::int64_t, int>>;
  auto timed = sim.block_on([](auto s) -> task<got_t> {
    got_t got;
    auto r = co_await subscribe(
        std::move(s), [&got](int v) { got.emplace_back(ms_of(now()), v); },
        [&got](const error&) { got.emplace_back(ms_of(now()), -1); });
    EXPECT_TRUE(r.has_value());
    co_return got;
  }(from_range(L(1, 2)) | merge(timed_source<int>({{10, 10}, {20, E(3)}, {30, 30}}))));
  EXPECT_EQ(timed, (std::vector<std::pair<std::int64_t, int>>{
                       {0, 1}, {0, 2}, {10, 10}, {20, -1}, {30, 30}}));
}

TEST(MergeWith, SharedStateAcrossInputsInTimestampOrder) {
  sim_runtime sim{1};
  auto dep = from_range(items<SI>{SI{10, at_ms(1)}, SI{5, at_ms(4)}});
  auto wd = from_range(items<SI>{SI{3, at_ms(2)}, SI{2, at_ms(5)}});
  auto s = merge_with(0)
               .merge(std::move(dep), [](SI v, int& sum) { return sum += v.value; })
               .merge(std::move(wd), [](SI v, int& sum) { return sum -= v.value; });
  auto out = sim.block_on(collect(std::move(s)));
  EXPECT_EQ(out, (items<int>{10, 7, 12, 10}));
}

TEST(MergeWith, KeepsTheSourceTimestampWhenFReturnsIt) {
  sim_runtime sim{1};
  auto a = stamped_source<int>({{10, 1}, {30, 3}});
  auto b = stamped_source<int>({{20, 2}});
  auto s = merge_with(std::string())
               .merge(std::move(a),
                      [](SI v, std::string& st) {
                        st += "a";
                        return stamped<std::string>{st + std::to_string(v.value), v.at};
                      })
               .merge(std::move(b), [](SI v, std::string& st) {
                 st += "b";
                 return stamped<std::string>{st + std::to_string(v.value), v.at};
               });
  auto out = sim.block_on(marble(std::move(s) | unstamp()));
  EXPECT_EQ(out,
            (std::vector<seen<std::string>>{V<std::string>(10, "a1"), V<std::string>(20, "ab2"),
                                            V<std::string>(30, "aba3"), End<std::string>(30)}));
}

TEST(MergeWith, ErrorsPassAndDoNotTouchTheState) {
  local_runtime rt;
  auto s = merge_with(100)
               .merge(from_items<int>({1, E(4), 2}), [](int v, int& st) { return st += v; })
               .merge(from_items<int>({E(5)}), [](int v, int& st) { return st *= v; });
  auto out = rt.block_on(collect(std::move(s)));
  EXPECT_EQ(out, (items<int>{E(5), 101, E(4), 103}));  // held error heads go first
}

TEST(MergeWith, ComposesAndEmpty) {
  local_runtime rt;
  auto s = merge_with(0).merge(from_items<int>({1, 2, 3}), [](int v, int& st) { return st += v; }) |
           filter([](int x) { return x > 1; });
  EXPECT_EQ(rt.block_on(collect_subscribe(std::move(s))), (items<int>{3, 6}));
  auto e = merge_with(0).merge(empty<int>(), [](int v, int&) { return v; });
  EXPECT_TRUE(rt.block_on(collect(std::move(e))).empty());
  auto none = rt.block_on(collect(merge_with(0)));
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].error().code(), errc::invalid_argument);
}

}  // namespace
}  // namespace eddy_stream_test::merge_test
