// SPDX-License-Identifier: BSL-1.0
/// \file
/// `combined<Ts...>` (the output of `combine_latest`, `with_latest_from`, `zip`) and
/// `detail::hetero_inputs<S...>`, the inputs of the combining operators: streams of different
/// value types, each with a one-item head, in one `port_block`.
///
/// **Processing order** (the same for every combining operator): on each step every input
/// that has no head and has not ended is asked for one without waiting (see detail/port.hpp).
/// Of the heads held, an error goes first (the input listed first wins); then, when every
/// input's value type is `timestamped` with a common timestamp type, the value with the
/// smallest timestamp (ties: the input listed first); otherwise the inputs take turns (round
/// robin). An input's end is acted on only when no head is held at all, so items that are
/// already available are never cut off by an end that happens to be available too.
#pragma once
#include <array>
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/hub.hpp"
#include "eddy/stream/timestamp.hpp"

namespace eddy {

namespace detail {

template <class... T>
struct common_ts {
  static constexpr bool ordered = false;
};
template <class... T>
  requires(timestamped<T> && ...) && requires { typename std::common_type_t<timestamp_t<T>...>; }
struct common_ts<T...> {
  using type = std::common_type_t<timestamp_t<T>...>;
  static constexpr bool ordered = std::totally_ordered<type>;
};

/// Calls `f(std::integral_constant<std::size_t, I>{})` for the `I == i`.
template <std::size_t N, class F>
void with_index(std::size_t i, F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    static_cast<void>(
        ((i == I ? (f(std::integral_constant<std::size_t, I>{}), true) : false) || ...));
  }(std::make_index_sequence<N>{});
}

/// Calls `f(std::integral_constant<std::size_t, I>{})` for every `I < N`.
template <std::size_t N, class F>
void for_index(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::integral_constant<std::size_t, I>{}), ...);
  }(std::make_index_sequence<N>{});
}

/// Holds the trigger's timestamp when the values are timestamped.
template <class... Ts>
struct combined_stamp {};
template <class... Ts>
  requires common_ts<Ts...>::ordered
struct combined_stamp<Ts...> {
  typename common_ts<Ts...>::type ts{};
  /// Sets the timestamp to `t` (the re-stamping hook of stream/timestamp.hpp, so a `combined`
  /// of timestamped values is `restampable`). `values` and `trigger` are unchanged.
  void restamp(typename common_ts<Ts...>::type t) noexcept { ts = t; }
};

}  // namespace detail

/// One emission of a combining operator: a value of each input, and the index of the input
/// whose item caused the emission (`trigger`). When every `Ts` is `timestamped` (with a common
/// timestamp type), `timestamp()` is the trigger's timestamp, so a `combined` can be merged
/// and combined again in order.
template <class... Ts>
class combined : public detail::combined_stamp<Ts...> {
 public:
  /// The values `v`, emitted because input `trigger_index` had an item; takes its timestamp.
  combined(std::tuple<Ts...> v, std::size_t trigger_index)
      : values(std::move(v)), trigger(trigger_index) {
    if constexpr (detail::common_ts<Ts...>::ordered) {
      detail::with_index<sizeof...(Ts)>(trigger_index, [&](auto I) {
        this->ts = std::get<decltype(I)::value>(values).timestamp();
      });
    }
  }

  /// The latest value of each input.
  std::tuple<Ts...> values;
  /// Index of the input whose item caused this emission.
  std::size_t trigger = 0;

  /// The value of input `I`.
  template <std::size_t I>
  const auto& get() const noexcept {
    return std::get<I>(values);
  }
  /// The value of input `I` (mutable).
  template <std::size_t I>
  auto& get() noexcept {
    return std::get<I>(values);
  }
  /// The trigger's timestamp (only when every input value is timestamped).
  auto timestamp() const noexcept
    requires detail::common_ts<Ts...>::ordered
  {
    return this->ts;
  }
  friend bool operator==(const combined& a, const combined& b)
    requires(std::equality_comparable<Ts> && ...)
  {
    return a.values == b.values && a.trigger == b.trigger;
  }
};

