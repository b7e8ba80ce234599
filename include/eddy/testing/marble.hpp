// SPDX-License-Identifier: BSL-1.0
/// \file
/// Marble tests on `sim_runtime`: a marble string becomes a timed source, and an operator's
/// output, recorded with its exact virtual times, is compared with a marble.
///
/// ```cpp
/// using namespace eddy::testing;
/// const marble_values<int> v{{'a', 1}, {'b', 2}, {'c', 3}};
/// eddy::sim_runtime sim;
/// auto diff = sim.block_on([&]() -> eddy::task<marble_diff> {
///   auto in = hot_marble<int>("-a--b-c--|", v);            // 1 frame = 1 ms by default
///   auto out = co_await record(in.subscribe() | eddy::debounce(2ms));
///   co_return compare_marble(out, "----a---c|", v);        // debounce(2 frames)
/// }());
/// EXPECT_TRUE(diff) << diff.detail;                         // or eddy/testing/gtest.hpp
/// ```
///
/// **Syntax** (RxJS's, except for `#`): every character is one frame of time, a frame being
/// `frame` (1 ms unless given); spaces are ignored (use them to align diagrams).
/// - `-`: nothing happens in this frame;
/// - a letter or digit: a value, looked up in the `marble_values` map, in this frame;
/// - `#`: an error item in this frame (`marble_error()`, or the error passed to the parser).
///   An eddy error item does not end the stream: write `#|` or `(#|)` for Rx's error-and-end;
/// - `|`: the end; nothing may follow it but spaces;
/// - `(...)`: everything inside happens in the frame of the `(`; the group still takes one
///   frame per character, parentheses included (`-(ab)-c` has `a` and `b` at frame 1, `c` at 6).
///
/// A malformed marble (an unknown value character, an unbalanced or nested group, a character
/// after `|`, an empty group) is `errc::invalid_argument`; its count is the character's
/// position and its message says what is wrong. The sources and `compare_marble` report it too.
///
/// **Sources.** `cold_marble` is a generator: its frames count from its first pull (each
/// subscriber sees the whole diagram). `hot_marble` starts a task on the current runtime that
/// sends along the diagram from `now()` when it was made, through a `subject`: a subscriber sees
/// only what is sent after it subscribed, like any hot source. With no `|` neither ends (the
/// hot one until it is dropped). Its buffers hold the whole
/// diagram, so a slow subscriber never delays the times. Both must be made inside a task.
///
/// **Recording.** `co_await record(stream)` pulls the stream to its end, each item stamped with
/// the frame it arrived in, counted from the call; it stops after `max_frames` (the recording
/// then has no end) so a stream that never ends cannot hang a test. An item that arrives
/// between two frame boundaries counts for the frame it falls in and sets `off_frame`.
///
/// **Comparing.** `compare_marble(recorded, "...", values)` gives a `marble_diff` that converts
/// to `true` when the output matches: the same items in the same frames, values compared with
/// `==`, errors by code and count. Its `expected` and `actual` are the two diagrams (a value
/// that is in no map entry prints as `?`, an error other than the marble's as `!`), and
/// `detail` names the first difference. No GoogleTest dependency: eddy/testing/gtest.hpp adds a
/// matcher. Same-instant arrivals at a multi-input operator are ordered as
/// docs/testing-with-sim.md says; a diagram whose output depends on that order is a test that
/// depends on the seed.
///
/// Thread-safety: the sources and `record` are ordinary eddy code; use them on `sim_runtime`
/// (virtual time makes the frames exact) or any single-threaded runtime.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eddy/core/detail/chrono.hpp"
#include "eddy/core/error.hpp"
#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/runtime/join_handle.hpp"
#include "eddy/runtime/sleep.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/timeout.hpp"
#include "eddy/stream/concept.hpp"
#include "eddy/stream/generator.hpp"
#include "eddy/stream/item.hpp"
#include "eddy/stream/subject.hpp"

