// SPDX-License-Identifier: BSL-1.0
/// \file
/// `eddy::panic`: the single exit for programming errors that cannot be reported as a value
/// (a constructor given bad input, `block_on` on a runtime's own thread, `value()` on an error).
/// With exceptions it throws `eddy::panic_error` (a `std::logic_error`); without, it prints the
/// message to stderr and calls `std::abort()`.
#pragma once
#include "eddy/core/config.hpp"

#if EDDY_HAS_EXCEPTIONS
#include <stdexcept>
#endif

namespace eddy {

#if EDDY_HAS_EXCEPTIONS
/// Thrown by `panic` when exceptions are enabled.
class panic_error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};
#endif

/// Reports a programming error. Never returns. Thread-safe.
[[noreturn]] void panic(const char* message);

}  // namespace eddy
