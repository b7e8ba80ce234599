// SPDX-License-Identifier: BSL-1.0
/// \file
/// `when_any(a, b, ...)` and its range form: run awaitables concurrently inside the awaiting
/// task; the first to complete wins and the others are cancelled (tokio's `select!`, Asio's
/// `||`).
///
/// The operands run as branches of the awaiting task, as for `when_all` (see when_all.hpp for
/// which operands are accepted and how they are held): no allocation for the fixed-arity form.
///
/// Rules (the same on every runtime):
/// - Branches start in argument order; each runs until it first suspends. A branch that
///   completes while starting wins at once: the later ones never start.
/// - Afterwards, when the task runs, it resumes the woken branches in argument order; the first
///   of them to complete wins. So when several complete "at the same time" (their wakes are
///   pending together), the earlier argument wins: on `sim_runtime`, `when_any(sleep(5ms),
///   sleep(5ms))` gives index 0 on every seed.
/// - `co_await` gives `std::variant<V...>` (`void` → `unit`); `index()` is the winner's
///   argument position (alternatives may repeat a type: use `std::get<I>`). An exception that
///   escapes the winner is rethrown by `co_await` after the losers are cancelled.
/// - The losers are cancelled at once: their awaiters and task frames are destroyed at their
///   suspension points, before `co_await` returns. eddy's waits are cancel-safe, so a losing
///   `rx.recv()` leaves its item in the channel, a losing `m.lock()` holds no lock, a losing
///   `s.acquire()` keeps no permit, a losing `tx.send(v)` is never half-done (`v` was
///   delivered, when a receiver took it at the same instant, or it was not and is dropped).
/// - A losing branch waiting in a foreign operation (Asio `use_task`, an `eddy/uv/` request) is
///   asked to stop through the operation's own mechanism, and `when_any` completes only once
///   that completion has run (the frames it uses stay alive until then; task_header.hpp).
/// - Cancellation of the awaiting task while it waits cancels every branch (as for
///   `when_all`).
///
/// Thread-safety: an awaiter object, used by the one task that awaits it.
#pragma once
#include "eddy/runtime/detail/when.hpp"

namespace eddy {

/// Runs `a...` concurrently as branches of the awaiting task; the first to complete wins
/// (ties: the earlier argument) and the others are cancelled. `co_await` gives
/// `std::variant<V...>` whose `index()` is the winner (see the file comment).
template <class... A>
  requires(sizeof...(A) > 0)
auto when_any(A&&... a) {
  return detail::when_awaiter<detail::when_mode::any, A&&...>(std::in_place, std::forward<A>(a)...);
}

/// Runs every task of `tasks` concurrently; the first to complete wins and the others are
/// destroyed. `co_await` gives `result<std::pair<std::size_t, V>>`: the winner's position in
/// `tasks` and its value (`void` → `unit`), or `errc::invalid_argument` for an empty vector.
template <class T>
auto when_any(std::vector<task<T>> tasks) {
  return detail::when_range_awaiter<detail::when_mode::any, T>(std::move(tasks));
}

}  // namespace eddy
