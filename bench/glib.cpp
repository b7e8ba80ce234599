// SPDX-License-Identifier: BSL-1.0
// eddy on GLib (glib_runtime) next to the same workloads written in plain GLib, in one binary.
// Both sides run on a fresh GMainContext on the calling thread (eddy: block_on; plain GLib:
// g_main_loop_run). The plain side is GLib code as an application writes it: idle and timeout
// sources, one GSource per callback.
//
// W1  spsc unbounded, 10M u64: eddy mpsc vs a GQueue filled by a producer idle source (up to
//     1024 items per dispatch) and drained by a consumer idle source it schedules.
// W4  oneshot RPC, 1M round trips: eddy mpsc + oneshot vs a request idle source to the
//     "server" callback, which answers with a reply idle source to the client callback.
// W5  spawn + join 1M trivial tasks: eddy spawn/join_handle vs 1M idle sources that add their
//     value and quit the loop after the last.
// W7a 100k concurrent sleeps of 0-50 ms (overhead per timer = (wall - 50 ms) / timers): eddy
//     sleep vs one g_timeout source per sleep (GLib timeouts have millisecond resolution).
// allocs/op counts C++ `operator new` only: GLib's own allocations (sources, list nodes) are
// not in it.
// Run: build/release/bench/eddy_bench_glib [--benchmark_filter=W5]
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "common/loop_workloads.hpp"
#include "eddy/runtime/glib_runtime.hpp"

