// SPDX-License-Identifier: BSL-1.0
// Conformance: eddy::barrier on every runtime (leader, generations, withdrawn arrivals).
#include <atomic>
#include <vector>

#include <eddy/sync/barrier.hpp>

#include "conformance/runtimes.hpp"

namespace eddy_test::sync_barrier_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class barrier_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(barrier_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {

task<void> until_arrived(barrier* b, std::ptrdiff_t k) {
  while (b->arrived() != k) co_await yield_now();
}

task<bool> arrive(barrier* b) {
  auto r = co_await b->arrive_and_wait();
  co_return r.is_leader();
}

}  // namespace

TYPED_TEST(barrier_conformance, single_task_barrier_always_leads) {
  barrier b{1};
  this->f.block_on([](barrier* b) -> task<void> {
    for (int i = 0; i < 3; ++i) {
      auto r = co_await b->arrive_and_wait();
      EXPECT_TRUE(r.is_leader());
    }
  }(&b));
  EXPECT_EQ(b.generation(), 3u);
}

TYPED_TEST(barrier_conformance, one_leader_per_generation_over_many_generations) {
  constexpr int tasks = 4, rounds = 50;
  barrier b{tasks};
  std::vector<std::atomic<int>> leaders(rounds);
  std::vector<std::atomic<int>> passed(rounds);
  std::atomic<bool> early{false};
  this->f.block_on([](barrier* b, std::vector<std::atomic<int>>* leaders,
                      std::vector<std::atomic<int>>* passed,
                      std::atomic<bool>* early) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int t = 0; t < tasks; ++t) {
      hs.push_back(
          spawn([](barrier* b, std::vector<std::atomic<int>>* leaders,
                   std::vector<std::atomic<int>>* passed, std::atomic<bool>* early) -> task<void> {
            for (int round = 0; round < rounds; ++round) {
              (*passed)[static_cast<std::size_t>(round)].fetch_add(1);
              auto r = co_await b->arrive_and_wait();
              // Everyone of this round arrived before anyone left it.
              if ((*passed)[static_cast<std::size_t>(round)].load() != tasks) early->store(true);
              if (r.is_leader()) (*leaders)[static_cast<std::size_t>(round)].fetch_add(1);
            }
          }(b, leaders, passed, early)));
    }
    for (auto& h : hs) {
      auto r = co_await h;
      EXPECT_TRUE(r.has_value());
    }
  }(&b, &leaders, &passed, &early));
  for (int round = 0; round < rounds; ++round)
    EXPECT_EQ(leaders[static_cast<std::size_t>(round)].load(), 1) << "round " << round;
  EXPECT_FALSE(early.load());
  EXPECT_EQ(b.generation(), static_cast<std::uint64_t>(rounds));
  EXPECT_EQ(b.arrived(), 0);
}

TYPED_TEST(barrier_conformance, the_last_to_arrive_leads) {
  barrier b{3};
  this->f.block_on([](barrier* b) -> task<void> {
    auto x = spawn(arrive(b));
    co_await until_arrived(b, 1);
    auto y = spawn(arrive(b));
    co_await until_arrived(b, 2);
    auto r = co_await b->arrive_and_wait();
    EXPECT_TRUE(r.is_leader());
    auto rx = co_await x;
    auto ry = co_await y;
    EXPECT_FALSE(rx.value());
    EXPECT_FALSE(ry.value());
  }(&b));
}

TYPED_TEST(barrier_conformance, bad_sizes_panic) {
#if EDDY_HAS_EXCEPTIONS
  EXPECT_THROW(barrier{0}, panic_error);
  EXPECT_THROW(barrier{-2}, panic_error);
#endif
  barrier ok{2};
  EXPECT_EQ(ok.size(), 2);
}

TYPED_TEST(barrier_conformance, aborted_waiter_withdraws_its_arrival) {
  barrier b{2};
  this->f.block_on([](barrier* b) -> task<void> {
    auto a = spawn(arrive(b));
    co_await until_arrived(b, 1);
    a.abort();
    auto ra = co_await a;
    EXPECT_FALSE(ra.has_value());
    EXPECT_EQ(b->arrived(), 0);  // withdrawn
    auto x = spawn(arrive(b));   // needs a second live task again
    co_await until_arrived(b, 1);
    for (int i = 0; i < 10; ++i) co_await yield_now();
    EXPECT_FALSE(x.is_finished());
    auto r = co_await b->arrive_and_wait();
    EXPECT_TRUE(r.is_leader());
    auto rx = co_await x;
    EXPECT_FALSE(rx.value());
  }(&b));
  EXPECT_EQ(b.generation(), 1u);
}

TEST(barrier_sim, timeout_withdraws_then_retry_completes) {
  sim_runtime sim{11};
  barrier b{2};
  sim.block_on([](barrier* b) -> task<void> {
    const time_point t0 = now();
    auto r = co_await timeout(2ms, b->arrive_and_wait());
    EXPECT_FALSE(r.has_value());
    EXPECT_EQ(now() - t0, duration(2ms));
    EXPECT_EQ(b->arrived(), 0);
    auto x = spawn(arrive(b));
    co_await until_arrived(b, 1);
    auto r2 = co_await timeout(2ms, b->arrive_and_wait());
    EXPECT_TRUE(r2.has_value());
    if (r2) {
      EXPECT_TRUE(r2->is_leader());
    }
    auto rx = co_await x;
    EXPECT_FALSE(rx.value());
  }(&b));
}

}  // namespace eddy_test::sync_barrier_test
