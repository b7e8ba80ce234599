// SPDX-License-Identifier: BSL-1.0
// Stress (run it under TSan): spawn_blocking with many jobs and aborts racing their start and
// end, the pool's bound and idle exit; blocking_send / blocking_recv between plain threads and
// tasks on a thread_pool.
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "conformance/runtimes.hpp"

namespace eddy_test::stress_blocking_stress_test {

using namespace eddy;
using namespace std::chrono_literals;

#if EDDY_HAS_THREADS

#if defined(__SANITIZE_THREAD__)
#define EDDY_STRESS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define EDDY_STRESS_TSAN 1
#endif
#endif

namespace {

#ifdef EDDY_STRESS_TSAN
constexpr int jobs = 1500;
constexpr std::uint64_t items = 20'000;
#else
constexpr int jobs = 10'000;
constexpr std::uint64_t items = 200'000;
#endif

struct pool_settings {
  blocking_pool_options saved = get_blocking_pool_options();
  explicit pool_settings(blocking_pool_options o) { set_blocking_pool_options(o); }
  ~pool_settings() { set_blocking_pool_options(saved); }
};

struct outcome {
  long values = 0, aborted = 0, other = 0, sum = 0;
};

// Spawns `jobs` blocking jobs from a task and aborts every third one at a random moment
// (before it is queued, while queued, while it runs, after it ended).
task<outcome> jobs_with_aborts(std::atomic<long>* ran) {
  std::vector<join_handle<long>> hs;
  hs.reserve(jobs);
  for (int i = 0; i < jobs; ++i) {
    hs.push_back(spawn_blocking([i, ran] {
      ran->fetch_add(1, std::memory_order_relaxed);
      if (i % 7 == 0) std::this_thread::yield();
      return static_cast<long>(i);
    }));
    if (i % 3 == 0) hs[static_cast<std::size_t>(i / 2)].abort();
    if (i % 64 == 0) co_await yield_now();
  }
  outcome o;
  for (auto& h : hs) {
    auto r = co_await h;
    if (r.has_value()) {
      ++o.values;
      o.sum += r.value();
    } else if (r.error() == errc::aborted) {
      ++o.aborted;
    } else {
      ++o.other;
    }
  }
  co_return o;
}

void check(const outcome& o, long ran) {
  EXPECT_EQ(o.other, 0);
  EXPECT_EQ(o.values + o.aborted, jobs);
  EXPECT_GT(o.aborted, 0);
  EXPECT_GE(ran, o.values);  // every value came from a run; aborted jobs ran or not
  EXPECT_LE(ran, jobs);
}

}  // namespace

TEST(spawn_blocking_stress, many_jobs_and_aborts_on_pool2_with_a_small_bound) {
  pool_settings s{{4, std::chrono::milliseconds(50)}};
  thread_pool pool{2};
  std::atomic<long> ran{0};
  const outcome o = pool.block_on(jobs_with_aborts(&ran));
  check(o, ran.load());
  EXPECT_EQ(detail::blocking_pool_queued(), 0u);  // every job ran or was taken back
  EXPECT_LE(detail::blocking_pool_threads(), 4u);
}

TEST(spawn_blocking_stress, many_jobs_and_aborts_on_local_and_pool_at_once) {
  pool_settings s{{8, std::chrono::milliseconds(50)}};
  thread_pool pool{2};
  std::atomic<long> ran_pool{0}, ran_local{0};
  auto other = std::thread([&] {
    const outcome o = pool.block_on(jobs_with_aborts(&ran_pool));
    check(o, ran_pool.load());
  });
  local_runtime local;
  const outcome o = local.block_on(jobs_with_aborts(&ran_local));
  check(o, ran_local.load());
  other.join();
  EXPECT_EQ(detail::blocking_pool_queued(), 0u);  // (the pool is shared: checked after both)
}

TEST(spawn_blocking_stress, idle_threads_exit_after_the_timeout) {
  pool_settings s{{16, std::chrono::milliseconds(5)}};
  thread_pool pool{2};
  const long sum = pool.block_on([]() -> task<long> {
    std::vector<join_handle<long>> hs;
    for (long i = 0; i < 64; ++i) hs.push_back(spawn_blocking([i] { return i; }));
    long sum = 0;
    for (auto& h : hs) {
      auto r = co_await h;
      sum += r.value();
    }
    co_return sum;
  }());
  EXPECT_EQ(sum, 63 * 64 / 2);
  EXPECT_LE(detail::blocking_pool_threads(), 16u);
  // Every thread is idle now: each exits once its 5 ms are up (bounded wait, no fixed sleep).
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (detail::blocking_pool_threads() > 0 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::yield();
  EXPECT_EQ(detail::blocking_pool_threads(), 0u);
}

namespace {
struct tally {
  std::uint64_t count = 0, sum = 0;
  bool ordered = true;
};
constexpr std::uint64_t senders = 3;
}  // namespace

// Plain threads block in blocking_send on a small bounded channel; a task on a thread_pool
// receives.
TEST(blocking_channel_stress, plain_threads_send_to_a_task_on_a_pool) {
  thread_pool pool{2};
  auto [tx, rx] = mpsc::channel<std::uint64_t>(4);
  std::vector<std::thread> threads;
  for (std::uint64_t p = 0; p < senders; ++p) {
    threads.emplace_back([tx = tx, p]() mutable {
      for (std::uint64_t i = 0; i < items; ++i) {
        auto r = tx.blocking_send(p << 32 | i);
        if (!r) ADD_FAILURE() << "blocking_send failed";
      }
    });
  }
  tx = mpsc::sender<std::uint64_t>{};
  const tally t = pool.block_on([](mpsc::receiver<std::uint64_t> rx) -> task<tally> {
    tally t;
    std::vector<std::uint64_t> next(senders, 0);
    while (auto v = co_await rx.recv()) {
      const std::uint64_t p = *v >> 32, i = *v & 0xffffffffu;
      if (p >= senders || next[p] != i)
        t.ordered = false;
      else
        ++next[p];
      t.sum += i;
      ++t.count;
    }
    co_return t;
  }(std::move(rx)));
  for (auto& th : threads) th.join();
  EXPECT_TRUE(t.ordered);
  EXPECT_EQ(t.count, senders * items);
  EXPECT_EQ(t.sum, senders * (items * (items - 1) / 2));
}

// Tasks on a thread_pool send; a plain thread drains with blocking_recv until the end.
TEST(blocking_channel_stress, a_plain_thread_receives_from_tasks_on_a_pool) {
  thread_pool pool{2};
  auto [tx, rx] = mpsc::channel<std::uint64_t>(8);
  tally t;
  std::thread consumer([&t, rx = std::move(rx)]() mutable {
    std::vector<std::uint64_t> next(senders, 0);
    for (;;) {
      auto v = rx.blocking_recv();
      if (!v) {
        if (v.error() != errc::closed) t.ordered = false;
        break;
      }
      const std::uint64_t p = v.value() >> 32, i = v.value() & 0xffffffffu;
      if (p >= senders || next[p] != i)
        t.ordered = false;
      else
        ++next[p];
      t.sum += i;
      ++t.count;
    }
  });
  pool.block_on([](mpsc::sender<std::uint64_t> tx) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (std::uint64_t p = 0; p < senders; ++p) {
      hs.push_back(spawn([](mpsc::sender<std::uint64_t> tx, std::uint64_t p) -> task<void> {
        for (std::uint64_t i = 0; i < items; ++i) (void)co_await tx.send(p << 32 | i);
      }(tx, p)));
    }
    tx = mpsc::sender<std::uint64_t>{};
    for (auto& h : hs) (void)co_await h;
  }(std::move(tx)));
  consumer.join();
  EXPECT_TRUE(t.ordered);
  EXPECT_EQ(t.count, senders * items);
  EXPECT_EQ(t.sum, senders * (items * (items - 1) / 2));
}

// Request/reply between plain threads (blocking_send + oneshot blocking_recv) and a server
// task on a thread_pool.
TEST(blocking_channel_stress, oneshot_rpc_from_plain_threads) {
  struct request {
    std::uint64_t value;
    oneshot::sender<std::uint64_t> reply;
  };
  thread_pool pool{2};
  auto [tx, rx] = mpsc::channel<request>(2);
  auto server = spawn(pool.get_executor(), [](mpsc::receiver<request> rx) -> task<void> {
    while (auto req = co_await rx.recv()) (void)req->reply.send(req->value * 2);
  }(std::move(rx)));
  std::atomic<int> bad{0};
  std::vector<std::thread> clients;
  for (std::uint64_t c = 0; c < 3; ++c) {
    clients.emplace_back([tx = tx, c, &bad]() mutable {
      for (std::uint64_t i = 0; i < items / 10; ++i) {
        auto [otx, orx] = oneshot::channel<std::uint64_t>();
        const std::uint64_t v = c << 32 | i;
        if (!tx.blocking_send(request{v, std::move(otx)})) bad.fetch_add(1);
        auto r = orx.blocking_recv();
        if (!r || r.value() != v * 2) bad.fetch_add(1);
      }
    });
  }
  tx = mpsc::sender<request>{};
  for (auto& th : clients) th.join();
  auto done = pool.block_on([](join_handle<void> s) -> task<bool> {
    auto r = co_await s;
    co_return r.has_value();
  }(std::move(server)));
  EXPECT_TRUE(done);
  EXPECT_EQ(bad.load(), 0);
}

#endif

}  // namespace eddy_test::stress_blocking_stress_test