namespace eddy::testing {

/// The values a marble's characters stand for.
template <class T>
using marble_values = std::map<char, T>;

/// What `#` stands for unless the parser is given another error: `errc::user`, count 0.
inline error marble_error() noexcept {
  return error{errc::user, 0, "marble #"};
}

/// One event of a marble: at `frame`, an item (a value or an error), or the end (`it` empty).
template <class T>
struct marble_event {
  std::int64_t frame = 0;     ///< frames after the start
  std::optional<item<T>> it;  ///< the item; empty: the end (`|`)
};

/// A marble's events, in order, and whether the recording that made it had off-frame times.
template <class T>
struct marble_events {
  std::vector<marble_event<T>> events;  ///< in time order; the end, if any, is the last
  bool off_frame = false;               ///< `record` saw an item between two frame boundaries
};

/// Parses `text` (see the file comment); `errc::invalid_argument` for a malformed marble.
template <class T>
result<marble_events<T>> parse_marble(std::string_view text, const marble_values<T>& values,
                                      const error& hash = marble_error()) {
  marble_events<T> out;
  std::int64_t frame = 0;
  std::int64_t group = -1;  // the frame of the open group, -1 outside one
  std::size_t group_events = 0;
  bool ended = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ') continue;
    if (ended) return error{errc::invalid_argument, i, "marble: a character after the end '|'"};
    const std::int64_t at = group >= 0 ? group : frame;
    ++frame;
    if (c == '-') {
      if (group >= 0) return error{errc::invalid_argument, i, "marble: '-' inside a group"};
    } else if (c == '(') {
      if (group >= 0) return error{errc::invalid_argument, i, "marble: a group inside a group"};
      group = at;
      group_events = 0;
    } else if (c == ')') {
      if (group < 0) return error{errc::invalid_argument, i, "marble: ')' without '('"};
      if (group_events == 0) return error{errc::invalid_argument, i, "marble: an empty group"};
      group = -1;
    } else if (c == '|') {
      out.events.push_back({at, std::nullopt});
      ended = true;
      ++group_events;
    } else if (c == '#') {
      out.events.push_back({at, item<T>(hash)});
      ++group_events;
    } else {
      auto v = values.find(c);
      if (v == values.end())
        return error{errc::invalid_argument, i, "marble: a character with no value in the map"};
      out.events.push_back({at, item<T>(v->second)});
      ++group_events;
    }
    if (ended && group >= 0) {
      // `(a|)`: the group must still close; nothing else may follow.
      std::size_t j = i + 1;
      while (j < text.size() && text[j] == ' ') ++j;
      if (j < text.size() && text[j] == ')') {
        group = -1;
        i = j;
      } else {
        return error{errc::invalid_argument, i, "marble: a group left open after '|'"};
      }
    }
  }
  if (group >= 0) return error{errc::invalid_argument, text.size(), "marble: '(' without ')'"};
  return out;
}

/// A cold source: yields the marble's items at their frames, counted from the first pull; with
/// no `|` it never ends. A malformed marble yields its `errc::invalid_argument` error and ends.
template <class T>
generator<T> cold_marble(std::string text, marble_values<T> values,
                         duration frame = std::chrono::milliseconds(1)) {
  auto parsed = parse_marble<T>(text, values);
  if (!parsed.has_value()) {
    co_yield parsed.error();
    co_return;
  }
  const time_point t0 = now();
  for (auto& e : parsed.value().events) {
    co_await sleep_until(t0 + frame * e.frame);
    if (!e.it) co_return;
    co_yield std::move(*e.it);
  }
  co_await sleep_until(never);  // no `|`: the stream never ends
}

/// A hot source driven along a marble (see the file comment). It sends through a `subject`,
/// which has no error item that leaves it open: its `#` ends it (`subject::error`), so a `#`
/// may only be followed by `|`. Owns the driving task: dropping it aborts the task and closes
/// the subject (subscribers end after what they have buffered).
template <class T>
class hot_marble {
 public:
  /// Starts sending along `text` from `now()`, on the current runtime. A malformed marble, or a
  /// `#` followed by more than `|`, sends its `errc::invalid_argument` error at once and
  /// closes.
  hot_marble(std::string_view text, const marble_values<T>& values,
             duration frame = std::chrono::milliseconds(1))
      : subject_(buffer_policy::wait(text.size() + 1)) {
    auto parsed = parse_marble<T>(text, values);
    driver_ = spawn(drive(subject_, std::move(parsed), now(), frame));
  }

  /// Takes over the task and the subject.
  hot_marble(hot_marble&&) noexcept = default;
  hot_marble& operator=(hot_marble&&) = delete;
  /// Aborts the driving task (see the class comment).
  ~hot_marble() { driver_.abort(); }

  /// A stream of what is sent from now on (see `subject::subscribe`).
  subject_stream<T> subscribe() { return subject_.subscribe(); }

 private:
  static task<void> drive(subject<T> s, result<marble_events<T>> parsed, time_point t0,
                          duration frame) {
    if (parsed.has_value()) {
      const auto& ev = parsed.value().events;
      for (std::size_t i = 0; i < ev.size(); ++i) {
        if (ev[i].it && ev[i].it->is_error() && i + 1 < ev.size() && ev[i + 1].it) {
          parsed = error{errc::invalid_argument, i, "hot_marble: '#' followed by more than '|'"};
          break;
        }
      }
    }
    if (!parsed.has_value()) {
      s.error(parsed.error());
      co_return;
    }
    for (auto& e : parsed.value().events) {
      co_await sleep_until(t0 + frame * e.frame);
      if (!e.it) break;
      if (e.it->is_error()) {
        s.error(e.it->error());
        co_return;
      }
      (void)co_await s.send(std::move(*e.it).value());
    }
    const auto& ev = parsed.value().events;
    if (ev.empty() || ev.back().it) co_await sleep_until(never);  // no `|`: stays open
    s.close();
  }

  subject<T> subject_;
  join_handle<void> driver_;
};

