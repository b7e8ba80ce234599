// SPDX-License-Identifier: BSL-1.0
// Firmware subset of the sync suites: mpsc (bounded and unbounded), oneshot, mutex, notify, on
// local_runtime with a fake clock and on sim_runtime.
#include "harness.hpp"

#if __has_include(<eddy/sync/mpsc.hpp>) && __has_include(<eddy/sync/oneshot.hpp>) && \
    __has_include(<eddy/sync/mutex.hpp>) && __has_include(<eddy/sync/notify.hpp>)
#include <eddy/sync/mpsc.hpp>
#include <eddy/sync/mutex.hpp>
#include <eddy/sync/notify.hpp>
#include <eddy/sync/oneshot.hpp>

using namespace eddy;
using namespace std::chrono_literals;

FW_TEST(sync, mpsc_bounded_keeps_order_and_applies_backpressure) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(4);
      auto producer = spawn([](mpsc::sender<int> tx) -> task<int> {
        int waited_ms = 0;
        for (int i = 0; i < 20; ++i) {
          const auto t0 = fwtest::now_ms();
          auto r = co_await tx.send(i);
          waited_ms += static_cast<int>(fwtest::now_ms() - t0);
          if (!r.has_value()) co_return -1;
        }
        co_return waited_ms;
      }(std::move(tx)));
      int expect = 0;
      while (auto v = co_await rx.recv()) {
        CHECK_EQ(*v, expect);
        ++expect;
        co_await sleep(1ms);  // a slow consumer: the producer waits on the full ring
      }
      CHECK_EQ(expect, 20);
      auto waited = co_await producer;
      CHECK(waited.has_value() && waited.value() > 0);
    }());
  });
}

FW_TEST(sync, mpsc_try_send_full_and_closed_hand_the_value_back) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(2);
      CHECK(tx.try_send(1).has_value());
      CHECK(tx.try_send(2).has_value());
      auto full = tx.try_send(3);
      CHECK(!full.has_value() && full.error().code() == errc::full);
      CHECK_EQ(std::move(full).into_inner(), 3);
      rx.close();
      auto closed = tx.try_send(4);
      CHECK(!closed.has_value() && closed.error().code() == errc::closed);
      auto a = co_await rx.recv();  // still drains what was buffered
      auto b = co_await rx.recv();
      auto end = co_await rx.recv();
      CHECK(a && *a == 1);
      CHECK(b && *b == 2);
      CHECK(!end);
    }());
  });
}

FW_TEST(sync, mpsc_many_producers_unbounded_nothing_lost) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::unbounded_channel<int>();
      for (int p = 0; p < 4; ++p) {
        spawn([](mpsc::sender<int> tx, int p) -> task<void> {
          for (int i = 0; i < 50; ++i) {
            auto r = co_await tx.send(p * 1000 + i);
            CHECK(r.has_value());
            if (i % 10 == 0) co_await yield_now();
          }
        }(tx, p))
            .detach();
      }
      tx = mpsc::sender<int>{};  // only the producers' copies keep the channel open
      int last[4] = {-1, -1, -1, -1};
      int count = 0;
      while (auto v = co_await rx.recv()) {
        const int p = *v / 1000;
        CHECK(*v % 1000 > last[p]);  // per-producer order is kept
        last[p] = *v % 1000;
        ++count;
      }
      CHECK_EQ(count, 200);
    }());
  });
}

FW_TEST(sync, mpsc_recv_is_cancel_safe_under_timeout) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = mpsc::channel<int>(8);
      auto none = co_await timeout(10ms, rx.recv());
      CHECK(!none.has_value());
      CHECK_EQ(fwtest::now_ms(), 10);
      CHECK(tx.try_send(5).has_value());
      auto some = co_await timeout(10ms, rx.recv());
      CHECK(some.has_value() && some->has_value() && **some == 5);
    }());
  });
}

FW_TEST(sync, oneshot_reply_and_dropped_sender) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto [tx, rx] = oneshot::channel<int>();
      spawn([](oneshot::sender<int> tx) -> task<void> {
        co_await sleep(3ms);
        auto r = tx.send(99);
        CHECK(r.has_value());
      }(std::move(tx)))
          .detach();
      auto v = co_await rx;
      CHECK(v.has_value() && v.value() == 99);
      CHECK_EQ(fwtest::now_ms(), 3);

      auto [tx2, rx2] = oneshot::channel<int>();
      { auto gone = std::move(tx2); }
      auto closed = co_await rx2;
      CHECK(!closed.has_value() && closed.error().code() == errc::closed);
    }());
  });
}

FW_TEST(sync, mutex_is_fifo_and_exclusive) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      mutex m;
      int inside = 0;
      int order[4] = {};
      int next = 0;
      scope s;
      for (int i = 0; i < 4; ++i) {
        auto h = s.spawn([](mutex* m, int* inside, int* order, int* next, int i) -> task<void> {
          co_await sleep(std::chrono::milliseconds(i));  // arrive in order 0, 1, 2, 3
          auto g = co_await m->lock();
          CHECK_EQ(++*inside, 1);
          order[(*next)++] = i;
          co_await sleep(10ms);  // hold it across a suspension
          --*inside;
        }(&m, &inside, order, &next, i));
        (void)h;
      }
      auto r = co_await s.join();
      CHECK(r.has_value());
      for (int i = 0; i < 4; ++i) CHECK_EQ(order[i], i);
      CHECK_EQ(fwtest::now_ms(), 40);
      CHECK(static_cast<bool>(m.try_lock()));
    }());
  });
}

FW_TEST(sync, notify_one_stores_a_permit_and_notify_waiters_wakes_all) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      notify n;
      n.notify_one();  // nobody waits: one permit is stored
      n.notify_one();  // still one
      co_await n.notified();
      auto none = co_await timeout(5ms, n.notified());
      CHECK(!none.has_value());

      int woken = 0;
      scope s;
      for (int i = 0; i < 3; ++i) {
        auto h = s.spawn([](notify* n, int* woken) -> task<void> {
          co_await n->notified();
          ++*woken;
        }(&n, &woken));
        (void)h;
      }
      co_await sleep(1ms);  // all three are waiting now
      n.notify_waiters();
      auto r = co_await s.join();
      CHECK(r.has_value());
      CHECK_EQ(woken, 3);
    }());
  });
}

#endif
