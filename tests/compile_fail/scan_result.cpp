// SPDX-License-Identifier: BSL-1.0
// expect: eddy::scan: g\(acc, value\) must return something assignable to the accumulator
#include <eddy/stream/from_range.hpp>
#include <eddy/stream/scan.hpp>
#include <string>
#include <vector>

void mistake(std::vector<int> v) {
  auto s = eddy::from_range(std::move(v)) |
           eddy::scan(0, [](int acc, int x) { return std::to_string(acc + x); });
  static_cast<void>(s);
}
