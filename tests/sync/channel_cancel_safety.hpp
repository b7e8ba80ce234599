// SPDX-License-Identifier: BSL-1.0
// The cancel-safety scenarios every channel passes (mpsc, oneshot, broadcast, watch), written
// once and run by each channel's typed suite on every runtime:
// - abort_while_waiting_deregisters: a receiver aborted while it waits leaves nothing behind: the
//   next send reaches the receiver, not the destroyed waiter.
// - abort_after_wake_loses_nothing: a receiver woken by a send and aborted before (or after) it
//   runs either took the item (and completed) or left it in the channel: never both, never
//   neither, in order. On one thread the abort always wins (the woken task has not run).
//
// A channel is described by a struct `Ch`:
//   static auto make();                            // {tx, rx}
//   static task<result<int>> recv(Rx* rx);         // one receive, as the waiter does it
//   static void send(Tx& tx, int v);               // never suspends
//   static std::vector<int> left(Rx& rx);          // what is still to receive, without waiting
//   static constexpr int items;                    // items one round sends (1, or 2 in order)
#pragma once
#include <atomic>
#include <vector>

#include <gtest/gtest.h>
#include <eddy/eddy.hpp>

namespace eddy_test {

template <class Ch, class Rx>
eddy::task<eddy::result<int>> started_recv(Rx* rx, std::atomic<bool>* started) {
  started->store(true);
  co_return co_await Ch::recv(rx);
}

/// Spawns a receiver and returns once it is (at least about to be) waiting.
template <class Ch, class Rx>
eddy::task<eddy::join_handle<eddy::result<int>>> waiting_receiver(Rx* rx) {
  std::atomic<bool> started{false};
  auto h = eddy::spawn(started_recv<Ch>(rx, &started));
  while (!started.load()) co_await eddy::yield_now();
  co_await eddy::yield_now();
  co_return h;
}

template <class Ch>
eddy::task<void> abort_while_waiting_deregisters() {
  auto [tx, rx] = Ch::make();
  auto h = co_await waiting_receiver<Ch>(&rx);
  h.abort();
  auto j = co_await h;
  EXPECT_FALSE(j.has_value());
  if (!j.has_value()) {
    EXPECT_EQ(j.error().code(), eddy::errc::aborted);
  }
  Ch::send(tx, 9);  // must not wake the destroyed waiter
  auto again = co_await Ch::recv(&rx);
  EXPECT_TRUE(again.has_value() && again.value() == 9);
}

template <class Ch, int Threads>
eddy::task<void> abort_after_wake_loses_nothing(int rounds) {
  for (int round = 0; round < rounds; ++round) {
    auto [tx, rx] = Ch::make();
    auto h = co_await waiting_receiver<Ch>(&rx);
    std::vector<int> sent;
    for (int i = 0; i < Ch::items; ++i) {
      sent.push_back(round * 10 + i);
      Ch::send(tx, sent.back());  // the first wakes the receiver...
    }
    h.abort();  // ...which is aborted before (or after) it runs
    auto j = co_await h;
    std::vector<int> got;
    if (j.has_value()) {
      EXPECT_TRUE(j.value().has_value()) << "round " << round;
      if (j.value().has_value()) got.push_back(j.value().value());
    } else {
      EXPECT_EQ(j.error().code(), eddy::errc::aborted);
    }
    if constexpr (Threads == 1) {
      EXPECT_FALSE(j.has_value()) << "one thread: the woken task had not run, the abort wins";
    }
    for (int v : Ch::left(rx)) got.push_back(v);
    EXPECT_EQ(got, sent) << "round " << round << ": lost, duplicated or reordered";
    if (got != sent) co_return;
  }
}

}  // namespace eddy_test
