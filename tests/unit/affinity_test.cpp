// SPDX-License-Identifier: BSL-1.0
// Affinity across runtimes: a task woken from another runtime's thread resumes on its own
// runtime (checked with current_executor() and thread ids), never inline on the waker's thread.
#include <gtest/gtest.h>

#include <atomic>
#include <eddy/eddy.hpp>
#include <thread>

namespace eddy_test::unit_affinity_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {
task<int> on_pool(executor pool, int v) {
  co_await sleep(100us);  // wakes from the pool's timer, on a pool thread
  co_return current_executor() == pool ? v : -1000;
}

task<int> on_local(executor local, std::thread::id local_thread, int v) {
  co_await yield_now();
  const bool ok = current_executor() == local && std::this_thread::get_id() == local_thread;
  co_return ok ? v : -1000;
}
}  // namespace

TEST(affinity, local_task_joining_pool_tasks_resumes_on_its_own_thread) {
  local_runtime local;
  thread_pool pool{2};
  const auto main_id = std::this_thread::get_id();
  auto r = local.block_on([](executor pool, std::thread::id main_id) -> task<int> {
    const executor me = current_executor();
    int sum = 0;
    for (int i = 0; i < 200; ++i) {
      auto h = spawn(pool, on_pool(pool, i));
      auto v = co_await h;  // completed on a pool thread; we resume here
      if (std::this_thread::get_id() != main_id || current_executor() != me) co_return -1;
      sum += v.value();
    }
    co_return sum;
  }(pool.get_executor(), main_id));
  EXPECT_EQ(r, 199 * 200 / 2);
}

TEST(affinity, pool_task_joining_local_tasks_resumes_on_the_pool) {
  local_runtime local;
  thread_pool pool{2};
  const auto main_id = std::this_thread::get_id();
  // The pool task waits on tasks that run on `local`, which this thread drives.
  auto h = spawn(pool.get_executor(), [](executor local, std::thread::id main_id) -> task<int> {
    const executor me = current_executor();
    int sum = 0;
    for (int i = 0; i < 200; ++i) {
      auto j = spawn(local, on_local(local, main_id, i));
      auto v = co_await j;
      if (std::this_thread::get_id() == main_id || current_executor() != me) co_return -1;
      sum += v.value();
    }
    co_return sum;
  }(local.get_executor(), main_id));
  auto r =
      local.block_on([](join_handle<int>* h) -> task<result<int>> { co_return co_await *h; }(&h));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r.value(), 199 * 200 / 2);
}

TEST(affinity, abort_from_another_thread_runs_destructors_on_the_tasks_runtime) {
  local_runtime local;
  thread_pool pool{1};
  std::atomic<bool> destroyed_on_main{false};
  const auto main_id = std::this_thread::get_id();
  auto victim =
      spawn(local.get_executor(), [](std::atomic<bool>* flag, std::thread::id id) -> task<void> {
        struct guard {
          std::atomic<bool>* flag;
          std::thread::id id;
          ~guard() { flag->store(std::this_thread::get_id() == id); }
        } g{flag, id};
        co_await sleep(24h);
      }(&destroyed_on_main, main_id));
  local.run_until_idle();  // the victim is now asleep
  // A pool task aborts it: the abort is posted to `local`, not run on the pool thread.
  auto killer = spawn(pool.get_executor(), [](join_handle<void>* v) -> task<void> {
    v->abort();
    co_return;
  }(&victim));
  auto jr = local.block_on(
      [](join_handle<void>* v) -> task<result<void>> { co_return co_await *v; }(&victim));
  EXPECT_TRUE(destroyed_on_main.load());
  ASSERT_FALSE(jr.has_value());
  EXPECT_EQ(jr.error().code(), errc::aborted);
}

}  // namespace eddy_test::unit_affinity_test
