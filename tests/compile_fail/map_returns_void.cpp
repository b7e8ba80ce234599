// SPDX-License-Identifier: BSL-1.0
// expect: eddy::map: the function must return a value
#include <eddy/stream/from_range.hpp>
#include <eddy/stream/map.hpp>
#include <vector>

void mistake(std::vector<int> v) {
  auto s = eddy::from_range(std::move(v)) | eddy::map([](int) {});
  static_cast<void>(s);
}
