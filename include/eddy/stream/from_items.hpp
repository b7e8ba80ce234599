// SPDX-License-Identifier: BSL-1.0
/// \file
/// `from_items<T>({...})`: a stream of the given values and errors, in order, then the end.
/// Meant for tests and examples.
///
/// ```
/// from_items<int>({1, errc::user, 3})
/// output:  1-E-3|
/// ```
/// - Each element is an `item<T>`: a `T`, an `eddy::error` or an `errc`.
/// - Owns a copy of the list (one allocation); never suspends.
#pragma once
#include <initializer_list>
#include <vector>

#include "eddy/stream/from_range.hpp"

namespace eddy {

/// See the file comment.
template <class T>
auto from_items(std::initializer_list<item<T>> items) {
  return from_range(std::vector<item<T>>(items));
}

}  // namespace eddy
