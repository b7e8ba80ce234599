// SPDX-License-Identifier: BSL-1.0
// Firmware cases of the rate-limiting operators: throttle's modes (trailing, latest), audit and
// debounce with a quiet time per value, over a channel fed on virtual time (no threads).
#include "harness.hpp"

#if __has_include(<eddy/stream/audit.hpp>) && __has_include(<eddy/stream/debounce.hpp>) && \
    __has_include(<eddy/stream/throttle.hpp>) && __has_include(<eddy/sync/mpsc.hpp>)
#include <eddy/stream/audit.hpp>
#include <eddy/stream/debounce.hpp>
#include <eddy/stream/from_receiver.hpp>
#include <eddy/stream/throttle.hpp>
#include <eddy/sync/mpsc.hpp>

using namespace eddy;
using namespace std::chrono_literals;

namespace {

/// Sends 1, 2, ... at the given times (ms, increasing), then closes the channel at `end_ms`.
template <int N>
task<void> feed(mpsc::sender<int> tx, const int (&at)[N], int end_ms) {
  int t = 0;
  for (int i = 0; i < N; ++i) {
    co_await sleep(std::chrono::milliseconds(at[i] - t));
    t = at[i];
    auto r = co_await tx.send(i + 1);
    CHECK(r.has_value());
  }
  co_await sleep(std::chrono::milliseconds(end_ms - t));
}

/// Up to 4 values of a stream with the virtual time each came at, and the time of the end.
struct timeline {
  int value[4] = {};
  std::int64_t at[4] = {};
  int n = 0;
  std::int64_t end_at = -1;
};

template <class S>
task<void> record(S s, timeline* out) {
  while (auto r = co_await s.next()) {
    if (out->n < 4 && r->is_value()) {
      out->value[out->n] = r->value();
      out->at[out->n] = fwtest::now_ms();
    }
    ++out->n;
  }
  out->end_at = fwtest::now_ms();
}

// a@0 b@3 c@9 d@22, the end at 25 (the diagrams of throttle.hpp, d = 10)
const int abcd_at[] = {0, 3, 9, 22};

}  // namespace

FW_TEST(rate_stream, throttle_trailing_holds_the_end_for_the_last_window) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(8);
      spawn(feed(std::move(tx), abcd_at, 25)).detach();
      timeline out;
      co_await record(from_receiver(std::move(rx)) | throttle(10ms, throttle_mode::trailing), &out);
      CHECK_EQ(out.n, 2);
      CHECK_EQ(out.value[0], 3);  // c closes [0,10)
      CHECK_EQ(out.at[0], 10);
      CHECK_EQ(out.value[1], 4);  // d opens [22,32)
      CHECK_EQ(out.at[1], 32);
      CHECK_EQ(out.end_at, 32);  // the end waits for d's window
    }());
  });
}

FW_TEST(rate_stream, throttle_latest_gives_the_first_and_the_newest) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(8);
      spawn(feed(std::move(tx), abcd_at, 25)).detach();
      timeline out;
      co_await record(from_receiver(std::move(rx)) | throttle(10ms, throttle_mode::latest), &out);
      CHECK_EQ(out.n, 3);
      CHECK_EQ(out.value[0], 1);
      CHECK_EQ(out.at[0], 0);
      CHECK_EQ(out.value[1], 3);
      CHECK_EQ(out.at[1], 10);
      CHECK_EQ(out.value[2], 4);
      CHECK_EQ(out.at[2], 22);
      CHECK_EQ(out.end_at, 25);
    }());
  });
}

FW_TEST(rate_stream, audit_emits_the_newest_value_of_each_window) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const int at[] = {0, 3, 9, 13};  // the diagram of audit.hpp, the end at 24
      auto [tx, rx] = mpsc::channel<int>(8);
      spawn(feed(std::move(tx), at, 24)).detach();
      timeline out;
      co_await record(from_receiver(std::move(rx)) | audit(10ms), &out);
      CHECK_EQ(out.n, 2);
      CHECK_EQ(out.value[0], 3);
      CHECK_EQ(out.at[0], 10);
      CHECK_EQ(out.value[1], 4);  // d opens its own window [13,23)
      CHECK_EQ(out.at[1], 23);
      CHECK_EQ(out.end_at, 24);
    }());
  });
}

FW_TEST(rate_stream, debounce_with_a_quiet_time_per_value) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const int at[] = {0, 5, 20};  // the diagram of debounce.hpp, the end at 25
      auto [tx, rx] = mpsc::channel<int>(8);
      spawn(feed(std::move(tx), at, 25)).detach();
      timeline out;
      co_await record(
          from_receiver(std::move(rx)) | debounce([](int x) { return x == 2 ? 0ms : 15ms; }), &out);
      CHECK_EQ(out.n, 2);
      CHECK_EQ(out.value[0], 2);  // urgent: at once, replacing 1
      CHECK_EQ(out.at[0], 5);
      CHECK_EQ(out.value[1], 3);  // flushed by the end
      CHECK_EQ(out.at[1], 25);
      CHECK_EQ(out.end_at, 25);
    }());
  });
}
#endif
