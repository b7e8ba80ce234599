// SPDX-License-Identifier: BSL-1.0
/// \file
/// What a suspended task waits on, for task dumps (`runtime::dump`): a static `wait_kind` (the
/// primitive and operation, e.g. "mpsc::recv") and the object, recorded by
/// `detail::suspend_here` with the task (or the combinator branch) at every suspension. Two
/// stores per suspension; nothing is allocated, locked or formatted until somebody dumps.
///
/// `dump_sink` is where a dump writes: a function and its context, so that it works on every
/// target (a `FILE*`, a `std::string`, a UART, the browser console).
#pragma once
#include <cstdint>
#include <string_view>

namespace eddy {

/// Where `runtime::dump` writes: `write(ctx, text)` for each piece of text, in order. Not
/// thread-safe (one dump writes to it at a time); the writer must not call into eddy.
class dump_sink {
 public:
  /// The writer's signature.
  using write_fn = void (*)(void* ctx, std::string_view text);
  /// A sink that calls `fn(ctx, text)`.
  dump_sink(write_fn fn, void* ctx) noexcept : fn_(fn), ctx_(ctx) {}
  /// Writes `s`.
  dump_sink& operator<<(std::string_view s) {
    if (!s.empty()) fn_(ctx_, s);
    return *this;
  }
  /// Writes `s` (null: nothing).
  dump_sink& operator<<(const char* s) { return *this << std::string_view(s ? s : ""); }
  /// Writes one character.
  dump_sink& operator<<(char c) { return *this << std::string_view(&c, 1); }
  /// Writes `v` in decimal.
  dump_sink& operator<<(std::uint64_t v) {
    char b[24];
    char* p = b + sizeof b;
    do {
      *--p = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v);
    return *this << std::string_view(p, static_cast<std::size_t>(b + sizeof b - p));
  }
  /// Writes `v` in decimal.
  dump_sink& operator<<(std::uint32_t v) { return *this << static_cast<std::uint64_t>(v); }
  /// Writes `v` in decimal.
  dump_sink& operator<<(int v) {
    if (v < 0) *this << '-';
    return *this << static_cast<std::uint64_t>(v < 0 ? -static_cast<std::int64_t>(v) : v);
  }
  /// Writes `ns` nanoseconds as seconds with three decimals ("1.250 s").
  void seconds(std::int64_t ns) {
    if (ns < 0) {
      *this << '-';
      ns = -ns;
    }
    const auto ms = static_cast<std::uint64_t>(ns / 1000000);
    *this << ms / 1000 << '.';
    const auto frac = static_cast<unsigned>(ms % 1000);
    *this << static_cast<char>('0' + frac / 100) << static_cast<char>('0' + frac / 10 % 10)
          << static_cast<char>('0' + frac % 10) << " s";
  }
  /// Writes ` 'name'` when `name` is set, else nothing.
  void name(const char* name) {
    if (name && *name) *this << " '" << name << '\'';
  }

 private:
  write_fn fn_;
  void* ctx_;
};

namespace detail {

/// The kind of a wait: what the suspension waits on. A static object per operation.
struct wait_kind {
  /// The primitive and operation, e.g. "mpsc::recv"; what is printed when `describe` is null.
  const char* what;
  /// Prints the wait (the primitive, its identity, the detail) for a dump, e.g.
  /// `mpsc::recv on channel 'jobs'`. `k` is this kind, `obj` the object given to
  /// `suspend_here`. Called only while the waiting task is not running (the dump holds it);
  /// reads nothing that another thread writes without synchronisation. Null: prints `what`.
  void (*describe)(const wait_kind& k, const void* obj, dump_sink& out);
};

/// A recorded wait: its kind and the object.
struct wait_desc {
  const wait_kind* kind = nullptr;  ///< null: nothing recorded
  const void* obj = nullptr;        ///< given to `kind->describe`
};

/// The kind recorded by a suspension that names nothing.
inline constexpr wait_kind generic_wait{"waiting", nullptr};

/// Prints `d` (the kind's description, or "waiting").
inline void describe_wait(const wait_desc& d, dump_sink& out) {
  if (!d.kind)
    out << generic_wait.what;
  else if (d.kind->describe)
    d.kind->describe(*d.kind, d.obj, out);
  else
    out << d.kind->what;
}

/// A `describe` for a primitive `P` with a `const char* name() const`: `what 'name'`.
template <class P>
void describe_named(const wait_kind& k, const void* obj, dump_sink& out) {
  out << k.what;
  out.name(static_cast<const P*>(obj)->name());
}

/// The compiler's text naming `T` (inside `__PRETTY_FUNCTION__`; no RTTI needed). Static.
template <class T>
const char* pretty_name() noexcept {
  return __PRETTY_FUNCTION__;
}

/// Prints the unqualified name of the type in `pretty` (what `pretty_name<T>()` gives), without
/// its template arguments: `initiate_async_read_until_delim_v2`.
inline void print_type_name(dump_sink& out, const char* pretty) {
  const std::string_view p(pretty);
  std::size_t b = p.find("T = ");
  if (b == std::string_view::npos) {
    out << p;
    return;
  }
  b += 4;
  std::size_t e = b;
  while (e < p.size() && p[e] != '<' && p[e] != ';' && p[e] != ']') ++e;
  std::string_view n = p.substr(b, e - b);
  if (const std::size_t c = n.rfind("::"); c != std::string_view::npos) n.remove_prefix(c + 2);
  out << n;
}

}  // namespace detail
}  // namespace eddy
