// SPDX-License-Identifier: BSL-1.0
// Stress (meant for TSan): broadcast with one sender and three receivers on a thread_pool{2},
// 100k values, both lossy (small ring: lag counts must add up exactly) and lossless (the sender
// waits on len()); and a receiver on another runtime (wakes cross runtimes, affinity kept).
#include <cstdint>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include <eddy/eddy.hpp>

namespace eddy_test::stress_broadcast_stress_test {

using namespace eddy;

namespace {

constexpr std::uint64_t n = 100000;

struct tally {
  std::uint64_t seen = 0;
  std::uint64_t lagged = 0;
  bool in_order = true;
  bool closed = false;
};

template <class T>
std::uint64_t value_of(const T& v) {
  if constexpr (std::is_same_v<T, std::uint64_t>)
    return v;
  else
    return *v;
}

template <class T>
task<tally> consume(broadcast::receiver<T> rx) {
  tally t;
  std::uint64_t expected = 0;
  for (;;) {
    auto r = co_await rx.recv();
    if (r.has_value()) {
      t.in_order = t.in_order && value_of(r.value()) == expected;
      ++expected;
      ++t.seen;
    } else if (r.error().code() == errc::lagged) {
      t.lagged += r.error().count();
      expected += r.error().count();
    } else {
      t.closed = r.error().code() == errc::closed;
      co_return t;
    }
  }
}

template <class T>
task<void> produce(broadcast::sender<T> tx, std::size_t wait_above) {
  for (std::uint64_t i = 0; i < n; ++i) {
    while (wait_above != 0 && tx.len() > wait_above) co_await yield_now();
    if constexpr (std::is_same_v<T, std::uint64_t>)
      (void)tx.send(i);
    else
      (void)tx.send(std::make_shared<const std::uint64_t>(i));
    if (i % 64 == 0) co_await yield_now();
  }
}

/// Runs the scenario; returns the three tallies.
template <class T>
task<std::vector<tally>> scenario(std::size_t cap, std::size_t wait_above) {
  auto [tx, rx] = broadcast::channel<T>(cap);
  std::vector<join_handle<tally>> hs;
  hs.push_back(spawn(consume<T>(tx.subscribe())));
  hs.push_back(spawn(consume<T>(tx.subscribe())));
  hs.push_back(spawn(consume<T>(std::move(rx))));
  auto p = spawn(produce<T>(std::move(tx), wait_above));
  auto pr = co_await p;
  EXPECT_TRUE(pr.has_value());
  std::vector<tally> out;
  for (auto& h : hs) {
    auto r = co_await h;
    out.push_back(r.has_value() ? r.value() : tally{0, 0, false, false});
  }
  co_return out;
}

}  // namespace

TEST(broadcast_stress, lossy_one_sender_three_receivers_100k_on_two_threads) {
  thread_pool pool{2};
  auto ts = pool.block_on(scenario<std::uint64_t>(8, 0));
  ASSERT_EQ(ts.size(), 3u);
  for (const auto& t : ts) {
    EXPECT_TRUE(t.in_order);
    EXPECT_TRUE(t.closed);
    EXPECT_EQ(t.seen + t.lagged, n);  // every value either seen or counted as missed
  }
}

TEST(broadcast_stress, lossless_with_backpressure_100k_on_two_threads) {
  thread_pool pool{2};
  auto ts = pool.block_on(scenario<std::shared_ptr<const std::uint64_t>>(64, 32));
  ASSERT_EQ(ts.size(), 3u);
  for (const auto& t : ts) {
    EXPECT_TRUE(t.in_order);
    EXPECT_TRUE(t.closed);
    EXPECT_EQ(t.seen, n);
    EXPECT_EQ(t.lagged, 0u);
  }
}

TEST(broadcast_stress, receiver_on_another_runtime_keeps_its_affinity) {
  thread_pool pool{2};
  thread_pool other{1};
  auto [tx, rx] = broadcast::channel<std::uint64_t>(256);
  auto oex = other.get_executor();
  auto far = spawn(oex, [](broadcast::receiver<std::uint64_t> rx, executor home) -> task<bool> {
    std::uint64_t expected = 0;
    bool good = true;
    for (;;) {
      auto r = co_await rx.recv();
      good = good && current_executor() == home;
      if (!r.has_value()) co_return good&& r.error().code() == errc::closed&& expected == n;
      good = good && r.value() == expected;
      ++expected;
    }
  }(std::move(rx), oex));
  pool.block_on(produce<std::uint64_t>(std::move(tx), 128));
  auto ok = other.block_on([](join_handle<bool> h) -> task<bool> {
    auto r = co_await h;
    co_return r.has_value() && r.value();
  }(std::move(far)));
  EXPECT_TRUE(ok);
}

TEST(watch_stress, observers_on_two_threads_never_go_backwards) {
  thread_pool pool{2};
  auto ok = pool.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<std::uint64_t>(0);
    std::vector<join_handle<bool>> hs;
    for (int i = 0; i < 3; ++i) {
      hs.push_back(spawn([](watch::receiver<std::uint64_t> rx) -> task<bool> {
        std::uint64_t last = 0;
        for (;;) {
          auto c = co_await rx.changed();
          if (!c.has_value()) co_return c.error().code() == errc::closed&& last == n;
          const std::uint64_t v = rx.borrow_and_update();
          if (v <= last) co_return false;  // each reported change has a newer value
          last = v;
        }
      }(rx)));
    }
    rx = {};
    auto p = spawn([](watch::sender<std::uint64_t> tx) -> task<void> {
      for (std::uint64_t i = 1; i <= n; ++i) {
        (void)tx.send(i);
        if (i % 64 == 0) co_await yield_now();
      }
    }(std::move(tx)));
    auto pr = co_await p;
    bool good = pr.has_value();
    for (auto& h : hs) {
      auto r = co_await h;
      good = good && r.has_value() && r.value();
    }
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

}  // namespace eddy_test::stress_broadcast_stress_test
