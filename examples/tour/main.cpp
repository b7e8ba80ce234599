// SPDX-License-Identifier: BSL-1.0
// The eddy tour: one reactive pipeline, written once, run unchanged on every runtime that is
// built (local_runtime, thread_pool, sim_runtime, and asio_runtime / uv_runtime / glib_runtime
// when eddy was built with Asio / libuv / GLib).
//
// A weather station has three sensors (temperature, humidity, pressure), each a stream of
// timestamped readings, and an operator who can change the temperature alarm limit:
//
//   temperature --+
//   humidity    --+- ordered_merge -> scan (latest of each) -+- combine_latest -> debounce(25 ms)
//   pressure    --+                              limits  ----+            |
//                                                              partition(is_alarm)
//                                                  alarms: subscribe_latest (page the operator)
//                                                  normal: subscribe_latest (update a dashboard)
//
// Readings come in bursts: every 60 ms some sensors report, within 5 ms of each other.
// debounce(25 ms) waits until a burst is over, so each burst gives one settled state.
// On sim_runtime the 300 ms of the scenario take no real time and every instant is exact. On
// the real runtimes they take 300 ms of wall time and the output is still the same: the state
// after a burst does not depend on the order in which its readings were merged, and 25 ms is
// far from both the spread of a burst (5 ms) and the gap to the next one (55 ms). Everything
// printed is computed from the readings' timestamps, never from the clock.
// The tour checks that every runtime printed the expected lines and exits non-zero otherwise
// (ctest: example_tour). Run it: `scripts/demo`.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "eddy/eddy.hpp"
#include "tour_runtimes.hpp"

using namespace eddy;
using namespace std::chrono_literals;

namespace {

// ---- the data: every value carries the time it was measured, its timestamp ----------------

enum class kind { temperature, humidity, pressure };

struct reading {
  kind sensor;
  int value;
  std::int64_t ms;                               // when it was measured, in ms after the start
  std::int64_t timestamp() const { return ms; }  // makes it `timestamped` (ordered_merge)
};

struct limit {  // the operator's setting: alarm above this temperature
  int max_celsius;
  std::int64_t ms;
  std::int64_t timestamp() const { return ms; }
};

struct sample {  // one entry of a scripted sensor: value `v` at `ms`
  std::int64_t ms;
  int v;
};

// A sensor: a coroutine that sleeps until each scripted time and yields the reading. It runs on
// the runtime clock: virtual on sim_runtime, real elsewhere.
generator<reading> sensor(kind k, std::vector<sample> script, time_point start) {
  for (sample s : script) {
    co_await sleep_until(start + std::chrono::milliseconds(s.ms));
    co_yield reading{k, s.v, s.ms};
  }
}

generator<limit> limits(std::vector<sample> script, time_point start) {
  for (sample s : script) {
    co_await sleep_until(start + std::chrono::milliseconds(s.ms));
    co_yield limit{s.v, s.ms};
  }
}

// ---- the state the pipeline computes -------------------------------------------------------

struct station {  // the latest value of every sensor (built by `scan`)
  int celsius = 0, humidity = 0, hpa = 0;
  std::int64_t ms = 0;  // the newest reading's time
  std::int64_t timestamp() const { return ms; }
};

station update(station s, const reading& r) {
  if (r.sensor == kind::temperature) s.celsius = r.value;
  if (r.sensor == kind::humidity) s.humidity = r.value;
  if (r.sensor == kind::pressure) s.hpa = r.value;
  s.ms = std::max(s.ms, r.ms);
  return s;
}

struct status {  // a station state checked against the limit in force
  station now;
  limit lim;
};

bool is_alarm(const status& s) {
  return s.now.celsius > s.lim.max_celsius || s.now.humidity > 80;
}

struct journal {  // what the two subscribers saw; they may run on two threads
  std::mutex m;
  std::vector<std::pair<std::int64_t, std::string>> lines;
  void add(const status& s, const char* what) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "  %3lld ms  %-6s  %2d C  %2d %%  %4d hPa   (limit %d C)",
                  static_cast<long long>(std::max(s.now.ms, s.lim.ms)), what, s.now.celsius,
                  s.now.humidity, s.now.hpa, s.lim.max_celsius);
    std::lock_guard<std::mutex> g(m);
    lines.emplace_back(std::max(s.now.ms, s.lim.ms), buf);
  }
};

