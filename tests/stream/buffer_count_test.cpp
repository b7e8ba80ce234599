// SPDX-License-Identifier: BSL-1.0
// buffer_count(n, skip): overlapping, gapped and tumbling buffers, errors, composition, the
// empty stream and bad input, over every kind of source (check_all) on local and sim runtimes.
#include <memory>
#include <vector>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::buffer_count_test {
namespace {

using vi = std::vector<int>;
const error invalid{errc::invalid_argument};

TEST(BufferCount, OverlappingBuffersAreFlushedOldestFirstAtTheEnd) {
  check_all(
      items<int>{1, 2, 3, 4, 5}, [](auto s) { return std::move(s) | buffer_count(3, 1); },
      items<vi>{vi{1, 2, 3}, vi{2, 3, 4}, vi{3, 4, 5}, vi{4, 5}, vi{5}});
  check_all(
      items<int>{1, 2, 3, 4, 5}, [](auto s) { return std::move(s) | buffer_count(2, 1); },
      items<vi>{vi{1, 2}, vi{2, 3}, vi{3, 4}, vi{4, 5}, vi{5}});
}

TEST(BufferCount, GapsAndTumblingBuffers) {
  check_all(
      items<int>{1, 2, 3, 4, 5, 6, 7}, [](auto s) { return std::move(s) | buffer_count(2, 3); },
      items<vi>{vi{1, 2}, vi{4, 5}, vi{7}});
  check_all(
      items<int>{1, 2, 3, 4, 5}, [](auto s) { return std::move(s) | buffer_count(2); },
      items<vi>{vi{1, 2}, vi{3, 4}, vi{5}});
  check_all(
      items<int>{1, 2, 3}, [](auto s) { return std::move(s) | buffer_count(1, 2); },
      items<vi>{vi{1}, vi{3}});
}

TEST(BufferCount, AnErrorPassesAndClearsTheOpenBuffers) {
  check_all(
      items<int>{1, 2, E(1), 3, 4, 5}, [](auto s) { return std::move(s) | buffer_count(3, 2); },
      items<vi>{E(1), vi{3, 4, 5}, vi{5}});
}

TEST(BufferCount, ComposesAndEmpty) {
  check_all(
      items<int>{1, 2, 3, 4, 5, 6},
      [](auto s) {
        return std::move(s) | filter([](int x) { return x != 3; }) | buffer_count(2, 1) |
               map([](const vi& b) { return b.front() * 10 + b.back(); }) | take(3);
      },
      items<int>{12, 24, 45});
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | buffer_count(3, 1); }, items<vi>{});
}

TEST(BufferCount, BadInput) {
  local_runtime rt;
  EXPECT_EQ(rt.block_on(collect(from_items<int>({1}) | buffer_count(0, 1))), (items<vi>{invalid}));
  EXPECT_EQ(rt.block_on(collect(from_items<int>({1}) | buffer_count(2, -1))), (items<vi>{invalid}));
  EXPECT_EQ(rt.block_on(collect(from_items<int>({1}) | buffer_count(-2))), (items<vi>{invalid}));
  // move-only values: tumbling and gapped buffers work, overlapping ones cannot copy
  auto mk = [] {
    std::vector<std::unique_ptr<int>> v;
    for (int i = 1; i <= 3; ++i) v.push_back(std::make_unique<int>(i));
    return from_range(std::move(v));
  };
  auto tumbling = rt.block_on(collect(mk() | buffer_count(2)));
  ASSERT_EQ(tumbling.size(), 2u);
  EXPECT_EQ(*tumbling[0].value()[1], 2);
  EXPECT_EQ(*tumbling[1].value()[0], 3);
  auto overlapping = rt.block_on(collect(mk() | buffer_count(2, 1)));
  ASSERT_EQ(overlapping.size(), 1u);
  EXPECT_EQ(overlapping[0].error(), invalid);
}

}  // namespace
}  // namespace eddy_stream_test::buffer_count_test
