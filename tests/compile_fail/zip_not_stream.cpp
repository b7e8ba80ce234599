// SPDX-License-Identifier: BSL-1.0
// expect: eddy::zip: every argument must be a stream
#include <eddy/stream/from_range.hpp>
#include <eddy/stream/zip.hpp>
#include <vector>

void mistake(std::vector<int> a, std::vector<int> b) {
  auto s = eddy::from_range(std::move(a)) | eddy::zip(b);  // from_range(b) was meant
  static_cast<void>(s);
}
