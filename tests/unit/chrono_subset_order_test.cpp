// SPDX-License-Identifier: BSL-1.0
// eddy/core/detail/chrono.hpp first, before any other header (so this file compiles alone, not
// in a unity batch: see cmake/unity-tests.cmake): what eddy's headers use of std::chrono must
// come from it alone, on libstdc++ (<bits/chrono.h>) and elsewhere (<chrono>; the wasm build
// runs this file with libc++). Everything is named before GoogleTest's header, which would
// bring the rest of <chrono>. Before the fix the fallback included itself and gave nothing.
#include "eddy/core/detail/chrono.hpp"

namespace eddy_test::unit_chrono_subset {
using namespace std::chrono_literals;
constexpr std::chrono::nanoseconds sum = 1500us + 2ms;
constexpr std::chrono::milliseconds sum_ms =
    std::chrono::duration_cast<std::chrono::milliseconds>(sum);
std::chrono::time_point<std::chrono::steady_clock> a_second_later() {
  return std::chrono::steady_clock::now() + 1s;
}
std::chrono::system_clock::duration since_epoch() {
  return std::chrono::system_clock::now().time_since_epoch();
}
}  // namespace eddy_test::unit_chrono_subset

#include <gtest/gtest.h>

namespace eddy_test::unit_chrono_subset {
namespace {

TEST(chrono_subset, durations_clocks_and_literals) {
  EXPECT_EQ(sum.count(), 3'500'000);
  EXPECT_EQ(sum_ms.count(), 3);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_GE(a_second_later() - t0, std::chrono::seconds(1));
  EXPECT_GT(since_epoch().count(), 0);
}

}  // namespace
}  // namespace eddy_test::unit_chrono_subset
