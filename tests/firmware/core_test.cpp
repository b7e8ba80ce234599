// SPDX-License-Identifier: BSL-1.0
// Firmware subset of the conformance suite: spawn/join/abort, sleep/timeout on the fake clock,
// yield, scope, cancellation, and the frame arena's out-of-memory path.
#include <eddy/core/arena.hpp>
#include <eddy/core/cancellation.hpp>
#include <eddy/runtime.hpp>

#include "harness.hpp"

using namespace eddy;
using namespace std::chrono_literals;

namespace {
task<int> answer() {
  co_return 42;
}
task<int> add(int a, int b) {
  co_return a + b;
}
task<int> nested(int depth) {
  if (depth == 0) co_return 0;
  co_return 1 + co_await nested(depth - 1);
}
struct drop_counter {
  int* n;
  ~drop_counter() { ++*n; }
};
task<void> sleep_forever(int* dropped) {
  drop_counter d{dropped};
  co_await sleep(std::chrono::hours(1000));
}
task<int> sleep_then(std::chrono::milliseconds d, int v) {
  co_await sleep(d);
  co_return v;
}
}  // namespace

FW_TEST(core, block_on_returns_value) {
  fwtest::for_each_runtime([](auto& rt) { CHECK_EQ(rt.block_on(answer()), 42); });
}

FW_TEST(core, synchronous_chain_uses_no_stack_per_level) {
  // 3000 levels: each frame comes from the arena and is freed as the chain unwinds.
  fwtest::for_each_runtime([](auto& rt) { CHECK_EQ(rt.block_on(nested(3000)), 3000); });
}

FW_TEST(core, spawn_and_join_values) {
  fwtest::for_each_runtime([](auto& rt) {
    CHECK_EQ(rt.block_on([]() -> task<int> {
      auto a = spawn(add(1, 2));
      auto b = spawn(add(3, 4));
      auto ra = co_await a;
      auto rb = co_await b;
      co_return ra.value() + rb.value();
    }()),
             10);
  });
}

FW_TEST(core, join_twice_is_invalid_argument) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto h = spawn(answer());
      auto r1 = co_await h;
      auto r2 = co_await h;
      CHECK(r1.has_value());
      CHECK(!r2.has_value() && r2.error().code() == errc::invalid_argument);
    }());
  });
}

FW_TEST(core, abort_destroys_frames_and_joins_aborted) {
  fwtest::for_each_runtime([](auto& rt) {
    int dropped = 0;
    rt.block_on([](int* dropped) -> task<void> {
      auto h = spawn(sleep_forever(dropped));
      co_await yield_now();
      CHECK(!h.is_finished());
      h.abort();
      auto r = co_await h;
      CHECK(!r.has_value() && r.error().code() == errc::aborted);
      CHECK_EQ(*dropped, 1);
    }(&dropped));
    CHECK_EQ(dropped, 1);
  });
}

FW_TEST(core, detached_task_runs_to_completion) {
  fwtest::for_each_runtime([](auto& rt) {
    int hits = 0;
    rt.block_on([](int* hits) -> task<void> {
      spawn([](int* hits) -> task<void> {
        co_await sleep(5ms);
        ++*hits;
      }(hits))
          .detach();
      co_await sleep(10ms);
      CHECK_EQ(*hits, 1);
    }(&hits));
  });
}

FW_TEST(core, sleep_is_exact_on_the_fake_clock) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      const auto t0 = fwtest::now_ms();
      co_await sleep(250ms);
      CHECK_EQ(fwtest::now_ms() - t0, 250);
      co_await sleep_until(now() + 1s);
      CHECK_EQ(fwtest::now_ms() - t0, 1250);
      co_await sleep(0ms);  // completes at once
      CHECK_EQ(fwtest::now_ms() - t0, 1250);
    }());
  });
}

FW_TEST(core, concurrent_sleeps_wake_in_deadline_order) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      int order[3] = {0, 0, 0};
      int next = 0;
      auto sleeper = [](int* order, int* next, int id, int ms) -> task<void> {
        co_await sleep(std::chrono::milliseconds(ms));
        order[(*next)++] = id;
      };
      auto a = spawn(sleeper(order, &next, 1, 30));
      auto b = spawn(sleeper(order, &next, 2, 10));
      auto c = spawn(sleeper(order, &next, 3, 20));
      auto ra = co_await a;
      auto rb = co_await b;
      auto rc = co_await c;
      CHECK(ra.has_value() && rb.has_value() && rc.has_value());
      CHECK_EQ(order[0], 2);
      CHECK_EQ(order[1], 3);
      CHECK_EQ(order[2], 1);
      CHECK_EQ(fwtest::now_ms(), 30);
    }());
  });
}

