// SPDX-License-Identifier: BSL-1.0
// expect: eddy::map: the function must be callable with the stream's value
#include <eddy/stream/from_range.hpp>
#include <eddy/stream/map.hpp>
#include <string>
#include <vector>

void mistake(std::vector<int> v) {
  auto s = eddy::from_range(std::move(v)) | eddy::map([](const std::string& x) { return x; });
  static_cast<void>(s);
}