// The alarm handler is itself asynchronous (paging takes a moment). subscribe_latest runs one
// call at a time; had alarms come faster than it pages, it would skip to the newest one.
task<void> page_operator(status s, journal* j) {
  co_await sleep(5ms);
  j->add(s, "ALARM");
}

// ---- the pipeline ----------------------------------------------------------------------------

task<std::vector<std::string>> weather_station() {
  const time_point t0 = now();
  // Bursts at 0, 60, 120, 180, 240 and 300 ms. At 120 ms the thermometer glitches (35 C for
  // 5 ms): debounce never lets that through. At 240 ms the operator raises the limit to 35 C.
  auto temperature =
      sensor(kind::temperature,
             {{0, 21}, {60, 24}, {120, 35}, {125, 25}, {180, 33}, {240, 34}, {300, 22}}, t0);
  auto humidity = sensor(kind::humidity, {{0, 40}, {60, 45}, {180, 50}, {240, 85}, {300, 55}}, t0);
  auto pressure = sensor(kind::pressure, {{0, 1013}, {120, 1009}, {300, 1011}}, t0);

  std::atomic<int> raw{0};
  // 1. One stream of every reading, in timestamp order.
  auto readings = std::move(temperature) | ordered_merge(std::move(humidity), std::move(pressure));
  // 2. The station's state after each reading (and a count of what came in).
  auto states =
      std::move(readings) | tap([&raw](const reading&) { ++raw; }) | scan(station{}, update);
  // 3. Each state with the limit in force: a value each time either side changes.
  auto checked = std::move(states) | combine_latest(limits({{0, 30}, {240, 35}}, t0)) |
                 map([](const combined<station, limit>& c) {
                   return status{c.get<0>(), c.get<1>()};
                 });
  // 4. Only the states that held for 25 ms: one per burst; the glitch is gone.
  auto settled = std::move(checked) | debounce(25ms);

  // 5. Alarms one way, normal states the other, a consumer on each side. partition's sides
  //    must be read at the same time (each buffers what the other has not read yet, up to 64).
  auto [alarms, normal] = std::move(settled) | partition(is_alarm);
  journal j;
  auto pager = spawn(subscribe_latest(
      std::move(alarms), [&j](status s) { return page_operator(s, &j); }, cancellation_token{}));
  auto r1 = co_await subscribe_latest(
      std::move(normal), [&j](status s) { j.add(s, "normal"); }, cancellation_token{});
  auto r2 = co_await pager;

  // The two sides interleave differently on different runtimes: print in stream time.
  std::stable_sort(j.lines.begin(), j.lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& l : j.lines) out.push_back(l.second);
  const auto alarm_count =
      std::count_if(out.begin(), out.end(), [](auto& l) { return l.find("ALARM") != l.npos; });
  out.push_back("  " + std::to_string(raw.load()) + " readings in, " + std::to_string(out.size()) +
                " settled states out (" + std::to_string(alarm_count) + " alarms); streams " +
                (r1 && r2 && r2.value() ? "ended cleanly" : "FAILED"));
  co_return out;
}

// What every runtime must print.
const std::vector<std::string> expected = {
    "    0 ms  normal  21 C  40 %  1013 hPa   (limit 30 C)",
    "   60 ms  normal  24 C  45 %  1013 hPa   (limit 30 C)",
    "  125 ms  normal  25 C  45 %  1009 hPa   (limit 30 C)",
    "  180 ms  ALARM   33 C  50 %  1009 hPa   (limit 30 C)",
    "  240 ms  ALARM   34 C  85 %  1009 hPa   (limit 35 C)",
    "  300 ms  normal  22 C  55 %  1011 hPa   (limit 35 C)",
    "  15 readings in, 6 settled states out (2 alarms); streams ended cleanly",
};

}  // namespace

int main() {
  int runs = 0, wrong = 0;
  eddy_tour::for_each_runtime([&](const char* name, auto&& run) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::string> lines = run(weather_station());
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    // The timing line starts with "==", the result lines with two spaces.
    std::printf("== %s: %lld ms of wall time\n", name, static_cast<long long>(ms));
    for (auto& l : lines) std::printf("%s\n", l.c_str());
    ++runs;
    if (lines != expected) {
      ++wrong;
      std::printf("== %s printed something else than expected\n", name);
    }
  });
  std::printf("== %d runtimes: %s\n", runs,
              wrong == 0 ? "every runtime printed the expected lines" : "OUTPUT DIFFERS");
  return wrong == 0 ? 0 : 1;
}
