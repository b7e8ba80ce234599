// SPDX-License-Identifier: BSL-1.0
// expect: eddy::ordered_merge: needs values with a timestamp\(\)
#include <eddy/stream/from_range.hpp>
#include <eddy/stream/ordered_merge.hpp>
#include <vector>

void mistake(std::vector<int> a, std::vector<int> b) {
  auto s = eddy::from_range(std::move(a)) | eddy::ordered_merge(eddy::from_range(std::move(b)));
  static_cast<void>(s);
}
