// SPDX-License-Identifier: BSL-1.0
// Conformance: eddy::shared_mutex on every runtime (readers share, writers are alone, FIFO with
// a waiting writer blocking later readers, batch hand-off to readers, try_lock*, guards, cancel
// safety while queued and after the hand-off).
#include <atomic>
#include <string>
#include <vector>

#include <eddy/sync/shared_mutex.hpp>

#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_shared_mutex_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class shared_mutex_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(shared_mutex_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {

task<void> until_waiters(shared_mutex* m, std::size_t n) {
  while (m->waiter_count() != n) co_await yield_now();
}

// The log of who got the lock, in order; guarded by its own spin lock (pool threads).
struct lock_log {
  detail::spin_lock lock;
  std::vector<std::string> v;
  void add(std::string s) {
    detail::lock_guard<detail::spin_lock> g(lock);
    v.push_back(std::move(s));
  }
  std::vector<std::string> get() {
    detail::lock_guard<detail::spin_lock> g(lock);
    return v;
  }
};

// Takes the lock (exclusive or shared), logs `id`, holds it until `*release` is set.
task<void> hold(shared_mutex* m, bool exclusive, lock_log* l, std::string id,
                std::atomic<bool>* release) {
  shared_mutex::exclusive_guard eg;
  shared_mutex::shared_guard sg;
  if (exclusive)
    eg = co_await m->lock();
  else
    sg = co_await m->lock_shared();
  l->add(std::move(id));
  while (!release->load()) co_await yield_now();
}

}  // namespace

TYPED_TEST(shared_mutex_conformance, readers_share_and_a_writer_is_alone) {
  shared_mutex m;
  this->f.block_on([](shared_mutex* m) -> task<void> {
    {
      auto r1 = co_await m->lock_shared();
      auto r2 = co_await m->lock_shared();  // no suspension: readers share
      EXPECT_TRUE(r1 && r2);
      EXPECT_EQ(m->reader_count(), 2u);
      EXPECT_FALSE(m->is_locked());
      EXPECT_FALSE(m->try_lock());  // readers hold it
      auto r3 = m->try_lock_shared();
      EXPECT_TRUE(r3);
      EXPECT_EQ(r3.get_mutex(), m);
    }
    EXPECT_EQ(m->reader_count(), 0u);
    {
      auto w = co_await m->lock();
      EXPECT_TRUE(w.owns_lock());
      EXPECT_TRUE(m->is_locked());
      EXPECT_FALSE(m->try_lock());
      EXPECT_FALSE(m->try_lock_shared());
      w.unlock();
      EXPECT_FALSE(m->is_locked());
      w.unlock();  // idempotent
    }
    auto w = m->try_lock();
    EXPECT_TRUE(w);
    shared_mutex::exclusive_guard moved = std::move(w);
    EXPECT_FALSE(w);  // NOLINT(bugprone-use-after-move): the point of the test
    EXPECT_TRUE(m->is_locked());
    moved = shared_mutex::exclusive_guard{};
    EXPECT_FALSE(m->is_locked());
  }(&m));
  EXPECT_FALSE(m.is_locked());
  EXPECT_EQ(m.reader_count(), 0u);
}

// R0 holds; W1 queues; R2 (a later reader) queues behind W1 although only readers hold the lock;
// W1 gets it when R0 leaves, then R2, R3 together (a batch), then W4.
TYPED_TEST(shared_mutex_conformance, a_waiting_writer_blocks_later_readers_fifo) {
  shared_mutex m;
  lock_log l;
  std::atomic<bool> rel0{false}, rel1{false}, rel23{false}, rel4{false};
  this->f.block_on([](shared_mutex* m, lock_log* l, std::atomic<bool>* rel0,
                      std::atomic<bool>* rel1, std::atomic<bool>* rel23,
                      std::atomic<bool>* rel4) -> task<void> {
    auto r0 = spawn(hold(m, false, l, "R0", rel0));
    while (m->reader_count() != 1) co_await yield_now();
    auto w1 = spawn(hold(m, true, l, "W1", rel1));
    co_await until_waiters(m, 1);
    auto r2 = spawn(hold(m, false, l, "R2", rel23));
    co_await until_waiters(m, 2);  // queued: the writer waits
    EXPECT_FALSE(m->try_lock_shared());
    auto r3 = spawn(hold(m, false, l, "R3", rel23));
    co_await until_waiters(m, 3);
    auto w4 = spawn(hold(m, true, l, "W4", rel4));
    co_await until_waiters(m, 4);
    rel0->store(true);
    (void)co_await r0;
    while (!m->is_locked()) co_await yield_now();  // W1, handed off
    EXPECT_EQ(m->waiter_count(), 3u);
    rel1->store(true);
    (void)co_await w1;
    while (m->reader_count() != 2) co_await yield_now();  // R2 and R3 together
    EXPECT_EQ(m->waiter_count(), 1u);
    EXPECT_FALSE(m->is_locked());
    rel23->store(true);
    (void)co_await r2;
    (void)co_await r3;
    rel4->store(true);
    (void)co_await w4;
  }(&m, &l, &rel0, &rel1, &rel23, &rel4));
  auto got = l.get();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0], "R0");
  EXPECT_EQ(got[1], "W1");
  EXPECT_TRUE((got[2] == "R2" && got[3] == "R3") || (got[2] == "R3" && got[3] == "R2"));
  EXPECT_EQ(got[4], "W4");
  EXPECT_FALSE(m.is_locked());
  EXPECT_EQ(m.reader_count(), 0u);
}

