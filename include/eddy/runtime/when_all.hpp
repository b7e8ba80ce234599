// SPDX-License-Identifier: BSL-1.0
/// \file
/// `when_all(a, b, ...)`, `try_when_all(a, b, ...)` and their range forms: run awaitables
/// concurrently inside the awaiting task and give all their results.
///
/// The operands run as *branches* of the awaiting task, not as spawned tasks: no task, no
/// frame and no allocation per operand (the fixed-arity forms allocate nothing beyond what the
/// operands themselves need; the range forms allocate their arrays). Branches start in argument
/// order, each running until it first suspends; then the task resumes whichever branches were
/// woken, in argument order. Everything stays on the task's executor (no parallelism: the
/// operands are concurrent, like `tokio::join!`).
///
/// Operands: any awaitable — `task<T>` (as an rvalue), `join_handle<T>` (a variable is fine),
/// `rx.recv()`, `tx.send(v)`, `sleep(d)`, `m.lock()`, `s.acquire()`, `timeout(d, x)`,
/// another `when_all` / `when_any`, anything with `operator co_await` or the awaiter members.
/// A movable temporary is moved into the combinator; an awaitable variable with
/// `operator co_await` is used in place (it must outlive the `co_await`); an awaiter operand
/// (one without `operator co_await`) must be a temporary (a compile-time error otherwise). Await
/// the combinator in the expression that makes it (`co_await when_all(...)`).
///
/// Policy:
/// - `when_all` waits for **every** operand and gives `std::tuple<result<R>...>`, one element
///   per operand: the value, or the error. An operand that already gives a `result<T>` keeps
///   it (no `result<result<T>>`); `void` gives `result<void>`. An exception escaping an operand
///   (a task body, an `await_resume`) becomes that element's error (`errc::exception`, whose
///   `message()` is the exception's `what()`). Nothing is cancelled: an error in one operand
///   does not stop the others.
/// - `try_when_all` is the first-error form: it gives `result<std::tuple<V...>>` where `V` is
///   the value type (`result<T>` unwrapped to `T`, `void` to `unit`). The first operand to
///   complete with an error — a `result` holding an error, or an escaped exception — cancels
///   every other branch at once (frames destroyed at their suspension point, cancel-safe waits
///   lose nothing) and that error is the result. Only `result` errors count: an empty
///   `std::optional` (a `recv` on a closed channel) is a value.
///
/// Cancellation of the awaiting task (`join_handle::abort`, a scope's cancel, an enclosing
/// `timeout`) while it waits in a combinator cancels every branch. A branch waiting in a
/// foreign operation (Asio `use_task`, an `eddy/uv/` request) follows the request-and-wait
/// rule of task_header.hpp: the operation is asked to stop and the abort completes once its
/// completion has run.
///
/// Thread-safety: an awaiter object, used by the one task that awaits it.
#pragma once
#include "eddy/runtime/detail/when.hpp"

namespace eddy {

/// Runs `a...` concurrently as branches of the awaiting task; `co_await` gives
/// `std::tuple<result<R>...>` once every operand has completed (see the file comment).
template <class... A>
  requires(sizeof...(A) > 0)
auto when_all(A&&... a) {
  return detail::when_awaiter<detail::when_mode::all, A&&...>(std::in_place, std::forward<A>(a)...);
}

/// Like `when_all`, but the first operand to complete with an error (a `result` error or an
/// exception) cancels the others; `co_await` gives `result<std::tuple<V...>>`.
template <class... A>
  requires(sizeof...(A) > 0)
auto try_when_all(A&&... a) {
  return detail::when_awaiter<detail::when_mode::try_all, A&&...>(std::in_place,
                                                                  std::forward<A>(a)...);
}

/// Runs every task of `tasks` concurrently as branches of the awaiting task; `co_await` gives
/// `std::vector<result<T>>` in the order of `tasks` (empty at once for an empty vector).
template <class T>
auto when_all(std::vector<task<T>> tasks) {
  return detail::when_range_awaiter<detail::when_mode::all, T>(std::move(tasks));
}

/// The range form of `try_when_all`: `result<std::vector<V>>`, the first error cancels the
/// other tasks.
template <class T>
auto try_when_all(std::vector<task<T>> tasks) {
  return detail::when_range_awaiter<detail::when_mode::try_all, T>(std::move(tasks));
}

}  // namespace eddy
