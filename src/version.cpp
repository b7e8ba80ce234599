// SPDX-License-Identifier: BSL-1.0
#include "eddy/version.hpp"

namespace eddy {
const char* version() noexcept {
  return EDDY_VERSION_STRING;
}
}  // namespace eddy
