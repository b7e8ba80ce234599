// SPDX-License-Identifier: BSL-1.0
// Conformance: spawn, join, abort, detach on every runtime.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_spawn_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class spawn_conformance : public ::testing::Test {
 protected:
  std::atomic<int> counter{0};  // declared before f: outlives tasks the runtime destroys
  F f;
};
TYPED_TEST_SUITE(spawn_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {
task<int> answer() {
  co_return 42;
}
task<int> add(int a, int b) {
  co_return a + b;
}
task<int> nested(int depth) {
  if (depth == 0) co_return 0;
  co_return 1 + co_await nested(depth - 1);
}
// `started` is used as a one-shot event: cancelled right before the task suspends, so tests
// wait for "the task has reached its sleep" without sleeping themselves.
task<void> forever_sleep(std::atomic<int>* destroyed, cancellation_token started = {}) {
  struct guard {
    std::atomic<int>* d;
    ~guard() { d->fetch_add(1); }
  } g{destroyed};
  started.cancel();
  co_await sleep(std::chrono::hours(1000));
}
task<std::string> text(std::size_t n) {
  co_return std::string(n, 'x');
}
task<std::array<std::uint64_t, 8>> counted() {
  std::array<std::uint64_t, 8> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = i + 1;
  co_return a;
}
task<result<int>> refused() {
  co_return error{errc::user, 7};
}
// Suspends inside what the runner keeps per task until the task completes: a timeout's cancel
// scope around a `when_all` with two sleeping branches.
task<int> nested_waits(cancellation_token started) {
  started.cancel();
  auto r = co_await timeout(std::chrono::hours(1000), when_all(sleep(std::chrono::hours(1000)),
                                                               sleep(std::chrono::hours(1000))));
  co_return r.has_value() ? 1 : 2;
}
}  // namespace

TYPED_TEST(spawn_conformance, block_on_returns_value) {
  EXPECT_EQ(this->f.block_on(answer()), 42);
}

TYPED_TEST(spawn_conformance, synchronous_chain_uses_no_stack_per_level) {
  EXPECT_EQ(this->f.block_on(nested(100000)), 100000);
}

TYPED_TEST(spawn_conformance, spawn_and_join_values) {
  auto r = this->f.block_on([]() -> task<int> {
    auto a = spawn(add(1, 2));
    auto b = spawn(add(3, 4));
    auto ra = co_await a;
    auto rb = co_await b;
    co_return ra.value() + rb.value();
  }());
  EXPECT_EQ(r, 10);
}

// A result of up to 32 bytes is kept in the task's header once the task has completed, a
// larger one after the header: both reach the joiner whole.
TYPED_TEST(spawn_conformance, results_of_every_size_reach_the_joiner) {
  const bool ok = this->f.block_on([]() -> task<bool> {
    auto short_text = spawn(text(3));  // built in place: a short string points into itself
    auto long_text = spawn(text(1000));
    auto array = spawn(counted());
    auto failed = spawn(refused());
    auto s = co_await short_text;
    auto l = co_await long_text;
    auto a = co_await array;
    auto f = co_await failed;
    co_return s.value() == "xxx" && l.value() == std::string(1000, 'x') && a.value()[0] == 1 &&
        a.value()[7] == 8 && f.has_value() && !f.value().has_value() &&
        f.value().error() == error{errc::user, 7};
  }());
  EXPECT_TRUE(ok);
}

// Destroying an aborted task's frames unwinds its cancel scope and its combinator's branches;
// its result is stored only then, in the room those used.
TYPED_TEST(spawn_conformance, a_task_aborted_inside_a_timeout_and_when_all_joins_to_aborted) {
  auto r = this->f.block_on([]() -> task<result<int>> {
    cancellation_token started;
    auto h = spawn(nested_waits(started));
    co_await started.cancelled();
    h.abort();
    co_return co_await h;
  }());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), error{errc::aborted});
  EXPECT_STREQ(r.error().message(), to_string(errc::aborted));
}

TYPED_TEST(spawn_conformance, join_twice_is_invalid_argument) {
  this->f.block_on([]() -> task<void> {
    auto h = spawn(answer());
    auto r1 = co_await h;
    auto r2 = co_await h;
    EXPECT_TRUE(r1.has_value());
    EXPECT_FALSE(r2.has_value());
    if (!r2.has_value()) {
      EXPECT_EQ(r2.error().code(), errc::invalid_argument);
    }
  }());
}

