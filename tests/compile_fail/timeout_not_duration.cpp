// SPDX-License-Identifier: BSL-1.0
// expect: eddy::timeout: the argument must be a std::chrono::duration
#include <eddy/stream/from_range.hpp>
#include <eddy/stream/stream_timeout.hpp>
#include <vector>

void mistake(std::vector<int> v) {
  auto s = eddy::from_range(std::move(v)) | eddy::timeout(100);  // 100ms was meant
  static_cast<void>(s);
}
