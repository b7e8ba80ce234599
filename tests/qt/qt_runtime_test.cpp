// SPDX-License-Identifier: BSL-1.0
// qt_runtime: cross-thread wake-ups (one per batch), timers, block_on refusals, shutdown with
// suspended tasks. The whole conformance, sync and stream suites also run on it (qt_fixture).
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QEvent>
#include <QEventLoop>
#include <QTimer>
#include <atomic>
#include <eddy/runtime.hpp>
#include <eddy/runtime/qt_runtime.hpp>
#include <eddy/sync/oneshot.hpp>
#include <thread>
#include <vector>

#include "conformance/deadline_order.hpp"
#include "conformance/runtimes.hpp"

namespace eddy_test::qt_qt_runtime_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

struct drop_counter {
  std::atomic<int>* n;
  ~drop_counter() { n->fetch_add(1); }
};

task<void> sleeper(std::atomic<int>* dropped, std::atomic<int>* started) {
  drop_counter g{dropped};
  started->fetch_add(1);
  co_await sleep(std::chrono::hours(1000));
}

// Counts the user-type events delivered on the main thread (the runtime's wake-ups are such
// events; nothing else in these tests posts one).
struct event_counter : QObject {
  int user_events = 0;
  bool eventFilter(QObject* o, QEvent* e) override {
    if (e->type() >= QEvent::User && e->type() <= QEvent::MaxUser) ++user_events;
    return QObject::eventFilter(o, e);
  }
};

// Runs a nested QEventLoop until `done` or 10 s (a bound, not a wait: `done` quits it).
void run_until(QEventLoop& loop) {
  QTimer::singleShot(10s, &loop, [&loop] { loop.exit(1); });
  EXPECT_EQ(loop.exec(), 0) << "the loop was not woken";
}

}  // namespace

TEST(qt_runtime, a_post_from_another_thread_wakes_the_loop) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  QEventLoop loop;
  std::atomic<bool> on_loop{false};
  std::thread other([&] {
    spawn(rt.get_executor(),
          [](qt_runtime* rt, QEventLoop* loop, std::atomic<bool>* on_loop) -> task<void> {
            on_loop->store(rt->in_loop_thread() && current_executor() == rt->get_executor());
            loop->quit();
            co_return;
          }(&rt, &loop, &on_loop))
        .detach();
  });
  run_until(loop);
  other.join();
  EXPECT_TRUE(on_loop.load());
}

TEST(qt_runtime, posts_are_batched_into_few_wake_ups) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  event_counter counter;
  QCoreApplication::instance()->installEventFilter(&counter);
  constexpr int n = 2000;
  std::atomic<int> ran{0};
  std::thread other([&] {  // every post before the loop runs: one wake-up is queued for all
    for (int i = 0; i < n; ++i)
      spawn(rt.get_executor(),
            [](std::atomic<int>* ran) -> task<void> {
              ran->fetch_add(1);
              co_return;
            }(&ran))
          .detach();
  });
  other.join();
  rt.block_on([]() -> task<void> { co_return; }());
  QCoreApplication::instance()->removeEventFilter(&counter);
  EXPECT_EQ(ran.load(), n);
  // A wake-up runs up to 256 items: about n / 256 of them, never one per post.
  EXPECT_GE(counter.user_events, 1);
  EXPECT_LE(counter.user_events, n / 256 + 4);
}

TEST(qt_runtime, sleeps_never_end_early_and_fire_in_deadline_order) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  // sub-millisecond steps: Qt rounds its timer, the runtime must not fire early
  eddy_test::expect_sleeps_fire_in_deadline_order(rt, std::chrono::microseconds(700));
}

TEST(qt_runtime, an_earlier_timer_armed_from_another_thread_rearms_the_qtimer) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  // The QTimer waits for the 5 s timeout; a 1 ms sleep armed from the pool's thread must fire
  // first (so the loop thread re-arms its QTimer for it).
  auto r = rt.block_on([](executor qt) -> task<std::optional<int>> {
    auto [tx, rx] = oneshot::channel<int>();
    co_return co_await timeout(
        5s, [](executor qt, oneshot::receiver<int> rx, oneshot::sender<int> tx) -> task<int> {
          std::thread arm([&] {
            spawn(qt,
                  [](oneshot::sender<int> tx) -> task<void> {
                    co_await sleep(1ms);
                    (void)tx.send(7);
                  }(std::move(tx)))
                .detach();
          });
          arm.join();
          auto v = co_await std::move(rx);
          co_return v.value();
        }(qt, std::move(rx), std::move(tx)));
  }(rt.get_executor()));
  ASSERT_TRUE(r.has_value()) << "the 1 ms timer did not fire before the 5 s one";
  EXPECT_EQ(*r, 7);
}

