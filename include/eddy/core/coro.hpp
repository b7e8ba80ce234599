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

#include <type_traits>

namespace eddy::detail {
/// How an awaiting combinator (`timeout`, `with_cancellation`) keeps the awaitable `A&&` it was
/// given: an lvalue by reference, a movable rvalue by value (moved in), and a temporary that
/// cannot be moved (`tok.cancelled()`, `s.join()`) by rvalue reference: it lives until the end
/// of the full-expression that made it, which is why the combinator is awaited there
/// (`co_await timeout(d, s.join())`).
template <class A>
using held_awaitable_t =
    std::conditional_t<std::is_lvalue_reference_v<A>, A,
                       std::conditional_t<std::is_move_constructible_v<std::remove_cvref_t<A>>,
                                          std::remove_cvref_t<A>, std::remove_reference_t<A>&&>>;
}  // namespace eddy::detail
