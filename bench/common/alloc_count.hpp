// SPDX-License-Identifier: BSL-1.0
// Counts global operator new calls in a benchmark binary, so every workload reports
// allocations per operation next to ns per operation.
#pragma once
#include <benchmark/benchmark.h>

#include <cstdint>

namespace eddy_bench {

/// Total calls to global operator new so far (all threads).
std::uint64_t allocations() noexcept;

/// Reports `allocs/op` for the allocations made since `start`, over `ops` operations.
inline void report_allocs(benchmark::State& st, std::uint64_t start, double ops) {
  st.counters["allocs/op"] = static_cast<double>(allocations() - start) / ops;
}

}  // namespace eddy_bench
