// SPDX-License-Identifier: BSL-1.0
// Firmware subset of the structured-concurrency primitives: task_set, shared_mutex, once_cell,
// when_all / when_any, and spawn_blocking's error on a target without threads, on local_runtime
// with a fake clock and on sim_runtime.
#include "harness.hpp"

#include <eddy/runtime/spawn_blocking.hpp>
#include <eddy/runtime/task_set.hpp>
#include <eddy/sync/once_cell.hpp>
#include <eddy/sync/shared_mutex.hpp>

#include <eddy/runtime/when_all.hpp>
#include <eddy/runtime/when_any.hpp>
#include <eddy/sync/mpsc.hpp>

using namespace eddy;
using namespace std::chrono_literals;

namespace {
task<int> after(std::chrono::milliseconds d, int v) {
  co_await sleep(d);
  co_return v;
}
}  // namespace

FW_TEST(structured, task_set_gives_results_in_completion_order) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      task_set<int> set;
      set.spawn(after(30ms, 3));
      set.spawn(after(10ms, 1));
      set.spawn(after(20ms, 2));
      CHECK_EQ(static_cast<long long>(set.size()), 3);
      int expect = 1;
      while (auto r = co_await set.join_next()) {
        CHECK(r->has_value());
        if (r->has_value()) CHECK_EQ(r->value(), expect);
        ++expect;
      }
      CHECK_EQ(expect, 4);
      CHECK(set.empty());
    }());
  });
}

FW_TEST(structured, task_set_abort_all_gives_aborted) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      task_set<int> set;
      set.spawn(after(1000ms, 1));
      set.spawn(after(2000ms, 2));
      co_await sleep(1ms);
      set.abort_all();
      int aborted = 0;
      while (auto r = co_await set.join_next()) {
        if (!r->has_value() && r->error().code() == errc::aborted) ++aborted;
      }
      CHECK_EQ(aborted, 2);
      CHECK(fwtest::now_ms() < 1000);  // the aborts did not wait for the sleeps
    }());
  });
}

FW_TEST(structured, shared_mutex_readers_share_and_a_writer_waits) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      shared_mutex m;
      auto r1 = co_await m.lock_shared();
      auto r2 = co_await m.lock_shared();
      CHECK(r1 && r2);
      CHECK(!m.try_lock());
      bool wrote = false;
      auto writer = spawn([](shared_mutex& m, bool& wrote) -> task<void> {
        auto g = co_await m.lock();
        wrote = true;
      }(m, wrote));
      co_await sleep(1ms);
      CHECK(!wrote);
      CHECK(!m.try_lock_shared());  // a waiting writer blocks new readers
      r1.unlock();
      r2.unlock();
      co_await writer;
      CHECK(wrote);
      CHECK(m.try_lock());
    }());
  });
}

FW_TEST(structured, once_cell_initialises_once_and_retries_after_a_failure) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      once_cell<int> cell;
      int calls = 0;
      auto failed = co_await cell.get_or_init([&calls]() -> result<int> {
        ++calls;
        return error{errc::user, 7};
      });
      CHECK(!failed.has_value());
      CHECK(cell.get() == nullptr);
      auto a = co_await cell.get_or_init([&calls] {
        ++calls;
        return 42;
      });
      auto b = co_await cell.get_or_init([&calls] {
        ++calls;
        return 0;
      });
      CHECK(a.has_value() && b.has_value());
      if (a.has_value() && b.has_value()) {
        CHECK_EQ(a.value().get(), 42);
        CHECK_EQ(b.value().get(), 42);
      }
      CHECK_EQ(calls, 2);
      auto again = cell.set(5);
      CHECK(!again.has_value() && again.error().code() == errc::already_initialized);
    }());
  });
}

FW_TEST(structured, spawn_blocking_is_an_error_without_threads) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      bool ran = false;
      auto r = co_await spawn_blocking([&ran] {
        ran = true;
        return 1;
      });
      CHECK(!r.has_value() && r.error().code() == errc::invalid_argument);
      CHECK(!ran);
    }());
  });
}

FW_TEST(structured, when_all_and_when_any) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [a, b] = co_await when_all(after(20ms, 2), after(10ms, 1));
      CHECK(a.has_value() && b.has_value());
      if (a.has_value() && b.has_value()) CHECK_EQ(a.value() * 10 + b.value(), 21);
      CHECK_EQ(fwtest::now_ms(), 20);  // concurrently, not one after the other

      auto [tx, rx] = mpsc::channel<int>(4);
      auto first = co_await when_any(rx.recv(), sleep(5ms));
      CHECK_EQ(static_cast<long long>(first.index()), 1);  // the sleep won; the recv lost
      CHECK(tx.try_send(9).has_value());
      auto v = co_await rx.recv();  // a losing recv took nothing
      CHECK(v && *v == 9);
    }());
  });
}
