// SPDX-License-Identifier: BSL-1.0
// glib_runtime: an application that runs g_main_loop_run, wake-ups from other threads, timers,
// block_on refused inside the context's dispatch, shutdown with pending tasks, and the context
// being the one given (never the default one).
#include <gtest/gtest.h>

#include <atomic>
#include <eddy/eddy.hpp>
#include <eddy/runtime/glib_runtime.hpp>
#include <thread>
#include <vector>

#include "conformance/deadline_order.hpp"

namespace eddy_test::glib_glib_runtime_test {

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

// A fresh context with a loop over it. The watchdog quits the loop after 20 s and marks the test
// failed: it fires only when a wake-up was lost (a test would hang otherwise).
struct app {
  GMainContext* ctx = g_main_context_new();
  GMainLoop* loop = g_main_loop_new(ctx, FALSE);
  bool timed_out = false;
  GSource* watchdog = g_timeout_source_new_seconds(20);
  app() {
    g_source_set_callback(
        watchdog,
        [](gpointer self) -> gboolean {
          static_cast<app*>(self)->timed_out = true;
          g_main_loop_quit(static_cast<app*>(self)->loop);
          return G_SOURCE_REMOVE;
        },
        this, nullptr);
    g_source_attach(watchdog, ctx);
  }
  ~app() {
    g_source_destroy(watchdog);
    g_source_unref(watchdog);
    g_main_loop_unref(loop);
    g_main_context_unref(ctx);
  }
  void run() {
    g_main_loop_run(loop);
    EXPECT_FALSE(timed_out) << "the loop was never woken";
  }
};

// Calls `f(data)` once from the context's dispatch (an idle source of the app).
void on_idle(GMainContext* ctx, GSourceFunc f, void* data) {
  GSource* s = g_idle_source_new();
  g_source_set_callback(s, f, data, nullptr);
  g_source_attach(s, ctx);
  g_source_unref(s);
}

}  // namespace

TEST(glib_runtime, g_main_loop_run_app_quits_after_an_eddy_task) {
  app a;
  glib_runtime rt{a.ctx};
  std::thread::id ran_on;
  auto h = spawn(rt.get_executor(), [](GMainLoop* loop, std::thread::id* on) -> task<int> {
    auto [tx, rx] = mpsc::channel<int>(2);
    auto producer = spawn([](mpsc::sender<int> out) -> task<void> {
      for (int i = 1; i <= 5; ++i) (void)co_await out.send(i);
    }(std::move(tx)));
    int sum = 0;
    while (auto v = co_await rx.recv()) sum += *v;
    (void)co_await producer;
    co_await sleep(2ms);
    co_await yield_now();
    *on = std::this_thread::get_id();
    g_main_loop_quit(loop);
    co_return sum;
  }(a.loop, &ran_on));
  a.run();
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  ASSERT_TRUE(h.is_finished());
  EXPECT_EQ(h.try_take().value(), 15);
  EXPECT_EQ(rt.live_tasks(), 0u);
}

TEST(glib_runtime, a_post_from_another_thread_wakes_a_loop_blocked_in_g_main_loop_run) {
  app a;
  glib_runtime rt{a.ctx};
  struct state {
    glib_runtime* rt;
    GMainLoop* loop;
    std::thread poster;
    std::thread::id ran_on;
    join_handle<void> h;
  } s{&rt, a.loop, {}, {}, {}};
  // Once the loop runs, a thread spawns the task: the loop sleeps in poll() with nothing ready
  // and no deadline, so only the runtime's wake-up can make it run the task.
  on_idle(
      a.ctx,
      [](gpointer p) -> gboolean {
        auto* s = static_cast<state*>(p);
        s->poster = std::thread([s] {
          s->h = spawn(s->rt->get_executor(), [](state* s) -> task<void> {
            s->ran_on = std::this_thread::get_id();
            g_main_loop_quit(s->loop);
            co_return;
          }(s));
        });
        return G_SOURCE_REMOVE;
      },
      &s);
  a.run();
  s.poster.join();
  EXPECT_EQ(s.ran_on, std::this_thread::get_id());
  EXPECT_TRUE(s.h.is_finished());
}

