// SPDX-License-Identifier: BSL-1.0
// expect: eddy::filter: the predicate must take a const T& and return something convertible to bool
#include <eddy/stream/filter.hpp>
#include <eddy/stream/from_range.hpp>
#include <vector>

struct verdict {};

void mistake(std::vector<int> v) {
  auto s = eddy::from_range(std::move(v)) | eddy::filter([](int) { return verdict{}; });
  static_cast<void>(s);
}
