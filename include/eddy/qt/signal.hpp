// SPDX-License-Identifier: BSL-1.0
/// \file
/// `eddy::qt::from_signal(sender, &Sender::signal, policy)`: a Qt signal as a hot eddy stream
/// (target `eddy::qt`).
///
/// ```cpp
/// QTimer tick;
/// auto s = eddy::qt::from_signal(&tick, &QTimer::timeout);      // stream of eddy::unit
/// auto sizes = eddy::qt::from_signal(&edit, &Editor::resized,   // stream of int
///                                    eddy::buffer_policy::drop_oldest(8));
/// while (auto it = co_await sizes.next()) use(it->value());
/// ```
/// ```
/// emitted:   --a--b--c--------d--(sender destroyed)
/// stream:    --a--b--c--------d--|
/// ```
/// - Each emission after `from_signal` returns becomes one value: `unit` for a signal without
///   arguments, the (decayed) argument for one, a `std::tuple` of them for several (Qt's
///   trailing `QPrivateSignal` tag is not an argument). Emissions before the call are not seen
///   (a hot source, like `subject`).
/// - The stream has a bounded buffer with `policy` (see buffer_policy.hpp; default
///   `drop_oldest(64)`). An emitter cannot wait: `overflow::wait` is taken as `overflow::error`
///   (a full buffer cuts the stream off with `errc::full` instead of losing items silently);
///   `dropped()` counts what a dropping policy dropped. No allocation per emission beyond the
///   copy of the arguments `T` makes itself.
/// - The connection is direct: the value is copied into the buffer on the emitting thread,
///   whatever thread that is, and the consumer is resumed on its own runtime (posted there).
/// - The end: when the sender is destroyed (Qt drops the connection), the stream yields what it
///   buffered, then ends. Destroying the stream disconnects (thread-safe).
/// - Thread-safety: `from_signal` may be called on any thread; the stream is a normal stream (one
///   consumer at a time).
#pragma once
#include <QObject>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

#include "eddy/core/unit.hpp"
#include "eddy/stream/buffer_policy.hpp"
#include "eddy/stream/subject.hpp"

namespace eddy::qt {

namespace detail {

/// The `QPrivateSignal` tag that Qt's own signals take last: not a value, dropped. Found as Qt
/// does it (its injected class name; `class` keeps the lookup to the class itself).
template <class L, class = void>
inline constexpr bool private_signal_tag = false;
template <class L>
inline constexpr bool
    private_signal_tag<L, std::enable_if_t<std::is_class_v<class L::QPrivateSignal>>> = true;

template <class Tuple, class Seq>
struct take_first;
template <class Tuple, std::size_t... I>
struct take_first<Tuple, std::index_sequence<I...>> {
  using type = std::tuple<std::tuple_element_t<I, Tuple>...>;
};
/// The signal's arguments that carry values (a `std::tuple` of them).
template <class... A>
struct value_args {
  using type = std::tuple<A...>;
};
template <class... A>
  requires(
      sizeof...(A) > 0 &&
      private_signal_tag<std::decay_t<std::tuple_element_t<sizeof...(A) - 1, std::tuple<A...>>>>)
struct value_args<A...> {
  using type =
      typename take_first<std::tuple<A...>, std::make_index_sequence<sizeof...(A) - 1>>::type;
};

/// The stream value for arguments `A...`: `unit`, the one argument, or a tuple; and the slot
/// connected to the signal, which copies them into the subject and never waits.
template <class Args>
struct signal_binding;
template <class... A>
struct signal_binding<std::tuple<A...>> {
  using value = std::conditional_t<
      sizeof...(A) == 0, unit,
      std::conditional_t<sizeof...(A) == 1,
                         std::tuple_element_t<0, std::tuple<std::decay_t<A>..., unit>>,
                         std::tuple<std::decay_t<A>...>>>;
  struct forward {
    subject<value> out;
    void operator()(const std::decay_t<A>&... a) {
      if constexpr (sizeof...(A) == 0)
        (void)out.try_send(unit{});
      else if constexpr (sizeof...(A) == 1)
        (void)out.try_send(a...);
      else
        (void)out.try_send(value{a...});
    }
  };
};

/// What `from_signal` needs of a signal `R (C::*)(A...)`.
template <class Signal>
struct signal_traits;
template <class C, class R, class... A>
struct signal_traits<R (C::*)(A...)> {
  using object = C;
  using binding = signal_binding<typename value_args<A...>::type>;
  using value = typename binding::value;
};

}  // namespace detail

/// The stream of `from_signal`: the emitted values, in emission order (see the file comment).
/// Move-only; destroying it disconnects from the signal.
template <class T>
class signal_stream {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = T;

  /// Made by `from_signal`: reads `in`, owns `connection`.
  signal_stream(subject_stream<T> in, QMetaObject::Connection connection) noexcept
      : in_(std::move(in)), conn_(std::move(connection)) {}
  /// Takes over `o`'s buffer and connection; `o` is left ended.
  signal_stream(signal_stream&& o) noexcept = default;
  /// Disconnects from the current signal and takes over `o`'s.
  signal_stream& operator=(signal_stream&& o) noexcept {
    if (this != &o) {
      QObject::disconnect(conn_);
      in_ = std::move(o.in_);
      conn_ = std::move(o.conn_);
    }
    return *this;
  }
  signal_stream(const signal_stream&) = delete;
  signal_stream& operator=(const signal_stream&) = delete;
  /// Disconnects from the signal.
  ~signal_stream() { QObject::disconnect(conn_); }

  /// The next emitted value, an `errc::full` error (cut off), or the end (sender destroyed):
  /// suspends while the buffer is empty; resumes on the consumer's runtime. Cancel-safe.
  auto next() noexcept { return in_.next(); }
  /// The synchronous fast path (stream/concept.hpp): a buffered item without suspending.
  template <class V>
  bool try_visit(V& v) {
    return in_.try_visit(v);
  }
  /// How many emissions the buffer's policy dropped.
  std::uint64_t dropped() const { return in_.dropped(); }

 private:
  subject_stream<T> in_;
  QMetaObject::Connection conn_;
};

/// A stream of `sender`'s `signal` (a pointer to a signal member of `Sender` or a base) with a
/// buffer of `policy` (see the file comment). `sender` must be alive now; the stream ends when
/// it is destroyed.
template <class Sender, class Signal>
  requires std::is_base_of_v<QObject, Sender> &&
           std::is_base_of_v<typename detail::signal_traits<Signal>::object, Sender>
signal_stream<typename detail::signal_traits<Signal>::value> from_signal(
    const Sender* sender, Signal signal, buffer_policy policy = buffer_policy::drop_oldest(64)) {
  using traits = detail::signal_traits<Signal>;
  using value = typename traits::value;
  if (policy.on_full == overflow::wait) policy.on_full = overflow::error;  // an emitter can't wait
  subject<value> out{policy};
  auto in = out.subscribe();
  // The connection's slot holds the subject's only handle: when Qt drops the connection (sender
  // destroyed, or disconnect), the handle goes and the subject closes, which ends the stream.
  auto conn = QObject::connect(sender, signal, typename traits::binding::forward{std::move(out)});
  return signal_stream<value>{std::move(in), std::move(conn)};
}

}  // namespace eddy::qt
