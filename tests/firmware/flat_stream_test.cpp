// SPDX-License-Identifier: BSL-1.0
// Firmware cases of exhaust_map and conflate (no threads): exact virtual times on the fake
// clock of local_runtime and on sim_runtime.
#include "harness.hpp"

#if __has_include(<eddy/stream/exhaust_map.hpp>) && __has_include(<eddy/stream/conflate.hpp>)
#include <eddy/stream/conflate.hpp>
#include <eddy/stream/exhaust_map.hpp>
#include <eddy/stream/from_receiver.hpp>
#include <eddy/stream/generator.hpp>
#include <eddy/stream/pipe.hpp>
#include <eddy/sync/mpsc.hpp>

using namespace eddy;
using namespace std::chrono_literals;

namespace {

/// Sends `v[i]` at `at[i]` ms, then closes the channel at `end` ms.
task<void> send_at(mpsc::sender<int> tx, const int* v, const int* at, int n, int end) {
  int t = 0;
  for (int i = 0; i < n; ++i) {
    co_await sleep(std::chrono::milliseconds(at[i] - t));
    t = at[i];
    auto r = co_await tx.send(v[i]);
    CHECK(r.has_value());
  }
  co_await sleep(std::chrono::milliseconds(end - t));
}

/// `base+1..base+3`, the first 2 ms after the start, then one every 5 ms.
generator<int> three_ticks(int base) {
  co_await sleep(2ms);
  for (int i = 1; i <= 3; ++i) {
    if (i > 1) co_await sleep(5ms);
    co_yield base + i;
  }
}

/// Up to 8 values with the time each was received, and the time of the end.
struct timeline {
  int v[8] = {};
  std::int64_t t[8] = {};
  int n = 0;
  std::int64_t end = -1;
};

}  // namespace

FW_TEST(flat_stream, exhaust_map_drops_outer_values_while_an_inner_runs) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const int v[] = {10, 20, 30};
      static const int at[] = {0, 5, 30};
      auto [tx, rx] = mpsc::channel<int>(4);
      spawn(send_at(std::move(tx), v, at, 3, 60)).detach();
      auto s = from_receiver(std::move(rx)) | exhaust_map([](int b) { return three_ticks(b); });
      timeline out;
      while (auto r = co_await s.next()) {
        CHECK(r->is_value());
        if (out.n < 8) {
          out.v[out.n] = r->value();
          out.t[out.n] = fwtest::now_ms();
        }
        ++out.n;
      }
      out.end = fwtest::now_ms();
      // 10: 11@2 12@7 13@12 (20 at 5 is dropped); 30: 31@32 32@37 33@42; the end at 60
      static const int ev[] = {11, 12, 13, 31, 32, 33};
      static const int et[] = {2, 7, 12, 32, 37, 42};
      CHECK_EQ(out.n, 6);
      for (int i = 0; i < 6; ++i) {
        CHECK_EQ(out.v[i], ev[i]);
        CHECK_EQ(out.t[i], et[i]);
      }
      CHECK_EQ(out.end, 60);
      CHECK_EQ(s.dropped(), 1u);
    }());
  });
}

FW_TEST(flat_stream, conflate_gives_a_slow_consumer_the_newest_value) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const int v[] = {1, 2, 3, 4};
      static const int at[] = {0, 10, 20, 30};
      auto [tx, rx] = mpsc::channel<int>(4);
      spawn(send_at(std::move(tx), v, at, 4, 40)).detach();
      auto s = from_receiver(std::move(rx)) | conflate();
      timeline out;
      while (auto r = co_await s.next()) {
        CHECK(r->is_value());
        if (out.n < 8) {
          out.v[out.n] = r->value();
          out.t[out.n] = fwtest::now_ms();
        }
        ++out.n;
        co_await sleep(25ms);  // busy
      }
      out.end = fwtest::now_ms();
      // asks at 0 (1), 25 (3: 2 was replaced), 50 (4, pending at the end), 75 (the end)
      CHECK_EQ(out.n, 3);
      CHECK_EQ(out.v[0], 1);
      CHECK_EQ(out.t[0], 0);
      CHECK_EQ(out.v[1], 3);
      CHECK_EQ(out.t[1], 25);
      CHECK_EQ(out.v[2], 4);
      CHECK_EQ(out.t[2], 50);
      CHECK_EQ(out.end, 75);
      CHECK_EQ(s.dropped(), 1u);
    }());
  });
}

#endif
