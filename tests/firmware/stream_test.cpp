// Firmware subset of the stream and exec suites: map/filter/scan (synchronous and over a
// channel), subscribe, subscribe_latest, and the Streams II operators as their headers land.
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

#endif
