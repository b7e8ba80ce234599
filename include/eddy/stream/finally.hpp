// SPDX-License-Identifier: BSL-1.0
/// \file
/// `finally(f)` (also named `on_completion(f)`): calls `f()` exactly once, when the stream ends
/// (before `next()` reports the end) or, if it never ended, when the stream is destroyed.
///
/// ```
/// source:  --1--E--2--|
///          finally(f)           f runs here, then the end is reported
/// output:  --1--E--2--|
/// ```
/// - Every item passes unchanged; errors do not run `f` (they do not end a stream).
/// - `f()` runs at most once per stream object: after the end, further `next()` calls give the
///   end without calling it again; a moved-from stream never calls it (the move target does).
/// - If `f` throws when the stream ends (exceptions on), an `errc::exception` error item comes
///   before the end. When it runs from the destructor it must not throw (destructors are
///   `noexcept`: that would terminate).
/// - Does not buffer; one-to-one, synchronous when the upstream is.
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `finally`: see the file comment and stream/concept.hpp.
template <class S, class F>
class finally_stream : public detail::stage<finally_stream<S, F>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `finally(...)`.
  finally_stream(S s, F f) : finally_stream::stage(std::move(s)), f_(std::move(f)) {}
  /// Move (only while no `next()` is in flight): the duty to call `f` moves with it.
  finally_stream(finally_stream&& o) noexcept(
      std::is_nothrow_move_constructible_v<S>&& std::is_nothrow_move_constructible_v<F>)
      : finally_stream::stage(std::move(o)), f_(std::move(o.f_)), ended_(o.ended_) {
    o.f_.reset();
  }
  finally_stream& operator=(finally_stream&&) = delete;
  /// Calls `f()` if the stream never ended.
  ~finally_stream() {
    if (f_) (*f_)();
  }

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  template <class E>
  void pre(E& e) {
    if (ended_) e.end();
  }
  template <class E>
  void on_end(E& e) {
    ended_ = true;
    if (!f_) {
      e.end();
      return;
    }
    std::optional<F> f = std::move(f_);
    f_.reset();
    detail::guarded(
        e, [&] { static_cast<void>((*f)()); }, [&] { e.end(); });  // a throw: its error, then
  }                                                                // the end (in `pre`)

  std::optional<F> f_;
  bool ended_ = false;
};

/// `s | finally(f)`: see the file comment. `f()` takes no argument.
template <class F>
auto finally(F f) {
  static_assert(std::is_invocable_v<F&>, "eddy::finally: f must be callable with no argument");
  return detail::bind_stream<finally_stream, F>(std::move(f));
}

/// `s | on_completion(f)`: the same as `finally(f)` (the name Kotlin Flow uses).
template <class F>
auto on_completion(F f) {
  return finally(std::move(f));
}

}  // namespace eddy
