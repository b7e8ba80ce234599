// SPDX-License-Identifier: BSL-1.0
// Firmware subset of the decoupling operators: buffer(n, policy) with a slow consumer (exact
// times on the fake-clock local_runtime and on sim_runtime), and observe_on when the source and
// the target are the one firmware runtime (no threads needed: the hand-off is the same ring).
#include "harness.hpp"

#if __has_include(<eddy/stream/buffer.hpp>) && __has_include(<eddy/stream/observe_on.hpp>)
#include <eddy/stream/buffer.hpp>
#include <eddy/stream/from_receiver.hpp>
#include <eddy/stream/observe_on.hpp>
#include <eddy/sync/mpsc.hpp>

using namespace eddy;
using namespace std::chrono_literals;

namespace {

/// Sends 0..5, one every 10 ms; each send waits for room in a channel of 1, so the producer
/// is held back only by the stage above (the channel adds one slot: the pump's pending recv
/// takes it at once).
task<void> produce(mpsc::sender<int> tx) {
  for (int i = 0; i < 6; ++i) {
    co_await sleep(10ms);
    auto r = co_await tx.send(i);
    CHECK(r.has_value());
  }
}

struct log6 {
  int values[8] = {};
  std::int64_t times[8] = {};
  int n = 0;
  bool full_error = false;
};

/// Takes an item, then works 27 ms; records values and times.
template <class S>
task<void> slow(S& s, log6* out) {
  while (auto r = co_await s.next()) {
    if (out->n < 8) {
      out->times[out->n] = fwtest::now_ms();
      out->values[out->n] = r->is_value() ? r->value() : -1;
    }
    if (r->is_error() && r->error().code() == errc::full) out->full_error = true;
    ++out->n;
    co_await sleep(27ms);
  }
  if (out->n < 8) out->times[out->n] = fwtest::now_ms();  // the end
}

}  // namespace

FW_TEST(decouple_stream, buffer_drop_oldest_keeps_the_newest) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(1);
      spawn(produce(std::move(tx))).detach();
      auto s = from_receiver(std::move(rx)) | buffer(2, overflow::drop_oldest);
      log6 out;
      co_await slow(s, &out);
      CHECK_EQ(out.n, 4);  // 0@10 1@37 4@64 5@91, the end at 118
      CHECK_EQ(out.values[0], 0);
      CHECK_EQ(out.values[1], 1);
      CHECK_EQ(out.values[2], 4);
      CHECK_EQ(out.values[3], 5);
      CHECK_EQ(out.times[1], 37);
      CHECK_EQ(out.times[3], 91);
      CHECK_EQ(out.times[4], 118);
      CHECK_EQ(s.dropped(), 2u);
    }());
  });
}

FW_TEST(decouple_stream, buffer_error_policy_and_bad_capacity) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(1);
      spawn(produce(std::move(tx))).detach();
      auto s = from_receiver(std::move(rx)) | buffer(2, overflow::error);
      log6 out;
      co_await slow(s, &out);
      CHECK_EQ(out.n, 5);  // 0 1 2 3, then errc::full at 118, the end at 145
      CHECK(out.full_error);
      CHECK_EQ(out.values[3], 3);
      CHECK_EQ(out.times[4], 118);
      CHECK_EQ(out.times[5], 145);
      auto [tx2, rx2] = mpsc::channel<int>(1);
      auto z = from_receiver(std::move(rx2)) | buffer(0);
      auto e = co_await z.next();
      CHECK(e && e->is_error() && e->error().code() == errc::invalid_argument);
      auto end = co_await z.next();
      CHECK(!end);
      static_cast<void>(tx2);
    }());
  });
}

FW_TEST(decouple_stream, observe_on_the_same_runtime_is_a_lossless_hand_off) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(1);
      spawn(produce(std::move(tx))).detach();
      auto s = from_receiver(std::move(rx)) | observe_on(current_executor());
      log6 out;
      co_await slow(s, &out);
      CHECK_EQ(out.n, 6);  // every value, in order, one per 27 ms
      CHECK_EQ(out.values[5], 5);
      CHECK_EQ(out.times[5], 145);
      CHECK_EQ(s.dropped(), 0u);
    }());
  });
}

#endif
