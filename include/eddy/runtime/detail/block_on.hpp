// SPDX-License-Identifier: BSL-1.0
/// \file
/// The shared shape of `block_on`: start a root task on a runtime, drive or wait until it is
/// finished, hand back its result. Each runtime supplies `wait_until_done(pred)`.
#pragma once
#include "eddy/runtime/spawn.hpp"

namespace eddy::detail {

/// True when called on a runtime's thread or inside a task: blocking there would deadlock.
bool inside_runtime() noexcept;

inline constexpr const char* block_on_inside_message =
    "eddy: block_on called from inside a runtime (a task or a runtime thread); it would block "
    "that runtime. co_await the task instead";

/// `rt.block_on(t)` on top of `rt.try_block_on(t)`: the value, or the error as a panic (a
/// captured exception is rethrown).
template <class T>
T unwrap_block_on(result<T>&& r) {
  if constexpr (std::is_void_v<T>)
    r.value();
  else
    return std::move(r).value();
}

}  // namespace eddy::detail
