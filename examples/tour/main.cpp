// The eddy tour: one small async program, written once, run unchanged on every runtime that is
// built. Each run prints what happened; the lines must be identical on every runtime (the tour
// checks this and exits non-zero otherwise). Run it with `scripts/demo`.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "eddy/eddy.hpp"
#include "tour_runtimes.hpp"

using namespace eddy;
using namespace std::chrono_literals;

namespace {

struct journal {  // lines written by tasks that may run on several threads
  std::mutex m;
  std::vector<std::string> lines;
  void add(std::string s) {
    std::lock_guard<std::mutex> g(m);
    lines.push_back(std::move(s));
  }
};

task<std::string> sensor(std::string name, std::chrono::milliseconds delay, journal* j) {
  co_await sleep(delay);
  j->add("  " + name + " woke after " + std::to_string(delay.count()) + " ms");
  co_return name;
}

task<int> forever() {
  co_await sleep(24h);
  co_return 0;
}

task<result<int>> failing(std::chrono::milliseconds delay) {
  co_await sleep(delay);
  co_return error{errc::user, 42, "the sensor broke"};
}

task<std::vector<std::string>> program() {
  journal j;
  j.add("1. spawn three tasks that sleep 30, 10 and 20 ms; they wake in deadline order:");
  {
    auto a = spawn(sensor("pressure", 30ms, &j));
    auto b = spawn(sensor("temperature", 10ms, &j));
    auto c = spawn(sensor("humidity", 20ms, &j));
    auto ra = co_await a;
    auto rb = co_await b;
    auto rc = co_await c;
    j.add("   joined in spawn order: " + ra.value() + ", " + rb.value() + ", " + rc.value());
  }
  j.add("2. timeout: work that takes 10 ms, allowed 50 ms; work that takes a day, allowed 15 ms:");
  {
    auto fast = co_await timeout(50ms, sensor("fast", 10ms, &j));
    auto slow = co_await timeout(15ms, forever());
    j.add(std::string("   fast -> ") + (fast ? *fast : "timed out") + ", slow -> " +
          (slow ? "finished" : "timed out (and cancelled)"));
  }
  j.add("3. abort a task that would sleep for a day:");
  {
    auto h = spawn(forever());
    co_await sleep(1ms);
    h.abort();
    auto r = co_await h;
    j.add(std::string("   join gives: ") + (r ? "a value" : r.error().message()));
  }
  j.add("4. a scope whose child fails cancels its siblings:");
  {
    scope s;
    auto sibling = s.spawn(forever());
    s.spawn(failing(5ms));
    auto r = co_await s.join();
    auto rs = co_await sibling;
    j.add(std::string("   scope: ") + (r ? "ok" : r.error().message()) +
          "; sibling: " + (rs ? "finished" : rs.error().message()));
  }
  co_return std::move(j.lines);
}

}  // namespace

int main() {
  std::vector<std::string> first;
  bool same = true;
  int runs = 0;
  eddy_tour::for_each_runtime([&](const char* name, auto&& run) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::string> lines = run(program());
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - t0)
                        .count();
    std::printf("== %s (%lld ms of wall time)\n", name, static_cast<long long>(ms));
    for (auto& l : lines) std::printf("%s\n", l.c_str());
    if (runs++ == 0) first = lines;
    else if (lines != first) same = false;
  });
  std::printf("== %d runtimes: %s\n", runs,
              same ? "every runtime printed the same lines" : "OUTPUT DIFFERS");
  return same ? 0 : 1;
}