TEST(glib_runtime, wakes_from_a_thread_pool_resume_tasks_on_the_context) {
  GMainContext* ctx = g_main_context_new();
  {
    glib_runtime rt{ctx};
    thread_pool pool{2};
    auto total = rt.block_on([](executor pool_ex, executor glib_ex) -> task<long> {
      std::vector<join_handle<long>> producers;
      for (int p = 0; p < 4; ++p) {
        // On the pool: spawn on the GLib runtime (cross-thread posts) and join there.
        producers.push_back(spawn(pool_ex, [](executor glib_ex, int p) -> task<long> {
          std::vector<join_handle<long>> hs;
          for (int i = 0; i < 500; ++i) {
            hs.push_back(spawn(glib_ex, [](long v, executor glib_ex) -> task<long> {
              co_await yield_now();
              co_return current_executor() == glib_ex ? v : -1000000;
            }(p * 1000 + i, glib_ex)));
          }
          long s = 0;
          for (auto& h : hs) s += (co_await h).value();
          co_return s;
        }(glib_ex, p)));
      }
      long s = 0;
      for (auto& h : producers) s += (co_await h).value();
      co_return s;
    }(pool.get_executor(), rt.get_executor()));
    long expect = 0;
    for (int p = 0; p < 4; ++p)
      for (int i = 0; i < 500; ++i) expect += p * 1000 + i;
    EXPECT_EQ(total, expect);
  }
  g_main_context_unref(ctx);
}

TEST(glib_runtime, sleeps_never_end_early_and_fire_in_deadline_order) {
  app a;
  glib_runtime rt{a.ctx};
  // sub-millisecond steps: GLib polls in milliseconds, the runtime must not fire early
  eddy_test::expect_sleeps_fire_in_deadline_order(rt, std::chrono::microseconds(700));
}

TEST(glib_runtime, a_timer_wakes_g_main_loop_run) {
  app a;
  glib_runtime rt{a.ctx};
  auto h = spawn(rt.get_executor(), [](GMainLoop* loop) -> task<duration> {
    const time_point t0 = now();
    co_await sleep(3ms);
    const duration slept = now() - t0;
    g_main_loop_quit(loop);
    co_return slept;
  }(a.loop));
  a.run();
  ASSERT_TRUE(h.is_finished());
  EXPECT_GE(h.try_take().value(), 3ms);
}

TEST(glib_runtime, a_timer_at_never_does_not_make_the_source_ready) {
  app a;
  glib_runtime rt{a.ctx};
  std::atomic<int> dropped{0}, started{0};
  auto h = spawn(rt.get_executor(), [](std::atomic<int>* d, std::atomic<int>* s) -> task<void> {
    drop_counter g{d};
    s->fetch_add(1);
    co_await sleep_until(never);
  }(&dropped, &started));
  // Run what is ready; then nothing is: `never` must not arm the source's ready time (an
  // overflowed conversion would make it due at once, and the context would spin).
  for (int i = 0; i < 100 && g_main_context_pending(a.ctx); ++i)
    g_main_context_iteration(a.ctx, FALSE);
  EXPECT_EQ(started.load(), 1);
  EXPECT_FALSE(g_main_context_pending(a.ctx));
  // A deadline near the end of the clock: the same.
  auto h2 = spawn(rt.get_executor(),
                  []() -> task<void> { co_await sleep_until(time_point::max() - 1ns); }());
  for (int i = 0; i < 100 && g_main_context_pending(a.ctx); ++i)
    g_main_context_iteration(a.ctx, FALSE);
  EXPECT_FALSE(g_main_context_pending(a.ctx));
  EXPECT_EQ(rt.live_tasks(), 2u);
  h.abort();
  h2.abort();
  for (int i = 0; i < 100 && rt.live_tasks() > 0; ++i) g_main_context_iteration(a.ctx, FALSE);
  EXPECT_EQ(dropped.load(), 1);
  EXPECT_EQ(h.try_take().error().code(), errc::aborted);
}

