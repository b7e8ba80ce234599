// SPDX-License-Identifier: BSL-1.0
// Stress (run it under TSan): mpsc and oneshot with producers and consumers on several threads
// and runtimes. Checks the sum and each producer's order.
#include <cstdint>
#include <vector>

#include "conformance/runtimes.hpp"

namespace eddy_test::stress_mpsc_stress_test {

using namespace eddy;

#if defined(__SANITIZE_THREAD__)
#define EDDY_STRESS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define EDDY_STRESS_TSAN 1
#endif
#endif

namespace {

#ifdef EDDY_STRESS_TSAN
constexpr std::uint64_t per_producer = 200'000;  // TSan is ~10x slower
#else
constexpr std::uint64_t per_producer = 1'000'000;
#endif
constexpr std::uint64_t producers = 4;

task<bool> produce(mpsc::sender<std::uint64_t> tx, std::uint64_t p, std::uint64_t n) {
  bool ok = true;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto r = co_await tx.send(p << 32 | i);
    ok = ok && r.has_value();
  }
  co_return ok;
}

struct tally {
  std::uint64_t sum = 0, count = 0;
  bool ordered = true;
};

task<tally> consume(mpsc::receiver<std::uint64_t> rx) {
  tally t;
  std::vector<std::uint64_t> next(producers, 0);
  while (auto v = co_await rx.recv()) {
    const std::uint64_t p = *v >> 32, i = *v & 0xffffffffu;
    if (p >= producers || next[p] != i)
      t.ordered = false;
    else
      ++next[p];
    t.sum += i;
    ++t.count;
  }
  co_return t;
}

// 4 producers and the consumer, all spawned from a root task on `ex`.
task<bool> run_all(mpsc::channel_pair<std::uint64_t> ch, executor producer_ex, std::uint64_t n) {
  std::vector<join_handle<bool>> hs;
  for (std::uint64_t p = 0; p < producers; ++p)
    hs.push_back(spawn(producer_ex, produce(ch.first, p, n)));
  ch.first = mpsc::sender<std::uint64_t>{};
  auto t = co_await consume(std::move(ch.second));
  bool ok = t.ordered && t.count == producers * n && t.sum == producers * (n * (n - 1) / 2);
  EXPECT_TRUE(t.ordered);
  EXPECT_EQ(t.count, producers * n);
  for (auto& h : hs) {
    auto r = co_await h;
    ok = ok && r.value();
  }
  co_return ok;
}

}  // namespace

TEST(mpsc_stress, four_producers_bounded_1024_on_pool2) {
  thread_pool pool{2};
  EXPECT_TRUE(pool.block_on(
      run_all(mpsc::channel<std::uint64_t>(1024), pool.get_executor(), per_producer)));
}

TEST(mpsc_stress, four_producers_bounded_1_on_pool2) {
  thread_pool pool{2};
  EXPECT_TRUE(pool.block_on(
      run_all(mpsc::channel<std::uint64_t>(1), pool.get_executor(), per_producer / 10)));
}

TEST(mpsc_stress, four_producers_unbounded_on_pool2) {
  thread_pool pool{2};
  EXPECT_TRUE(pool.block_on(
      run_all(mpsc::unbounded_channel<std::uint64_t>(), pool.get_executor(), per_producer)));
}

// Producers on a thread_pool, the receiver on a local_runtime driven by the test thread.
TEST(mpsc_stress, producers_on_pool_receiver_on_local_runtime) {
  thread_pool pool{2};
  local_runtime local;
  EXPECT_TRUE(local.block_on(
      run_all(mpsc::channel<std::uint64_t>(16), pool.get_executor(), per_producer / 4)));
}

namespace {
// Sends `n` items, yielding to the runtime after each, so the receiver (faster) keeps emptying
// the ring and parking, and several sends find it parked at once.
task<bool> produce_slowly(mpsc::sender<std::uint64_t> tx, std::uint64_t n) {
  bool ok = true;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto r = co_await tx.send(i);
    ok = ok && r.has_value();
    co_await yield_now();
  }
  co_return ok;
}

task<std::uint64_t> count_items(mpsc::receiver<std::uint64_t> rx) {
  std::uint64_t count = 0;
  while (auto v = co_await rx.recv()) ++count;
  co_return count;
}
}  // namespace

// A receive that parks while sends on other threads publish without the lock: a send that saw
// the receiver parked may reach the lock after the receiver took its item and parked again. It
// must not wake the receiver then (it would resume to an empty ring and end early).
TEST(mpsc_stress, a_receiver_that_keeps_parking_never_ends_early) {
  thread_pool pool{2};
  local_runtime local;
  constexpr std::uint64_t n = per_producer / 20;
  for (int round = 0; round < 4; ++round) {
    auto [tx, rx] = mpsc::channel<std::uint64_t>(64);
    std::vector<join_handle<bool>> ps;
    for (int p = 0; p < 3; ++p) ps.push_back(spawn(pool.get_executor(), produce_slowly(tx, n)));
    tx = mpsc::sender<std::uint64_t>{};
    const std::uint64_t got = local.block_on(count_items(std::move(rx)));
    ASSERT_EQ(got, 3 * n) << "round " << round;
    for (auto& h : ps) {
      EXPECT_TRUE(local.block_on([](join_handle<bool> j) -> task<bool> {
        auto r = co_await j;
        co_return r.has_value() && r.value();
      }(std::move(h))));
    }
  }
}

