// SPDX-License-Identifier: BSL-1.0
// expect: eddy::exhaust_map: f\(value\) must be callable with the stream.s value and return
#include <eddy/stream/exhaust_map.hpp>
#include <eddy/stream/from_range.hpp>
#include <vector>

void mistake(std::vector<int> v) {
  auto s = eddy::from_range(std::move(v)) | eddy::exhaust_map([](int x) {
             return std::vector<int>{x, x};
           });  // from_range(...)
  static_cast<void>(s);
}
