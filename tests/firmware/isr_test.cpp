// SPDX-License-Identifier: BSL-1.0
// Real interrupts on the emulated Cortex-M4: what docs/firmware.md says is safe from an interrupt
// handler (posting to local_runtime, waker::wake, try_send on a bounded mpsc channel), with
// PRIMASK as eddy's critical section and the idle hook doing WFI.
#include "board.hpp"
#include "harness.hpp"

#if __has_include(<eddy/sync/mpsc.hpp>) && __has_include(<eddy/sync/notify.hpp>)
#include <eddy/sync/mpsc.hpp>
#include <eddy/sync/notify.hpp>

using namespace eddy;

namespace {

// Shared with the handlers; set up before the interrupts are enabled.
mpsc::sender<unsigned>* g_tx = nullptr;
volatile unsigned g_sent = 0;        // values offered by the handler
volatile unsigned g_full = 0;        // try_send that found the ring full
volatile unsigned g_to_send = 0;     // the handler stops after this many
volatile unsigned g_irq_runs = 0;    // IRQ0 handler runs
volatile std::uint32_t g_ticks = 0;  // SysTick count: the clock of the local runtime
volatile bool g_one_shot = false;    // SysTick stops itself after one interrupt
notify* g_notify = nullptr;          // IRQ1 calls notify_one on it

time_point tick_clock() noexcept {
  return time_point{std::chrono::microseconds(g_ticks)};
}
void wfi_idle(time_point) noexcept {
  board::wait_for_interrupt();
}

void offer_one() noexcept {
  if (!g_tx || g_sent >= g_to_send) return;
  auto r = g_tx->try_send(g_sent);
  if (!r.has_value()) g_full = g_full + 1;
  g_sent = g_sent + 1;
}

}  // namespace

extern "C" void SysTick_Handler() {
  g_ticks = g_ticks + 1;
  if (g_one_shot) board::systick_stop();
  offer_one();
}

extern "C" void IRQ0_Handler() {
  g_irq_runs = g_irq_runs + 1;
  offer_one();
}

extern "C" void IRQ1_Handler() {
  if (g_notify) g_notify->notify_one();
}

FW_TEST(isr, notify_one_from_an_interrupt_wakes_the_waiter_or_stores_a_permit) {
  board::irq_enable(1);
  local_runtime rt{&tick_clock, &wfi_idle};
  rt.block_on([]() -> task<void> {
    notify n;
    g_notify = &n;
    int woken = 0;
    auto waiter = spawn([](notify* n, int* woken) -> task<void> {
      for (int i = 0; i < 3; ++i) {
        co_await n->notified();
        ++*woken;
      }
    }(&n, &woken));
    co_await yield_now();   // the waiter waits
    board::irq_trigger(1);  // wakes it
    board::irq_trigger(1);  // it has not run yet: a permit is stored...
    board::irq_trigger(1);  // ...only one
    g_one_shot = false;
    board::systick_start_cycles(2000);  // the tick clock runs
    co_await sleep(std::chrono::microseconds(20));
    board::systick_stop();
    CHECK_EQ(woken, 2);  // the wake, then the one permit; now it waits for a third notification
    CHECK(!waiter.is_finished());
    board::irq_trigger(1);
    auto r = co_await waiter;
    CHECK(r.has_value());
    CHECK_EQ(woken, 3);
    g_notify = nullptr;
  }());
}

FW_TEST(isr, software_interrupt_try_send_wakes_a_waiting_task) {
  board::irq_enable(0);
  local_runtime rt{&tick_clock, &wfi_idle};
  rt.block_on([]() -> task<void> {
    auto [tx, rx] = mpsc::channel<unsigned>(4);
    g_tx = &tx;
    g_sent = 0;
    g_to_send = 3;
    auto consumer = spawn([](mpsc::receiver<unsigned> rx) -> task<unsigned> {
      unsigned sum = 0;
      for (int i = 0; i < 3; ++i) {
        auto v = co_await rx.recv();  // suspended when the interrupt sends
        if (v) sum += *v + 1;
      }
      co_return sum;
    }(std::move(rx)));
    co_await yield_now();  // the consumer is now waiting in recv
    for (int i = 0; i < 3; ++i) {
      board::irq_trigger(0);  // the handler runs right here and posts the consumer
      co_await yield_now();
    }
    // Pending while masked: the handler runs when the critical section ends, not before.
    const unsigned runs = g_irq_runs;
    const std::uint32_t mask = board::irq_save();
    board::irq_trigger(0);
    CHECK_EQ(g_irq_runs, runs);
    board::irq_restore(mask);
    CHECK_EQ(g_irq_runs, runs + 1);
    auto sum = co_await consumer;
    CHECK(sum.has_value() && sum.value() == 1 + 2 + 3);
    g_tx = nullptr;
  }());
}

FW_TEST(isr, systick_producer_storm_loses_nothing) {
  // A SysTick interrupt every 3000 cycles offers 3000 numbered values to a bounded channel
  // while the consumer task works (sleeps on the tick clock, takes the runtime's locks). Every
  // value is either received, in order, or reported full to the handler: none lost or doubled.
  local_runtime rt{&tick_clock, &wfi_idle};
  rt.block_on([]() -> task<void> {
    auto [tx, rx] = mpsc::channel<unsigned>(16);
    g_tx = &tx;
    g_sent = 0;
    g_full = 0;
    g_to_send = 3000;
    g_one_shot = false;
    board::systick_start_cycles(3000);
    unsigned received = 0;
    unsigned last = 0;
    bool ordered = true;
    while (received + g_full < 3000) {
      auto v = co_await timeout(std::chrono::microseconds(50), rx.recv());
      if (!v || !*v) continue;
      if (received > 0 && **v <= last) ordered = false;
      last = **v;
      ++received;
      if (received % 64 == 0) co_await sleep(std::chrono::microseconds(30));  // fill the ring
    }
    board::systick_stop();
    g_tx = nullptr;
    CHECK(ordered);
    CHECK_EQ(received + g_full, 3000u);
    CHECK(received > 1000);
    CHECK(g_full > 0);  // the sleeps above did let the ring fill up
    CHECK(!rx.try_recv().has_value());
  }());
}

FW_TEST(isr, idle_wfi_never_misses_a_post_from_an_interrupt) {
  // The driver goes idle (WFI) while a one-shot interrupt is about to send. Sweeping the
  // interrupt's delay walks it across the driver's "queue empty? then WFI" window; a lost
  // wake-up would hang here (the ctest timeout), as nothing else would interrupt.
  local_runtime rt{&tick_clock, &wfi_idle};
  rt.block_on([]() -> task<void> {
    auto [tx, rx] = mpsc::channel<unsigned>(1);
    g_tx = &tx;
    unsigned got = 0;
    for (unsigned delay = 20; delay < 1400; delay += 7) {
      g_sent = 0;
      g_to_send = 1;
      g_one_shot = true;
      board::systick_start_cycles(delay);
      auto v = co_await rx.recv();
      if (v) ++got;
    }
    g_one_shot = false;
    g_tx = nullptr;
    CHECK_EQ(got, (1400u - 20u + 6u) / 7u);
  }());
}

#endif
