// SPDX-License-Identifier: BSL-1.0
// detail::biased_lock (the mpsc channel's lock): the owner takes it without atomic
// read-modify-writes until a second thread revokes the bias. These tests revoke it while the
// owner is in a tight lock/unlock loop and check mutual exclusion on a plain counter (TSan reports
// any access the revocation failed to order), then that the lock keeps working for every thread
// afterwards, the former owner included.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <eddy/core/detail/biased_lock.hpp>

namespace eddy_test::stress_biased_lock_stress_test {

using eddy::detail::biased_lock;
using eddy::detail::lock_guard;

// Owner loops; a second thread arrives mid-loop and revokes; both keep counting.
TEST(biased_lock_stress, revocation_while_the_owner_is_inside_keeps_mutual_exclusion) {
  constexpr int rounds = 200, iters = 2000;
  for (int r = 0; r < rounds; ++r) {
    biased_lock l;
    long counter = 0;  // plain: only the lock orders it
    std::atomic<bool> owner_started{false};
    {
      lock_guard<biased_lock> g(l);  // the main thread becomes the owner
      ++counter;
    }
    std::thread other([&] {
      while (!owner_started.load(std::memory_order_acquire)) std::this_thread::yield();
      for (int i = 0; i < iters; ++i) {
        lock_guard<biased_lock> g(l);
        ++counter;
      }
    });
    for (int i = 0; i < iters; ++i) {
      if (i == iters / 4) owner_started.store(true, std::memory_order_release);
      lock_guard<biased_lock> g(l);
      ++counter;
    }
    owner_started.store(true, std::memory_order_release);
    other.join();
    ASSERT_EQ(counter, 2L * iters + 1) << "round " << r;
  }
}

// Several threads race for the first lock (who becomes the owner is open), then all count.
TEST(biased_lock_stress, racing_first_lockers_agree_on_one_owner) {
  constexpr int rounds = 100, threads = 4, iters = 1000;
  for (int r = 0; r < rounds; ++r) {
    biased_lock l;
    long counter = 0;
    std::atomic<int> ready{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
      ts.emplace_back([&] {
        ready.fetch_add(1);
        while (ready.load() < threads) std::this_thread::yield();
        for (int i = 0; i < iters; ++i) {
          lock_guard<biased_lock> g(l);
          ++counter;
        }
      });
    }
    for (auto& t : ts) t.join();
    ASSERT_EQ(counter, static_cast<long>(threads) * iters) << "round " << r;
  }
}

// After a revocation the former owner and a thread started later both still lock and unlock
// (the former owner now through the shared path); a thread that ends and a new one never share
// a token.
TEST(biased_lock_stress, works_for_every_thread_after_revocation) {
  biased_lock l;
  long counter = 0;
  auto count = [&](int n) {
    for (int i = 0; i < n; ++i) {
      lock_guard<biased_lock> g(l);
      ++counter;
    }
  };
  count(10);                      // owner: main
  std::thread(count, 10).join();  // revokes
  count(10);                      // the former owner, shared path
  std::thread(count, 10).join();
  std::thread a(count, 5000), b(count, 5000);
  count(5000);
  a.join();
  b.join();
  EXPECT_EQ(counter, 10L * 4 + 15000);
}

}  // namespace eddy_test::stress_biased_lock_stress_test
