// SPDX-License-Identifier: BSL-1.0
// ordered_merge: values in timestamp order, errors at once, composition, empty inputs.
#include <cstdio>
#include <random>
#include <string>
#include <utility>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::ordered_merge_test {
namespace {

using SI = stamped<int>;

TEST(OrderedMerge, SynchronousInputsAreMergedInTimestampOrder) {
  sim_runtime sim{1};
  auto a = from_range(items<SI>{SI{1, at_ms(1)}, SI{4, at_ms(4)}, SI{7, at_ms(7)}});
  auto b = from_range(items<SI>{SI{2, at_ms(2)}, SI{3, at_ms(3)}, SI{6, at_ms(6)}});
  auto out = sim.block_on(collect(std::move(a) | ordered_merge(std::move(b))));
  EXPECT_EQ(values_of(out), (std::vector<int>{1, 2, 3, 4, 6, 7}));
}

TEST(OrderedMerge, TiesGoToTheInputListedFirst) {
  sim_runtime sim{1};
  auto a = from_range(items<SI>{SI{10, at_ms(5)}, SI{11, at_ms(6)}});
  auto b = from_range(items<SI>{SI{20, at_ms(5)}, SI{21, at_ms(6)}});
  auto out = sim.block_on(collect(std::move(b) | ordered_merge(std::move(a))));
  EXPECT_EQ(values_of(out), (std::vector<int>{20, 10, 21, 11}));
}

TEST(OrderedMerge, VectorOfSixteenInputs) {
  local_runtime rt;
  std::vector<items<SI>> data;
  for (int k = 0; k < 16; ++k) data.push_back(stamped_ints(20, k, 16, k, 16));
  std::vector<decltype(from_range(data[0]))> in;
  for (auto& d : data) in.push_back(from_range(d));
  auto out = rt.block_on(collect(ordered_merge(std::move(in))));
  ASSERT_EQ(out.size(), 320u);
  for (int i = 0; i < 320; ++i) EXPECT_EQ(out[i].value().value, i);
}

TEST(OrderedMerge, ErrorsGoAtOnceAndEndNothing) {
  sim_runtime sim{1};
  auto a = from_range(items<SI>{SI{1, at_ms(1)}, E(7), SI{5, at_ms(5)}});
  auto b = from_range(items<SI>{SI{3, at_ms(3)}});
  auto out = sim.block_on(collect(std::move(a) | ordered_merge(std::move(b))));
  // heads 1 (a) and 3 (b): 1; then a's head is the error: it goes before 3.
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].value().value, 1);
  EXPECT_TRUE(out[1].is_error());
  EXPECT_EQ(out[1].error(), E(7));
  EXPECT_EQ(out[2].value().value, 3);
  EXPECT_EQ(out[3].value().value, 5);
}

TEST(OrderedMerge, AsynchronousInputsOnVirtualTime) {
  sim_runtime sim{3};
  auto a = stamped_source<int>({{10, 1}, {40, 4}, {70, 7}, {80, std::nullopt}});
  auto b = stamped_source<int>({{20, 2}, {30, 3}, {60, 6}, {90, std::nullopt}});
  auto out = sim.block_on(marble(std::move(a) | ordered_merge(std::move(b)) | unstamp()));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), V(20, 2), V(30, 3), V(40, 4), V(60, 6), V(70, 7),
                                         End<int>(90)}));
}

TEST(OrderedMerge, ASlowInputDoesNotHoldTheOthersBack) {
  // b's value has the smaller timestamp but arrives later: what is available goes first.
  sim_runtime sim{5};
  auto a = from_range(items<SI>{SI{5, at_ms(5)}});
  auto b = timed_source<SI>({{50, SI{1, at_ms(1)}}});
  auto out = sim.block_on(marble(std::move(a) | ordered_merge(std::move(b)) | unstamp()));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(0, 5), V(50, 1), End<int>(50)}));
}

TEST(OrderedMerge, ComposesWithStageOperatorsAndSubscribe) {
  sim_runtime sim{1};
  auto a = from_range(stamped_ints(5, 0, 2, 0, 2));  // 0 2 4 6 8
  auto b = from_range(stamped_ints(5, 1, 2, 1, 2));  // 1 3 5 7 9
  auto s = std::move(a) | ordered_merge(std::move(b)) | unstamp() |
           filter([](int x) { return x % 3 != 0; }) | map([](int x) { return x * 10; });
  auto out = sim.block_on(collect_subscribe(std::move(s)));
  EXPECT_EQ(out, (items<int>{10, 20, 40, 50, 70, 80}));
}