TEST(glib_runtime, block_on_is_refused_inside_the_contexts_dispatch) {
  app a;
  glib_runtime rt{a.ctx};
  struct state {
    glib_runtime* rt;
    GMainLoop* loop;
    errc got = errc::user;
  } s{&rt, a.loop};
  on_idle(
      a.ctx,
      [](gpointer p) -> gboolean {
        auto* s = static_cast<state*>(p);
        auto r = s->rt->try_block_on([]() -> task<int> { co_return 1; }());
        if (!r.has_value()) s->got = r.error().code();
        g_main_loop_quit(s->loop);
        return G_SOURCE_REMOVE;
      },
      &s);
  a.run();
  EXPECT_EQ(s.got, errc::invalid_argument);
  // Inside a task of the runtime (its own dispatch) too.
  auto ok = rt.block_on([](glib_runtime* rt) -> task<bool> {
    auto r = rt->try_block_on([]() -> task<int> { co_return 1; }());
    co_return !r.has_value() && r.error().code() == errc::invalid_argument;
  }(&rt));
  EXPECT_TRUE(ok);
  // Outside any dispatch it works.
  EXPECT_EQ(rt.block_on([]() -> task<int> { co_return 2; }()), 2);
}

TEST(glib_runtime, destroying_the_runtime_destroys_suspended_tasks) {
  std::atomic<int> dropped{0}, started{0};
  cancellation_token never_cancelled;
  app a;
  join_handle<void> kept;
  {
    glib_runtime rt{a.ctx};
    auto ex = rt.get_executor();
    for (int i = 0; i < 3; ++i) spawn(ex, sleeper(&dropped, &started)).detach();
    spawn(ex,
          [](cancellation_token* t, std::atomic<int>* d, std::atomic<int>* s) -> task<void> {
            drop_counter g{d};
            s->fetch_add(1);
            co_await t->cancelled();
          }(&never_cancelled, &dropped, &started))
        .detach();
    kept = spawn(ex, sleeper(&dropped, &started));
    for (int i = 0; i < 1000 && started.load() < 5; ++i) g_main_context_iteration(a.ctx, FALSE);
    EXPECT_EQ(rt.live_tasks(), 5u);
    for (int i = 0; i < 100 && g_main_context_pending(a.ctx); ++i)
      g_main_context_iteration(a.ctx, FALSE);
  }  // ~glib_runtime aborts them, destroys their frames and detaches its source
  EXPECT_EQ(dropped.load(), 5);
  EXPECT_TRUE(kept.is_finished());
  EXPECT_EQ(kept.try_take().error().code(), errc::aborted);
  // The source is gone: nothing of the runtime is left to dispatch.
  EXPECT_FALSE(g_main_context_pending(a.ctx));
}

TEST(glib_runtime, tasks_that_never_ran_are_destroyed_too) {
  std::atomic<int> dropped{0}, started{0};
  app a;
  {
    glib_runtime rt{a.ctx};
    for (int i = 0; i < 100; ++i) spawn(rt.get_executor(), sleeper(&dropped, &started)).detach();
    EXPECT_EQ(rt.live_tasks(), 100u);
  }
  EXPECT_EQ(started.load(), 0);
  EXPECT_FALSE(g_main_context_pending(a.ctx));
}

TEST(glib_runtime, runs_on_the_given_context_never_the_default_one) {
  app a;
  glib_runtime rt{a.ctx};
  EXPECT_EQ(rt.context(), a.ctx);
  GMainContext* def = g_main_context_default();
  ASSERT_NE(def, a.ctx);
  struct seen {
    GMainContext* ctx = nullptr;
    const char* source = nullptr;
  } s;
  auto h = spawn(rt.get_executor(), [](seen* s) -> task<void> {
    // Ready at once: only a dispatch of the runtime's source, attached to the given context,
    // runs it.
    GSource* src = g_main_current_source();
    s->ctx = src ? g_source_get_context(src) : nullptr;
    s->source = src ? g_source_get_name(src) : nullptr;
    co_return;
  }(&s));
  // The default context has nothing to do with it: iterating it runs nothing of eddy's.
  for (int i = 0; i < 10; ++i) g_main_context_iteration(def, FALSE);
  EXPECT_FALSE(h.is_finished());
  EXPECT_EQ(s.ctx, nullptr);
  rt.block_on([](join_handle<void>* h) -> task<void> { (void)co_await *h; }(&h));
  EXPECT_EQ(s.ctx, a.ctx);
  EXPECT_STREQ(s.source, "eddy::glib_runtime");
}

}  // namespace eddy_test::glib_glib_runtime_test
