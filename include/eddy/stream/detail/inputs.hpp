// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::input_set`: the inputs of a homogeneous multi-input operator (`ordered_merge`,
/// `merge`): n ports whose values have one type `T`, each with a one-item head, held in one
/// `port_block` (the ports' pumps keep it alive; destroying the set aborts them).
///
/// Either a tuple of streams of different types (`a | merge(b, c)`) or a vector of one stream
/// type (`merge(std::vector<S>)`). One allocation for the block and one for the heads, at
/// construction; nothing per item.
#pragma once
#include <cstddef>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "eddy/stream/detail/hub.hpp"
#include "eddy/stream/timestamp.hpp"

namespace eddy::detail {

/// Ports of streams of different types, same value type.
template <class... S>
struct port_tuple {
  static_assert(sizeof...(S) > 0);
  using value_type = stream_value_t<std::tuple_element_t<0, std::tuple<S...>>>;
  static_assert((std::is_same_v<stream_value_t<S>, value_type> && ...),
                "every input of this operator must have the same value type");

  explicit port_tuple(S&&... s) : t(port<S>(std::move(s))...) {}
  std::size_t size() const noexcept { return sizeof...(S); }
  /// Calls `f(port_i)`.
  template <class F>
  void with(std::size_t i, F&& f) {
    with_impl(i, f, std::index_sequence_for<S...>{});
  }

  std::tuple<port<S>...> t;

 private:
  template <class F, std::size_t... I>
  void with_impl(std::size_t i, F& f, std::index_sequence<I...>) {
    static_cast<void>(((i == I ? (f(std::get<I>(t)), true) : false) || ...));
  }
};

/// Ports of n streams of one type.
template <class S>
struct port_vector {
  using value_type = stream_value_t<S>;
  explicit port_vector(std::vector<S>&& in) {
    v.reserve(in.size());
    for (auto& s : in) v.emplace_back(std::move(s));
  }
  std::size_t size() const noexcept { return v.size(); }
  template <class F>
  void with(std::size_t i, F&& f) {
    f(v[i]);
  }

  std::vector<port<S>> v;
};

/// A visitor that passes a polled value or error on to `out` and records the end in `ended`.
template <class V>
struct pass_visitor {
  V& out;
  bool ended = false;
  template <class U>
  void value(U&& x) {
    out.value(std::forward<U>(x));
  }
  void error(eddy::error&& e) { out.error(std::move(e)); }
  void end() noexcept { ended = true; }
};

/// The ports of an operator plus one head per input.
template <class Ports>
class input_set {
 public:
  using value_type = typename Ports::value_type;
  using block_type = port_block<Ports>;

  template <class... A>
  explicit input_set(A&&... a)
      : b_(new block_type(std::forward<A>(a)...)), heads_(b_->ports.size()) {
    ended_.assign(b_->ports.size(), 0);
  }
  input_set(input_set&& o) noexcept
      : b_(std::exchange(o.b_, nullptr)),
        heads_(std::move(o.heads_)),
        ended_(std::move(o.ended_)),
        live_(o.live_) {}
  input_set& operator=(input_set&&) = delete;
  ~input_set() {
    if (!b_) return;
    for (std::size_t i = 0; i < b_->ports.size(); ++i) b_->ports.with(i, [](auto& p) { p.stop(); });
    b_->release();
  }

  std::size_t size() const noexcept { return heads_.size(); }
  port_hub* hub() const noexcept { return b_; }
  /// Input `i`'s head (an item polled but not yet used).
  std::optional<item<value_type>>& head(std::size_t i) noexcept { return heads_[i]; }
  /// Input `i` has ended (its end was polled).
  bool ended(std::size_t i) const noexcept { return ended_[i] != 0; }
  /// Inputs that have not ended.
  std::size_t live() const noexcept { return live_; }

  /// Polls input `i` into its head if it has none and has not ended. True if the head is set.
  bool fill(std::size_t i) {
    if (heads_[i]) return true;
    if (ended_[i]) return false;
    return poll_head(i);
  }
  /// `fill` of an input without a head that has not ended (out of line: keeps `fill` small
  /// enough to inline into the operator's loop over its inputs).
  [[gnu::noinline]] bool poll_head(std::size_t i) {
    bool end = false;
    head_visitor<value_type> hv{heads_[i], end};
    block_type& b = *b_;
    b.ports.with(i, [&](auto& p) { p.poll(b, b, hv); });
    if (end) {
      ended_[i] = 1;
      --live_;
    }
    return heads_[i].has_value();
  }

  /// Takes input `i`'s next item if it has one now (its head, else a poll straight into `v`):
  /// calls `v.value` or `v.error` and returns true. Otherwise returns false, having recorded
  /// the input's end if it was polled, or made sure a pull is under way. (`merge`: no head is
  /// kept for an item given at once.)
  template <class V>
  bool take(std::size_t i, V& v) {
    if (heads_[i] || ended_[i]) [[unlikely]]
      return take_head(i, v);
    pass_visitor<V> pv{v};
    bool got = false;
    block_type& b = *b_;
    b.ports.with(i, [&](auto& p) { got = p.poll(b, b, pv); });
    if (pv.ended) {
      ended_[i] = 1;
      --live_;
      return false;
    }
    return got;
  }
  /// `take` of an input with a head (or ended).
  template <class V>
  [[gnu::noinline]] bool take_head(std::size_t i, V& v) {
    if (!heads_[i]) return false;
    std::optional<item<value_type>> h = std::move(heads_[i]);
    heads_[i].reset();
    visit_result(std::move(h), v);
    return true;
  }
  /// Stops every pump (the operator has ended).
  void stop_all() noexcept {
    for (std::size_t i = 0; i < b_->ports.size(); ++i) b_->ports.with(i, [](auto& p) { p.stop(); });
  }

 private:
  block_type* b_;
  std::vector<std::optional<item<value_type>>> heads_;
  std::vector<char> ended_;
  std::size_t live_ = heads_.size();
};

}  // namespace eddy::detail
