// SPDX-License-Identifier: BSL-1.0
/// \file
/// `errc` and `error`: eddy's errors as values. An `error` is small (a code, a count, a static
/// message) and, when exceptions are on, may carry a captured `std::exception_ptr`; then its
/// `message()` is the exception's `what()`.
#pragma once
#include <cstdint>

#include "eddy/core/config.hpp"

#if EDDY_HAS_EXCEPTIONS
#include <exception>
#endif

namespace eddy {

/// What went wrong: the kind of an `error`. Compare with `==`; `to_string` names it.
enum class errc : std::uint8_t {
  aborted = 1,       ///< the task was aborted (join_handle::abort, scope::cancel)
  timed_out,         ///< a deadline passed
  closed,            ///< the other side of a channel is gone
  lagged,            ///< a broadcast receiver fell behind; `count()` is how many it missed
  invalid_argument,  ///< bad input: capacity 0, negative count, moved-from handle, ...
  user,              ///< an application error; `count()` is a free code
  full,              ///< try_send on a full channel
  empty,             ///< try_recv on an empty channel
  deadlock,          ///< sim_runtime: nothing runnable, no timer, and the root task unfinished
  exception,         ///< a task ended with an exception; `exception()` holds it
  out_of_memory,     ///< a frame or buffer allocation failed (firmware arenas)
  io,                ///< an I/O library or the system failed; `count()` is its error number
  /// `once_cell::set` / `set_once::set` on a cell that already has its value
  already_initialized,
  /// `once_cell::set` while another caller is initialising the cell
  initializing,
};

/// The fixed description of a code. Never null.
const char* to_string(errc code) noexcept;

/// An error value: code, an optional count (lagged: items missed; user: a free code) and an
/// optional static message. Cheap to copy. Thread-compatible (like an int).
class error {
 public:
  /// An error with `code`, an optional count and an optional static message (not copied: it
  /// must outlive the error, e.g. a string literal).
  error(errc code, std::uint64_t count = 0, const char* message = nullptr) noexcept
      : code_(code), count_(count), message_(message) {}

  /// What went wrong.
  constexpr errc code() const noexcept { return code_; }
  /// lagged: the number of values missed; user: the application's code; otherwise 0.
  constexpr std::uint64_t count() const noexcept { return count_; }
  /// The static message given at construction; for `from_exception`, the exception's `what()`
  /// (valid while this error or a copy of it lives: they keep the exception alive); else
  /// `to_string(code())`. Never null.
  const char* message() const noexcept { return message_ ? message_ : to_string(code_); }

  /// Equal when code and count are equal (messages and exceptions are not compared).
  friend bool operator==(const error& a, const error& b) noexcept {
    return a.code_ == b.code_ && a.count_ == b.count_;
  }
  /// True when the code is `b`.
  friend bool operator==(const error& a, errc b) noexcept { return a.code_ == b; }

#if EDDY_HAS_EXCEPTIONS
  /// An error of code `errc::exception` holding `ex`, whose `message()` is `ex`'s `what()` (for
  /// an exception not derived from `std::exception`, a fixed text saying so). Works without
  /// RTTI (the exception is rethrown and caught as `std::exception` once, here).
  static error from_exception(std::exception_ptr ex) noexcept;
  /// The captured exception, or null.
  const std::exception_ptr& exception() const noexcept { return exception_; }
  /// Rethrows the captured exception, or throws `panic_error` with the message.
  [[noreturn]] void rethrow() const;
#endif

 private:
  errc code_;
  std::uint64_t count_;
  const char* message_;
#if EDDY_HAS_EXCEPTIONS
  std::exception_ptr exception_;
#endif
};

}  // namespace eddy
