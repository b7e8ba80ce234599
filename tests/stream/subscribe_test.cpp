// SPDX-License-Identifier: BSL-1.0
// subscribe: handlers in order, errors to on_error, coroutine handlers, exceptions, prompt
// cancellation of a pending next(). Conformance over every runtime.
#include <atomic>
#include <eddy/sync/mpsc.hpp>
#include <stdexcept>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::subscribe_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class subscribe_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(subscribe_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {
struct trace {
  std::vector<int> values;
  std::vector<std::uint64_t> errors;  // counts (user codes); exceptions are recorded as 999
};
void record_error(trace* t, const error& e) {
  t->errors.push_back(e.code() == errc::exception ? 999 : e.count());
}
}  // namespace

TYPED_TEST(subscribe_conformance, values_in_order_and_errors_to_on_error) {
  trace t;
  auto r = this->f.block_on([](trace* t) -> task<result<void>> {
    co_return co_await subscribe(
        async_items<int>(L(1, E(5), 2, 3)) | map([](int x) { return x * 2; }),
        [t](int v) { t->values.push_back(v); }, [t](const error& e) { record_error(t, e); },
        cancellation_token{});
  }(&t));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(t.values, (std::vector<int>{2, 4, 6}));
  EXPECT_EQ(t.errors, (std::vector<std::uint64_t>{5}));
}

TYPED_TEST(subscribe_conformance, without_on_error_the_first_error_is_returned) {
  std::vector<int> seen;
  auto r = this->f.block_on([](std::vector<int>* seen) -> task<result<void>> {
    co_return co_await subscribe(from_range(L(1, E(3), 2, E(4))),
                                 [seen](int v) { seen->push_back(v); });
  }(&seen));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), E(3));
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));  // the subscription went on
}

TYPED_TEST(subscribe_conformance, coroutine_handler_runs_sequentially) {
  std::atomic<int> in_flight{0}, max_in_flight{0};
  std::vector<int> seen;
  auto r = this->f.block_on(
      [](std::atomic<int>* in, std::atomic<int>* mx, std::vector<int>* seen) -> task<result<void>> {
        co_return co_await subscribe(
            from_range(L(1, 2, 3, 4)),
            [in, mx, seen](int v) -> task<void> {
              int now_in = in->fetch_add(1) + 1;
              if (now_in > mx->load()) mx->store(now_in);
              co_await sleep(1ms);
              co_await yield_now();
              seen->push_back(v);
              in->fetch_sub(1);
            },
            [](const error&) {}, cancellation_token{});
      }(&in_flight, &max_in_flight, &seen));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(max_in_flight.load(), 1);
}

TYPED_TEST(subscribe_conformance, handler_results_and_exceptions_go_to_on_error) {
  trace t;
  auto r = this->f.block_on([](trace* t) -> task<result<void>> {
    auto a = co_await subscribe(
        from_range(L(1, 2, 3)),
        [t](int v) -> result<void> {
          if (v == 2) return E(22);
          t->values.push_back(v);
          return {};
        },
        [t](const error& e) { record_error(t, e); });
    EXPECT_TRUE(a.has_value());
    auto b = co_await subscribe(
        async_items<int>(L(4, 5)),
        [t](int v) -> task<result<void>> {
          co_await yield_now();
          if (v == 5) co_return E(55);
          t->values.push_back(v);
          co_return result<void>{};
        },
        [t](const error& e) -> task<void> {
          co_await yield_now();
          record_error(t, e);
        });
    EXPECT_TRUE(b.has_value());
#if EDDY_HAS_EXCEPTIONS
    auto c = co_await subscribe(
        from_range(L(6, 7)),
        [t](int v) {
          if (v == 6) throw std::runtime_error("six");
          t->values.push_back(v);
        },
        [t](const error& e) { record_error(t, e); });
    EXPECT_TRUE(c.has_value());
    auto d = co_await subscribe(
        async_items<int>(L(8, 9)),
        [t](int v) -> task<void> {
          co_await yield_now();
          if (v == 9) throw std::runtime_error("nine");
          t->values.push_back(v);
        },
        [t](const error& e) { record_error(t, e); });
    EXPECT_TRUE(d.has_value());
#endif
    co_return result<void>{};
  }(&t));
  EXPECT_TRUE(r.has_value());
#if EDDY_HAS_EXCEPTIONS
  EXPECT_EQ(t.values, (std::vector<int>{1, 3, 4, 7, 8}));
  EXPECT_EQ(t.errors, (std::vector<std::uint64_t>{22, 55, 999, 999}));
#else
  EXPECT_EQ(t.values, (std::vector<int>{1, 3, 4}));
  EXPECT_EQ(t.errors, (std::vector<std::uint64_t>{22, 55}));
#endif
}

