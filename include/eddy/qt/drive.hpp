// SPDX-License-Identifier: BSL-1.0
/// \file
/// `eddy::qt::drive(stream, receiver, slot)`: an eddy stream drives a slot of a Qt object, on
/// the object's thread (target `eddy::qt`).
///
/// ```cpp
/// auto h = eddy::spawn(eddy::qt::drive(std::move(temperatures), &label, &Label::set_value));
/// // ... later: co_await h -> result<result<void>>
/// ```
/// - A task: for each value of `stream`, calls `std::invoke(slot, receiver, value)` (a member
///   function pointer, or any callable taking the object and the value), one value at a time,
///   in order. On the receiver's thread: when the task runs there (a `qt_runtime` of that
///   thread), the call is direct; otherwise it is queued to the receiver
///   (`QMetaObject::invokeMethod`, one small allocation per value) and the task waits, without
///   blocking its runtime, until the slot has returned (backpressure: the stream is not read
///   ahead of the slot).
/// - Gives success when the stream ends; the stream's first error item as the error (the slot
///   is not called for it); `errc::closed` when the receiver is destroyed first (detected on the
///   receiver's own thread, or by Qt dropping the queued call). Aborting the task stops it at
///   its current wait; a queued call already made still runs.
/// - The receiver's thread is the one it lives in when `drive` starts. The receiver must
///   outlive the task when the task runs on another thread than the receiver's (posting to a
///   destroyed object is undefined in Qt). The stream is owned by the task.
#pragma once
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QThread>
#include <functional>
#include <type_traits>
#include <utility>

#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/core/unit.hpp"
#include "eddy/sync/oneshot.hpp"

namespace eddy::qt {

/// Calls `slot` on `receiver` for each value of `s`, on the receiver's thread (see the file
/// comment). Spawn it (or `co_await` it) on any runtime.
template <class Stream, class Object, class Slot>
  requires std::is_base_of_v<QObject, Object>
task<result<void>> drive(Stream s, Object* receiver, Slot slot) {
  QPointer<Object> alive{receiver};  // read on the receiver's thread only
  QThread* const home = receiver->thread();
  while (auto it = co_await s.next()) {
    if (it->is_error()) co_return std::move(*it).error();
    if (home == QThread::currentThread()) {
      if (!alive) co_return errc::closed;
      std::invoke(slot, receiver, std::move(*it).value());
      continue;
    }
    auto [done, called] = oneshot::channel<unit>();
    QMetaObject::invokeMethod(
        receiver,
        [receiver, slot, v = std::move(*it).value(), tx = std::move(done)]() mutable {
          std::invoke(slot, receiver, std::move(v));
          (void)tx.send(unit{});
        },
        Qt::QueuedConnection);
    // A receiver destroyed before the call ran drops it, and with it the sender: closed.
    result<unit> ran = co_await std::move(called);
    if (!ran.has_value()) co_return errc::closed;
  }
  co_return result<void>{};
}

}  // namespace eddy::qt
