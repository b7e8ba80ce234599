// SPDX-License-Identifier: BSL-1.0
// Conformance: every duration and deadline is valid on every runtime. Time arithmetic
// saturates; `never` (time_point::max()) and durations past the end of the clock never fire;
// negative extremes complete at once. UBSan checks that nothing overflows on the way.
#include <atomic>
#include <cstdint>
#include <limits>
#include <vector>

#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_huge_duration_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class huge_duration : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(huge_duration, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::nanoseconds;

task<void> until(time_point t) {
  co_await sleep_until(t);
}

// Each way of asking for "longer than the clock lasts".
task<void> sleep_forever(int which, std::atomic<int>* woke) {
  switch (which) {
    case 0:
      co_await sleep(nanoseconds::max());
      break;
    case 1:
      co_await sleep(hours::max());
      break;
    case 2:
      co_await sleep(microseconds::max());
      break;
    case 3:
      co_await sleep(std::chrono::duration<double>(1e300));
      break;
    case 4:
      co_await sleep(
          std::chrono::duration<std::uint64_t>(std::numeric_limits<std::uint64_t>::max()));
      break;
    case 5:
      co_await sleep_until(never);
      break;
    case 6:
      co_await sleep_until(time_point::max() - 1ns);
      break;
    case 7:
      co_await sleep(std::chrono::duration<std::int64_t, std::ratio<1, 3>>::max());
      break;
    case 8:
      (void)co_await timeout(nanoseconds::max(), until(never));
      break;
    case 9:
      (void)co_await timeout(hours::max(), until(never));
      break;
    default:
      (void)co_await timeout_at(time_point::max() - 1ns, until(never));
      break;
  }
  woke->fetch_add(1);
}
constexpr int forever_kinds = 11;

task<int> slow_value(std::chrono::milliseconds d, int v) {
  co_await sleep(d);
  co_return v;
}
}  // namespace

TYPED_TEST(huge_duration, sleeps_past_the_end_of_the_clock_never_fire) {
  std::atomic<int> woke{0};
  this->f.block_on([](std::atomic<int>* woke) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int k = 0; k < forever_kinds; ++k) hs.push_back(spawn(sleep_forever(k, woke)));
    co_await sleep(3ms);  // virtual on sim (the only timer that fires), real elsewhere
    for (int k = 0; k < forever_kinds; ++k) {
      EXPECT_FALSE(hs[k].is_finished()) << "kind " << k;
      hs[k].abort();
      auto r = co_await hs[k];
      EXPECT_TRUE(!r.has_value() && r.error().code() == errc::aborted) << "kind " << k;
    }
  }(&woke));
  EXPECT_EQ(woke.load(), 0);
}

TYPED_TEST(huge_duration, negative_extremes_complete_at_once) {
  auto elapsed = this->f.block_on([]() -> task<duration> {
    const time_point t0 = now();
    co_await sleep(nanoseconds::min());
    co_await sleep(hours::min());
    co_await sleep(std::chrono::duration<double>(-1e300));
    co_await sleep_until(time_point::min());
    co_return now() - t0;
  }());
  if (TypeParam::virtual_time) {
    EXPECT_EQ(elapsed, duration(0));
  }
  EXPECT_LT(elapsed, duration(1s));
}

TYPED_TEST(huge_duration, timeout_without_a_time_limit_gives_the_value) {
  auto r = this->f.block_on([]() -> task<std::vector<std::optional<int>>> {
    std::vector<std::optional<int>> out;
    out.push_back(co_await timeout(nanoseconds::max(), slow_value(1ms, 1)));
    out.push_back(co_await timeout(hours::max(), slow_value(1ms, 2)));
    out.push_back(co_await timeout(duration::max(), slow_value(1ms, 3)));
    out.push_back(co_await timeout_at(never, slow_value(1ms, 4)));
    out.push_back(co_await timeout_at(time_point::max() - 1ns, slow_value(1ms, 5)));
    co_return out;
  }());
  EXPECT_EQ(r, (std::vector<std::optional<int>>{1, 2, 3, 4, 5}));
}

TYPED_TEST(huge_duration, timeout_with_a_negative_extreme_times_out_at_once) {
  auto r = this->f.block_on([]() -> task<std::vector<std::optional<int>>> {
    std::vector<std::optional<int>> out;
    out.push_back(co_await timeout(nanoseconds::min(), slow_value(1ms, 1)));
    out.push_back(co_await timeout(hours::min(), slow_value(1ms, 2)));
    out.push_back(co_await timeout_at(time_point::min(), slow_value(1ms, 3)));
    co_return out;
  }());
  EXPECT_EQ(r, (std::vector<std::optional<int>>(3, std::nullopt)));
}

// A far deadline that is not `never` still waits on the backend's own timer (the conversion
// to the native clock saturates) while a near one fires on time.
TYPED_TEST(huge_duration, a_near_timer_fires_while_a_far_one_is_pending) {
  std::atomic<int> woke{0};
  this->f.block_on([](std::atomic<int>* woke) -> task<void> {
    auto far = spawn(sleep_forever(6, woke));  // sleep_until(max - 1ns)
    for (int i = 0; i < 3; ++i) co_await sleep(1ms);
    EXPECT_FALSE(far.is_finished());
    far.abort();
    (void)co_await far;
  }(&woke));
  EXPECT_EQ(woke.load(), 0);
}

}  // namespace eddy_test::conformance_huge_duration_test