TYPED_TEST(subscribe_conformance, cancel_interrupts_a_pending_next_promptly) {
  // The stream waits forever (an open channel with nothing in it); the token is cancelled by
  // another task after 5 ms: subscribe returns at once, not at the next item.
  auto res = this->f.block_on([]() -> task<duration> {
    auto [tx, rx] = mpsc::channel<int>(4);
    cancellation_token token;
    auto t0 = now();
    auto canceller = spawn([](cancellation_token t) -> task<void> {
      co_await sleep(5ms);
      t.cancel();
    }(token));
    int calls = 0;
    auto r = co_await subscribe(
        from_receiver(std::move(rx)), [&calls](int) { ++calls; }, [](const error&) {}, token);
    EXPECT_TRUE(r.has_value());
    EXPECT_EQ(calls, 0);
    auto joined_canceller = co_await canceller;
    EXPECT_TRUE(joined_canceller.has_value());
    // the receiver was dropped with the subscription: the channel is closed
    EXPECT_TRUE(tx.is_closed());
    co_return now() - t0;
  }());
  if constexpr (TypeParam::virtual_time) {
    EXPECT_EQ(res, duration(5ms));
  } else {
    EXPECT_GE(res, duration(5ms));
  }
}

TYPED_TEST(subscribe_conformance, cancel_from_the_handler_stops_after_it) {
  std::vector<int> seen;
  auto r = this->f.block_on([](std::vector<int>* seen) -> task<result<void>> {
    cancellation_token token;
    co_return co_await subscribe(
        async_items<int>(L(1, 2, 3, 4)),
        [seen](int v, const cancellation_token& t) {
          seen->push_back(v);
          if (v == 2) t.cancel();
        },
        [](const error&) {}, token);
  }(&seen));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
}

TYPED_TEST(subscribe_conformance, already_cancelled_token_calls_nothing) {
  int calls = 0;
  auto r = this->f.block_on([](int* calls) -> task<result<void>> {
    cancellation_token token;
    token.cancel();
    co_return co_await subscribe(
        from_range(L(1, 2)), [calls](int) { ++*calls; }, [](const error&) {}, token);
  }(&calls));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(calls, 0);
}

TYPED_TEST(subscribe_conformance, cancel_interrupts_a_generator_waiting_inside) {
  int destroyed = 0;
  auto r = this->f.block_on([](int* destroyed) -> task<int> {
    cancellation_token token;
    auto canceller = spawn([](cancellation_token t) -> task<void> {
      co_await sleep(3ms);
      t.cancel();
    }(token));
    auto g = [](int* d) -> generator<int> {
      struct guard {
        int* d;
        ~guard() { ++*d; }
      } gd{d};
      co_yield 1;
      co_await sleep(1h);
      co_yield 2;
    }(destroyed);
    int sum = 0;
    auto res = co_await subscribe(
        std::move(g), [&sum](int v) { sum += v; }, [](const error&) {}, token);
    EXPECT_TRUE(res.has_value());
    auto joined_canceller = co_await canceller;
    EXPECT_TRUE(joined_canceller.has_value());
    co_return sum;
  }(&destroyed));
  EXPECT_EQ(r, 1);
  EXPECT_EQ(destroyed, 1);
}

TYPED_TEST(subscribe_conformance, many_synchronous_items) {
  constexpr int n = 100000;
  long sum = 0;
  auto r = this->f.block_on([](long* sum) -> task<result<void>> {
    std::vector<int> v(n);
    for (int i = 0; i < n; ++i) v[i] = i;
    co_return co_await subscribe(from_range(v) | filter([](int x) { return x % 2 == 0; }) |
                                     scan(0L, [](long a, int x) { return a + x; }),
                                 [sum](long s) { *sum = s; });
  }(&sum));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(sum, static_cast<long>(n / 2) * (n / 2 - 1));
}

