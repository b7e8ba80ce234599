// SPDX-License-Identifier: BSL-1.0
// Seeded schedule exploration of when_any / when_all on sim_runtime: over 1200 seeds, losing
// `recv` branches race senders (no item lost or duplicated, per-producer order kept), losing
// `lock` branches race unlockers (mutual exclusion, no lock leaked), losing `acquire` branches
// race releases (no permit leaked), a try_when_all cancels the rest, and the tie rule holds on
// every seed. No schedule may deadlock.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>
#include <eddy/eddy.hpp>

#include "sync/explore.hpp"

namespace eddy_test::sync_when_any_explore_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

using eddy_test::rng;

constexpr int producers = 3;
constexpr int per_producer = 12;

struct world {
  std::vector<int> received;  // producer * 1000 + sequence
  mutex m;
  semaphore sem{2};
  int inside = 0;
  bool overlap = false;
  long locked = 0;
  long acquired = 0;
  bool tie_broken = false;
  bool try_all_wrong = false;
};

task<void> producer(mpsc::sender<int> tx, int id, std::uint64_t seed) {
  rng r{seed};
  for (int i = 0; i < per_producer; ++i) {
    if (r.below(2)) co_await sleep(std::chrono::microseconds(r.below(30)));
    if (r.below(3) == 0) co_await yield_now();
    (void)co_await tx.send(id * 1000 + i);
  }
}

// Receives with a deadline that often loses: every item must still arrive exactly once.
task<void> consumer(mpsc::receiver<int> rx, world* w, std::uint64_t seed) {
  rng r{seed};
  for (;;) {
    // (a yield_now() branch would keep the task always ready: virtual time would never move)
    auto v = co_await when_any(rx.recv(), sleep(std::chrono::microseconds(r.below(25))));
    if (v.index() != 0) {
      if (r.below(4) == 0) co_await yield_now();
      continue;
    }
    auto& item = std::get<0>(v);
    if (!item) break;  // every sender gone and drained
    w->received.push_back(*item);
  }
}

task<void> locker(world* w, std::uint64_t seed, int iters) {
  rng r{seed};
  for (int i = 0; i < iters; ++i) {
    auto v = co_await when_any(w->m.lock(), sleep(std::chrono::microseconds(r.below(20))));
    if (v.index() != 0) continue;
    auto g = std::move(std::get<0>(v));
    if (w->inside++ != 0) w->overlap = true;
    ++w->locked;
    if (r.below(2)) co_await sleep(std::chrono::microseconds(1 + r.below(10)));
    if (r.below(2)) co_await yield_now();
    --w->inside;
  }
}

task<void> plain_locker(world* w, std::uint64_t seed, int iters) {
  rng r{seed};
  for (int i = 0; i < iters; ++i) {
    auto g = co_await w->m.lock();
    if (w->inside++ != 0) w->overlap = true;
    ++w->locked;
    if (r.below(2)) co_await sleep(std::chrono::microseconds(r.below(8)));
    --w->inside;
  }
}

task<void> acquirer(world* w, std::uint64_t seed, int iters) {
  rng r{seed};
  for (int i = 0; i < iters; ++i) {
    auto v = co_await when_any(sleep(std::chrono::microseconds(r.below(15))),
                               w->sem.acquire(1 + r.below(2)));
    if (v.index() != 1) continue;
    auto p = std::move(std::get<1>(v));
    if (!p.has_value()) continue;
    ++w->acquired;
    if (r.below(2)) co_await sleep(std::chrono::microseconds(r.below(10)));
  }
}

task<void> ties(world* w, std::uint64_t seed) {
  rng r{seed};
  const auto d = std::chrono::microseconds(1 + r.below(5));
  auto v = co_await when_any(sleep(d), sleep(d), sleep(d));
  if (v.index() != 0) w->tie_broken = true;
  // a first error cancels the rest; the values before it do not matter
  auto e = co_await try_when_all(
      [](std::chrono::microseconds d) -> task<result<int>> {
        co_await sleep(d);
        co_return error{errc::user};
      }(d),
      w->m.lock(), sleep(1h));
  if (e.has_value() || e.error().code() != errc::user) w->try_all_wrong = true;
}

task<void> scenario(world* w, std::uint64_t seed) {
  auto [tx, rx] = mpsc::channel<int>(1 + seed % 3);
  std::vector<join_handle<void>> hs;
  for (int p = 0; p < producers; ++p) hs.push_back(spawn(producer(tx, p, seed * 7 + p)));
  tx = mpsc::sender<int>{};  // the producers hold the only senders
  auto c = spawn(consumer(std::move(rx), w, seed * 13));
  hs.push_back(spawn(locker(w, seed * 17, 6)));
  hs.push_back(spawn(locker(w, seed * 19, 6)));
  hs.push_back(spawn(plain_locker(w, seed * 23, 4)));
  hs.push_back(spawn(acquirer(w, seed * 29, 6)));
  hs.push_back(spawn(acquirer(w, seed * 31, 6)));
  hs.push_back(spawn(ties(w, seed)));
  for (auto& h : hs) (void)co_await h;
  (void)co_await c;
}

}  // namespace

TEST(when_any_explore, over_1200_seeds) {
  eddy_test::explore_seeds<world>(1200, scenario, [&](world& w, std::uint64_t seed) {
    // every item exactly once, each producer's items in order
    ASSERT_EQ(w.received.size(), static_cast<std::size_t>(producers * per_producer))
        << "seed " << seed;
    std::vector<int> next(producers, 0);
    for (int x : w.received) {
      const int p = x / 1000;
      ASSERT_EQ(x % 1000, next[static_cast<std::size_t>(p)]) << "seed " << seed;
      ++next[static_cast<std::size_t>(p)];
    }
    ASSERT_FALSE(w.overlap) << "seed " << seed << ": two tasks inside the lock";
    ASSERT_GE(w.locked, 4) << "seed " << seed;
    ASSERT_FALSE(w.m.is_locked()) << "seed " << seed << ": lock leaked";
    ASSERT_EQ(w.m.waiter_count(), 0u) << "seed " << seed;
    ASSERT_EQ(w.sem.available_permits(), 2u) << "seed " << seed << ": permit leaked";
    ASSERT_FALSE(w.tie_broken) << "seed " << seed << ": a tie did not go to index 0";
    ASSERT_FALSE(w.try_all_wrong) << "seed " << seed;
  });
}

}  // namespace eddy_test::sync_when_any_explore_test