namespace detail {

/// The latest value of each of some inputs (`combine_latest`, `with_latest_from`).
template <class... T>
struct latest_values {
  std::tuple<std::optional<T>...> v;
  /// Every input has had a value.
  bool all_set() const noexcept {
    return std::apply([](const auto&... o) { return (static_cast<bool>(o) && ...); }, v);
  }
  /// Copies of the latest values (when `all_set()`).
  std::tuple<T...> copy() const {
    return std::apply([](const auto&... o) { return std::tuple<T...>(*o...); }, v);
  }
};

/// The inputs of a combining operator. See the file comment.
template <class... S>
class hetero_inputs {
 public:
  static constexpr std::size_t N = sizeof...(S);
  static_assert(N > 0);
  using ports_type = std::tuple<port<S>...>;
  using block_type = port_block<ports_type>;
  using heads_type = std::tuple<std::optional<item<stream_value_t<S>>>...>;
  template <std::size_t I>
  using value_t = stream_value_t<std::tuple_element_t<I, std::tuple<S...>>>;
  static constexpr bool ordered = common_ts<stream_value_t<S>...>::ordered;
  static constexpr std::size_t none = N;

  explicit hetero_inputs(S&&... s) : b_(new block_type(port<S>(std::move(s))...)) {}
  hetero_inputs(hetero_inputs&& o) noexcept
      : b_(std::exchange(o.b_, nullptr)),
        heads_(std::move(o.heads_)),
        ended_(o.ended_),
        rr_(o.rr_) {}
  hetero_inputs& operator=(hetero_inputs&&) = delete;
  ~hetero_inputs() {
    if (!b_) return;
    stop_all();
    b_->release();
  }

  port_hub* hub() const noexcept { return b_; }
  template <std::size_t I>
  std::optional<item<value_t<I>>>& head() noexcept {
    return std::get<I>(heads_);
  }
  bool ended(std::size_t i) const noexcept { return ended_[i]; }
  bool all_ended() const noexcept {
    for (bool e : ended_) {
      if (!e) return false;
    }
    return true;
  }
  void stop_all() noexcept {
    for_index<N>([&](auto I) { std::get<decltype(I)::value>(b_->ports).stop(); });
  }

  /// Asks every input without a head (and not ended) for one, without waiting.
  void fill() {
    for_index<N>([&](auto I) {
      constexpr std::size_t i = decltype(I)::value;
      auto& h = std::get<i>(heads_);
      if (h || ended_[i]) return;
      bool end = false;
      head_visitor<value_t<i>> hv{h, end};
      std::get<i>(b_->ports).poll(*b_, *b_, hv);
      if (end) ended_[i] = true;
    });
  }

  /// The input whose head goes next (see the file comment), or `none` when no head is held.
  std::size_t pick() {
    std::size_t err = none;
    for_index<N>([&](auto I) {
      constexpr std::size_t i = decltype(I)::value;
      const auto& h = std::get<i>(heads_);
      if (err == none && h && h->is_error()) err = i;
    });
    if (err != none) return err;
    if constexpr (ordered) {
      using ts_t = typename common_ts<stream_value_t<S>...>::type;
      std::size_t best = none;
      ts_t best_ts{};
      for_index<N>([&](auto I) {
        constexpr std::size_t i = decltype(I)::value;
        const auto& h = std::get<i>(heads_);
        if (!h) return;
        ts_t t = h->value().timestamp();
        if (best == none || t < best_ts) {
          best = i;
          best_ts = t;
        }
      });
      return best;
    } else {
      std::size_t found = none;
      for (std::size_t k = 0; k < N && found == none; ++k) {
        const std::size_t i = (rr_ + k) % N;
        with_index<N>(i, [&](auto I) {
          if (std::get<decltype(I)::value>(heads_)) found = i;
        });
      }
      if (found != none) rr_ = (found + 1) % N;
      return found;
    }
  }

  /// Moves input `I`'s head out.
  template <std::size_t I>
  item<value_t<I>> take() {
    auto& h = std::get<I>(heads_);
    item<value_t<I>> r = std::move(*h);
    h.reset();
    return r;
  }

 private:
  block_type* b_;
  heads_type heads_;
  std::array<bool, N> ended_{};
  std::size_t rr_ = 0;
};

}  // namespace detail

}  // namespace eddy
