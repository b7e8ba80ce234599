// SPDX-License-Identifier: BSL-1.0
// A tiny program built against an installed (or fetched) eddy.
#include <eddy/eddy.hpp>
#include <eddy/version.hpp>

#include <cstdio>
#include <cstring>

eddy::task<int> answer() {
  co_await eddy::sleep(std::chrono::milliseconds(0));
  co_return 42;
}

int main() {
  eddy::local_runtime rt;
  const int v = rt.block_on(answer());
  std::printf("eddy %s: %d\n", eddy::version(), v);
  return v == 42 && std::strcmp(eddy::version(), EDDY_VERSION_STRING) == 0 ? 0 : 1;
}
