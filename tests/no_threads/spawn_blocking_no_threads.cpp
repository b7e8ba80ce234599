// SPDX-License-Identifier: BSL-1.0
// A build without threads (EDDY_NO_THREADS, as on firmware and single-threaded wasm), compiled and
// run by tests/no_threads/run.cmake on the host: spawn_blocking never runs f (no silent inline
// call) and its handle is finished at once with errc::invalid_argument; task_set works.
#include <cstdio>
#include <eddy/eddy.hpp>
using namespace eddy;
int main() {
  sim_runtime sim{1};
  int ran = 0;
  auto r = sim.block_on([](int* ran) -> task<int> {
    auto h = spawn_blocking([ran] {
      ++*ran;
      return 5;
    });
    const bool fin = h.is_finished();
    auto v = co_await h;
    task_set<int> set;
    set.spawn([]() -> task<int> { co_return 3; }());
    auto j = co_await set.join_next();
    co_return (fin ? 1 : 0) + (!v && v.error() == errc::invalid_argument ? 10 : 0) +
        (j && j->value() == 3 ? 100 : 0);
  }(&ran));
  std::printf("EDDY_HAS_THREADS=%d r=%d ran=%d\n", EDDY_HAS_THREADS, r, ran);
  return (r == 111 && ran == 0) ? 0 : 1;
}
