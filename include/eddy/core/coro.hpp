// SPDX-License-Identifier: BSL-1.0
/// \file
/// The one place eddy names the coroutine library. libc++ 13 (Debian's emscripten 3.1.6) only
/// has `<experimental/coroutine>`; everything else has `<coroutine>`. Code uses `eddy::coro::`.
#pragma once

#if defined(__has_include) && __has_include(<coroutine>)
#include <coroutine>
namespace eddy::coro {
using std::coroutine_handle;
using std::noop_coroutine;
using std::suspend_always;
using std::suspend_never;
}  // namespace eddy::coro
#else
#include <experimental/coroutine>
namespace eddy::coro {
using std::experimental::coroutine_handle;
using std::experimental::noop_coroutine;
using std::experimental::suspend_always;
using std::experimental::suspend_never;
}  // namespace eddy::coro
#endif
