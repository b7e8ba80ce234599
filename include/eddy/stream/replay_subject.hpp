// SPDX-License-Identifier: BSL-1.0
/// \file
/// `replay_subject<T>(n)`: a `subject` that keeps its last `n` values and gives them to every
/// new subscriber before the live ones.
///
/// ```
/// send:          1---2---3-------4---close
///                replay_subject(2)
/// subscriber a:  1---2---3-------4---|          (subscribed before 1)
/// subscriber b:          (23)----4---|          (subscribed after 3: replays 2 and 3)
/// subscriber c:                          (34)|  (subscribed after the close)
/// ```
/// ```cpp
/// eddy::replay_subject<int> s{2};                   // replays up to 2 values
/// co_await s.send(1);
/// auto late = s.subscribe();                         // its stream starts with 1
/// ```
/// - Everything of `subject<T>` holds (it is one: a `replay_subject` converts to `subject<T>`
///   and shares the state); what differs is only what a new subscriber sees first.
/// - `subscribe(policy)`: the stream starts with the kept values, oldest first, then gets every
///   value sent after it subscribed, in order, with nothing lost or repeated between the two
///   (both happen under the subject's lock). When the subscriber's buffer is smaller than
///   what is kept, it gets the newest values that fit.
/// - A value enters the replay buffer when it is delivered (a `send` that waits enters it when
///   it completes); a send that failed, or whose copy threw, is not kept.
/// - After `close()` a new subscriber gets the kept values, then the end; after `error(e)`, the
///   kept values, then `e`, then the end (a plain `subject` gives a late subscriber only the
///   end).
/// - A kept value whose copy throws while it is replayed (exceptions on) reaches that subscriber
///   as an `errc::exception` error item in its place; the other values still follow.
/// - `n == 0` keeps nothing (a plain `subject`).
/// - Cost: one ring of `n` values (plus one slot for all-or-nothing delivery), allocated when
///   the subject is made; each send copies the value once more, into the ring; a new subscriber
///   copies what it replays. Thread-safety: as `subject`.
#pragma once
#include <cstddef>

#include "eddy/stream/subject.hpp"

namespace eddy {

/// A subject that replays its last `n` values (see the file comment).
template <class T>
class replay_subject : public subject<T> {
 public:
  /// A new, open subject keeping up to `n` values; `default_policy` is what `subscribe()`
  /// uses.
  explicit replay_subject(std::size_t n, buffer_policy default_policy = {})
      : subject<T>(default_policy, n) {}

  /// How many values it keeps now (at most `n`). Thread-safe.
  std::size_t replay_size() const {
    std::size_t n = 0;
    this->with_replay([&](auto& r) { n = r.size(); });
    return n;
  }
};

}  // namespace eddy
