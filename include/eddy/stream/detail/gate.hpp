// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::gate_stage<Op, S, G>`: the inputs and the loop shared by the gate operators
/// (`emit_when`, `take_latest_when`, `take_while_with`): a source `S` and a gate `G` of any value
/// types, taken in the order of every combining operator (see detail/hetero.hpp). An error of
/// either input is emitted at once; each value goes to the operator's hook:
/// - `void on_source(T&& v, E& e)` and `bool on_gate(U&& g, E& e)` (false: end the output now),
///   each emitting at most one item into `e`;
/// - `End`: the output ends when the source ends (`gate_end::source`) or when either input ends
///   (`gate_end::either`); items already available are taken first either way.
/// Ending stops both inputs' pumps. The hooks are reached through `hub_access` (befriended).
///
/// `restamps<T, C>` and `caused_by(v, cause)`: an operator that emits a copy of a value `v` it
/// holds because of an event `cause` of another input gives the copy `cause`'s timestamp when
/// both are timestamped with a common timestamp type (so its inputs are taken in timestamp
/// order, and its outputs never go backwards); otherwise the copy is unchanged.
#pragma once
#include <cstddef>
#include <utility>

#include "eddy/stream/detail/hetero.hpp"

namespace eddy::detail {

/// `caused_by` re-stamps a `T` emitted because of a `C` (see the file comment).
template <class T, class C>
inline constexpr bool restamps = common_ts<T, C>::ordered;

/// A copy of `v`, emitted because of `cause`: with `cause`'s timestamp when `restamps<T, C>`.
template <class T, class C>
T caused_by(const T& v, const C& cause) {
  T r(v);
  if constexpr (restamps<T, C>) {
    if constexpr (restampable<T>) r.restamp(static_cast<timestamp_t<T>>(cause.timestamp()));
  }
  return r;
}

/// Which input's end ends a gate operator's output.
enum class gate_end : unsigned char { source, either };

template <class Op, class S, class G, gate_end End>
class gate_stage : public hub_stage<Op> {
  using inputs = hetero_inputs<S, G>;

 protected:
  gate_stage(S s, G g) : in_(std::move(s), std::move(g)) {}

  port_hub* hub() const noexcept { return in_.hub(); }

  template <class V>
  bool produce(V& v) {
    Op& op = static_cast<Op&>(*this);
    for (;;) {
      in_.fill();
      const std::size_t i = in_.pick();
      if (i == inputs::none) {
        if (!in_.ended(0) && !(End == gate_end::either && in_.ended(1))) return false;
        return stop(v);
      }
      tracking_emitter<V> e{v};
      bool go_on = true;
      if (i == 0) {
        auto it = in_.template take<0>();
        if (it.is_error())
          e.error(std::move(it).error());
        else
          hub_access::on_source(op, std::move(it).value(), e);
      } else {
        auto it = in_.template take<1>();
        if (it.is_error())
          e.error(std::move(it).error());
        else
          go_on = hub_access::on_gate(op, std::move(it).value(), e);
      }
      if (!go_on) return stop(v);
      if (e.emitted) return true;
    }
  }

 private:
  template <class V>
  bool stop(V& v) {
    in_.stop_all();
    return this->finish(v);
  }

  inputs in_;
};

}  // namespace eddy::detail
