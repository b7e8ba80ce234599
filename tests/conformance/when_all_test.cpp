// SPDX-License-Identifier: BSL-1.0
// Conformance: when_all / try_when_all (fixed arity and range forms) on every runtime: results
// of mixed operands, errors as values, the first-error form cancelling the rest, nesting with
// when_any and timeout, and an abort of the awaiting task cancelling every branch.
#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_when_all_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

struct drop_counter {
  std::atomic<int>* n;
  ~drop_counter() { n->fetch_add(1); }
};

task<int> value_after(std::chrono::milliseconds d, int v) {
  co_await sleep(d);
  co_return v;
}
task<int> ready_value(int v) {
  co_return v;
}
task<result<int>> fails_after(std::chrono::milliseconds d) {
  co_await sleep(d);
  co_return error{errc::user};
}
task<int> forever(std::atomic<int>* dropped) {
  drop_counter g{dropped};
  co_await sleep(std::chrono::hours::max());
  co_return 0;
}
#if EDDY_HAS_EXCEPTIONS
task<int> throws_after(std::chrono::milliseconds d) {
  co_await sleep(d);
  throw std::runtime_error("boom");
}
#endif
task<void> send_after(mpsc::sender<int> tx, std::chrono::milliseconds d, int v) {
  co_await sleep(d);
  (void)co_await tx.send(v);
}

}  // namespace

template <class F>
class when_all_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(when_all_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

TYPED_TEST(when_all_conformance, gives_a_tuple_of_results_of_mixed_operands) {
  auto r = this->f.block_on([]() -> task<int> {
    auto [tx, rx] = mpsc::channel<int>(4);
    mutex m;
    auto h = spawn(value_after(2ms, 40));
    spawn(send_after(tx, 1ms, 7)).detach();
    auto [a, b, c, d, e, g] =
        co_await when_all(value_after(3ms, 1), rx.recv(), sleep(1ms), m.lock(), h, ready_value(2));
    if (!a.has_value() || a.value() != 1) co_return 1;
    if (!b.has_value() || b.value() != std::optional<int>(7)) co_return 2;
    if (!c.has_value()) co_return 3;
    if (!d.has_value() || !d.value().owns_lock()) co_return 4;
    // a join handle already gives a result: kept as it is, not nested
    static_assert(std::is_same_v<decltype(e), result<int>>);
    if (!e.has_value() || e.value() != 40) co_return 5;
    if (!g.has_value() || g.value() != 2) co_return 6;
    co_return 0;
  }());
  EXPECT_EQ(r, 0);
}

TYPED_TEST(when_all_conformance, runs_the_operands_concurrently) {
  auto elapsed = this->f.block_on([]() -> task<duration> {
    const time_point t0 = now();
    auto [a, b, c] = co_await when_all(value_after(20ms, 1), value_after(20ms, 2), sleep(20ms));
    if (a.value() != 1 || b.value() != 2 || !c.has_value()) co_return duration::max();
    co_return now() - t0;
  }());
  EXPECT_GE(elapsed, duration(20ms));
  if (TypeParam::virtual_time) {
    EXPECT_EQ(elapsed, duration(20ms));
  } else {
    EXPECT_LT(elapsed, duration(60ms * 4));  // not 60 ms in sequence (with slack for CI)
  }
}

TYPED_TEST(when_all_conformance, errors_are_values_and_nothing_is_cancelled) {
  auto r = this->f.block_on([]() -> task<int> {
    auto [a, b] = co_await when_all(fails_after(1ms), value_after(3ms, 5));
    if (a.has_value() || a.error().code() != errc::user) co_return 1;
    if (!b.has_value() || b.value() != 5) co_return 2;
    co_return 0;
  }());
  EXPECT_EQ(r, 0);
}

#if EDDY_HAS_EXCEPTIONS
TYPED_TEST(when_all_conformance, an_exception_becomes_that_elements_error) {
  auto r = this->f.block_on([]() -> task<int> {
    auto [a, b] = co_await when_all(throws_after(1ms), value_after(2ms, 5));
    if (a.has_value() || a.error().code() != errc::exception) co_return 1;
    if (std::string(a.error().message()) != "boom") co_return 2;
    if (!b.has_value() || b.value() != 5) co_return 3;
    co_return 0;
  }());
  EXPECT_EQ(r, 0);
}
#endif

TYPED_TEST(when_all_conformance, range_form_gives_results_in_order) {
  auto r = this->f.block_on([]() -> task<std::vector<int>> {
    std::vector<task<int>> ts;
    for (int i = 0; i < 8; ++i) ts.push_back(value_after(std::chrono::milliseconds(8 - i), i));
    ts.push_back(ready_value(8));
    auto rs = co_await when_all(std::move(ts));
    std::vector<int> out;
    for (auto& x : rs) out.push_back(x.has_value() ? x.value() : -1);
    auto none = co_await when_all(std::vector<task<int>>{});
    if (!none.empty()) out.push_back(-2);
    co_return out;
  }());
  EXPECT_EQ(r, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
}

TYPED_TEST(when_all_conformance, try_when_all_gives_the_values) {
  auto r = this->f.block_on([]() -> task<int> {
    auto [tx, rx] = mpsc::channel<int>(1);
    (void)tx.try_send(3);
    auto v = co_await try_when_all(value_after(1ms, 1), rx.recv(), sleep(1ms));
    if (!v.has_value()) co_return 1;
    auto& [a, b, c] = v.value();
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(c)>, unit>);
    co_return a * 10 + b.value_or(0);
  }());
  EXPECT_EQ(r, 13);
}

TYPED_TEST(when_all_conformance, try_when_all_first_error_cancels_the_rest) {
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](std::atomic<int>* d) -> task<int> {
    const time_point t0 = now();
    auto v = co_await try_when_all(forever(d), fails_after(2ms), forever(d));
    if (v.has_value() || v.error().code() != errc::user) co_return 1;
    if (d->load() != 2) co_return 2;  // both others were destroyed before co_await returned
    if (now() - t0 > duration(10s)) co_return 3;
    co_return 0;
  }(&dropped));
  EXPECT_EQ(r, 0);
}

