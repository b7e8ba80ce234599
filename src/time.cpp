// SPDX-License-Identifier: BSL-1.0
#include "eddy/core/panic.hpp"
#include "eddy/runtime/sleep.hpp"

namespace eddy {
namespace detail {
executor require_executor(const char* what) noexcept {
  executor ex = current_executor();
  if (!ex) panic(what);
  return ex;
}
}  // namespace detail

time_point now() noexcept {
  return detail::require_executor("eddy::now() called outside any runtime").now();
}
}  // namespace eddy