namespace {
using eddy_bench::u64;
const u64 n_w1 = eddy_bench::scaled(10'000'000);    // W1: items through the channel
const u64 n_rpc = eddy_bench::scaled(1'000'000);    // W4: round trips
const u64 n_spawn = eddy_bench::scaled(1'000'000);  // W5: tasks
const u64 n_timers = eddy_bench::scaled(100'000);   // W7a: concurrent sleeps
constexpr u64 max_sleep_us = 50'000;                // W7a: the longest sleep
}  // namespace

using namespace eddy_bench;

namespace {

// A fresh context and a loop over it, for the plain GLib side.
struct glib_loop {
  GMainContext* ctx = g_main_context_new();
  GMainLoop* loop = g_main_loop_new(ctx, FALSE);
  glib_loop() = default;
  glib_loop(const glib_loop&) = delete;
  glib_loop& operator=(const glib_loop&) = delete;
  ~glib_loop() {
    g_main_loop_unref(loop);
    g_main_context_unref(ctx);
  }
  void add(GSource* s, GSourceFunc f, void* data) {
    g_source_set_callback(s, f, data, nullptr);
    g_source_attach(s, ctx);
    g_source_unref(s);
  }
  void idle(GSourceFunc f, void* data) { add(g_idle_source_new(), f, data); }
  void run() { g_main_loop_run(loop); }
  void quit() { g_main_loop_quit(loop); }
};

// The eddy side: a glib_runtime over a fresh context, kept for all iterations.
struct eddy_glib {
  GMainContext* ctx = g_main_context_new();
  eddy::glib_runtime* rt = new eddy::glib_runtime{ctx};
  eddy_glib() = default;
  eddy_glib(const eddy_glib&) = delete;
  eddy_glib& operator=(const eddy_glib&) = delete;
  ~eddy_glib() {
    delete rt;
    g_main_context_unref(ctx);
  }
};

// ---- W1: spsc unbounded -------------------------------------------------------------------
void W1_spsc_unbounded_eddy_glib(benchmark::State& st) {
  eddy_glib e;
  measure(st, n_w1, [&] { return e.rt->block_on(eddy_w1(n_w1)) == sum_below(n_w1); });
}
BENCHMARK(W1_spsc_unbounded_eddy_glib)->Unit(benchmark::kMillisecond)->Iterations(3);

struct w1_state {
  glib_loop* l;
  GQueue q = G_QUEUE_INIT;
  u64 next = 0, received = 0, sum = 0;
  bool consumer_scheduled = false;
};

gboolean w1_consume(gpointer p) {
  auto* s = static_cast<w1_state*>(p);
  while (!g_queue_is_empty(&s->q)) {
    s->sum += GPOINTER_TO_SIZE(g_queue_pop_head(&s->q));  // u64 fits a pointer here
    ++s->received;
  }
  s->consumer_scheduled = false;
  if (s->received == n_w1) s->l->quit();
  return G_SOURCE_REMOVE;
}

gboolean w1_produce(gpointer p) {
  auto* s = static_cast<w1_state*>(p);
  for (int k = 0; k < 1024 && s->next < n_w1; ++k)
    g_queue_push_tail(&s->q, GSIZE_TO_POINTER(s->next++));
  if (!s->consumer_scheduled) {
    s->consumer_scheduled = true;
    s->l->idle(&w1_consume, s);
  }
  return s->next < n_w1 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void W1_spsc_unbounded_plain_glib(benchmark::State& st) {
  measure(st, n_w1, [] {
    glib_loop l;
    w1_state s{&l};
    l.idle(&w1_produce, &s);
    l.run();
    return s.sum == sum_below(n_w1);
  });
}
BENCHMARK(W1_spsc_unbounded_plain_glib)->Unit(benchmark::kMillisecond)->Iterations(3);

// ---- W4: oneshot RPC ----------------------------------------------------------------------
void W4_oneshot_rpc_eddy_glib(benchmark::State& st) {
  eddy_glib e;
  measure(st, n_rpc, [&] { return e.rt->block_on(eddy_w4(n_rpc)) == n_rpc * (n_rpc + 1) / 2; });
}
BENCHMARK(W4_oneshot_rpc_eddy_glib)->Unit(benchmark::kMillisecond)->Iterations(3);

struct w4_state {
  glib_loop* l;
  u64 i = 0, sum = 0;
  u64 request = 0, reply = 0;
};

gboolean w4_client(gpointer p);

gboolean w4_server(gpointer p) {
  auto* s = static_cast<w4_state*>(p);
  s->reply = s->request + 1;
  s->l->idle(&w4_client, s);  // the reply
  return G_SOURCE_REMOVE;
}

void w4_send(w4_state* s) {
  if (s->i == n_rpc) {
    s->l->quit();
    return;
  }
  s->request = s->i;
  s->l->idle(&w4_server, s);  // the request
}

gboolean w4_client(gpointer p) {
  auto* s = static_cast<w4_state*>(p);
  s->sum += s->reply;
  ++s->i;
  w4_send(s);
  return G_SOURCE_REMOVE;
}

void W4_oneshot_rpc_plain_glib(benchmark::State& st) {
  measure(st, n_rpc, [] {
    glib_loop l;
    w4_state s{&l};
    w4_send(&s);
    l.run();
    return s.sum == n_rpc * (n_rpc + 1) / 2;
  });
}
BENCHMARK(W4_oneshot_rpc_plain_glib)->Unit(benchmark::kMillisecond)->Iterations(3);

// ---- W5: spawn + join ---------------------------------------------------------------------
void W5_spawn_join_st_eddy_glib(benchmark::State& st) {
  eddy_glib e;
  measure(st, n_spawn,
          [&] { return e.rt->block_on(spawn_join_all(n_spawn)) == sum_below(n_spawn); });
}
BENCHMARK(W5_spawn_join_st_eddy_glib)->Unit(benchmark::kMillisecond)->Iterations(3);

struct w5_state {
  glib_loop* l;
  u64 sum = 0, done = 0;
};
struct w5_item {
  w5_state* s;
  u64 value;
};

gboolean w5_run(gpointer p) {
  auto* it = static_cast<w5_item*>(p);
  it->s->sum += it->value;
  if (++it->s->done == n_spawn) it->s->l->quit();
  return G_SOURCE_REMOVE;
}

void W5_spawn_join_st_plain_glib(benchmark::State& st) {
  measure(st, n_spawn, [] {
    glib_loop l;
    w5_state s{&l};
    std::vector<w5_item> items(n_spawn, w5_item{&s, 0});
    for (u64 i = 0; i < n_spawn; ++i) {
      items[i].value = i;
      l.idle(&w5_run, &items[i]);
    }
    l.run();
    return s.sum == sum_below(n_spawn);
  });
}
BENCHMARK(W5_spawn_join_st_plain_glib)->Unit(benchmark::kMillisecond)->Iterations(3);

// ---- W7a: 100k concurrent sleeps ----------------------------------------------------------
void W7a_timer_sleep_eddy_glib(benchmark::State& st) {
  const auto ds = sleep_durations(n_timers, max_sleep_us);
  eddy_glib e;
  measure_sleeps(st, n_timers, max_sleep_us, [&] { e.rt->block_on(sleep_all(&ds)); });
}
BENCHMARK(W7a_timer_sleep_eddy_glib)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

struct w7_state {
  glib_loop* l;
  u64 remaining = n_timers;
};

gboolean w7_fire(gpointer p) {
  auto* s = static_cast<w7_state*>(p);
  if (--s->remaining == 0) s->l->quit();
  return G_SOURCE_REMOVE;
}

void W7a_timer_sleep_plain_glib(benchmark::State& st) {
  const auto ds = sleep_durations(n_timers, max_sleep_us);
  measure_sleeps(st, n_timers, max_sleep_us, [&] {
    glib_loop l;
    w7_state s{&l};
    for (auto d : ds) {
      const auto ms = static_cast<guint>((d.count() + 999) / 1000);  // rounded up, never early
      l.add(g_timeout_source_new(ms), &w7_fire, &s);
    }
    l.run();
  });
}
BENCHMARK(W7a_timer_sleep_plain_glib)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
