// SPDX-License-Identifier: BSL-1.0
// The side-by-side contract (the peer harness README, "How an eddy benchmark joins the
// table"): a benchmark named `sbs/<workload>/<peer>` reports `sbs_ns`, wall-clock ns per
// operation, and `sbs_n`, its operation count per iteration. `wall_clock` times the iterations
// whatever the runtime's threads do; `report_sbs` writes the two counters.
#pragma once
#include <benchmark/benchmark.h>

#include <chrono>
#include <type_traits>

namespace eddy_bench {

/// Writes `sbs_ns` (wall ns per operation over all iterations) and `sbs_n` (operations per
/// iteration).
inline void report_sbs(benchmark::State& st, double total_wall_ns, double ops_per_iter) {
  const double iters = static_cast<double>(st.iterations());
  if (iters > 0 && ops_per_iter > 0) st.counters["sbs_ns"] = total_wall_ns / (iters * ops_per_iter);
  st.counters["sbs_n"] = ops_per_iter;
}

/// Wall-clock time of the timed calls, summed over the iterations.
struct wall_clock {
  std::chrono::steady_clock::duration total{};

  /// Calls `f()`, adds its wall time to `total` and gives its result.
  template <class F>
  auto time(F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      total += std::chrono::steady_clock::now() - t0;
    } else {
      auto r = f();
      total += std::chrono::steady_clock::now() - t0;
      return r;
    }
  }

  /// `total` in ns.
  double ns() const { return std::chrono::duration<double, std::nano>(total).count(); }

  /// `report_sbs` with `total`.
  void report(benchmark::State& st, double ops_per_iter) const {
    report_sbs(st, ns(), ops_per_iter);
  }
};

}  // namespace eddy_bench
