// SPDX-License-Identifier: BSL-1.0
// W9 (docs/benchmarks.md): a translation unit with a 20-operator pipeline, compiled by
// scripts/bench for its compile time, peak compiler memory and object size. pipeline0.cpp is the
// same TU with the same headers and no operator: the difference is the cost of the operators
// themselves. scripts/bench compiles it with `g++ -std=c++20 -O2 -c`; the CMake build compiles
// it only in the header check (a program that instantiates 20 operators, for their warnings).
#include <eddy/eddy.hpp>
#include <vector>

#ifndef EDDY_W9_OPERATORS
#define EDDY_W9_OPERATORS 1
#endif

// Not in an anonymous namespace: g++ 12 -Wsubobject-linkage on coroutine frames.
eddy::task<eddy::result<void>> w9_run(std::vector<int> in, long* out) {
#if EDDY_W9_OPERATORS
  auto s =
      eddy::from_range(std::move(in))                                                         //
      | eddy::map([](int x) { return x + 1; })                                                // 1
      | eddy::filter([](int x) { return x % 3 != 0; })                                        // 2
      | eddy::scan(0L, [](long a, int x) { return a + x; })                                   // 3
      | eddy::tap([](long) {})                                                                // 4
      | eddy::skip(2)                                                                         // 5
      | eddy::take(1000)                                                                      // 6
      | eddy::distinct_until_changed()                                                        // 7
      | eddy::map([](long x) { return static_cast<int>(x % 1000); })                          // 8
      | eddy::skip_while([](int x) { return x < 3; })                                         // 9
      | eddy::take_while([](int x) { return x >= 0; })                                        // 10
      | eddy::start_with(7)                                                                   // 11
      | eddy::combine_with_previous()                                                         // 12
      | eddy::map([](auto p) { return p.current; })                                           // 13
      | eddy::window_by_count(4)                                                              // 14
      | eddy::map([](const std::vector<int>& w) { return w.size(); })                         // 15
      | eddy::sample_ratio(0.5, 42)                                                           // 16
      | eddy::map_error([](eddy::error e) { return e; })                                      // 17
      | eddy::on_error([](const eddy::error&) { return true; })                               // 18
      | eddy::distinct_until_changed_by([](std::size_t a, std::size_t b) { return a == b; })  // 19
      | eddy::map([](std::size_t x) { return static_cast<long>(x); });                        // 20
#else
  auto s = eddy::from_range(std::move(in));
#endif
  return eddy::subscribe(std::move(s), [out](auto x) { *out += static_cast<long>(x); });
}

long w9_pipeline(std::vector<int> in) {
  eddy::local_runtime rt;
  long out = 0;
  auto r = rt.block_on(w9_run(std::move(in), &out));
  return r.has_value() ? out : -1;
}
