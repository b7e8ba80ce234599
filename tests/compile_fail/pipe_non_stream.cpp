// SPDX-License-Identifier: BSL-1.0
// expect: eddy::operator\|: the left operand must be a stream
#include <eddy/stream/map.hpp>
#include <vector>

void mistake(std::vector<int> v) {
  auto s = v | eddy::map([](int x) { return x + 1; });  // from_range(v) was meant
  static_cast<void>(s);
}
