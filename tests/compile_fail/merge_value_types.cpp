// SPDX-License-Identifier: BSL-1.0
// expect: eddy::merge: every input must have the same value type
#include <eddy/stream/from_range.hpp>
#include <eddy/stream/merge.hpp>
#include <string>
#include <vector>

void mistake(std::vector<int> a, std::vector<std::string> b) {
  auto s = eddy::from_range(std::move(a)) | eddy::merge(eddy::from_range(std::move(b)));
  static_cast<void>(s);
}
