// SPDX-License-Identifier: BSL-1.0
/// \file
/// libuv status codes as eddy errors (target `eddy::uv`).
///
/// Every awaitable of `eddy/uv/` reports a failed libuv call as an `eddy::error` with code
/// `errc::io`, `count()` the magnitude of the libuv status (on Unix the `errno` value, e.g.
/// `ECONNREFUSED`) and `message()` libuv's description ("connection refused").
#pragma once
#include "eddy/core/error.hpp"

namespace eddy::uv {

/// The eddy error for the (negative) libuv status `status`: `errc::io`, `count() == -status`,
/// `message()` from `uv_strerror`. A non-negative `status` gives `errc::invalid_argument`.
error to_error(int status) noexcept;

/// The libuv status carried by an error made by `to_error` (negative); 0 for any other error.
int status_of(const error& e) noexcept;

}  // namespace eddy::uv
