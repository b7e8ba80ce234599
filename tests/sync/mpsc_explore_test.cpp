// SPDX-License-Identifier: BSL-1.0
// Seeded schedule exploration on sim_runtime: mpsc and oneshot under many interleavings, with
// aborted producers and receivers and time-outs. Each seed is one schedule; a failure names it.
// Checked: no item lost or duplicated, per-producer FIFO, no deadlock (try_block_on reports
// errc::deadlock).
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "conformance/runtimes.hpp"

namespace eddy_test::sync_mpsc_explore_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

constexpr int seeds = 1000;
constexpr int producers = 3, per_producer = 12, victim = producers;
constexpr int stride = 100000;  // item = producer * stride + index

// Sends per_producer items (a victim: many more, until aborted); `mode` varies the way.
task<void> produce(mpsc::sender<int> tx, int p, int mode, int count, int* completed) {
  for (int i = 0; i < count; ++i) {
    const int v = p * stride + i;
    if (mode == 1) {  // try_send, yielding while full
      for (;;) {
        auto r = tx.try_send(v);
        if (r.has_value()) break;
        if (r.error().code() != errc::full) co_return;
        co_await yield_now();
      }
    } else {
      auto r = co_await tx.send(v);
      if (!r.has_value()) co_return;
    }
    ++*completed;
    if (mode == 2 && i % 3 == 0) co_await yield_now();
    if (mode == 2 && i % 5 == 4) co_await sleep(1ms);
  }
}

struct outcome {
  std::vector<int> got;
  int completed[producers + 1] = {};
  std::size_t got_by_aborted_receiver = 0;
  int timeouts = 0;
};

// How often the interesting paths were hit, over all seeds (the exploration must reach them).
struct coverage {
  int aborted_receiver_had_items = 0, victim_in_flight = 0, victim_partial = 0, timeouts = 0;
};

task<void> receive_into(mpsc::receiver<int>* rx, std::vector<int>* got) {
  for (;;) {
    auto v = co_await rx->recv();
    if (!v) co_return;
    got->push_back(*v);
  }
}

task<bool> mpsc_schedule(std::size_t cap, std::uint64_t seed, outcome* out) {
  auto [tx, rx] = cap ? mpsc::channel<int>(cap) : mpsc::unbounded_channel<int>();
  std::vector<join_handle<void>> hs;
  for (int p = 0; p < producers; ++p) {
    hs.push_back(spawn(produce(tx, p, p % 3, per_producer, &out->completed[p])));
  }
  auto v = spawn(produce(tx, victim, 2, 5000, &out->completed[victim]));
  tx = mpsc::sender<int>{};

  // A receiver that is aborted at a seed-chosen point (maybe while woken, maybe while waiting).
  auto r = spawn(receive_into(&rx, &out->got));
  for (std::uint64_t i = 0; i < seed % 7; ++i) co_await yield_now();
  r.abort();
  (void)co_await r;
  out->got_by_aborted_receiver = out->got.size();
  for (std::uint64_t i = 0; i < seed % 5; ++i) co_await yield_now();
  v.abort();  // the victim producer: maybe waiting in send, maybe between sends
  (void)co_await v;

  for (int step = 0;; ++step) {
    switch ((step + seed) % 3) {
      case 0: {
        auto x = co_await rx.recv();
        if (!x) goto done;
        out->got.push_back(*x);
        break;
      }
      case 1: {
        auto x = rx.try_recv();
        if (x.has_value()) {
          out->got.push_back(x.value());
        } else if (x.error().code() == errc::closed) {
          goto done;
        } else {
          co_await yield_now();
        }
        break;
      }
      default: {
        auto x = co_await timeout(1ms, rx.recv());
        if (x.has_value()) {
          if (!*x) goto done;
          out->got.push_back(**x);
        } else {
          ++out->timeouts;
        }
        break;
      }
    }
  }
done:
  for (auto& h : hs) (void)co_await h;
  co_return true;
}

// Per producer: the received items are exactly 0..n-1 in order.
std::string check(const outcome& o) {
  std::vector<int> next(producers + 1, 0);
  for (int x : o.got) {
    const int p = x / stride, i = x % stride;
    if (p < 0 || p > producers) return "bad item " + std::to_string(x);
    if (i != next[p]) {
      return "producer " + std::to_string(p) + ": got " + std::to_string(i) + ", expected " +
             std::to_string(next[p]) + " (lost, duplicated or reordered)";
    }
    ++next[p];
  }
  for (int p = 0; p < producers; ++p) {
    if (next[p] != per_producer) return "producer " + std::to_string(p) + " lost items";
  }
  // The aborted producer: every completed send arrived; at most the one in flight besides.
  const int c = o.completed[victim];
  if (next[victim] != c && next[victim] != c + 1) {
    return "victim: received " + std::to_string(next[victim]) + ", completed " + std::to_string(c);
  }
  return "";
}

}  // namespace

