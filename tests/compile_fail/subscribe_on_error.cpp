// SPDX-License-Identifier: BSL-1.0
// expect: eddy::subscribe: on_error must be callable with an eddy::error
#include <eddy/exec/subscribe.hpp>
#include <eddy/stream/from_range.hpp>
#include <vector>

eddy::task<eddy::result<void>> mistake(std::vector<int> v) {
  return eddy::subscribe(
      eddy::from_range(std::move(v)), [](int) {}, [](int code) { return code; });
}
