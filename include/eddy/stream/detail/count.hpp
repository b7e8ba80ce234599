// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::checked_count`: turns a user count (any integer type) into a `std::uint64_t`,
/// remembering a negative (or, where asked, zero) count as an argument error.
#pragma once
#include <concepts>
#include <cstdint>

namespace eddy::detail {

struct checked_count {
  std::uint64_t n = 0;
  const char* bad = nullptr;

  template <std::integral I>
  static checked_count make(I n, const char* negative_msg, const char* zero_msg = nullptr) {
    checked_count c;
    if constexpr (std::is_signed_v<I>) {
      if (n < 0) {
        c.bad = negative_msg;
        return c;
      }
    }
    if (n == 0 && zero_msg) {
      c.bad = zero_msg;
      return c;
    }
    c.n = static_cast<std::uint64_t>(n);
    return c;
  }
};

}  // namespace eddy::detail
