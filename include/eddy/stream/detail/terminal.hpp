// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::run_terminal(s, acc)`: the loop shared by the terminals (`reduce`, `count`, `first`,
/// `last`, `element_at`, `to_vector`), and `detail::terminal_closure`, their `s | t` form.
///
/// The accumulator `acc` has `bool value(T&& v)` (true: the terminal has what it needs, stop
/// pulling) and `result<R> finish()` (called at the end or after a stop; the terminal gives
/// that `result<R>`). The first error item ends the loop with that error (nothing is skipped); an
/// exception thrown by `acc.value` (a user function, exceptions on) ends it with an
/// `errc::exception` error. `acc.check()` may answer first (bad arguments: nothing is pulled).
///
/// The loop takes the stream's synchronous answers in a plain loop (`try_visit`); for a stage
/// chain it waits for the chain's source, else for `next()`. One task frame per terminal, no
/// allocation per item.
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/stream/concept.hpp"
#include "eddy/stream/detail/emit.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy::detail {

/// Feeds the items of a terminal's stream to its accumulator.
template <class T, class Acc>
struct terminal_visitor {
  Acc& acc;
  std::optional<eddy::error>& err;
  bool stop = false;
  void value(T&& v) {
    guarded(
        *this, [&] { return acc.value(std::move(v)); },
        [&](bool done) {
          if (done) stop = true;
        });
  }
  void error(eddy::error&& e) {
    if (!err) err.emplace(std::move(e));
    stop = true;
  }
  void end() noexcept { stop = true; }
};

/// See the file comment.
template <class S, class Acc>
task<decltype(std::declval<Acc&>().finish())> run_terminal(S s, Acc acc) {
  using T = stream_value_t<S>;
  if constexpr (requires { acc.check(); }) {
    if (std::optional<eddy::error> bad = acc.check()) co_return std::move(*bad);
  }
  std::optional<eddy::error> err;
  terminal_visitor<T, Acc> v{acc, err};
  while (!v.stop) {
    if (try_visit_of(s, v)) continue;
    if constexpr (is_stage<S>) {
      co_await source_wait<S>(s);  // the item waits in the chain; `try_visit` takes it
    } else {
      auto r = co_await s.next();
      visit_result(std::move(r), v);
    }
  }
  if (err) co_return std::move(*err);
  co_return acc.finish();
}

/// The closure of a terminal: `s | it` is `run_terminal(s, acc)` (a `task<result<R>>`).
template <class Make>
struct terminal_closure : pipe_closure {
  Make make;  ///< `make.template operator()<T>()` gives the accumulator for values of `T`
  template <class S>
  auto apply(S&& s) && {
    using D = std::remove_cvref_t<S>;
    return run_terminal(D(std::forward<S>(s)), make.template operator()<stream_value_t<D>>());
  }
};

/// A terminal's closure from a generic lambda `[]<class T>() { return acc; }`.
template <class Make>
terminal_closure<Make> terminal(Make make) {
  return {{}, std::move(make)};
}

/// The error of a terminal whose stream ended without the value it asked for.
inline eddy::error empty_stream(const char* message) noexcept {
  return eddy::error{errc::empty, 0, message};
}

}  // namespace eddy::detail