TEST(mpsc_explore, no_loss_no_duplication_fifo_no_deadlock) {
  coverage cov;
  for (std::size_t cap : {std::size_t{1}, std::size_t{3}, std::size_t{0}}) {
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
      sim_runtime sim{seed};
      outcome o;
      auto r = sim.try_block_on(mpsc_schedule(cap, seed, &o));
      ASSERT_TRUE(r.has_value()) << "cap " << cap << " seed " << seed << ": "
                                 << r.error().message();
      const std::string err = check(o);
      ASSERT_EQ(err, "") << "cap " << cap << " seed " << seed;
      int victim_got = 0;
      for (int x : o.got) victim_got += x / stride == victim;
      cov.aborted_receiver_had_items += o.got_by_aborted_receiver > 0;
      cov.victim_in_flight += victim_got == o.completed[victim] + 1;
      cov.victim_partial += o.completed[victim] > 0 && o.completed[victim] < 5000;
      cov.timeouts += o.timeouts > 0;
    }
  }
  EXPECT_GT(cov.aborted_receiver_had_items, 100);
  EXPECT_GT(cov.victim_in_flight, 10);  // aborted after its value was admitted, before resuming
  EXPECT_GT(cov.victim_partial, 100);
  EXPECT_GT(cov.timeouts, 100);
  std::printf(
      "coverage: aborted receiver had items %d, victim in flight %d, victim partial %d, "
      "timeouts %d (of %d schedules)\n",
      cov.aborted_receiver_had_items, cov.victim_in_flight, cov.victim_partial, cov.timeouts,
      3 * seeds);
}

namespace {

int g_client_timeouts = 0;  // patient clients whose first wait timed out (coverage)

struct request {
  int value;
  oneshot::sender<int> reply;
};

// Replies value+1, except: value % 5 == 0 -> drops the sender without replying; value % 4 == 1
// -> replies after 1 ms (racing the client's 1 ms time-out). Counts refused replies.
task<void> serve(mpsc::receiver<request> rx, int* refused) {
  while (auto req = co_await rx.recv()) {
    if (req->value % 5 == 0) continue;  // the reply sender is dropped here
    if (req->value % 4 == 1) co_await sleep(1ms);
    if (req->value % 3 == 0) co_await yield_now();
    auto s = req->reply.send(req->value + 1);
    if (!s.has_value()) {
      if (s.error().code() == errc::closed && s.inner() == req->value + 1)
        ++*refused;
      else
        *refused += 1000;  // wrong error or value not handed back
    }
  }
}

// Sends `n` requests; checks each reply. With `patient`, a time-out is retried on the same
// receiver (the value must survive the cancelled wait).
task<int> client(mpsc::sender<request> tx, int base, int n, bool patient, int* bad) {
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    const int v = base + i;
    auto [otx, orx] = oneshot::channel<int>();
    // Named first: g++ 12 destroys a braced aggregate temporary inside a co_await operand twice.
    request req{v, std::move(otx)};
    auto s = co_await tx.send(std::move(req));
    if (!s.has_value()) {
      ++*bad;
      co_return ok;
    }
    result<int> r = errc::timed_out;
    if (patient) {
      auto t = co_await timeout(1ms, orx.recv());
      if (t.has_value()) {
        r = std::move(*t);
      } else {
        ++g_client_timeouts;
        r = co_await orx;  // timed out: wait again, nothing was lost
      }
    } else {
      r = co_await orx;
    }
    if (v % 5 == 0) {
      if (r.has_value() || r.error().code() != errc::closed) ++*bad;
    } else if (!r.has_value() || r.value() != v + 1) {
      ++*bad;
    } else {
      ++ok;
    }
  }
  co_return ok;
}

task<bool> rpc_schedule(std::uint64_t seed, int* bad, int* refused) {
  auto [tx, rx] = mpsc::channel<request>(2);
  auto server = spawn(serve(std::move(rx), refused));
  auto a = spawn(client(tx, 0, 20, false, bad));
  auto b = spawn(client(tx, 100, 20, true, bad));
  // A client aborted at a seed-chosen point: its pending reply is refused, never lost.
  auto c = spawn(client(tx, 200, 1000, seed % 2 == 0, bad));
  tx = mpsc::sender<request>{};
  for (std::uint64_t i = 0; i < seed % 11; ++i) co_await yield_now();
  c.abort();
  (void)co_await c;
  auto ra = co_await a;
  auto rb = co_await b;
  (void)co_await server;
  co_return ra.value() == 16 && rb.value() == 16;  // 4 of every 20 are dropped by the server
}

}  // namespace

TEST(oneshot_explore, rpc_replies_exactly_once_no_deadlock) {
  int refusals = 0;
  g_client_timeouts = 0;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    sim_runtime sim{seed};
    int bad = 0, refused = 0;
    auto r = sim.try_block_on(rpc_schedule(seed, &bad, &refused));
    ASSERT_TRUE(r.has_value()) << "seed " << seed << ": " << r.error().message();
    EXPECT_TRUE(r.value()) << "seed " << seed;
    EXPECT_EQ(bad, 0) << "seed " << seed;
    EXPECT_LE(refused, 1) << "seed " << seed;  // only the aborted client's pending request
    refusals += refused;
  }
  EXPECT_GT(refusals, 50);
  EXPECT_GT(g_client_timeouts, 50);
  std::printf("coverage: refused replies %d, client time-outs %d (of %d schedules)\n", refusals,
              g_client_timeouts, seeds);
}

}  // namespace eddy_test::sync_mpsc_explore_test