TEST(OrderedMerge, ThreeInputsOfDifferentStreamTypes) {
  sim_runtime sim{9};
  auto a = from_range(stamped_ints(3, 0, 3, 0, 3));
  auto b = stamped_source<int>({{1, 1}, {4, 4}, {7, 7}});
  auto c = any_stream<SI>(from_range(stamped_ints(3, 2, 3, 2, 3)));
  auto out = sim.block_on(collect(std::move(a) | ordered_merge(std::move(b), std::move(c))));
  // at t=0 only a and c are available: a's 0,3,6 and c's 2,5,8 interleave with b as it comes.
  EXPECT_EQ(values_of(out), (std::vector<int>{0, 2, 3, 5, 6, 8, 1, 4, 7}));
}

TEST(OrderedMerge, EmptyInputs) {
  sim_runtime sim{1};
  auto out =
      sim.block_on(collect(from_range(items<SI>{}) | ordered_merge(from_range(items<SI>{}))));
  EXPECT_TRUE(out.empty());
  auto one = sim.block_on(
      collect(from_range(items<SI>{}) | ordered_merge(from_range(stamped_ints(2, 1, 1, 0, 1)))));
  EXPECT_EQ(values_of(one), (std::vector<int>{1, 2}));
}

TEST(OrderedMerge, NoInputsIsInvalidArgument) {
  sim_runtime sim{1};
  items<SI> none;
  auto out = sim.block_on(collect(ordered_merge(std::vector<decltype(from_range(none))>{})));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].error().code(), errc::invalid_argument);
}

TEST(OrderedMerge, DestroyedWhileAnInputIsPendingAbortsItsPump) {
  sim_runtime sim{2};
  int finished = sim.block_on([]() -> task<int> {
    auto a = stamped_source<int>({{10, 1}, {1000, 2}});
    auto b = stamped_source<int>({{5, 0}});
    auto s = std::move(a) | ordered_merge(std::move(b));
    auto x = co_await s.next();
    auto y = co_await s.next();
    co_return (x && y) ? x->value().value * 10 + y->value().value : -1;
  }());
  EXPECT_EQ(finished, 1);  // 0 then 1; the stream (and a's pending pull) is dropped after
  sim.run();               // the aborted pumps finish
  EXPECT_EQ(sim.live_tasks(), 0u);
}

/// A value whose timestamp is a string: not trivially copyable, so the scan compares the heads
/// themselves instead of a copy of their timestamps.
struct named {
  std::string ts;
  int value;
  const std::string& timestamp() const noexcept { return ts; }
};

/// The order the file comment promises, for inputs that are all ready: while heads are held, an
/// error goes first (the input listed first wins), else the smallest timestamp (ties: the input
/// listed first). Returns the (input, position) of each output item.
template <class T>
std::vector<std::pair<int, int>> expected_order(const std::vector<items<T>>& in) {
  std::vector<std::size_t> pos(in.size(), 0);
  std::vector<std::pair<int, int>> out;
  for (;;) {
    int pick = -1;
    for (std::size_t i = 0; i < in.size() && pick < 0; ++i)
      if (pos[i] < in[i].size() && in[i][pos[i]].is_error()) pick = static_cast<int>(i);
    if (pick < 0) {
      for (std::size_t i = 0; i < in.size(); ++i) {
        if (pos[i] >= in[i].size()) continue;
        if (pick < 0 || in[i][pos[i]].value().timestamp() <
                            in[static_cast<std::size_t>(pick)][pos[static_cast<std::size_t>(pick)]]
                                .value()
                                .timestamp())
          pick = static_cast<int>(i);
      }
    }
    if (pick < 0) return out;
    out.emplace_back(pick, static_cast<int>(pos[static_cast<std::size_t>(pick)]++));
  }
}