TEST(qt_runtime, cross_thread_spawns_and_joins_with_a_thread_pool) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  thread_pool pool{2};
  auto total = rt.block_on([](executor pool_ex, executor qt_ex) -> task<long> {
    std::vector<join_handle<long>> producers;
    for (int p = 0; p < 4; ++p) {
      producers.push_back(spawn(pool_ex, [](executor qt_ex, int p) -> task<long> {
        std::vector<join_handle<long>> hs;
        for (int i = 0; i < 300; ++i) {
          hs.push_back(spawn(qt_ex, [](long v, executor qt_ex) -> task<long> {
            co_await yield_now();
            co_return current_executor() == qt_ex ? v : -1000000;
          }(p * 1000 + i, qt_ex)));
        }
        long s = 0;
        for (auto& h : hs) s += (co_await h).value();
        co_return s;
      }(qt_ex, p)));
    }
    long s = 0;
    for (auto& h : producers) s += (co_await h).value();
    co_return s;
  }(pool.get_executor(), rt.get_executor()));
  long expect = 0;
  for (int p = 0; p < 4; ++p)
    for (int i = 0; i < 300; ++i) expect += p * 1000 + i;
  EXPECT_EQ(total, expect);
}

TEST(qt_runtime, block_on_is_refused_inside_a_task_a_running_loop_and_another_thread) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  // inside a task of the runtime
  auto inner = rt.block_on([](qt_runtime* rt) -> task<bool> {
    auto r = rt->try_block_on([]() -> task<int> { co_return 1; }());
    co_return !r.has_value() && r.error().code() == errc::invalid_argument;
  }(&rt));
  EXPECT_TRUE(inner);
  // inside a running Qt event loop of the thread (a slot)
  QEventLoop loop;
  errc in_slot = errc::user;
  QTimer::singleShot(0, &loop, [&] {
    auto r = rt.try_block_on([]() -> task<int> { co_return 1; }());
    in_slot = r.has_value() ? errc::user : r.error().code();
    loop.quit();
  });
  run_until(loop);
  EXPECT_EQ(in_slot, errc::invalid_argument);
  // on another thread
  errc off_thread = errc::user;
  std::thread other([&] {
    auto r = rt.try_block_on([]() -> task<int> { co_return 1; }());
    off_thread = r.has_value() ? errc::user : r.error().code();
  });
  other.join();
  EXPECT_EQ(off_thread, errc::invalid_argument);
  // and where it may block, it still works
  EXPECT_EQ(rt.block_on([]() -> task<int> { co_return 2; }()), 2);
}

TEST(qt_runtime, shutdown_destroys_suspended_tasks_on_the_runtime_thread) {
  (void)eddy_test::qt_app();
  std::atomic<int> dropped{0}, started{0};
  std::vector<join_handle<void>> hs;
  {
    qt_runtime rt;
    for (int i = 0; i < 20; ++i)
      hs.push_back(spawn(rt.get_executor(), sleeper(&dropped, &started)));
    // a task that waits forever on a channel nobody sends on, spawned from another thread
    auto [tx, rx] = oneshot::channel<int>();
    std::thread other([&] {
      hs.push_back(spawn(rt.get_executor(),
                         [](oneshot::receiver<int> rx, std::atomic<int>* dropped) -> task<void> {
                           drop_counter g{dropped};
                           (void)co_await std::move(rx);
                         }(std::move(rx), &dropped)));
    });
    other.join();
    rt.block_on([](std::atomic<int>* started) -> task<void> {
      while (started->load() < 20) co_await yield_now();
    }(&started));
    EXPECT_EQ(rt.live_tasks(), 21u);
    EXPECT_EQ(dropped.load(), 0);
    // the runtime goes with 21 suspended tasks (and tx still alive)
  }
  EXPECT_EQ(dropped.load(), 21);
  for (auto& h : hs) {
    ASSERT_TRUE(h.is_finished());
    EXPECT_EQ(h.try_take().error().code(), errc::aborted);
  }
}

TEST(qt_runtime, runs_under_exec_and_leaves_quitting_to_the_application) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  std::vector<int> log;
  auto h = spawn(rt.get_executor(), [](std::vector<int>* log) -> task<int> {
    log->push_back(1);
    co_await sleep(1ms);
    log->push_back(2);
    QCoreApplication::quit();  // the application ends its loop, not the runtime
    co_return 3;
  }(&log));
  QObject bound;  // the 10 s bound goes with the test
  QTimer::singleShot(10s, &bound, [] { QCoreApplication::exit(1); });
  EXPECT_EQ(QCoreApplication::exec(), 0);
  EXPECT_EQ(log, (std::vector<int>{1, 2}));
  ASSERT_TRUE(h.is_finished());
  EXPECT_EQ(h.try_take().value(), 3);
}

}  // namespace eddy_test::qt_qt_runtime_test
