// SPDX-License-Identifier: BSL-1.0
// main() of the wasm GoogleTest programs. Emscripten keeps the runtime alive after main returns
// (EXIT_RUNTIME=0), so main's return value never reaches node: hand it over as process.exitCode.
#include <emscripten.h>
#include <gtest/gtest.h>

#include <cstdio>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  std::fflush(stdout);
  std::fflush(stderr);
  // clang-format off
  EM_ASM({ if (typeof process === 'object') process.exitCode = $0; }, rc);
  // clang-format on
  return rc;
}
