// SPDX-License-Identifier: BSL-1.0
// expect: eddy::debounce: the argument must be a std::chrono::duration
#include <eddy/stream/debounce.hpp>
#include <eddy/stream/from_range.hpp>
#include <vector>

void mistake(std::vector<int> v) {
  auto s = eddy::from_range(std::move(v)) | eddy::debounce(0.5);  // 500ms was meant
  static_cast<void>(s);
}
