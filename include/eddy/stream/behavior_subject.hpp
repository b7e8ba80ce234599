// SPDX-License-Identifier: BSL-1.0
/// \file
/// `behavior_subject<T>(v)`: a `subject` with a current value. A new subscriber gets the current
/// value first; every send replaces it.
///
/// ```
/// send:          (initial 0)----1-------2---close
///                behavior_subject(0)
/// subscriber a:  0--------------1-------2---|   (subscribed at the start)
/// subscriber b:                 1-------2---|   (subscribed after 1)
/// ```
/// ```cpp
/// eddy::behavior_subject<int> temperature{20};
/// auto s = temperature.subscribe();                  // starts with 20
/// co_await temperature.send(21);
/// int now = temperature.value();                     // 21
/// ```
/// - A `replay_subject<T>` of one value that starts with `v`: all of replay_subject.hpp holds
///   (after `close()` a new subscriber gets the last value, then the end).
/// - `value()` is the current value (a copy, taken under the subject's lock): the initial one
///   until a send is delivered, then the last one delivered. Thread-safe.
/// - Cost: as `replay_subject` with `n == 1`.
#pragma once
#include <optional>
#include <utility>

#include "eddy/core/panic.hpp"
#include "eddy/stream/replay_subject.hpp"

namespace eddy {

/// A subject with a current value (see the file comment).
template <class T>
class behavior_subject : public replay_subject<T> {
 public:
  /// A new, open subject whose current value is `v`; `default_policy` is what `subscribe()`
  /// uses.
  explicit behavior_subject(T v, buffer_policy default_policy = {})
      : replay_subject<T>(1, default_policy) {
    this->with_replay([&](auto& r) { r.push(std::move(v)); });
  }

  /// The current value (see the file comment). Panics on a moved-from handle.
  T value() const {
    std::optional<T> out;
    this->with_replay([&](auto& r) { out.emplace(r.at(0)); });
    if (!out) panic("eddy::behavior_subject: value() of a moved-from subject");
    return std::move(*out);
  }
};

}  // namespace eddy
