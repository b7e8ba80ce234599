// SPDX-License-Identifier: BSL-1.0
// Firmware subset of the stream and exec suites: map/filter/scan (synchronous and over a
// channel), subscribe, subscribe_latest, the multi-input, hot (share with replay, partition,
// group_by) and time operators, and the lifecycle operators and terminals.
#include "harness.hpp"

#if __has_include(<eddy/stream/map.hpp>) && __has_include(<eddy/exec/subscribe_latest.hpp>) && \
    __has_include(<eddy/sync/mpsc.hpp>)
#include <array>
#include <eddy/exec/subscribe.hpp>
#include <eddy/exec/subscribe_latest.hpp>
#include <eddy/stream/filter.hpp>
#include <eddy/stream/from_range.hpp>
#include <eddy/stream/from_receiver.hpp>
#include <eddy/stream/map.hpp>
#include <eddy/stream/pipe.hpp>
#include <eddy/stream/scan.hpp>
#include <eddy/sync/mpsc.hpp>

using namespace eddy;
using namespace std::chrono_literals;

namespace {

/// Up to N items of a stream (values as they are, errors as -1000 - code), and the count.
template <int N>
struct seen {
  std::array<long long, N> v{};
  int n = 0;
  void add(long long x) {
    if (n < N) v[n] = x;
    ++n;
  }
};

template <int N, class S>
task<void> collect(S s, seen<N>* out) {
  while (auto r = co_await s.next()) {
    if (r->is_value())
      out->add(static_cast<long long>(r->value()));
    else
      out->add(-1000 - static_cast<long long>(r->error().code()));
  }
}

}  // namespace

FW_TEST(stream, map_filter_scan_synchronous_chain) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const int input[] = {1, 2, 3, 4, 5, 6, 7, 8};
      seen<8> out;
      co_await collect(from_range(input) | map([](int x) { return x * 3; }) | filter([](int x) {
                         return x % 2 == 0;
                       }) | scan(0, [](int acc, int x) { return acc + x; }),
                       &out);
      CHECK_EQ(out.n, 4);  // 6, 12, 18, 24 -> running sums
      CHECK_EQ(out.v[0], 6);
      CHECK_EQ(out.v[1], 18);
      CHECK_EQ(out.v[2], 36);
      CHECK_EQ(out.v[3], 60);
    }());
  });
}

FW_TEST(stream, pipeline_over_a_channel_with_subscribe) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(4);
      spawn([](mpsc::sender<int> tx) -> task<void> {
        for (int i = 1; i <= 10; ++i) {
          co_await sleep(2ms);
          auto r = co_await tx.send(i);
          CHECK(r.has_value());
        }
      }(std::move(tx)))
          .detach();
      int sum = 0;
      int calls = 0;
      auto r = co_await subscribe(from_receiver(std::move(rx)) | filter([](int x) {
                                    return x > 3;
                                  }) | map([](int x) { return x * 10; }),
                                  [&](int v) {
                                    sum += v;
                                    ++calls;
                                  });
      CHECK(r.has_value());
      CHECK_EQ(calls, 7);
      CHECK_EQ(sum, (4 + 5 + 6 + 7 + 8 + 9 + 10) * 10);
      CHECK_EQ(fwtest::now_ms(), 20);
    }());
  });
}

FW_TEST(stream, subscribe_latest_skips_values_while_busy) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(16);
      spawn([](mpsc::sender<int> tx) -> task<void> {
        for (int i = 1; i <= 5; ++i) {  // 1..5 at t = 1..5 ms
          co_await sleep(1ms);
          auto r = co_await tx.send(i);
          CHECK(r.has_value());
        }
        co_await sleep(20ms);
        auto r = co_await tx.send(6);  // at t = 25 ms, long after the handler is free
        CHECK(r.has_value());
      }(std::move(tx)))
          .detach();
      seen<8> handled;
      auto r = co_await subscribe_latest(
          from_receiver(std::move(rx)),
          [&handled](int v) -> task<void> {
            handled.add(v);
            co_await sleep(10ms);  // busy: 2..4 arrive and are replaced by 5
          },
          cancellation_token{});
      CHECK(r.has_value());
      CHECK_EQ(handled.n, 3);
      CHECK_EQ(handled.v[0], 1);
      CHECK_EQ(handled.v[1], 5);
      CHECK_EQ(handled.v[2], 6);
    }());
  });
}

#if __has_include(<eddy/stream/ordered_merge.hpp>) && __has_include(<eddy/stream/timestamp.hpp>)
#include <eddy/stream/ordered_merge.hpp>
#include <eddy/stream/timestamp.hpp>

FW_TEST(stream, ordered_merge_by_timestamp) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const sequenced<int> a[] = {{1, 1}, {4, 4}, {7, 7}};
      static const sequenced<int> b[] = {{2, 2}, {3, 3}, {6, 6}};
      seen<8> out;
      co_await collect(from_range(a) | ordered_merge(from_range(b)) |
                           map([](const sequenced<int>& s) { return s.value; }),
                       &out);
      CHECK_EQ(out.n, 6);
      const int expect[] = {1, 2, 3, 4, 6, 7};
      for (int i = 0; i < 6; ++i) CHECK_EQ(out.v[i], expect[i]);
    }());
  });
}
#endif

