// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::is_stamp_wrapper<T>`: true for `stamped<U>` and `sequenced<U>` (declared here,
/// defined in stream/timestamp.hpp), for code that looks through the wrappers without pulling in
/// the stamping operators and the runtime clock (`distinct_until_changed`).
#pragma once
#include <type_traits>

namespace eddy {

template <class T>
struct stamped;
template <class T>
struct sequenced;

namespace detail {

template <class T>
struct is_stamp_wrapper : std::false_type {};
template <class T>
struct is_stamp_wrapper<stamped<T>> : std::true_type {};
template <class T>
struct is_stamp_wrapper<sequenced<T>> : std::true_type {};

}  // namespace detail

}  // namespace eddy