namespace {
// Sends 0, 1, 2 ... until a send fails (the channel closed); gives how many succeeded.
// (No co_await on the right of && in a loop's condition: g++ 12 runs it even when the left
// side is false; see docs/compiler-notes.md.)
task<std::uint64_t> send_until_closed(mpsc::sender<std::uint64_t> tx) {
  std::uint64_t sent = 0;
  for (;;) {
    auto r = co_await tx.send(sent);
    if (!r.has_value()) co_return sent;
    ++sent;
  }
}

task<std::uint64_t> receive_close_drain(mpsc::receiver<std::uint64_t> rx, std::uint64_t first) {
  std::uint64_t got = 0;
  while (got < first) {
    auto v = co_await rx.recv();
    if (!v) break;
    ++got;
  }
  rx.close();
  for (;;) {
    auto v = co_await rx.recv();
    if (!v) co_return got;
    ++got;
  }
}
}  // namespace

// Sends on other threads race the receiver's close: every send that reported success is
// received before the end (a send that claimed its slot before the close and published it
// after must not be left behind the end), and every send after the close fails.
TEST(mpsc_stress, a_close_racing_sends_loses_no_sent_item) {
  thread_pool pool{2};
  local_runtime local;
  for (int round = 0; round < 40; ++round) {
    for (std::size_t cap : {std::size_t{1}, std::size_t{7}, std::size_t{64}}) {
      auto [tx, rx] = mpsc::channel<std::uint64_t>(cap);
      std::vector<join_handle<std::uint64_t>> ps;
      for (int p = 0; p < 3; ++p) ps.push_back(spawn(pool.get_executor(), send_until_closed(tx)));
      tx = mpsc::sender<std::uint64_t>{};
      const std::uint64_t got =
          local.block_on(receive_close_drain(std::move(rx), 200 + 37 * std::uint64_t(round)));
      std::uint64_t sent = 0;
      for (auto& h : ps) {
        sent += local.block_on([](join_handle<std::uint64_t> j) -> task<std::uint64_t> {
          auto r = co_await j;
          co_return r.has_value() ? r.value() : 0;
        }(std::move(h)));
      }
      ASSERT_EQ(got, sent) << "round " << round << ", capacity " << cap;
    }
  }
}

namespace {
struct request {
  std::uint64_t value;
  oneshot::sender<std::uint64_t> reply;
};

task<void> serve(mpsc::receiver<request> rx) {
  while (auto req = co_await rx.recv()) {
    auto s = req->reply.send(req->value + 1);
    EXPECT_TRUE(s.has_value());
  }
}

task<bool> client(mpsc::sender<request> tx, std::uint64_t base, std::uint64_t n) {
  bool ok = true;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto [otx, orx] = oneshot::channel<std::uint64_t>();
    request req{base + i, std::move(otx)};  // named: see the g++ 12 note in docs/sync-channels.md
    auto s = co_await tx.send(std::move(req));
    auto r = co_await orx;
    ok = ok && s.has_value() && r.has_value() && r.value() == base + i + 1;
  }
  co_return ok;
}
}  // namespace

// Oneshot replies across threads: a server on the pool, 4 clients on the pool, 1 on a local
// runtime.
TEST(oneshot_stress, rpc_across_threads_and_runtimes) {
  thread_pool pool{2};
  local_runtime local;
  constexpr std::uint64_t n = per_producer / 10;
  auto [tx, rx] = mpsc::channel<request>(64);
  auto server = spawn(pool.get_executor(), serve(std::move(rx)));
  std::vector<join_handle<bool>> clients;
  for (std::uint64_t c = 0; c < 4; ++c) {
    clients.push_back(spawn(pool.get_executor(), client(tx, c << 32, n)));
  }
  EXPECT_TRUE(local.block_on(client(tx, 4ull << 32, n)));
  tx = mpsc::sender<request>{};
  EXPECT_TRUE(
      pool.block_on([](std::vector<join_handle<bool>> cs, join_handle<void> s) -> task<bool> {
        bool ok = true;
        for (auto& c : cs) {
          auto r = co_await c;
          ok = ok && r.value();
        }
        auto r = co_await s;
        co_return ok&& r.has_value();
      }(std::move(clients), std::move(server))));
}

}  // namespace eddy_test::stress_mpsc_stress_test