// `co_await std::move(h)` joins and consumes the handle (here from another task, which may
// find `h` finished or still running): `h` is empty afterwards, and a second join on it is
// invalid. A failed handle consumed the same way gives
// its code once.
TYPED_TEST(spawn_conformance, joining_a_moved_handle_consumes_it) {
  this->f.block_on([]() -> task<void> {
    cancellation_token go;
    auto h = spawn([](cancellation_token g) -> task<int> {
      co_await g.cancelled();
      co_return 42;
    }(go));
    auto waiting = spawn([](join_handle<int>* w) -> task<int> {
      auto r = co_await std::move(*w);
      co_return r.value();
    }(&h));
    go.cancel();
    auto joined = co_await waiting;
    EXPECT_EQ(joined.value(), 42);
    EXPECT_FALSE(h.valid());
    auto again = co_await h;
    EXPECT_EQ(again.error().code(), errc::invalid_argument);
    auto failed = join_handle<int>::failed(errc::user);
    auto first = co_await std::move(failed);
    EXPECT_EQ(first.error().code(), errc::user);
    EXPECT_FALSE(failed.is_finished());  // empty: nothing left to join
    auto second = co_await failed;
    EXPECT_EQ(second.error().code(), errc::invalid_argument);
  }());
}

TYPED_TEST(spawn_conformance, spawn_on_explicit_executor) {
  auto ex = this->f.ex();
  auto r = this->f.block_on([](executor ex) -> task<bool> {
    auto h =
        spawn(ex, []() -> task<bool> { co_return current_executor() == current_executor(); }());
    auto v = co_await h;
    co_return v.value() && h.get_executor() == ex;
  }(ex));
  EXPECT_TRUE(r);
}

#if EDDY_HAS_EXCEPTIONS
TYPED_TEST(spawn_conformance, exception_is_captured_and_delivered_to_joiner) {
  auto r = this->f.block_on([]() -> task<result<int>> {
    auto h = spawn([]() -> task<int> {
      throw std::runtime_error("boom");
      co_return 1;
    }());
    co_return co_await h;
  }());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::exception);
  EXPECT_THROW(r.error().rethrow(), std::runtime_error);
}

// A value and an exception share the frame's room: an exception thrown after `co_return` (by a
// local's destructor) ends the task, and the value (a heap string: a leak would show under
// ASan) is destroyed, whether the task is awaited or spawned.
TYPED_TEST(spawn_conformance, an_exception_after_co_return_wins_over_the_value) {
  struct throws_on_exit {
    ~throws_on_exit() noexcept(false) { throw std::runtime_error("late"); }
  };
  auto late = []() -> task<std::string> {
    throws_on_exit t;
    co_return std::string(100, 'x');
  };
  const bool ok = this->f.block_on([](auto late) -> task<bool> {
    bool awaited_threw = false;
    try {
      (void)co_await late();
    } catch (const std::runtime_error& e) {
      awaited_threw = std::string(e.what()) == "late";
    }
    auto spawned = co_await spawn(late());
    co_return awaited_threw && !spawned.has_value() && spawned.error().code() == errc::exception &&
        std::string(spawned.error().message()) == "late";
  }(late));
  EXPECT_TRUE(ok);
}

TYPED_TEST(spawn_conformance, block_on_rethrows) {
  EXPECT_THROW(this->f.block_on([]() -> task<int> {
    throw std::runtime_error("boom");
    co_return 1;
  }()),
               std::runtime_error);
}
#endif

TYPED_TEST(spawn_conformance, abort_while_sleeping_runs_destructors) {
  std::atomic<int> destroyed{0};
  auto r = this->f.block_on([](std::atomic<int>* d) -> task<result<void>> {
    cancellation_token started;
    auto h = spawn(forever_sleep(d, started));
    co_await started.cancelled();
    h.abort();
    co_return co_await h;
  }(&destroyed));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::aborted);
  EXPECT_EQ(destroyed.load(), 1);
}

TYPED_TEST(spawn_conformance, abort_before_start) {
  std::atomic<int> destroyed{0};
  auto r = this->f.block_on([](std::atomic<int>* d) -> task<result<void>> {
    auto h = spawn(forever_sleep(d));
    h.abort();
    co_return co_await h;
  }(&destroyed));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::aborted);
  if (TypeParam::threads == 1) {
    EXPECT_EQ(destroyed.load(), 0);  // the body never ran, so its local never existed
  } else {
    EXPECT_LE(destroyed.load(), 1);  // another worker may have started it already
  }
}

TYPED_TEST(spawn_conformance, abort_after_finish_is_noop) {
  auto r = this->f.block_on([]() -> task<result<int>> {
    auto h = spawn(answer());
    while (!h.is_finished()) co_await yield_now();
    h.abort();
    co_return co_await h;
  }());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r.value(), 42);
}

TYPED_TEST(spawn_conformance, abort_while_joining_another_task) {
  auto r = this->f.block_on([](std::atomic<int>* d) -> task<bool> {
    auto sleeper = spawn(forever_sleep(d));
    cancellation_token joining;
    auto joiner = spawn([](join_handle<void> s, cancellation_token joining) -> task<int> {
      joining.cancel();
      auto r = co_await s;  // never completes on its own
      co_return r.has_value() ? 1 : 2;
    }(std::move(sleeper), joining));
    co_await joining.cancelled();
    joiner.abort();
    auto jr = co_await joiner;
    // The sleeper's handle was owned by the aborted joiner: dropping it detached the sleeper.
    co_return !jr.has_value() && jr.error().code() == errc::aborted;
  }(&this->counter));
  EXPECT_TRUE(r);
}

