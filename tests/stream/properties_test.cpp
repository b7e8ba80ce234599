// SPDX-License-Identifier: BSL-1.0
// Operator laws, checked with rapidcheck over random streams of values and errors, on a
// synchronous source and on an asynchronous one (every next() suspends). Built when CMake
// finds rapidcheck (tests/CMakeLists.txt defines EDDY_TEST_WITH_RAPIDCHECK and links it).
#if defined(EDDY_TEST_WITH_RAPIDCHECK)
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::properties_test {

using namespace eddy;

namespace {

/// A random stream: values, with an error (code = value) where the flag is set.
items<int> make_items(const std::vector<std::pair<bool, int>>& raw) {
  items<int> v;
  for (auto& [is_error, x] : raw) {
    if (is_error)
      v.push_back(E(static_cast<std::uint64_t>(x) & 0xffff));
    else
      v.push_back(x);
  }
  return v;
}

/// Runs `build(source)` on a fresh runtime, over a synchronous source (`async == false`) or an
/// always-suspending generator.
template <class Build>
auto run(const items<int>& in, bool async, Build build) {
  local_runtime rt;
  if (async) return rt.block_on(collect(build(async_items<int>(in))));
  return rt.block_on(collect(build(from_range(items<int>(in)))));
}

int f(int x) {  // wraps (no signed overflow: rapidcheck generates any int)
  return static_cast<int>(static_cast<unsigned>(x) * 3u + 1u);
}
int g(int x) {
  return x ^ 0x55;
}
bool p(int x) {
  return x % 3 == 0;
}
std::size_t count_errors(const items<int>& v) {
  return static_cast<std::size_t>(
      std::count_if(v.begin(), v.end(), [](auto& i) { return i.is_error(); }));
}

}  // namespace

RC_GTEST_PROP(stream_laws, map_fusion, (const std::vector<std::pair<bool, int>>& raw, bool async)) {
  const auto in = make_items(raw);
  auto a = run(in, async, [](auto s) { return std::move(s) | map(f) | map(g); });
  auto b = run(in, async, [](auto s) { return std::move(s) | map([](int x) { return g(f(x)); }); });
  RC_ASSERT(a == b);
  RC_ASSERT(a.size() == in.size());
}

RC_GTEST_PROP(stream_laws, take_take_is_take_min,
              (const std::vector<std::pair<bool, int>>& raw, bool async)) {
  const auto in = make_items(raw);
  const int n = *rc::gen::inRange(0, 30);
  const int m = *rc::gen::inRange(0, 30);
  auto a = run(in, async, [n, m](auto s) { return std::move(s) | take(n) | take(m); });
  auto b = run(in, async, [n, m](auto s) { return std::move(s) | take(std::min(n, m)); });
  RC_ASSERT(a == b);
  RC_ASSERT(a.size() == std::min<std::size_t>(in.size(), static_cast<std::size_t>(std::min(n, m))));
}

RC_GTEST_PROP(stream_laws, filter_and_its_complement_partition_the_values,
              (const std::vector<std::pair<bool, int>>& raw, bool async)) {
  const auto in = make_items(raw);
  auto yes = run(in, async, [](auto s) { return std::move(s) | filter(p); });
  auto no =
      run(in, async, [](auto s) { return std::move(s) | filter([](int x) { return !p(x); }); });
  items<int> expect_yes, expect_no;
  for (auto& it : in) {
    if (it.is_error() || p(it.value())) expect_yes.push_back(it);
    if (it.is_error() || !p(it.value())) expect_no.push_back(it);
  }
  RC_ASSERT(yes == expect_yes);
  RC_ASSERT(no == expect_no);
  RC_ASSERT(yes.size() + no.size() == in.size() + count_errors(in));  // errors pass both
}

RC_GTEST_PROP(stream_laws, scan_last_equals_fold,
              (const std::vector<std::pair<bool, int>>& raw, bool async)) {
  const auto in = make_items(raw);
  auto out = run(in, async, [](auto s) {
    return std::move(s) | on_error([](const error&) { return true; }) |
           scan(0L, [](long acc, int x) { return acc + x; });
  });
  long fold = 0;
  std::size_t values = 0;
  for (auto& it : in) {
    if (it.is_value()) {
      fold += it.value();
      ++values;
    }
  }
  RC_ASSERT(out.size() == values);
  if (!out.empty()) RC_ASSERT(out.back().value() == fold);
}

RC_GTEST_PROP(stream_laws, take_then_skip_is_the_whole,
              (const std::vector<std::pair<bool, int>>& raw, bool async)) {
  const auto in = make_items(raw);
  const int n = *rc::gen::inRange(0, 40);
  auto head = run(in, async, [n](auto s) { return std::move(s) | take(n); });
  auto tail = run(in, async, [n](auto s) { return std::move(s) | skip(n); });
  head.insert(head.end(), tail.begin(), tail.end());
  RC_ASSERT(head == in);
}

RC_GTEST_PROP(stream_laws, windows_concatenate_to_the_values,
              (const std::vector<int>& xs, bool async)) {
  const int n = *rc::gen::inRange(1, 8);
  items<int> in(xs.begin(), xs.end());
  auto ws = run(in, async, [n](auto s) { return std::move(s) | window_by_count(n); });
  std::vector<int> flat;
  for (std::size_t i = 0; i < ws.size(); ++i) {
    const auto& w = ws[i].value();
    RC_ASSERT(!w.empty());
    RC_ASSERT(i + 1 == ws.size() || w.size() == static_cast<std::size_t>(n));
    flat.insert(flat.end(), w.begin(), w.end());
  }
  RC_ASSERT(flat == xs);
}

RC_GTEST_PROP(stream_laws, sample_ratio_is_deterministic_and_keeps_errors,
              (const std::vector<std::pair<bool, int>>& raw, std::uint64_t seed)) {
  const auto in = make_items(raw);
  auto a = run(in, false, [seed](auto s) { return std::move(s) | sample_ratio(0.3, seed); });
  auto b = run(in, true, [seed](auto s) { return std::move(s) | sample_ratio(0.3, seed); });
  RC_ASSERT(a == b);
  RC_ASSERT(count_errors(a) == count_errors(in));
}

}  // namespace eddy_stream_test::properties_test
#endif