#if __has_include(<eddy/stream/debounce.hpp>)
#include <eddy/stream/debounce.hpp>

FW_TEST(stream, debounce_emits_after_quiet_time_and_flushes_at_end) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(8);
      spawn([](mpsc::sender<int> tx) -> task<void> {
        // a at 0, b at 10, c at 30, d at 60, then the end at 65 (d = 15 ms)
        const int at[] = {0, 10, 30, 60};
        int t = 0;
        for (int i = 0; i < 4; ++i) {
          co_await sleep(std::chrono::milliseconds(at[i] - t));
          t = at[i];
          auto r = co_await tx.send(i + 1);
          CHECK(r.has_value());
        }
        co_await sleep(5ms);
      }(std::move(tx)))
          .detach();
      auto s = from_receiver(std::move(rx)) | debounce(15ms);
      int values[4] = {};
      std::int64_t times[4] = {};
      int n = 0;
      while (auto r = co_await s.next()) {
        if (n < 4 && r->is_value()) {
          values[n] = r->value();
          times[n] = fwtest::now_ms();
        }
        ++n;
      }
      CHECK_EQ(n, 3);
      CHECK_EQ(values[0], 2);  // b, quiet from 10 to 25
      CHECK_EQ(times[0], 25);
      CHECK_EQ(values[1], 3);  // c at 45
      CHECK_EQ(times[1], 45);
      CHECK_EQ(values[2], 4);  // d flushed by the end at 65
      CHECK_EQ(times[2], 65);
    }());
  });
}
#endif

#if __has_include(<eddy/stream/partition.hpp>) && __has_include(<eddy/stream/share.hpp>)
#include <eddy/stream/partition.hpp>
#include <eddy/stream/share.hpp>

FW_TEST(stream, partition_routes_values_to_two_consumers) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const int input[] = {1, 2, 3, 4, 5, 6, 7};
      auto [odd, even] = from_range(input) | partition([](int x) { return x % 2 == 1; });
      seen<8> odds;
      seen<8> evens;
      auto a = spawn(collect(std::move(odd), &odds));
      auto b = spawn(collect(std::move(even), &evens));
      auto ra = co_await a;
      auto rb = co_await b;
      CHECK(ra.has_value() && rb.has_value());
      CHECK_EQ(odds.n, 4);
      CHECK_EQ(evens.n, 3);
      for (int i = 0; i < 4; ++i) CHECK_EQ(odds.v[i], 2 * i + 1);
      for (int i = 0; i < 3; ++i) CHECK_EQ(evens.v[i], 2 * i + 2);
    }());
  });
}

FW_TEST(stream, share_delivers_every_item_to_every_subscriber) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(4);
      auto sh = from_receiver(std::move(rx)) | share();
      auto s1 = sh.subscribe();
      auto s2 = sh.subscribe();
      seen<8> got1;
      seen<8> got2;
      auto a = spawn(collect(std::move(s1), &got1));
      auto b = spawn(collect(std::move(s2), &got2));
      for (int i = 1; i <= 6; ++i) {
        auto r = co_await tx.send(i);
        CHECK(r.has_value());
        co_await sleep(1ms);
      }
      tx = mpsc::sender<int>{};  // the end reaches both subscribers
      auto ra = co_await a;
      auto rb = co_await b;
      CHECK(ra.has_value() && rb.has_value());
      CHECK_EQ(got1.n, 6);
      CHECK_EQ(got2.n, 6);
      for (int i = 0; i < 6; ++i) {
        CHECK_EQ(got1.v[i], i + 1);
        CHECK_EQ(got2.v[i], i + 1);
      }
    }());
  });
}
#if __has_include(<eddy/stream/group_by.hpp>)
#include <eddy/stream/group_by.hpp>

int parity(int x) {
  return x % 2;
}

FW_TEST(stream, group_by_routes_values_by_key) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const int input[] = {1, 2, 3, 4, 5, 6, 7};
      auto g = from_range(input) | group_by(parity);
      seen<8> odds;
      seen<8> evens;
      auto x1 = co_await g.next();
      auto x2 = co_await g.next();
      CHECK(x1 && x1->is_value() && x2 && x2->is_value());
      if (!x1 || !x2 || !x1->is_value() || !x2->is_value()) co_return;
      auto odd = std::move(*x1).value();
      auto even = std::move(*x2).value();
      CHECK_EQ(odd.key, 1);
      CHECK_EQ(even.key, 0);
      auto a = spawn(collect(std::move(odd.stream), &odds));
      auto b = spawn(collect(std::move(even.stream), &evens));
      auto ra = co_await a;
      auto rb = co_await b;
      CHECK(ra.has_value() && rb.has_value());
      auto end = co_await g.next();
      CHECK(!end);  // the end ended the outer stream too
      CHECK_EQ(odds.n, 4);
      CHECK_EQ(evens.n, 3);
      for (int i = 0; i < 4; ++i) CHECK_EQ(odds.v[i], 2 * i + 1);
      for (int i = 0; i < 3; ++i) CHECK_EQ(evens.v[i], 2 * i + 2);
    }());
  });
}

