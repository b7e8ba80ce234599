// SPDX-License-Identifier: BSL-1.0
// emscripten_runtime in its real mode: main() returns at once and everything below runs later,
// pumped by node's event loop (immediates for ready work, timeouts for timers). Nothing here
// blocks. The exit code is 3 until the root task reports; node only exits once the runtime
// has cleared its JS callbacks (a detached one-hour sleeper is left for the destructor).
#include <emscripten.h>
#include <emscripten/eventloop.h>

#include <chrono>
#include <cstdio>
#include <eddy/eddy.hpp>
#include <eddy/runtime/emscripten_runtime.hpp>
#include <vector>

#include "../support/loop_check.hpp"

using namespace eddy;
using namespace std::chrono_literals;
using loop_test::check;
using loop_test::report;
using loop_test::set_exit_code;

namespace {
emscripten_runtime* rt = nullptr;
bool main_returned = false;

task<int> add_later(int a, int b) {
  co_await yield_now();
  co_return a + b;
}

task<void> nap(duration d) {
  co_await sleep(d);
}

task<void> forever(int* destroyed) {
  struct guard {
    int* d;
    ~guard() { ++*d; }
  } g{destroyed};
  co_await sleep(1000h);
}

task<void> producer(mpsc::sender<int> tx, int n) {
  for (int i = 1; i <= n; ++i) {
    auto r = co_await tx.send(i);
    if (!r) co_return;
    if (i % 5 == 0) co_await sleep(1ms);  // a timer wake now and then, through setTimeout
  }
}

// An asynchronous source: n values 1..n from a producer task, a 1 ms sleep every 5 values.
auto async_source(int n) {
  auto [tx, rx] = mpsc::channel<int>(2);
  spawn(producer(std::move(tx), n)).detach();
  return from_receiver(std::move(rx));
}

template <class S>
task<std::vector<int>> collect_values(S s) {
  std::vector<int> out;
  while (auto it = co_await s.next())
    if (it->is_value()) out.push_back(it->value());
  co_return out;
}

generator<int> burst_then_end() {
  co_yield 1;
  co_await sleep(1ms);
  for (int i = 2; i <= 5; ++i) co_yield i;  // arrive while the handler of 1 is busy
}

generator<int> slow_echo(int v) {
  co_await sleep(std::chrono::milliseconds(v == 1 ? 40 : 2));
  co_yield v * 100;
}

generator<int> outer_two() {
  co_yield 1;
  co_await sleep(5ms);  // the inner stream of 1 (40 ms) is still in flight
  co_yield 2;
}

task<void> root(int* leftover_destroyed) {
  check(main_returned, "the root starts after main returned");

  // Timers, through one JS timeout re-armed for the earliest deadline.
  std::vector<int> order;
  {
    const time_point t0 = now();
    auto at = [](time_point t, int id, std::vector<int>* order) -> task<void> {
      co_await sleep_until(t);
      order->push_back(id);
    };
    auto c = spawn(at(t0 + 12ms, 3, &order));
    auto a = spawn(at(t0 + 4ms, 1, &order));
    auto b = spawn(at(t0 + 8ms, 2, &order));
    (void)co_await c;
    (void)co_await a;
    (void)co_await b;
    check(order == std::vector<int>{1, 2, 3}, "timers fire in deadline order");
    check(now() - t0 >= 12ms, "the last timer fired no earlier than its deadline");
  }

  // Many tasks, spawned and joined.
  {
    std::vector<join_handle<int>> hs;
    for (int i = 0; i < 2000; ++i) hs.push_back(spawn(add_later(i, 1)));
    long sum = 0;
    for (auto& h : hs) {
      auto r = co_await h;
      sum += r.value();
    }
    check(sum == 2000L * 2001 / 2, "2000 spawned tasks joined with the right sum");
  }

  // Abort of a sleeping task runs its destructors; its timer is disarmed.
  {
    int destroyed = 0;
    auto h = spawn(forever(&destroyed));
    co_await sleep(2ms);
    h.abort();
    auto r = co_await h;
    check(!r.has_value() && r.error().code() == errc::aborted, "abort gives errc::aborted");
    check(destroyed == 1, "abort ran the sleeper's destructors");
  }

  // timeout() around a long sleep gives up at the deadline.
  {
    const time_point t0 = now();
    auto r = co_await timeout(5ms, nap(1h));
    check(!r.has_value(), "timeout(5ms, nap(1h)) times out");
    check(now() - t0 >= 5ms && now() - t0 < 1s, "... after about 5 ms");
  }

  // A bounded channel between two tasks, consumed as a stream.
  {
    auto [tx, rx] = mpsc::channel<int>(4);
    auto p = spawn(producer(std::move(tx), 100));
    long sum = 0;
    int count = 0;
    auto s = from_receiver(std::move(rx)) | map([](int x) { return x * 2; });
    while (auto it = co_await s.next()) {
      sum += it->value();
      ++count;
    }
    (void)co_await p;
    check(count == 100 && sum == 2L * 100 * 101 / 2, "mpsc(4) -> from_receiver | map: 100 items");
  }

  // share: one asynchronous upstream, two subscribers read concurrently by two tasks.
  {
    auto sh = async_source(30) | share(buffer_policy::wait(4));
    auto a = spawn(collect_values(sh.subscribe()));
    auto b = spawn(collect_values(sh.subscribe()));
    auto ra = co_await a;
    auto rb = co_await b;
    std::vector<int> want;
    for (int i = 1; i <= 30; ++i) want.push_back(i);
    check(ra.has_value() && rb.has_value() && ra.value() == want && rb.value() == want,
          "share: both subscribers get all 30 values in order");
  }

  // partition: odd and even sides read concurrently.
  {
    auto [odd, even] = async_source(20) | partition([](const int& x) { return x % 2 == 1; });
    auto o = spawn(collect_values(std::move(odd)));
    auto e = spawn(collect_values(std::move(even)));
    auto ro = co_await o;
    auto re = co_await e;
    bool good =
        ro.has_value() && re.has_value() && ro.value().size() == 10 && re.value().size() == 10;
    for (std::size_t i = 0; good && i < 10; ++i) {
      good = ro.value()[i] == static_cast<int>(2 * i + 1) &&
             re.value()[i] == static_cast<int>(2 * i + 2);
    }
    check(good, "partition: 10 odd and 10 even values, in order");
  }

  // subscribe_latest (finish policy): values arriving while the handler is busy collapse to
  // the newest one.
  {
    std::vector<int> handled;
    auto r = co_await subscribe_latest(
        burst_then_end(),
        [&handled](int v) -> task<void> {
          handled.push_back(v);
          co_await sleep(5ms);
        },
        cancellation_token{});
    check(r.has_value() && handled == std::vector<int>{1, 5},
          "subscribe_latest: handled 1, then 5");
  }

  // switch_map: the slow inner stream of 1 is cancelled when 2 arrives.
  {
    auto got =
        co_await collect_values(outer_two() | switch_map([](int v) { return slow_echo(v); }));
    check(got == std::vector<int>{200}, "switch_map: only the newest inner stream answers");
  }

  // Left for the runtime's destructor: a detached sleeper (and its one-day JS timeout).
  spawn(forever(leftover_destroyed));
  co_await yield_now();
}

int leftover_destroyed = 0;

void shut_down(void*) {
  delete rt;  // aborts the leftover sleeper, clears the JS timeout: node can exit
  rt = nullptr;
  check(leftover_destroyed == 1, "destroying the runtime aborted the leftover task");
  report("event loop");
}
}  // namespace

int main() {
  set_exit_code(3);  // stays 3 if the loop drains before the root reports
  rt = new emscripten_runtime;
  rt->start(root(&leftover_destroyed), [](result<void>&& r) {
    check(r.has_value(), "the root task finished");
    emscripten_set_timeout(&shut_down, 0, nullptr);  // not from inside the runtime's own pump
  });
  main_returned = true;
  std::printf("main returned; the work goes on on the event loop\n");
  return 0;
}