/// Pulls `s` to its end (at most `max_frames` frames) and records each item's frame, counted
/// from the call. See the file comment.
template <stream S>
task<marble_events<stream_value_t<S>>> record(S s, duration frame = std::chrono::milliseconds(1),
                                              std::int64_t max_frames = 10'000) {
  marble_events<stream_value_t<S>> out;
  const time_point t0 = now();
  const time_point stop = t0 + frame * max_frames;
  for (;;) {
    auto r = co_await timeout_at(stop, s.next());
    if (!r) break;  // out of frames: no end recorded
    const duration since = now() - t0;
    const std::int64_t f = since / frame;
    if (since % frame != duration::zero()) out.off_frame = true;
    const bool end = !r->has_value();
    out.events.push_back({f, std::move(*r)});
    if (end) break;
  }
  co_return out;
}

/// What `compare_marble` found. Converts to `true` when the recording matches.
struct marble_diff {
  bool equal = false;    ///< the recording matches the expected marble
  std::string expected;  ///< the expected diagram, as given
  std::string actual;    ///< the recording, drawn as a diagram
  std::string detail;    ///< the first difference, or why the comparison failed; empty if equal
  /// `equal`.
  explicit operator bool() const noexcept { return equal; }
};

namespace detail {
/// The character that draws `it` (see the file comment).
template <class T>
char marble_symbol(const std::optional<item<T>>& it, const marble_values<T>& values,
                   const error& hash) {
  if (!it) return '|';
  if (it->is_error()) return it->error() == hash ? '#' : '!';
  for (auto& [c, v] : values)
    if (v == it->value()) return c;
  return '?';
}
}  // namespace detail

/// Draws `rec` as a marble (see the file comment for `?` and `!`).
template <class T>
std::string format_marble(const marble_events<T>& rec, const marble_values<T>& values,
                          const error& hash = marble_error()) {
  std::string s;
  std::int64_t frame = 0;
  const auto& ev = rec.events;
  for (std::size_t i = 0; i < ev.size();) {
    std::size_t j = i;
    while (j < ev.size() && ev[j].frame == ev[i].frame) ++j;
    for (; frame < ev[i].frame; ++frame) s += '-';
    if (j - i == 1) {
      s += detail::marble_symbol(ev[i].it, values, hash);
      frame += 1;
    } else {
      s += '(';
      for (std::size_t k = i; k < j; ++k) s += detail::marble_symbol(ev[k].it, values, hash);
      s += ')';
      frame += static_cast<std::int64_t>(j - i) + 2;
    }
    i = j;
  }
  return s;
}

/// Compares a recording with an expected marble (see the file comment).
template <class T>
marble_diff compare_marble(const marble_events<T>& rec, std::string_view expected,
                           const marble_values<T>& values, const error& hash = marble_error()) {
  marble_diff d;
  d.expected = std::string(expected);
  d.actual = format_marble(rec, values, hash);
  auto want = parse_marble<T>(expected, values, hash);
  if (!want.has_value()) {
    d.detail = std::string("the expected marble is malformed at character ") +
               std::to_string(want.error().count()) + ": " + want.error().message();
    return d;
  }
  const auto& w = want.value().events;
  const auto& a = rec.events;
  auto describe = [&](const std::optional<item<T>>& it) -> std::string {
    const char c = detail::marble_symbol(it, values, hash);
    if (c == '|') return "the end";
    if (c == '!') return std::string("an error (") + it->error().message() + ")";
    if (c == '?') return "a value that is not in the map";
    return std::string("'") + c + "'";
  };
  for (std::size_t i = 0; i < w.size() || i < a.size(); ++i) {
    const std::string n = "event " + std::to_string(i + 1) + ": ";
    if (i >= a.size()) {
      d.detail = n + "expected " + describe(w[i].it) + " at frame " + std::to_string(w[i].frame) +
                 ", the recording has no more events";
      return d;
    }
    if (i >= w.size()) {
      d.detail = n + "the recording has " + describe(a[i].it) + " at frame " +
                 std::to_string(a[i].frame) + " after the expected events";
      return d;
    }
    const bool same_item =
        w[i].it.has_value() == a[i].it.has_value() &&
        (!w[i].it || (w[i].it->is_error() == a[i].it->is_error() &&
                      (w[i].it->is_error() ? w[i].it->error() == a[i].it->error()
                                           : w[i].it->value() == a[i].it->value())));
    if (!same_item || w[i].frame != a[i].frame) {
      d.detail = n + "expected " + describe(w[i].it) + " at frame " + std::to_string(w[i].frame) +
                 ", got " + (same_item ? std::string("it") : describe(a[i].it)) + " at frame " +
                 std::to_string(a[i].frame);
      return d;
    }
  }
  if (rec.off_frame) {
    d.detail =
        "the recording has an item between two frame boundaries (use a frame that "
        "divides every time, or sim_runtime)";
    return d;
  }
  d.equal = true;
  return d;
}

}  // namespace eddy::testing
