// SPDX-License-Identifier: BSL-1.0
#include <gtest/gtest.h>

#include <eddy/eddy.hpp>

namespace eddy_test::unit_smoke_test {

TEST(smoke, local_block_on) {
  eddy::local_runtime rt;
  EXPECT_EQ(rt.block_on([]() -> eddy::task<int> { co_return 7; }()), 7);
}

}  // namespace eddy_test::unit_smoke_test
