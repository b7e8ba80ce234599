// SPDX-License-Identifier: BSL-1.0
// expect: eddy::operator\|: this stream cannot be copied: write std::move\(s\)
#include <eddy/stream/generator.hpp>
#include <eddy/stream/map.hpp>

eddy::generator<int> numbers() {
  co_yield 1;
}

void mistake() {
  auto g = numbers();
  auto s = g | eddy::map([](int x) { return x + 1; });  // g is used again below
  auto t = g | eddy::map([](int x) { return x - 1; });
  static_cast<void>(s);
  static_cast<void>(t);
}