TYPED_TEST(spawn_conformance, runtime_destruction_aborts_remaining_tasks) {
  std::atomic<int> destroyed{0};
  {
    TypeParam g;
    g.block_on([](std::atomic<int>* d) -> task<void> {
      cancellation_token a, b;
      spawn(forever_sleep(d, a));  // detached, sleeping for 1000 hours
      spawn(forever_sleep(d, b));
      co_await a.cancelled();
      co_await b.cancelled();
    }(&destroyed));
    EXPECT_EQ(destroyed.load(), 0);
    EXPECT_EQ(g.rt.live_tasks(), 2u);
  }
  EXPECT_EQ(destroyed.load(), 2);  // their destructors ran when the runtime went away
}

TYPED_TEST(spawn_conformance, abort_on_moved_from_and_empty_handle_is_noop) {
  this->f.block_on([]() -> task<void> {
    auto h = spawn(answer());
    auto h2 = std::move(h);
    h.abort();  // NOLINT(bugprone-use-after-move): the point of the test
    EXPECT_FALSE(h.is_finished());
    EXPECT_FALSE(h.valid());
    auto r = co_await h;
    EXPECT_EQ(r.error().code(), errc::invalid_argument);
    join_handle<int> empty;
    empty.abort();
    empty.detach();
    auto r2 = co_await h2;
    EXPECT_EQ(r2.value(), 42);
  }());
}

TYPED_TEST(spawn_conformance, detach_lets_task_finish) {
  std::atomic<int> ran{0};
  this->f.block_on([](std::atomic<int>* ran) -> task<void> {
    {
      auto h = spawn([](std::atomic<int>* ran) -> task<void> {
        co_await yield_now();
        ran->fetch_add(1);
      }(ran));
      h.detach();
      spawn([](std::atomic<int>* ran) -> task<void> {  // dropped handle: detached too
        ran->fetch_add(1);
        co_return;
      }(ran));
    }
    while (ran->load() < 2) co_await yield_now();
  }(&ran));
  EXPECT_EQ(ran.load(), 2);
}

// The task's frame (its parameters and locals) goes when the task ends, not when it is joined:
// a sender held by a finished task must close its channel even while the handle is kept.
TYPED_TEST(spawn_conformance, a_finished_tasks_frame_is_destroyed_before_the_join) {
  std::atomic<int> destroyed{0};
  const int seen_before_join = this->f.block_on([](std::atomic<int>* d) -> task<int> {
    struct guard {
      std::atomic<int>* d;
      guard(std::atomic<int>* p) noexcept : d(p) {}
      guard(guard&& o) noexcept : d(std::exchange(o.d, nullptr)) {}
      ~guard() {
        if (d) d->fetch_add(1);
      }
    };
    auto h = spawn([](guard g) -> task<int> {  // `g` lives in the task's frame
      co_await yield_now();
      co_return g.d ? 7 : 0;
    }(guard{d}));
    for (int i = 0; i < 100000 && !h.is_finished(); ++i) co_await yield_now();
    const int before = d->load();
    auto r = co_await h;
    co_return r.value() == 7 ? before : -1;
  }(&destroyed));
  EXPECT_EQ(seen_before_join, 1);
  EXPECT_EQ(destroyed.load(), 1);
}

TYPED_TEST(spawn_conformance, many_spawned_tasks) {
  constexpr int n = 100000;
  auto sum = this->f.block_on([]() -> task<long> {
    std::vector<join_handle<int>> hs;
    hs.reserve(n);
    for (int i = 0; i < n; ++i) hs.push_back(spawn(add(i, 1)));
    long s = 0;
    for (auto& h : hs) {
      auto r = co_await h;
      s += r.value();
    }
    co_return s;
  }());
  EXPECT_EQ(sum, static_cast<long>(n) * (n + 1) / 2);
}

TYPED_TEST(spawn_conformance, affinity_resumes_on_own_executor) {
  auto ex = this->f.ex();
  auto ok = this->f.block_on([](executor ex) -> task<bool> {
    bool good = true;
    for (int i = 0; i < 50; ++i) {
      good = good && current_executor() == ex;
      co_await sleep(std::chrono::microseconds(10));
      good = good && current_executor() == ex;
      co_await yield_now();
    }
    co_return good;
  }(ex));
  EXPECT_TRUE(ok);
}

TYPED_TEST(spawn_conformance, block_on_inside_runtime_is_an_error) {
  auto& rt = this->f.rt;
  auto r = this->f.block_on([](auto* rt) -> task<bool> {
    auto inner = rt->try_block_on(answer());
    co_return !inner.has_value() && inner.error().code() == errc::invalid_argument;
  }(&rt));
  EXPECT_TRUE(r);
}

}  // namespace eddy_test::conformance_spawn_test
