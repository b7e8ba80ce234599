// SPDX-License-Identifier: BSL-1.0
/// \file
/// `catch_error(f)`: on the source's first error item, drops the source and goes on with the
/// stream `f(error)` returns.
///
/// ```
/// source:  --1--2--E--3--|
/// f(E):             --7--8--|
///          catch_error(f)
/// output:  --1--2-----7--8--|
/// ```
/// - `f(eddy::error) -> stream` with the source's value type. The error is not emitted; the
///   source is destroyed (never pulled again) before `f`'s stream is pulled.
/// - Only the source's first error is caught: the fallback's items, errors included, pass
///   through and do not end it (put another `catch_error` after this one to catch those).
///   The output ends when the source ends without an error, or when the fallback ends.
/// - If `f` throws (exceptions on), that becomes an `errc::exception` error item and the
///   stream ends.
/// - **Output timestamp: the items' own** (they pass unchanged).
/// - Buffers nothing; holds one stream at a time, pulled in the consumer's task (see
///   detail/sequence.hpp); synchronous when the streams are.
#pragma once
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/sequence.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `catch_error`: see the file comment and stream/concept.hpp.
template <class S, class F>
class catch_error_stream {
  using Fb = std::remove_cvref_t<std::invoke_result_t<F&, eddy::error&&>>;
  static_assert(stream<Fb>, "eddy::catch_error: f(error) must return a stream");

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;
  static_assert(std::is_same_v<stream_value_t<Fb>, value_type>,
                "eddy::catch_error: f(error) must return a stream of the source's value type");

  /// Made by `catch_error(...)`.
  catch_error_stream(S s, F f) : s_(std::move(s)), f_(std::move(f)) {}

  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  detail::sequence_next<catch_error_stream> next() noexcept {
    return detail::sequence_next<catch_error_stream>(*this);
  }

  /// Answers while the current stream answers synchronously (see stream/concept.hpp).
  template <class V>
  bool try_visit(V& v) {
    for (;;) {
      if (dead_) {
        v.end();
        return true;
      }
      if (fb_) return detail::try_visit_of(*fb_, v);
      struct catcher {
        V& v;
        std::optional<eddy::error> caught;
        void value(value_type&& x) { v.value(std::move(x)); }
        void error(eddy::error&& err) { caught.emplace(std::move(err)); }
        void end() { v.end(); }
      } c{v, std::nullopt};
      if (!detail::try_visit_of(*s_, c)) return false;
      if (!c.caught) return true;
      detail::tracking_emitter<V> e{v};
      switch_to_fallback(std::move(*c.caught), e);
      if (e.emitted) return true;
    }
  }

 private:
  friend struct detail::sequence_access;
  auto wait_current() {
    return detail::one_of_next<value_type, S, Fb>(fb_ ? 1 : 0, s_ ? &*s_ : nullptr,
                                                  fb_ ? &*fb_ : nullptr);
  }
  template <class E>
  void take(std::optional<item<value_type>>&& r, E& e) {
    if (fb_ || !r || r->is_value()) {
      detail::visit_result(std::move(r), e);
      return;
    }
    switch_to_fallback(std::move(*r).error(), e);
  }
  /// Called outside any call into the source, which it destroys.
  template <class E>
  void switch_to_fallback(eddy::error&& err, E& e) {
    s_.reset();
    detail::guarded(
        e, [&]() -> Fb { return f_(std::move(err)); },
        [&](Fb&& fb) { fb_.emplace(std::move(fb)); });
    if (!fb_) dead_ = true;  // f threw: its error was emitted, the end follows
  }

  std::optional<S> s_;
  F f_;
  std::optional<Fb> fb_;
  bool dead_ = false;
  detail::frame_cache cache_;
};

/// `s | catch_error(f)`: see the file comment.
template <class F>
auto catch_error(F f) {
  return detail::bind_stream<catch_error_stream, F>(std::move(f));
}

}  // namespace eddy
