// SPDX-License-Identifier: BSL-1.0
// expect: eddy::subscribe_latest: on_next must be callable with the stream's value
#include <eddy/exec/subscribe_latest.hpp>
#include <eddy/stream/from_range.hpp>
#include <vector>

eddy::task<eddy::result<void>> mistake(std::vector<int> v, eddy::cancellation_token t) {
  return eddy::subscribe_latest(
      eddy::from_range(std::move(v)), [](int, int) {}, t);
}
