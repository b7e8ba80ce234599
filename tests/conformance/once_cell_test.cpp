// SPDX-License-Identifier: BSL-1.0
// Conformance: once_cell<T> and set_once<T> on every runtime: one initialiser while concurrent
// callers wait and all get the same value, plain and task-returning init functions, the fast
// path once initialised, set() refused with already_initialized / initializing, get(), wait().
#include <atomic>
#include <string>
#include <vector>

#include <eddy/sync/once_cell.hpp>

#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_once_cell_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class once_cell_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(once_cell_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {

// The initialiser: counts its calls, then waits for the gate before giving `v`.
task<std::string> slow_load(std::atomic<int>* calls, notify* gate, std::string v) {
  calls->fetch_add(1);
  co_await gate->notified();
  co_return v;
}

}  // namespace

TYPED_TEST(once_cell_conformance, concurrent_callers_wait_for_one_initialiser) {
  once_cell<std::string> cell;
  std::atomic<int> calls{0};
  this->f.block_on([](once_cell<std::string>* cell, std::atomic<int>* calls) -> task<void> {
    notify gate;
    constexpr int n = 6;
    std::vector<join_handle<std::string>> hs;
    for (int i = 0; i < n; ++i) {
      hs.push_back(spawn([](once_cell<std::string>* cell, std::atomic<int>* calls, notify* gate,
                            int i) -> task<std::string> {
        auto r = co_await cell->get_or_init(
            [=] { return slow_load(calls, gate, "value from " + std::to_string(i)); });
        co_return r.value().get();
      }(cell, calls, &gate, i)));
    }
    // one initialises (its f is running), the 5 others wait
    while (cell->waiter_count() != n - 1 || calls->load() != 1) co_await yield_now();
    EXPECT_EQ(cell->get(), nullptr);
    {
      auto s = cell->set("too early");
      EXPECT_FALSE(s.has_value());
      if (!s.has_value()) {
        EXPECT_EQ(s.error(), errc::initializing);
        EXPECT_EQ(s.inner(), "too early");  // handed back
      }
    }
    gate.notify_one();
    std::vector<std::string> got;
    for (auto& h : hs) {
      auto r = co_await h;
      got.push_back(r.value());
    }
    for (auto& g : got) EXPECT_EQ(g, got[0]);  // everyone got the same value
    EXPECT_EQ(got[0].rfind("value from ", 0), 0u);
    EXPECT_EQ(calls->load(), 1);
    EXPECT_NE(cell->get(), nullptr);
    if (cell->get()) {
      EXPECT_EQ(*cell->get(), got[0]);
    }
  }(&cell, &calls));
  EXPECT_TRUE(cell.is_initialized());
  EXPECT_EQ(cell.waiter_count(), 0u);
}

TYPED_TEST(once_cell_conformance, plain_functions_and_the_fast_path) {
  this->f.block_on([]() -> task<void> {
    once_cell<int> cell;
    int calls = 0;
    auto r = co_await cell.get_or_init([&] {
      ++calls;
      return 7;
    });
    EXPECT_EQ(r.value().get(), 7);
    const int& ref = r.value();  // a reference to the stored value
    EXPECT_EQ(&ref, cell.get());
    auto r2 = co_await cell.get_or_init([&] {
      ++calls;
      return 8;
    });
    EXPECT_EQ(r2.value().get(), 7);
    EXPECT_EQ(calls, 1);  // initialised: f is not called again
    // a function giving result<T>
    once_cell<int> c2;
    auto r3 = co_await c2.get_or_init([]() -> result<int> { return 11; });
    EXPECT_EQ(r3.value().get(), 11);
    // set on an initialised cell hands the value back
    auto s = c2.set(12);
    EXPECT_FALSE(s.has_value());
    if (!s.has_value()) {
      EXPECT_EQ(s.error(), errc::already_initialized);
      EXPECT_EQ(s.inner(), 12);
    }
    EXPECT_EQ(*c2.get(), 11);
  }());
}

TYPED_TEST(once_cell_conformance, set_wakes_waiters_and_get_or_init_callers) {
  once_cell<int> cell;
  this->f.block_on([](once_cell<int>* cell) -> task<void> {
    auto w =
        spawn([](once_cell<int>* cell) -> task<int> { co_return co_await cell->wait(); }(cell));
    while (cell->waiter_count() != 1) co_await yield_now();
    EXPECT_TRUE(cell->set(5).has_value());
    auto rw = co_await w;
    EXPECT_EQ(rw.value(), 5);
    const int& v = co_await cell->wait();  // at once now
    EXPECT_EQ(&v, cell->get());
  }(&cell));
  EXPECT_EQ(*cell.get(), 5);
}

TYPED_TEST(once_cell_conformance, set_once_is_set_once_with_waiters) {
  set_once<std::string> s;
  this->f.block_on([](set_once<std::string>* s) -> task<void> {
    EXPECT_FALSE(s->is_set());
    EXPECT_EQ(s->get(), nullptr);
    std::vector<join_handle<std::string>> hs;
    for (int i = 0; i < 3; ++i) {
      hs.push_back(spawn(
          [](set_once<std::string>* s) -> task<std::string> { co_return co_await s->wait(); }(s)));
    }
    while (s->waiter_count() != 3) co_await yield_now();
    EXPECT_TRUE(s->set("ready").has_value());
    for (auto& h : hs) {
      auto r = co_await h;
      EXPECT_EQ(r.value(), "ready");
    }
    auto again = s->set("again");
    EXPECT_FALSE(again.has_value());
    if (!again.has_value()) {
      EXPECT_EQ(again.error(), errc::already_initialized);
      EXPECT_EQ(again.inner(), "again");
    }
  }(&s));
  EXPECT_EQ(*s.get(), "ready");
}

}  // namespace eddy_test::conformance_once_cell_test