TYPED_TEST(shared_mutex_conformance, an_aborted_writer_lets_the_readers_behind_it_through) {
  shared_mutex m;
  lock_log l;
  std::atomic<bool> rel{false}, never{false};
  this->f.block_on([](shared_mutex* m, lock_log* l, std::atomic<bool>* rel,
                      std::atomic<bool>* never) -> task<void> {
    auto r0 = co_await m->lock_shared();
    auto w = spawn(hold(m, true, l, "W", never));
    co_await until_waiters(m, 1);
    auto r1 = spawn(hold(m, false, l, "R1", rel));
    co_await until_waiters(m, 2);
    w.abort();  // the writer leaves the head: R1 shares with r0 at once
    auto rw = co_await w;
    EXPECT_FALSE(rw.has_value());
    if (!rw.has_value()) {
      EXPECT_EQ(rw.error().code(), errc::aborted);
    }
    while (m->reader_count() != 2) co_await yield_now();
    EXPECT_EQ(m->waiter_count(), 0u);
    rel->store(true);
    (void)co_await r1;
    r0.unlock();
  }(&m, &l, &rel, &never));
  EXPECT_EQ(l.get(), (std::vector<std::string>{"R1"}));
  EXPECT_EQ(m.reader_count(), 0u);
  EXPECT_FALSE(m.is_locked());
  EXPECT_TRUE(m.try_lock());
}

TYPED_TEST(shared_mutex_conformance, a_waiter_aborted_after_the_hand_off_passes_the_lock_on) {
  shared_mutex m;
  lock_log l;
  std::atomic<bool> rel{true};
  const bool single = TypeParam::threads == 1;
  this->f.block_on(
      [](shared_mutex* m, lock_log* l, std::atomic<bool>* rel, bool single) -> task<void> {
        auto g = co_await m->lock();
        auto a = spawn(hold(m, true, l, "A", rel));
        co_await until_waiters(m, 1);
        auto b = spawn(hold(m, false, l, "B", rel));
        co_await until_waiters(m, 2);
        g.unlock();  // handed to A ...
        a.abort();   // ... aborted before it could run (on one thread)
        auto ra = co_await a;
        if (single) {
          EXPECT_FALSE(ra.has_value());
        }
        auto rb = co_await b;  // B is served either way
        EXPECT_TRUE(rb.has_value());
      }(&m, &l, &rel, single));
  if (single) {
    EXPECT_EQ(l.get(), (std::vector<std::string>{"B"}));
  }
  EXPECT_FALSE(m.is_locked());  // not leaked by the aborted waiter
  EXPECT_EQ(m.reader_count(), 0u);
  EXPECT_EQ(m.waiter_count(), 0u);
}

TYPED_TEST(shared_mutex_conformance, timeout_on_lock_leaves_nothing_behind) {
  shared_mutex m;
  this->f.block_on([](shared_mutex* m) -> task<void> {
    auto r = co_await m->lock_shared();
    auto w = co_await timeout(1ms, m->lock());
    EXPECT_FALSE(w.has_value());
    EXPECT_EQ(m->waiter_count(), 0u);
    auto r2 = co_await timeout(1s, m->lock_shared());  // no writer waits any more: shares at once
    EXPECT_TRUE(r2.has_value());
    EXPECT_EQ(m->reader_count(), 2u);
  }(&m));
  EXPECT_EQ(m.reader_count(), 0u);
  EXPECT_TRUE(m.try_lock());
}

TYPED_TEST(shared_mutex_conformance, readers_and_writers_exclude_each_other_under_load) {
  shared_mutex m;
  std::atomic<int> readers{0}, writers{0};
  std::atomic<bool> bad{false};
  long counter = 0;  // written under the exclusive lock only
  this->f.block_on([](shared_mutex* m, std::atomic<int>* readers, std::atomic<int>* writers,
                      std::atomic<bool>* bad, long* counter) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int t = 0; t < 6; ++t) {
      hs.push_back(
          spawn([](int t, shared_mutex* m, std::atomic<int>* readers, std::atomic<int>* writers,
                   std::atomic<bool>* bad, long* counter) -> task<void> {
            for (int i = 0; i < 200; ++i) {
              if ((i + t) % 3 == 0) {
                auto g = co_await m->lock();
                if (writers->fetch_add(1) != 0 || readers->load() != 0) bad->store(true);
                ++*counter;
                if (i % 7 == 0) co_await yield_now();
                writers->fetch_sub(1);
              } else {
                auto g = co_await m->lock_shared();
                readers->fetch_add(1);
                if (writers->load() != 0) bad->store(true);
                if (i % 5 == 0) co_await yield_now();
                readers->fetch_sub(1);
              }
            }
          }(t, m, readers, writers, bad, counter)));
    }
    for (auto& h : hs) {
      auto r = co_await h;
      EXPECT_TRUE(r.has_value());
    }
  }(&m, &readers, &writers, &bad, &counter));
  EXPECT_FALSE(bad.load());
  long expected = 0;
  for (int t = 0; t < 6; ++t)
    for (int i = 0; i < 200; ++i) expected += (i + t) % 3 == 0;
  EXPECT_EQ(counter, expected);
  EXPECT_FALSE(m.is_locked());
  EXPECT_EQ(m.reader_count(), 0u);
}

}  // namespace eddy_test::conformance_shared_mutex_test
