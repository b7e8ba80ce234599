// SPDX-License-Identifier: BSL-1.0
// A bounded mpsc receiver takes the items it claimed without the channel lock. A sender on
// another thread that starts waiting at that moment must still be admitted by the take (the
// fence pair of sync/detail/mpsc_chan.hpp): the receiver here relies on it, waiting after each
// item until the sender's next sends have completed. A missed admission leaves the sender
// blocked and the receiver's bounded wait fails the test instead of hanging.
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <eddy/sync/mpsc.hpp>

namespace eddy_test::stress_mpsc_admission_stress_test {

using namespace eddy;

// Waits (bounded, by the steady clock: a failure, not a hang) until `done >= want`.
bool wait_for(const std::atomic<int>& done, int want) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int spins = 0; done.load(std::memory_order_acquire) < want; ++spins) {
    if ((spins & 1023) == 0 && std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(mpsc_admission_stress, a_take_on_one_thread_admits_a_sender_waiting_on_another) {
  constexpr int n = 20000;
  for (std::size_t cap : {2u, 3u, 8u}) {
    auto [tx, rx] = mpsc::channel<int>(cap);
    std::atomic<int> sent{0};
    std::thread producer([&, tx = std::move(tx)]() mutable {
      for (int i = 0; i < n; ++i) {
        if (!tx.blocking_send(i).has_value()) return;
        sent.store(i + 1, std::memory_order_release);
      }
    });
    bool ok = true;
    for (int i = 0; i < n && ok; ++i) {
      auto v = rx.blocking_recv();
      ok = v.has_value() && v.value() == i;
      // i + 1 items taken: the channel has room for every send up to item i + cap.
      if (ok) ok = wait_for(sent, std::min(n, i + 1 + static_cast<int>(cap)));
    }
    if (!ok) rx.close();  // lets the producer out
    producer.join();
    ASSERT_TRUE(ok) << "capacity " << cap << ": a sender stayed blocked with room in the channel";
  }
}

}  // namespace eddy_test::stress_mpsc_admission_stress_test
