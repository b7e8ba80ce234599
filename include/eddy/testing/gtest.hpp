// SPDX-License-Identifier: BSL-1.0
/// \file
/// GoogleTest assertions for marble tests (eddy/testing/marble.hpp).
///
/// ```cpp
/// auto out = sim.block_on(record(source | eddy::delay(2ms)));
/// EDDY_EXPECT_MARBLE(out, "---a-b|", values);   // failure: both diagrams and the difference
/// ```
/// The one place eddy's testing kit uses GoogleTest; include it from test code only.
#pragma once
#include <gtest/gtest.h>

#include <string_view>

#include "eddy/testing/marble.hpp"

namespace eddy::testing {

/// A GoogleTest predicate-formatter: `EXPECT_PRED_FORMAT3(eddy::testing::marble_matches, rec,
/// "-a|", values)`. On failure the message has both diagrams and `marble_diff::detail`.
template <class T>
::testing::AssertionResult marble_matches(const char* rec_expr, const char*, const char*,
                                          const marble_events<T>& rec, std::string_view expected,
                                          const marble_values<T>& values) {
  const marble_diff d = compare_marble(rec, expected, values);
  if (d) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << rec_expr << " does not match its marble\n"
                                       << "  expected: " << d.expected << "\n"
                                       << "    actual: " << d.actual << "\n"
                                       << "  " << d.detail;
}

}  // namespace eddy::testing

/// `EXPECT_PRED_FORMAT3` with `marble_matches`.
#define EDDY_EXPECT_MARBLE(rec, marble, values) \
  EXPECT_PRED_FORMAT3(::eddy::testing::marble_matches, rec, marble, values)
/// `ASSERT_PRED_FORMAT3` with `marble_matches`.
#define EDDY_ASSERT_MARBLE(rec, marble, values) \
  ASSERT_PRED_FORMAT3(::eddy::testing::marble_matches, rec, marble, values)
