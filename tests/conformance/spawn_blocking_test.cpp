// SPDX-License-Identifier: BSL-1.0
// Conformance: spawn_blocking on every runtime: the job runs on a plain pool thread, the result
// comes back on the caller's runtime, an abort removes a queued job and waits for a running
// one, a timeout around the join leaves the job running, and on a target without threads the
// join gives errc::invalid_argument at once.
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_spawn_blocking_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class spawn_blocking_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(spawn_blocking_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

#if EDDY_HAS_THREADS
namespace {

// Sets the pool's bound, lets its idle threads exit (so that the bound is what counts), and
// restores the settings afterwards.
struct pool_settings {
  blocking_pool_options saved = get_blocking_pool_options();
  explicit pool_settings(std::size_t max_threads) {
    blocking_pool_options o = saved;
    o.max_threads = max_threads;
    o.idle_timeout = std::chrono::milliseconds(1);
    set_blocking_pool_options(o);
    while (detail::blocking_pool_threads() > 0) std::this_thread::yield();
  }
  ~pool_settings() { set_blocking_pool_options(saved); }
};

}  // namespace

TYPED_TEST(spawn_blocking_conformance, the_job_runs_on_a_plain_thread_and_resumes_the_caller_home) {
  auto r = this->f.block_on([]() -> task<int> {
    const executor home = current_executor();
    const auto caller = std::this_thread::get_id();
    bool plain = false;
    bool other_thread = false;
    auto v = co_await spawn_blocking([&] {
      plain = !current_executor() && !detail::inside_runtime();
      other_thread = std::this_thread::get_id() != caller;
      return std::string("done");
    });
    if (current_executor() != home) co_return -1;
    if (!v.has_value() || v.value() != "done") co_return -2;
    co_return (plain ? 1 : 0) + (other_thread ? 10 : 0);
  }());
  EXPECT_EQ(r, 11);
}

TYPED_TEST(spawn_blocking_conformance, void_jobs_and_exceptions) {
  std::atomic<int> ran{0};
  auto r = this->f.block_on([](std::atomic<int>* ran) -> task<int> {
    auto v = co_await spawn_blocking([ran] { ran->fetch_add(1); });
    int score = v.has_value() ? 1 : 0;
#if EDDY_HAS_EXCEPTIONS
    auto e = co_await spawn_blocking([]() -> int { throw std::runtime_error("blocking boom"); });
    if (!e.has_value() && e.error() == errc::exception &&
        std::string(e.error().message()) == "blocking boom")
      score += 10;
#else
    score += 10;
#endif
    co_return score;
  }(&ran));
  EXPECT_EQ(r, 11);
  EXPECT_EQ(ran.load(), 1);
}

TYPED_TEST(spawn_blocking_conformance, many_jobs_all_deliver) {
  auto r = this->f.block_on([]() -> task<long> {
    std::vector<join_handle<long>> hs;
    for (long i = 1; i <= 100; ++i) hs.push_back(spawn_blocking([i] { return i * i; }));
    long sum = 0;
    for (auto& h : hs) {
      auto v = co_await h;
      sum += v.value();
    }
    co_return sum;
  }());
  EXPECT_EQ(r, 100L * 101 * 201 / 6);
}

TYPED_TEST(spawn_blocking_conformance, abort_removes_a_job_that_has_not_started) {
  pool_settings one{1};
  std::atomic<int> second_ran{0};
  auto r = this->f.block_on([](std::atomic<int>* second_ran) -> task<int> {
    auto [gate_tx, gate_rx] = oneshot::channel<int>();
    auto [started_tx, started_rx] = oneshot::channel<int>();
    // The only pool thread waits for the gate (a plain-thread wait: blocking_recv).
    auto first = spawn_blocking([rx = std::move(gate_rx), tx = std::move(started_tx)]() mutable {
      (void)tx.send(1);
      return rx.blocking_recv().value_or(-1);
    });
    (void)co_await started_rx;
    auto second = spawn_blocking([second_ran] { second_ran->fetch_add(1); });
    second.abort();
    auto s = co_await second;  // at once: the job was still queued behind the first
    const bool aborted = !s.has_value() && s.error() == errc::aborted;
    if (first.is_finished()) co_return -1;
    (void)gate_tx.send(9);
    auto f = co_await first;
    co_return (aborted ? 1 : 0) + (f.has_value() && f.value() == 9 ? 10 : 0);
  }(&second_ran));
  EXPECT_EQ(r, 11);
  EXPECT_EQ(second_ran.load(), 0);
  EXPECT_EQ(detail::blocking_pool_queued(), 0u);
}

TYPED_TEST(spawn_blocking_conformance, abort_of_a_running_job_waits_for_it_then_gives_aborted) {
  std::atomic<int> finished{0};
  auto r = this->f.block_on([](std::atomic<int>* finished) -> task<int> {
    auto [gate_tx, gate_rx] = oneshot::channel<int>();
    auto [started_tx, started_rx] = oneshot::channel<int>();
    auto h =
        spawn_blocking([rx = std::move(gate_rx), tx = std::move(started_tx), finished]() mutable {
          (void)tx.send(1);
          const int v = rx.blocking_recv().value_or(-1);
          finished->fetch_add(1);
          return v;
        });
    (void)co_await started_rx;
    h.abort();
    for (int i = 0; i < 20; ++i) co_await yield_now();
    if (h.is_finished()) co_return -1;  // the job runs: the abort waits for it
    (void)gate_tx.send(3);
    auto v = co_await h;
    co_return !v.has_value() && v.error() == errc::aborted && finished->load() == 1 ? 1 : -2;
  }(&finished));
  EXPECT_EQ(r, 1);
}

TYPED_TEST(spawn_blocking_conformance, a_timeout_around_the_join_leaves_the_job_running) {
  // On sim_runtime the clock stands still while a job runs (a job takes no virtual time), so a
  // job that waits for the time-out's own outcome would wait forever there.
  if (TypeParam::virtual_time) GTEST_SKIP();
  auto r = this->f.block_on([]() -> task<int> {
    auto [gate_tx, gate_rx] = oneshot::channel<int>();
    auto h = spawn_blocking(
        [rx = std::move(gate_rx)]() mutable { return rx.blocking_recv().value_or(-1); });
    auto t = co_await timeout(2ms, h);
    if (t.has_value()) co_return -1;
    (void)gate_tx.send(4);
    auto v = co_await h;  // the handle is still usable
    co_return v.has_value() ? v.value() : -2;
  }());
  EXPECT_EQ(r, 4);
}

TYPED_TEST(spawn_blocking_conformance, a_job_takes_no_virtual_time_on_sim) {
  auto r = this->f.block_on([]() -> task<duration> {
    const time_point t0 = now();
    auto v = co_await spawn_blocking([] {
      std::this_thread::sleep_for(2ms);  // real time spent in the job
      return 1;
    });
    co_return v.has_value() ? now() - t0 : duration{-1};
  }());
  if (TypeParam::virtual_time)
    EXPECT_EQ(r, duration::zero());
  else
    EXPECT_GE(r, duration(2ms));
}

TYPED_TEST(spawn_blocking_conformance, the_runtimes_destructor_waits_for_a_running_job) {
  std::atomic<int> finished{0};
  std::thread releaser;
  {
    TypeParam g;  // a runtime of its own, destroyed while a detached job runs
    auto [gate_tx, gate_rx] = oneshot::channel<int>();
    g.block_on([](oneshot::receiver<int> gate, std::atomic<int>* finished) -> task<void> {
      auto [started_tx, started_rx] = oneshot::channel<int>();
      spawn_blocking([rx = std::move(gate), tx = std::move(started_tx), finished]() mutable {
        (void)tx.send(1);
        (void)rx.blocking_recv();
        finished->fetch_add(1);
      }).detach();
      (void)co_await started_rx;
    }(std::move(gate_rx), &finished));
    releaser = std::thread([tx = std::move(gate_tx), rt = &g.rt]() mutable {
      while (rt->draining_tasks() == 0) std::this_thread::yield();  // the abort is a request
      (void)tx.send(1);
    });
  }  // the destructor aborts the task and waits for the job's end
  EXPECT_EQ(finished.load(), 1);
  releaser.join();
}

#else  // no threads: spawn_blocking never runs f, and says so at once

TYPED_TEST(spawn_blocking_conformance, without_threads_the_join_gives_invalid_argument) {
  int ran = 0;
  auto r = this->f.block_on([](int* ran) -> task<bool> {
    auto h = spawn_blocking([ran] {
      ++*ran;
      return 1;
    });
    const bool finished = h.is_finished();
    auto v = co_await h;
    co_return finished && !v.has_value() && v.error() == errc::invalid_argument;
  }(&ran));
  EXPECT_TRUE(r);
  EXPECT_EQ(ran, 0);
}

#endif

}  // namespace eddy_test::conformance_spawn_blocking_test
