// SPDX-License-Identifier: BSL-1.0
/// \file
/// `eddy::source_location`: a file, a line and a function, captured at a call site.
///
/// The standard `<source_location>` is missing from the libc++ of Debian's emscripten, so eddy
/// builds its own on the compiler built-ins every supported compiler has (g++ 12, clang 16,
/// emscripten's clang, arm-none-eabi-g++): `__builtin_FILE()`, `__builtin_LINE()` and
/// `__builtin_FUNCTION()`. Used as a defaulted last parameter, `source_location::current()`
/// gives the caller's location, as `std::source_location::current()` does.
#pragma once
#include <cstdint>

namespace eddy {

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

}  // namespace eddy
