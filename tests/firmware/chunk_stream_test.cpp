// SPDX-License-Identifier: BSL-1.0
// Firmware cases of the chunking operators and the timed retry: chunks(n, d) over a channel on
// virtual time, window_count(n) read window after window, retry with a constant delay.
#include "harness.hpp"

#if __has_include(<eddy/stream/chunks.hpp>) && __has_include(<eddy/stream/window_count.hpp>) && \
    __has_include(<eddy/sync/mpsc.hpp>)
#include <eddy/stream/chunks.hpp>
#include <eddy/stream/concat_map.hpp>
#include <eddy/stream/from_range.hpp>
#include <eddy/stream/from_receiver.hpp>
#include <eddy/stream/map.hpp>
#include <eddy/stream/retry.hpp>
#include <eddy/stream/window_by_count.hpp>
#include <eddy/stream/window_count.hpp>
#include <eddy/sync/mpsc.hpp>

using namespace eddy;
using namespace std::chrono_literals;

namespace {

/// Up to 8 things seen (a value, -1000 - code for an error) with the virtual time of each.
struct timed_seen {
  long long v[8]{};
  std::int64_t at[8]{};
  int n = 0;
  void add(long long x) {
    if (n < 8) {
      v[n] = x;
      at[n] = fwtest::now_ms();
    }
    ++n;
  }
};

/// Reads `s` to its end; a value is recorded through `f`.
template <class S, class F>
task<void> drain(S s, timed_seen* out, F f) {
  while (auto r = co_await s.next()) {
    if (r->is_value())
      out->add(f(r->value()));
    else
      out->add(-1000 - static_cast<long long>(r->error().code()));
  }
}

long long sum_of(const std::vector<int>& v) {
  long long t = 0;
  for (int x : v) t += x;
  return t;
}

}  // namespace

FW_TEST(chunk_stream, chunks_count_or_time_on_virtual_time) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(4);
      spawn([](mpsc::sender<int> tx) -> task<void> {
        static const int at[] = {2, 4, 6, 20};  // ms
        std::int64_t t = 0;
        for (int i = 0; i < 4; ++i) {
          co_await sleep(std::chrono::milliseconds(at[i] - t));
          t = at[i];
          auto r = co_await tx.send(i + 1);
          CHECK(r.has_value());
        }
        co_await sleep(40ms);  // closed at 60
      }(std::move(tx)))
          .detach();
      timed_seen out;
      co_await drain(from_receiver(std::move(rx)) | chunks(3, 15ms), &out, sum_of);
      CHECK_EQ(out.n, 2);
      CHECK_EQ(out.v[0], 6);  // [1,2,3], full at 6
      CHECK_EQ(out.at[0], 6);
      CHECK_EQ(out.v[1], 4);  // [4], 15 ms after its first value
      CHECK_EQ(out.at[1], 35);
      CHECK_EQ(fwtest::now_ms(), 60);
    }());
  });
}

FW_TEST(chunk_stream, window_count_windows_one_after_another) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const int input[] = {1, 2, 3, 4, 5};
      timed_seen out;
      co_await drain(from_range(input) | window_count(2, buffer_policy::wait(1)) |
                         concat_map([](auto w) { return std::move(w) | window_by_count(8); }),
                     &out, sum_of);
      CHECK_EQ(out.n, 3);
      CHECK_EQ(out.v[0], 3);
      CHECK_EQ(out.v[1], 7);
      CHECK_EQ(out.v[2], 5);
    }());
  });
}

FW_TEST(chunk_stream, retry_with_a_constant_delay_ends_after_the_last_error) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      static const item<int> once[] = {7, error{errc::user, 3}};
      timed_seen out;
      co_await drain(from_range(once) | retry(2, retry_delay::constant(10ms)), &out,
                     [](int x) { return static_cast<long long>(x); });
      CHECK_EQ(out.n, 4);  // 7@0 7@10 7@20 E@20, then the end
      CHECK_EQ(out.v[0], 7);
      CHECK_EQ(out.at[1], 10);
      CHECK_EQ(out.at[2], 20);
      CHECK_EQ(out.v[3], -1000 - static_cast<long long>(errc::user));
      CHECK_EQ(fwtest::now_ms(), 20);
    }());
  });
}

#endif