TYPED_TEST(when_all_conformance, try_when_all_range_form) {
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](std::atomic<int>* d) -> task<int> {
    std::vector<task<result<int>>> ok;
    for (int i = 0; i < 4; ++i)
      ok.push_back([](int i) -> task<result<int>> {
        co_await sleep(std::chrono::milliseconds(i));
        co_return i;
      }(i));
    auto v = co_await try_when_all(std::move(ok));
    if (!v.has_value() || v.value() != std::vector<int>{0, 1, 2, 3}) co_return 1;
    std::vector<task<result<int>>> bad;
    bad.push_back(
        [](std::atomic<int>* d) -> task<result<int>> { co_return co_await forever(d); }(d));
    bad.push_back(fails_after(1ms));
    auto e = co_await try_when_all(std::move(bad));
    if (e.has_value() || e.error().code() != errc::user) co_return 2;
    co_return d->load() == 1 ? 0 : 3;
  }(&dropped));
  EXPECT_EQ(r, 0);
}

TYPED_TEST(when_all_conformance, nests_with_when_any_and_timeout) {
  auto r = this->f.block_on([]() -> task<int> {
    auto [a, b, c] = co_await when_all(when_any(value_after(1h, 1), value_after(1ms, 2)),
                                       timeout(1ms, sleep(std::chrono::hours(1))),
                                       timeout(1h, value_after(2ms, 3)));
    if (!a.has_value() || a.value().index() != 1 || std::get<1>(a.value()) != 2) co_return 1;
    if (!b.has_value() || b.value().has_value()) co_return 2;  // timed out inside its branch
    if (!c.has_value() || c.value() != std::optional<int>(3)) co_return 3;
    // two branches time out at the same instant: each is cancelled on its own
    auto [x, y] = co_await when_all(timeout(1ms, sleep(std::chrono::hours(1))),
                                    timeout(1ms, value_after(std::chrono::hours(1), 1)));
    if (!x.has_value() || x.value().has_value() || !y.has_value() || y.value().has_value())
      co_return 5;
    // a time-out around the combinator cancels it whole
    auto t = co_await timeout(2ms, when_all(sleep(1h), value_after(1ms, 9)));
    if (t.has_value()) co_return 4;
    co_return 0;
  }());
  EXPECT_EQ(r, 0);
}

TYPED_TEST(when_all_conformance, abort_of_the_awaiting_task_cancels_every_branch) {
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](std::atomic<int>* d) -> task<int> {
    auto [tx, rx] = mpsc::channel<int>(4);
    mutex m;
    semaphore s{1};
    auto held = co_await m.lock();
    auto permit = co_await s.acquire();
    std::atomic<bool> in{false};
    auto h = spawn([](mpsc::receiver<int>* rx, mutex* m, semaphore* s, std::atomic<int>* d,
                      std::atomic<bool>* in) -> task<int> {
      in->store(true);
      auto res = co_await when_all(rx->recv(), m->lock(), s->acquire(), forever(d));
      co_return std::get<0>(res).has_value() ? 1 : 2;
    }(&rx, &m, &s, d, &in));
    while (!in.load() || m.waiter_count() != 1) co_await yield_now();
    h.abort();
    auto j = co_await h;
    if (j.has_value() || j.error().code() != errc::aborted) co_return 1;
    if (d->load() != 1) co_return 2;
    if (m.waiter_count() != 0) co_return 3;
    held.unlock();
    if (!m.try_lock()) co_return 4;          // the aborted lock holds nothing
    { auto p = std::move(permit).value(); }  // gives the permit back
    if (s.available_permits() != 1) co_return 5;
    (void)tx.try_send(5);
    auto got = rx.try_recv();  // the aborted recv took nothing and left no registration
    if (!got.has_value() || got.value() != 5) co_return 6;
    co_return 0;
  }(&dropped));
  EXPECT_EQ(r, 0);
}

}  // namespace eddy_test::conformance_when_all_test
