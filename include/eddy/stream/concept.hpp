// SPDX-License-Identifier: BSL-1.0
/// \file
/// The stream concept and the small machinery every stream source and operator shares.
///
/// A *stream* is any object `s` with `s.next()` returning an awaitable whose result is
/// `std::optional<item<T>>`: a value or an error (`item<T>`), or empty for the end. The contract
/// every eddy stream keeps, and that operators assume of their input:
/// - **One consumer, one `next()` at a time.** A stream is not thread-safe; the next `next()`
///   starts after the previous one completed (or its awaiter was destroyed). A stream may be
///   moved only while no `next()` is in flight.
/// - **Fused.** After the end, every `next()` gives the end again.
/// - **Synchronous when it can.** An awaiter that can answer at once says so in `await_ready()`,
///   so a chain of synchronous stages completes without suspending (a loop, no coroutine hop).
/// - **Cancel-safe.** Destroying a `next()` awaiter while it is suspended (a task aborted, a
///   `timeout`, a cancelled `subscribe`) deregisters its waits and gives back anything it was
///   handed but had not returned; the stream stays usable unless its documentation says
///   otherwise (a `generator` suspended inside its body cannot be resumed later: it ends).
///
/// **Synchronous fast path (optional).** A stream may also have
/// `template <class V> bool try_visit(V& v)`: if the next item is available without suspending,
/// it calls exactly one of `v.value(T&&)`, `v.error(eddy::error&&)`, `v.end()` and returns true;
/// otherwise it consumes nothing that matters and returns false (then `next()` is used). Values
/// travel as plain arguments through inlined calls, so a synchronous chain of operators becomes
/// one loop with its state in registers. Sources that can answer at once (`from_range`,
/// `from_items`, `just`, `empty`) and every single-input operator have it; `subscribe` uses it.
/// Its run form `visit_while(v)` (optional too, see `detail::visit_while_of`) delivers item after
/// item while `v.more()`: `from_range` and the stages `map`, `filter` and `scan` keep their state
/// in locals for the run, so a synchronous pipeline under `subscribe` compiles to one plain loop;
/// `merge` runs its turns over its inputs in one loop too.
#pragma once
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/coro.hpp"
#include "eddy/core/detail/awaitable.hpp"
#include "eddy/stream/item.hpp"

namespace eddy {

namespace detail {

template <class R>
struct optional_item_traits {
  static constexpr bool value = false;
};
template <class T>
struct optional_item_traits<std::optional<item<T>>> {
  static constexpr bool value = true;
  using type = T;
};

/// The stream value type for elements of type `E`: `T` for `item<T>`, else `E`.
template <class E>
struct range_item {
  using type = E;
};
template <class T>
struct range_item<item<T>> {
  using type = T;
};

}  // namespace detail

/// The type of `co_await s.next()`.
template <class S>
using next_result_t = detail::await_result_of_t<decltype(std::declval<S&>().next())>;

/// Anything whose `next()` gives an awaitable of `std::optional<item<T>>`.
template <class S>
concept stream = requires(S& s) { s.next(); } &&
                 detail::optional_item_traits<std::remove_cvref_t<next_result_t<S>>>::value;

/// The `T` of a stream of `item<T>`.
template <stream S>
using stream_value_t =
    typename detail::optional_item_traits<std::remove_cvref_t<next_result_t<S>>>::type;

namespace detail {
/// `s.try_visit(v)` when the stream has it, else false ("no synchronous answer").
template <class S, class V>
inline bool try_visit_of(S& s, V& v) {
  if constexpr (requires { s.try_visit(v); }) {
    return s.try_visit(v);
  } else {
    return false;
  }
}

/// The run form of the fast path: delivers item after item to `v` while `v.more()` is true
/// (asked before each item; it must be false once `v` got the end) and the answers are
/// synchronous. Returns true when it stopped on `!v.more()` (or `v` got the end), false
/// when it stopped before an item without taking it: then `try_visit` may still answer (an
/// operator's chain leaves an item taken by a wait to it) or the consumer waits with `next()`. A
/// stream with `template <class V> bool visit_while(V& v)` runs the loop itself, keeping its
/// position in registers for the run (`from_range`, the stages that opt in); any other stream is
/// visited one `try_visit` at a time.
template <class S, class V>
inline bool visit_while_of(S& s, V& v) {
  if constexpr (requires { s.visit_while(v); }) {
    return s.visit_while(v);
  } else {
    while (v.more()) {
      if (!try_visit_of(s, v)) return false;
    }
    return true;
  }
}

/// A visitor that stores the item into an `std::optional<item<T>>` (left empty for the end).
template <class T>
struct store_visitor {
  std::optional<item<T>>& out;
  template <class U>
  void value(U&& v) {
    out.emplace(std::forward<U>(v));
  }
  void error(eddy::error&& e) { out.emplace(std::move(e)); }
  void end() noexcept {}
};

/// Calls the member of `v` that matches `r` (a `next()` result).
template <class T, class V>
inline void visit_result(std::optional<item<T>>&& r, V& v) {
  if (!r)
    v.end();
  else if (r->is_value())
    v.value(std::move(*r).value());
  else
    v.error(std::move(*r).error());
}

/// The awaiter of one `s.next()` call, held in place.
template <class S>
class next_of : public awaitable_holder<decltype(std::declval<S&>().next())> {
  using base = awaitable_holder<decltype(std::declval<S&>().next())>;

 public:
  explicit next_of(S& s) : base(from_call, [&s]() -> decltype(auto) { return s.next(); }) {}
};
}  // namespace detail

}  // namespace eddy
