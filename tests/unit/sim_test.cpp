// SPDX-License-Identifier: BSL-1.0
// sim_runtime: exact virtual time, determinism per seed, deadlock detection.
#include <gtest/gtest.h>

#include <eddy/eddy.hpp>
#include <string>
#include <vector>

namespace eddy_test::unit_sim_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {
duration since_start() {
  return now().time_since_epoch();
}

task<void> tagged_worker(int id, int steps, std::vector<int>* trace) {
  for (int i = 0; i < steps; ++i) {
    trace->push_back(id);
    co_await yield_now();
  }
}

std::vector<int> run_trace(std::uint64_t seed) {
  sim_runtime sim{seed};
  std::vector<int> trace;
  sim.block_on([](std::vector<int>* trace) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int id = 0; id < 5; ++id) hs.push_back(spawn(tagged_worker(id, 10, trace)));
    for (auto& h : hs) (void)co_await h;
  }(&trace));
  return trace;
}
}  // namespace

TEST(sim_runtime, time_starts_at_zero_and_jumps) {
  sim_runtime sim{1};
  auto t = sim.block_on([]() -> task<duration> {
    EXPECT_EQ(since_start(), 0ns);
    co_await sleep(1h);
    co_return since_start();
  }());
  EXPECT_EQ(t, duration(1h));
  EXPECT_EQ(sim.now().time_since_epoch(), duration(1h));
}

TEST(sim_runtime, timeout_fires_at_exactly_the_deadline) {
  sim_runtime sim{7};
  auto r = sim.block_on([]() -> task<std::pair<bool, duration>> {
    auto v = co_await timeout(10ms, []() -> task<int> {
      co_await sleep(20ms);
      co_return 1;
    }());
    co_return std::pair{v.has_value(), since_start()};
  }());
  EXPECT_FALSE(r.first);
  EXPECT_EQ(r.second, duration(10ms));
}

TEST(sim_runtime, timeout_returns_value_at_the_inner_time) {
  sim_runtime sim{7};
  auto r = sim.block_on([]() -> task<std::pair<int, duration>> {
    auto v = co_await timeout(20ms, []() -> task<int> {
      co_await sleep(10ms);
      co_return 5;
    }());
    co_return std::pair{v.value_or(-1), since_start()};
  }());
  EXPECT_EQ(r.first, 5);
  EXPECT_EQ(r.second, duration(10ms));
}

TEST(sim_runtime, sleeps_sum_exactly) {
  sim_runtime sim{3};
  auto t = sim.block_on([]() -> task<duration> {
    for (int i = 0; i < 1000; ++i) co_await sleep(1ms);
    co_await sleep_until(time_point{2s});
    co_return since_start();
  }());
  EXPECT_EQ(t, duration(2s));
}

TEST(sim_runtime, an_hour_of_timers_is_instant_and_exact) {
  sim_runtime sim{11};
  auto count = sim.block_on([]() -> task<int> {
    int fired = 0;
    std::vector<join_handle<int>> hs;
    for (int i = 0; i < 3600; ++i) {
      hs.push_back(spawn([](int i) -> task<int> {
        co_await sleep(std::chrono::seconds(i));
        co_return since_start() == duration(std::chrono::seconds(i)) ? 1 : 0;
      }(i)));
    }
    for (auto& h : hs) {
      auto r = co_await h;
      fired += r.value();
    }
    co_return fired;
  }());
  EXPECT_EQ(count, 3600);
  EXPECT_EQ(sim.now().time_since_epoch(), duration(3599s));
}

TEST(sim_runtime, same_seed_same_trace) {
  for (std::uint64_t seed : {1u, 2u, 99u}) EXPECT_EQ(run_trace(seed), run_trace(seed)) << seed;
}

TEST(sim_runtime, different_seeds_explore_different_orders) {
  const auto base = run_trace(1);
  int different = 0;
  for (std::uint64_t seed = 2; seed < 20; ++seed) different += run_trace(seed) != base;
  EXPECT_GT(different, 10);
}

TEST(sim_runtime, seed_zero_is_fifo) {
  const auto t = run_trace(0);
  for (std::size_t i = 0; i < t.size(); ++i) EXPECT_EQ(t[i], static_cast<int>(i % 5)) << i;
}

TEST(sim_runtime, deadlock_is_reported_not_hung) {
  sim_runtime sim{5};
  auto r = sim.try_block_on([]() -> task<int> {
    cancellation_token never;
    co_await never.cancelled();  // nobody will ever cancel it
    co_return 1;
  }());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::deadlock);
}

#if EDDY_HAS_EXCEPTIONS
TEST(sim_runtime, block_on_panics_on_deadlock) {
  sim_runtime sim{5};
  EXPECT_THROW(sim.block_on([]() -> task<void> {
    cancellation_token never;
    co_await never.cancelled();
  }()),
               panic_error);
}
#endif

