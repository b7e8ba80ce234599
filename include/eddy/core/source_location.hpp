// SPDX-License-Identifier: BSL-1.0
/// \file
/// `eddy::source_location`: a file, a line and a function, captured at a call site.
///
/// Where the standard library has `<source_location>` (g++ 12, clang 16 with libstdc++,
/// arm-none-eabi-g++), it wraps `std::source_location`: one pointer to a record the compiler
/// keeps in static storage, so a task's spawn location and a frame's `co_await` site cost
/// 8 bytes each. The libc++ of Debian's emscripten has no `<source_location>`; there eddy
/// keeps the three values itself, from the built-ins every supported compiler has
/// (`__builtin_FILE()`, `__builtin_LINE()`, `__builtin_FUNCTION()`). Either way, used as a
/// defaulted last parameter, `source_location::current()` gives the caller's location, as
/// `std::source_location::current()` does.
#pragma once
#include <cstdint>

#if defined(__has_include)
#if __has_include(<source_location>)
#include <source_location>
#endif
#endif

namespace eddy {

#if defined(__cpp_lib_source_location)
/// A source position. Trivially copyable; the strings are the compiler's (static storage),
/// never owned. Thread-safe to copy and read.
struct source_location {
  /// The location of the call site when used as a default argument; otherwise of this line.
  static constexpr source_location current(
      std::source_location l = std::source_location::current()) noexcept {
    source_location s;
    s.l_ = l;
    return s;
  }
  /// The file name as the compiler saw it (never null; "" when unknown).
  constexpr const char* file_name() const noexcept { return l_.file_name(); }
  /// The line number, from 1; 0 when unknown.
  constexpr std::uint_least32_t line() const noexcept { return l_.line(); }
  /// The enclosing function's name (never null; "" when unknown).
  constexpr const char* function_name() const noexcept { return l_.function_name(); }

 private:
  std::source_location l_{};  // a default one (no record) reads as "", 0, ""
};
#else
/// A source position. Trivially copyable; the strings are the compiler's literals (static
/// storage), never owned. Thread-safe to copy and read.
struct source_location {
  /// The location of the call site when used as a default argument; otherwise of this line.
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           std::uint_least32_t line = __builtin_LINE(),
                                           const char* function = __builtin_FUNCTION()) noexcept {
    source_location l;
    l.file_ = file;
    l.line_ = line;
    l.function_ = function;
    return l;
  }
  /// The file name as the compiler saw it (never null; "" when unknown).
  constexpr const char* file_name() const noexcept { return file_; }
  /// The line number, from 1; 0 when unknown.
  constexpr std::uint_least32_t line() const noexcept { return line_; }
  /// The enclosing function's name (never null; "" when unknown).
  constexpr const char* function_name() const noexcept { return function_; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  std::uint_least32_t line_ = 0;
};
#endif

}  // namespace eddy
