// SPDX-License-Identifier: BSL-1.0
/// \file
/// `defer(factory)`: a stream made by `factory()` at the first `next()`, not before.
///
/// ```
/// factory() gives:  --1--E--2--|     (called at the first next())
/// defer(factory)
/// output:           --1--E--2--|
/// ```
/// - `factory()` is called once, lazily; every item of its stream passes unchanged (errors do
///   not end it). If it throws (exceptions on), that becomes an `errc::exception` error item
///   and the stream ends.
/// - It is a `retry_stream` (retry.hpp) that re-subscribes on no error and, unlike
///   `retry(0, factory)`, does not end after an error: one code path.
/// - Buffers nothing; holds the one stream.
#pragma once
#include <type_traits>
#include <utility>

#include "eddy/stream/retry.hpp"

namespace eddy {

/// See the file comment. `factory()` must return a stream.
template <class F>
auto defer(F factory) {
  static_assert(std::is_invocable_v<F&>, "eddy::defer: factory must be callable with no argument");
  static_assert(stream<std::remove_cvref_t<std::invoke_result_t<F&>>>,
                "eddy::defer: factory() must return a stream");
  return retry_stream<F>(detail::checked_count{}, std::move(factory), {}, false, false);
}

}  // namespace eddy