FW_TEST(stream, share_replays_the_last_values_to_a_late_subscriber) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const int input[] = {1, 2, 3, 4, 5};
      auto sh = from_range(input) | share(share_options{.replay = 2});
      seen<8> first;
      seen<8> late;
      co_await collect(sh.subscribe(), &first);
      co_await collect(sh.subscribe(), &late);  // after the end: the last 2, then the end
      CHECK_EQ(first.n, 5);
      CHECK_EQ(late.n, 2);
      CHECK_EQ(late.v[0], 4);
      CHECK_EQ(late.v[1], 5);
    }());
  });
}
#endif
#endif

#if __has_include(<eddy/stream/concat.hpp>) && __has_include(<eddy/stream/reduce.hpp>)
#include <eddy/stream/buffer_count.hpp>
#include <eddy/stream/catch_error.hpp>
#include <eddy/stream/concat.hpp>
#include <eddy/stream/count.hpp>
#include <eddy/stream/default_if_empty.hpp>
#include <eddy/stream/element_at.hpp>
#include <eddy/stream/finally.hpp>
#include <eddy/stream/first.hpp>
#include <eddy/stream/just.hpp>
#include <eddy/stream/reduce.hpp>
#include <eddy/stream/repeat.hpp>
#include <eddy/stream/take_until.hpp>

namespace {
const item<int> with_error[] = {1, error{errc::user, 5}, 2};
const item<int> error_second[] = {1, error{errc::user, 3}};
}  // namespace

FW_TEST(stream, lifecycle_concat_repeat_catch_error_finally) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const int a[] = {1, 2};
      static const int b[] = {3};
      int finished = 0;
      seen<16> out;
      // 1 2 3 1 2 3, then E(5) switches to the fallback 7
      co_await collect(
          concat(from_range(a), from_range(b)) | repeat(2) | finally([&finished] { ++finished; }),
          &out);
      CHECK_EQ(finished, 1);
      CHECK_EQ(out.n, 6);
      for (int i = 0; i < 6; ++i) CHECK_EQ(out.v[i], i % 3 + 1);
      seen<8> caught;
      co_await collect(from_range(with_error) | catch_error([](error e) {
                         return just(static_cast<int>(e.count()) + 2);
                       }),
                       &caught);
      CHECK_EQ(caught.n, 2);
      CHECK_EQ(caught.v[0], 1);
      CHECK_EQ(caught.v[1], 7);
    }());
  });
}

FW_TEST(stream, take_until_on_virtual_time) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(4);
      auto [stop_tx, stop_rx] = mpsc::channel<int>(1);
      spawn([](mpsc::sender<int> tx) -> task<void> {
        for (int i = 1; i <= 5; ++i) {  // 1..5 at t = 10..50 ms
          co_await sleep(10ms);
          auto r = co_await tx.send(i);
          CHECK(r.has_value());
        }
      }(std::move(tx)))
          .detach();
      spawn([](mpsc::sender<int> stop) -> task<void> {  // the signal at 35 ms
        co_await sleep(35ms);
        auto r = co_await stop.send(0);
        CHECK(r.has_value());
      }(std::move(stop_tx)))
          .detach();
      auto s = from_receiver(std::move(rx)) | take_until(from_receiver(std::move(stop_rx)));
      seen<8> out;
      co_await collect(std::move(s), &out);
      CHECK_EQ(out.n, 3);
      CHECK_EQ(out.v[2], 3);
      CHECK_EQ(fwtest::now_ms(), 35);
    }());
  });
}

FW_TEST(stream, terminals_give_a_result) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const int input[] = {1, 2, 3, 4};
      auto n = co_await (from_range(input) | count());
      CHECK(n.has_value() && *n == 4u);
      auto sum = co_await (from_range(input) | reduce(10, [](int acc, int x) { return acc + x; }));
      CHECK(sum.has_value() && *sum == 20);
      auto third = co_await (from_range(input) | element_at(2));
      CHECK(third.has_value() && *third == 3);
      auto none = co_await (from_range(input) | filter([](int x) { return x > 9; }) | first());
      CHECK(!none.has_value() && none.error() == errc::empty);
      auto dflt = co_await (from_range(input) | filter([](int x) { return x > 9; }) |
                            default_if_empty(-1) | first());
      CHECK(dflt.has_value() && *dflt == -1);
      auto sums = co_await (from_range(input) | buffer_count(3, 1) | map([](const auto& b) {
                              int t = 0;
                              for (int x : b) t += x;
                              return t;
                            }) |
                            reduce([](int acc, int x) { return acc * 100 + x; }));
      CHECK(sums.has_value() && *sums == 6090704);  // [1,2,3] [2,3,4] [3,4] [4]
      auto err = co_await (from_range(error_second) | count());
      CHECK(!err.has_value() && (err.error() == error{errc::user, 3}));
    }());
  });
}
#endif

#endif
