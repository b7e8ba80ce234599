// SPDX-License-Identifier: BSL-1.0
// Timestamps: the concept, stamp/sequence/unstamp, and the rule that every time operator
// emits values with their own timestamp (not the time they were emitted).
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::timestamp_test {
namespace {

struct no_stamp {
  int v;
};
struct own_stamp {
  double t;
  double timestamp() const { return t; }
};
static_assert(timestamped<stamped<int>>);
static_assert(timestamped<sequenced<std::string>>);
static_assert(timestamped<own_stamp>);
static_assert(!timestamped<no_stamp>);
static_assert(!timestamped<int>);
static_assert(timestamped<combined<stamped<int>, stamped<char>>>);
static_assert(!timestamped<combined<int, stamped<char>>>);

TEST(Timestamp, StampUsesTheRuntimeClock) {
  sim_runtime sim{1};
  auto out = sim.block_on(collect(timed_source<int>({{5, 1}, {12, E(3)}, {30, 2}}) | stamp()));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].value(), (stamped<int>{1, at_ms(5)}));
  EXPECT_EQ(out[1].error(), E(3));
  EXPECT_EQ(out[2].value(), (stamped<int>{2, at_ms(30)}));
}

TEST(Timestamp, SequenceNumbersAreTotallyOrderedAcrossStreams) {
  local_runtime rt;
  auto a = from_items<int>({1, 2}) | sequence();
  auto b = from_items<int>({10, 20}) | sequence();
  auto out = rt.block_on([](auto a, auto b) -> task<std::vector<int>> {
    std::vector<int> order;
    auto x1 = co_await a.next();  // a#n
    auto y1 = co_await b.next();  // b#n+1
    auto x2 = co_await a.next();  // a#n+2
    auto y2 = co_await b.next();  // b#n+3
    EXPECT_LT(x1->value().seq, y1->value().seq);
    EXPECT_LT(y1->value().seq, x2->value().seq);
    EXPECT_LT(x2->value().seq, y2->value().seq);
    // merging by sequence gives the order in which they were numbered
    auto m = from_range(items<sequenced<int>>{*y2, *x1, *y1, *x2}) | unstamp();
    auto first = co_await m.next();
    order.push_back(first->value());
    co_return order;
  }(std::move(a), std::move(b)));
  EXPECT_EQ(out, (std::vector<int>{20}));
  // ordered_merge of sequenced streams = the order of numbering
  auto c = from_range(items<sequenced<int>>{make_sequenced(1, 0), make_sequenced(3, 2)});
  auto d = from_range(items<sequenced<int>>{make_sequenced(2, 1), make_sequenced(4, 3)});
  EXPECT_EQ(rt.block_on(collect(std::move(c) | ordered_merge(std::move(d)) | unstamp())),
            (items<int>{1, 2, 3, 4}));
}

TEST(Timestamp, TimeOperatorsKeepEachValuesOwnTimestamp) {
  sim_runtime sim{2};
  auto src = [] { return stamped_source<int>({{0, 1}, {4, 2}, {30, 3}, {40, std::nullopt}}); };
  auto stamps = [](const items<stamped<int>>& v) {
    std::vector<std::int64_t> out;
    for (auto& x : v) out.push_back(ms_of(x.value().at));
    return out;
  };
  // debounce emits 2 at 14 and 3 at 40: stamped 4 and 30
  EXPECT_EQ(stamps(sim.block_on(collect(src() | debounce(10ms)))),
            (std::vector<std::int64_t>{4, 30}));
  sim_runtime sim2{2};
  EXPECT_EQ(stamps(sim2.block_on(collect(src() | delay(7ms)))),
            (std::vector<std::int64_t>{0, 4, 30}));
  sim_runtime sim3{2};
  // the period [30,40) closes exactly when the source ends at 40: still sampled
  EXPECT_EQ(stamps(sim3.block_on(collect(src() | sample(10ms)))),
            (std::vector<std::int64_t>{4, 30}));
  sim_runtime sim4{2};
  EXPECT_EQ(stamps(sim4.block_on(collect(src() | throttle(10ms)))),
            (std::vector<std::int64_t>{0, 30}));
}

}  // namespace
}  // namespace eddy_stream_test::timestamp_test