TEST(sim_runtime, advance_runs_what_is_due) {
  sim_runtime sim{2};
  int fired = 0;
  auto h = spawn(sim.get_executor(), [](int* fired) -> task<void> {
    co_await sleep(5ms);
    ++*fired;
    co_await sleep(10ms);
    ++*fired;
  }(&fired));
  sim.advance(4ms);
  EXPECT_EQ(fired, 0);
  sim.advance(1ms);
  EXPECT_EQ(fired, 1);
  sim.advance(100ms);
  EXPECT_EQ(fired, 2);
  EXPECT_EQ(sim.now().time_since_epoch(), duration(105ms));
  EXPECT_TRUE(h.is_finished());
}

// timeout's tie rule on every seed: the inner work woken at exactly the deadline completes and
// its value wins, whichever of the two timers was armed first.
TEST(sim_runtime, timeout_tie_value_wins_on_every_seed) {
  for (std::uint64_t seed = 0; seed < 64; ++seed) {
    sim_runtime sim{seed};
    auto r = sim.block_on([]() -> task<std::pair<int, duration>> {
      int got = 0;
      // The inner timer is armed first (during the inner work's first run).
      auto a = co_await timeout(5ms, []() -> task<int> {
        co_await sleep(5ms);
        co_return 1;
      }());
      got += a.value_or(0);
      // The inner timer is armed after the time-out's (a second sleep at 2 ms).
      auto b = co_await timeout(5ms, []() -> task<int> {
        co_await sleep(2ms);
        co_await sleep(3ms);
        co_return 10;
      }());
      got += b.value_or(0);
      // One tick late is a time-out.
      auto c = co_await timeout(5ms, []() -> task<int> {
        co_await sleep(5ms + 1ns);
        co_return 100;
      }());
      got += c.value_or(0);
      co_return std::pair{got, since_start()};
    }());
    EXPECT_EQ(r.first, 11) << "seed " << seed;
    EXPECT_EQ(r.second, duration(15ms)) << "seed " << seed;
  }
}

// Huge durations saturate: virtual time never wraps or goes back, and a timer at `never`
// never fires, not even when time is advanced by the largest duration there is.
TEST(sim_runtime, advance_saturates_and_never_goes_back) {
  sim_runtime sim{2};
  int fired = 0;
  auto far = spawn(sim.get_executor(), [](int* fired) -> task<void> {
    co_await sleep_until(time_point::max() - 2ns);
    ++*fired;
  }(&fired));
  auto forever = spawn(sim.get_executor(), [](int* fired) -> task<void> {
    co_await sleep_until(never);
    *fired += 100;
  }(&fired));
  sim.advance(5ms);
  sim.advance(-3ms);  // nothing: time never goes back
  EXPECT_EQ(sim.now().time_since_epoch(), duration(5ms));
  sim.advance(std::chrono::hours::max());  // would overflow: saturates
  EXPECT_EQ(fired, 1);                     // the far timer is due, `never` is not
  EXPECT_TRUE(far.is_finished());
  EXPECT_FALSE(forever.is_finished());
  EXPECT_EQ(sim.now(), time_point::max() - 1ns);  // the clock stops short of `never`
  sim.advance(std::chrono::nanoseconds::max());
  sim.advance(1h);
  EXPECT_EQ(sim.now(), time_point::max() - 1ns);
  EXPECT_FALSE(forever.is_finished());
  forever.abort();
  sim.run_until_idle();
  EXPECT_TRUE(forever.is_finished());
  EXPECT_EQ(fired, 1);
}

TEST(sim_runtime, run_does_not_jump_to_never) {
  sim_runtime sim{4};
  bool woke = false;
  auto h = spawn(sim.get_executor(), [](bool* woke) -> task<void> {
    co_await sleep(std::chrono::hours::max());
    *woke = true;
  }(&woke));
  sim.run();  // returns: nothing can fire
  EXPECT_FALSE(woke);
  EXPECT_EQ(sim.now().time_since_epoch(), duration(0));
  auto r =
      sim.try_block_on([]() -> task<void> { co_await sleep(std::chrono::nanoseconds::max()); }());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::deadlock);  // a sleep for ever is a deadlock, not a hang
  h.abort();
}

namespace {
/// An awaitable with a member `operator co_await` (not an awaiter itself): a sleep of `d`.
struct nap {
  duration d;
  auto operator co_await() const { return sleep(d); }
};
}  // namespace

TEST(sim_runtime, timeout_of_an_awaitable_with_operator_co_await) {
  sim_runtime sim{3};
  auto r = sim.block_on([]() -> task<std::vector<int>> {
    std::vector<int> out;
    const time_point t0 = now();
    auto a = co_await timeout(10ms, nap{4ms});  // in time: done at 4 ms
    out.push_back(a.has_value());
    out.push_back(static_cast<int>((now() - t0) / 1ms));
    auto b = co_await timeout(10ms, nap{15ms});  // late: gives up 10 ms later
    out.push_back(b.has_value());
    out.push_back(static_cast<int>((now() - t0) / 1ms));
    auto c = co_await timeout(0ms, nap{duration::zero()});  // done without suspending
    out.push_back(c.has_value());
    out.push_back(static_cast<int>((now() - t0) / 1ms));
    co_return out;
  }());
  EXPECT_EQ(r, (std::vector<int>{1, 4, 0, 14, 1, 14}));
}

}  // namespace eddy_test::unit_sim_test