/// Random ready inputs (timestamps with many ties, some errors) through `ordered_merge`, checked
/// against `expected_order`: each output item is identified by the input and position it
/// encodes. `make(k, j, ts)` builds the value of input k at position j with timestamp `ts`.
template <class T, class Make>
void check_against_model(std::size_t inputs, unsigned seed, Make make) {
  std::mt19937 rng(seed);
  std::vector<items<T>> data(inputs);
  for (std::size_t k = 0; k < inputs; ++k) {
    int ts = 0;
    const int len = static_cast<int>(rng() % 12);
    for (int j = 0; j < len; ++j) {
      if (rng() % 7 == 0) {
        data[k].push_back(
            item<T>(E(static_cast<std::uint64_t>(k * 100 + static_cast<std::size_t>(j)))));
      } else {
        ts += static_cast<int>(rng() % 3);  // steps of 0 make ties inside and across inputs
        data[k].push_back(item<T>(make(static_cast<int>(k), j, ts)));
      }
    }
  }
  local_runtime rt;
  std::vector<decltype(from_range(data[0]))> in;
  for (auto& d : data) in.push_back(from_range(d));
  const auto want = expected_order(data);
  // take: a defect that repeats items shows as a longer output instead of a run without end
  auto out = rt.block_on(collect(ordered_merge(std::move(in)) | take(want.size() + 1)));
  ASSERT_EQ(out.size(), want.size()) << "inputs " << inputs << ", seed " << seed;
  for (std::size_t n = 0; n < out.size(); ++n) {
    const auto [k, j] = want[n];
    const auto& src = data[static_cast<std::size_t>(k)][static_cast<std::size_t>(j)];
    if (src.is_error()) {
      ASSERT_TRUE(out[n].is_error()) << "item " << n << ", seed " << seed;
      EXPECT_EQ(out[n].error(), src.error()) << "item " << n << ", seed " << seed;
    } else {
      ASSERT_TRUE(out[n].is_value()) << "item " << n << ", seed " << seed;
      EXPECT_EQ(out[n].value().value, src.value().value) << "item " << n << ", seed " << seed;
    }
  }
}

TEST(OrderedMerge, ReadyInputsFollowTheModelWithCachedTimestamps) {
  for (std::size_t inputs : {1u, 2u, 3u, 4u, 6u, 7u, 9u})
    for (unsigned seed = 1; seed <= 40; ++seed)
      check_against_model<SI>(inputs, seed, [](int k, int j, int ts) {
        return SI{k * 1000 + j, at_ms(ts)};
      });
}

TEST(OrderedMerge, ReadyInputsFollowTheModelWithStringTimestamps) {
  for (std::size_t inputs : {2u, 4u, 6u, 8u})
    for (unsigned seed = 1; seed <= 20; ++seed)
      check_against_model<named>(inputs, seed, [](int k, int j, int ts) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d", ts);  // fixed width: string order is number order
        return named{buf, k * 1000 + j};
      });
}

// The scan (up to six inputs) keeps the value heads it polled itself: those still held when the
// output is cut short are destroyed with the stream, each once (heap strings, so ASan sees a
// leak or a double free), and what was emitted is the right prefix.
TEST(OrderedMerge, HeadsStillHeldWhenTheOutputIsCutShortAreDestroyedOnce) {
  local_runtime rt;
  for (std::size_t inputs : {2u, 4u, 6u}) {
    std::vector<items<named>> data(inputs);
    for (std::size_t k = 0; k < inputs; ++k)
      for (int j = 0; j < 3; ++j) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d", j * 10 + static_cast<int>(k));
        data[k].push_back(named{std::string(buf) + std::string(40, 'x'), j * 10 + int(k)});
      }
    std::vector<decltype(from_range(data[0]))> in;
    for (auto& d : data) in.push_back(from_range(d));
    // After 3 outputs every input has been polled and all but the last emitted hold a head.
    auto out = rt.block_on(collect(ordered_merge(std::move(in)) | take(3)));
    ASSERT_EQ(out.size(), 3u) << inputs << " inputs";
    for (int n = 0; n < 3; ++n) {
      const int want = n < static_cast<int>(inputs) ? n : 10 + n - static_cast<int>(inputs);
      EXPECT_EQ(out[static_cast<std::size_t>(n)].value().value, want) << inputs << " inputs";
    }
  }
}

}  // namespace
}  // namespace eddy_stream_test::ordered_merge_test
