// SPDX-License-Identifier: BSL-1.0
/// \file
/// The emitters' helpers shared by the stream operators: `guarded` (a user function's
/// exception becomes an error item), `arg_check` (bad operator arguments become one
/// `errc::invalid_argument` error, then the end) and `tracking_emitter`.
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/config.hpp"
#include "eddy/core/error.hpp"

#if EDDY_HAS_EXCEPTIONS
#include <exception>
#endif

namespace eddy::detail {

/// Runs `compute()`. If it throws (exceptions on), emits the exception as an
/// `errc::exception` error on `e`; otherwise calls `use(result)` (or `use()` for void). The
/// exception handler covers only the user function, never what `use` emits downstream.
template <class E, class F, class G>
inline void guarded(E& e, F&& compute, G&& use) {
  using R = decltype(compute());
#if EDDY_HAS_EXCEPTIONS
  if constexpr (std::is_void_v<R>) {
    try {
      compute();
    } catch (...) {
      e.error(error::from_exception(std::current_exception()));
      return;
    }
    use();
  } else {
    std::optional<R> r;
    try {
      r.emplace(compute());
    } catch (...) {
      e.error(error::from_exception(std::current_exception()));
      return;
    }
    use(std::move(*r));
  }
#else
  (void)e;  // only exceptions become errors on `e`
  if constexpr (std::is_void_v<R>) {
    compute();
    use();
  } else {
    use(compute());
  }
#endif
}

/// Bad operator arguments: the stream yields one `errc::invalid_argument` error (with
/// `message`) and then ends, without ever pulling its upstream.
class arg_check {
 public:
  arg_check() noexcept = default;
  explicit arg_check(const char* bad_message) noexcept : msg_(bad_message) {}
  bool bad() const noexcept { return msg_ != nullptr; }
  /// For `pre`: emits the error, then the end, when the arguments were bad.
  template <class E>
  void report(E& e) {
    if (!msg_) return;
    if (!reported_) {
      reported_ = true;
      e.error(error{errc::invalid_argument, 0, msg_});
    } else {
      e.end();
    }
  }

 private:
  const char* msg_ = nullptr;
  bool reported_ = false;
};

/// Wraps an emitter and records whether anything was emitted.
template <class E>
struct tracking_emitter {
  E& e;
  bool emitted = false;
  template <class U>
  void value(U&& v) {
    emitted = true;
    e.value(std::forward<U>(v));
  }
  void error(eddy::error&& err) {
    emitted = true;
    e.error(std::move(err));
  }
  void end() {
    emitted = true;
    e.end();
  }
};

}  // namespace eddy::detail
