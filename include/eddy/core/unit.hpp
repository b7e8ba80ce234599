// SPDX-License-Identifier: BSL-1.0
/// \file
/// `unit`: the value of a `void` outcome where a type is needed (e.g. `timeout` of a
/// `task<void>` gives `std::optional<unit>`).
#pragma once

namespace eddy {
/// The one value of an outcome that has none. All units are equal.
struct unit {
  /// Always true.
  friend constexpr bool operator==(unit, unit) noexcept { return true; }
};
}  // namespace eddy