FW_TEST(core, timeout_fires_at_the_deadline_and_cancels) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      int dropped = 0;
      auto r = co_await timeout(100ms, sleep_forever(&dropped));
      CHECK(!r.has_value());
      CHECK_EQ(dropped, 1);
      CHECK_EQ(fwtest::now_ms(), 100);
      auto v = co_await timeout(100ms, sleep_then(40ms, 7));
      CHECK(v.has_value() && *v == 7);
      CHECK_EQ(fwtest::now_ms(), 140);
    }());
  });
}

FW_TEST(core, timeout_of_ready_work_arms_no_timer) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      auto r = co_await timeout(1ms, answer());
      CHECK(r.has_value() && *r == 42);
      CHECK_EQ(fwtest::now_ms(), 0);
    }());
  });
}

FW_TEST(core, yield_lets_others_run) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      int ran = 0;
      auto h = spawn([](int* ran) -> task<void> {
        ++*ran;
        co_return;
      }(&ran));
      while (!h.is_finished()) co_await yield_now();
      CHECK_EQ(ran, 1);
    }());
  });
}

FW_TEST(core, scope_joins_children_and_reports_first_error) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      int done = 0;
      {
        scope s;
        for (int i = 0; i < 4; ++i) {
          auto h = s.spawn([](int* done, int i) -> task<void> {
            co_await sleep(std::chrono::milliseconds(10 * i));
            ++*done;
          }(&done, i));
          (void)h;
        }
        auto r = co_await s.join();
        CHECK(r.has_value());
        CHECK_EQ(done, 4);
      }
      scope s;
      int dropped = 0;
      auto forever = s.spawn(sleep_forever(&dropped));
      auto failing = s.spawn([]() -> task<result<int>> {
        co_await sleep(5ms);
        co_return error{errc::user, 3};
      }());
      auto r = co_await s.join();
      CHECK(!r.has_value() && r.error().code() == errc::user);
      CHECK_EQ(dropped, 1);  // cancel_on_error aborted the sleeper
    }());
  });
}

FW_TEST(core, cancellation_token_wakes_waiter) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      cancellation_token tok;
      auto h = spawn([](cancellation_token t) -> task<int> {
        co_await t.cancelled();
        co_return fwtest::now_ms();
      }(tok));
      co_await sleep(15ms);
      tok.cancel();
      auto r = co_await h;
      CHECK(r.has_value() && r.value() == 15);
      CHECK(tok.child().is_cancelled());
    }());
  });
}

FW_TEST(core, out_of_memory_spawn_is_an_error_not_a_fault) {
  // A small arena of its own: the test image's big arena is restored afterwards.
  static static_arena<2048> small;
  const frame_allocator previous = get_frame_allocator();
  small.install();
  fwtest::for_each_runtime([](auto& rt) {
    auto r = rt.block_on([]() -> task<int> {
      auto ok = spawn(answer());
      auto too_big = spawn([](int seed) -> task<int> {
        int buf[750];  // lives across the suspension: a 3 KiB frame
        for (int i = 0; i < 750; ++i) buf[i] = i * seed;
        co_await yield_now();
        int sum = 0;
        for (int v : buf) sum += v;
        co_return sum;
      }(1));
      CHECK(too_big.is_finished());
      auto r1 = co_await ok;
      auto r2 = co_await too_big;
      CHECK(r1.has_value());
      CHECK(!r2.has_value() && r2.error().code() == errc::out_of_memory);
      co_return r1.value();
    }());
    CHECK_EQ(r, 42);
  });
  CHECK(small.failures() >= 3);
  CHECK_EQ(small.blocks(), 0u);
  set_frame_allocator(previous);
}

FW_TEST(core, arena_reuses_frames_in_steady_state) {
  static static_arena<4096> a;
  const frame_allocator previous = get_frame_allocator();
  a.install();
  {
    local_runtime rt{&fwtest::fake_clock, &fwtest::fake_idle};
    rt.block_on([]() -> task<void> {
      for (int i = 0; i < 1000; ++i) {
        auto h = spawn(add(i, 1));
        auto r = co_await h;
        CHECK(r.has_value() && r.value() == i + 1);
      }
    }());
  }
  set_frame_allocator(previous);
  CHECK(a.high_water() < 1024);  // a few frames and blocks, reused 1000 times
  CHECK_EQ(a.blocks(), 0u);
  CHECK_EQ(a.failures(), 0u);
}
