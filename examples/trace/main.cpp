// SPDX-License-Identifier: BSL-1.0
// Seeing inside: a few named tasks on a thread_pool, recorded by eddy::trace_recorder into a
// Chrome trace (open trace.json in Perfetto or chrome://tracing; scripts/trace-svg draws it).
//
// A producer sends jobs over a bounded channel; a dispatcher receives them and spawns one named
// task per job (each sleeps a little, then computes); a ticker wakes every millisecond meanwhile.
#include <chrono>
#include <cstdio>
#include <string>

#include <eddy/eddy.hpp>
#include <eddy/runtime/trace_recorder.hpp>

using namespace eddy;
using namespace std::chrono_literals;

namespace {
task<void> producer(mpsc::sender<int> tx) {
  for (int i = 1; i <= 6; ++i) (void)co_await tx.send(i);
}

task<long> job(int n) {
  co_await sleep(std::chrono::microseconds(300 * n));
  long sum = 0;
  for (long k = 0; k < 150000L * n; ++k) sum += k % 7;  // a visible box in the trace
  co_return sum;
}

task<long> dispatcher(mpsc::receiver<int> rx) {
  task_set<long> jobs;
  while (auto n = co_await rx.recv()) {
    const std::string name = "job " + std::to_string(*n);
    jobs.spawn(current_executor(), job(*n), task_options{name.c_str(), true});  // a copied name
  }
  long total = 0;
  while (auto r = co_await jobs.join_next()) total += r->value();
  co_return total;
}

task<void> ticker() {
  for (int i = 0; i < 4; ++i) co_await sleep(1ms);
}

task<long> run() {
  auto [tx, rx] = mpsc::channel<int>(2);
  auto t = spawn(ticker(), "ticker");
  auto p = spawn(producer(std::move(tx)), "producer");
  auto d = spawn(dispatcher(std::move(rx)), "dispatcher");
  (void)co_await p;
  (void)co_await t;
  auto total = co_await d;
  co_return total.value();
}
}  // namespace

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "trace.json";
  thread_pool pool{2};
  trace_recorder rec;
  if (!rec.attach(pool)) return 1;
  const long total = pool.block_on(run());
  if (!rec.detach() || !rec.write_json(path)) return 1;
  std::printf("total %ld; %s: %zu events (%zu dropped), %llu polls\n", total, path, rec.recorded(),
              rec.dropped(), static_cast<unsigned long long>(rec.polls()));
  return 0;
}
