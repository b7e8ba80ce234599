// SPDX-License-Identifier: BSL-1.0
// expect: eddy::subscribe: on_next must be callable with the stream's value
#include <eddy/exec/subscribe.hpp>
#include <eddy/stream/from_range.hpp>
#include <string>
#include <vector>

eddy::task<eddy::result<void>> mistake(std::vector<int> v) {
  return eddy::subscribe(eddy::from_range(std::move(v)), [](const std::string&) {});
}
