// SPDX-License-Identifier: BSL-1.0
// expect: eddy::take_latest_when: .*restamp
#include <eddy/stream/from_range.hpp>
#include <eddy/stream/take_latest_when.hpp>
#include <vector>

// timestamped, but the operator cannot give it the trigger's timestamp
struct tick {
  long t = 0;
  long timestamp() const noexcept { return t; }
};

void mistake(std::vector<tick> a, std::vector<tick> b) {
  auto s = eddy::from_range(std::move(a)) |
           eddy::take_latest_when(eddy::from_range(std::move(b)), [](const tick&) { return true; });
  static_cast<void>(s);
}