// A run of map, filter and scan over from_range (visit_while) still checks the token before
// every source item: a cancel from the handler stops it right after that handler.
TYPED_TEST(subscribe_conformance, cancel_from_the_handler_stops_a_synchronous_run_after_it) {
  std::vector<int> seen;
  auto r = this->f.block_on([](std::vector<int>* seen) -> task<result<void>> {
    cancellation_token token;
    co_return co_await subscribe(
        from_range(L(1, 2, 3, 4, 5, 6, 7, 8)) | map([](int x) { return x * 10; }) |
            filter([](int x) { return x != 30; }) | scan(0, [](int a, int x) { return a + x; }),
        [seen](int v, const cancellation_token& t) {
          seen->push_back(v);
          if (v == 70) t.cancel();
        },
        [](const error&) {}, token);
  }(&seen));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(seen, (std::vector<int>{10, 30, 70}));
}

// Without a token of the caller's, an on_next that takes the subscription's token can still
// cancel it, and a synchronous run stops right after that handler (both token-less forms).
TYPED_TEST(subscribe_conformance, cancel_from_the_handler_without_a_given_token_stops_the_run) {
  std::vector<int> seen, seen_with_on_error;
  auto r =
      this->f.block_on([](std::vector<int>* seen, std::vector<int>* seen2) -> task<result<void>> {
        auto on_next = [](std::vector<int>* out) {
          return [out](int v, const cancellation_token& t) {
            out->push_back(v);
            if (v == 70) t.cancel();
          };
        };
        auto pipeline = [] {
          return from_range(L(1, 2, 3, 4, 5, 6, 7, 8)) | map([](int x) { return x * 10; }) |
                 filter([](int x) { return x != 30; }) |
                 scan(0, [](int a, int x) { return a + x; });
        };
        auto r1 = co_await subscribe(pipeline(), on_next(seen));
        EXPECT_TRUE(r1.has_value());
        co_return co_await subscribe(pipeline(), on_next(seen2), [](const error&) {});
      }(&seen, &seen_with_on_error));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(seen, (std::vector<int>{10, 30, 70}));
  EXPECT_EQ(seen_with_on_error, (std::vector<int>{10, 30, 70}));
}

// A small trivially copyable on_next runs on a copy during a synchronous run, copied back when
// the run stops: a mutable handler's state carries over runs and waits.
TYPED_TEST(subscribe_conformance, a_mutable_handler_keeps_its_state_across_runs_and_waits) {
  std::vector<int> seen;
  auto r = this->f.block_on([](std::vector<int>* seen) -> task<result<void>> {
    co_return co_await subscribe(
        concat(from_range(L(1, 2, 3)), async_items<int>(L(4, 5)), from_range(L(6, 7))) |
            map([](int x) { return x; }),
        [seen, n = 0](int v) mutable { seen->push_back(100 * n++ + v); });
  }(&seen));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(seen, (std::vector<int>{1, 102, 203, 304, 405, 506, 607}));
}

// scan keeps its accumulator in a local during a synchronous run and stores it back when the
// run stops: synchronous runs, waits for the source (the waited item goes through try_visit)
// and errors, interleaved, see one accumulator.
TYPED_TEST(subscribe_conformance, scan_accumulates_across_runs_and_waits) {
  trace t;
  auto r = this->f.block_on([](trace* t) -> task<result<void>> {
    co_return co_await subscribe(
        concat(from_range(L(1, 2, 3)), async_items<int>(L(4, E(7), 5)), from_range(L(6, 7))) |
            map([](int x) { return x; }) | scan(0, [](int a, int x) { return a + x; }),
        [t](int v) { t->values.push_back(v); }, [t](const error& e) { record_error(t, e); },
        cancellation_token{});
  }(&t));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(t.values, (std::vector<int>{1, 3, 6, 10, 15, 21, 28}));
  EXPECT_EQ(t.errors, (std::vector<std::uint64_t>{7}));
}

TYPED_TEST(subscribe_conformance, channel_fed_by_another_task) {
  long sum = 0;
  auto r = this->f.block_on([](long* sum) -> task<result<void>> {
    auto [tx, rx] = mpsc::channel<int>(16);
    auto producer = spawn([](mpsc::sender<int> tx) -> task<void> {
      for (int i = 1; i <= 1000; ++i) {
        auto s = co_await tx.send(i);
        EXPECT_TRUE(s.has_value());
      }
    }(std::move(tx)));
    auto res = co_await subscribe(from_receiver(std::move(rx)) | map([](int x) { return 2L * x; }),
                                  [sum](long v) -> task<void> {
                                    *sum += v;
                                    co_return;
                                  });
    auto joined_producer = co_await producer;
    EXPECT_TRUE(joined_producer.has_value());
    co_return res;
  }(&sum));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(sum, 1000L * 1001);
}

}  // namespace eddy_stream_test::subscribe_test
