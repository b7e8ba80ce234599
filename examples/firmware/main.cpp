// SPDX-License-Identifier: BSL-1.0
// examples/firmware: a sensor loop on a Cortex-M4F (QEMU mps2-an386), with no heap.
//
//   SysTick interrupt, 1 kHz ── the clock; every 5 ms it samples the "ADC" and
//        │                      try_sends the reading (it never waits, never allocates)
//        ▼
//   mpsc::channel<reading>(16)
//        │
//   from_receiver | map(level) | distinct_until_changed | debounce(20 ms)
//                 | distinct_until_changed | partition(is_on)
//        │                                          │
//   "on" stream ── task: LED on          "off" stream ── task: LED off
//
// The input is a door contact: it bounces for 15 ms after each edge and has one 5 ms glitch;
// the LED must follow the settled level only: on, off, on, off. The run ends when the waveform
// is over: the interrupt stops, the sender is dropped, the pipeline drains and ends, and the
// image exits 0 if the LED toggled exactly as expected.
#include <eddy/core/arena.hpp>
#include <eddy/exec/subscribe.hpp>
#include <eddy/runtime/local_runtime.hpp>
#include <eddy/stream/debounce.hpp>
#include <eddy/stream/distinct_until_changed.hpp>
#include <eddy/stream/from_receiver.hpp>
#include <eddy/stream/map.hpp>
#include <eddy/stream/partition.hpp>
#include <eddy/stream/pipe.hpp>
#include <eddy/sync/mpsc.hpp>
#include <eddy/sync/notify.hpp>

#include "board.hpp"

using namespace std::chrono_literals;

namespace {

// ---- memory: everything from one static arena -------------------------------------------
eddy::static_arena<16 * 1024> g_memory;  // the example peaks at about 11 KiB

// ---- time: the SysTick count ---------------------------------------------------------------
volatile std::uint32_t g_ms = 0;
eddy::time_point clock_ms() noexcept {
  return eddy::time_point{std::chrono::milliseconds(g_ms)};
}
// Nothing to do: sleep until the next interrupt (called with interrupts masked; see
// docs/firmware.md, "The runtime").
void idle(eddy::time_point) noexcept {
  board::wait_for_interrupt();
}

// ---- the sensor ----------------------------------------------------------------------------
struct reading {
  std::uint32_t at_ms;
  int millivolts;
};

constexpr std::uint32_t sample_every_ms = 5;
constexpr std::uint32_t run_ms = 1800;

// A door contact: closed (3.0 V) during [200, 600) and [900, 1300) ms, open (0.1 V) otherwise.
// Each edge bounces for 15 ms; at 1500 ms a single 5 ms glitch.
int adc_millivolts(std::uint32_t t) noexcept {
  auto closed = [](std::uint32_t t) { return (t >= 200 && t < 600) || (t >= 900 && t < 1300); };
  for (std::uint32_t edge : {200u, 600u, 900u, 1300u}) {
    if (t >= edge && t < edge + 15) return ((t - edge) / sample_every_ms) % 2 ? 100 : 3000;
  }
  if (t >= 1500 && t < 1505) return 3000;
  return closed(t) ? 3000 : 100;
}

eddy::mpsc::sender<reading>* g_readings = nullptr;  // set before SysTick starts
eddy::notify* g_done = nullptr;
volatile std::uint32_t g_dropped = 0;

// ---- the LED -------------------------------------------------------------------------------
int g_toggles = 0;
bool g_led = false;
void led(bool on) {
  if (on == g_led) return;
  g_led = on;
  ++g_toggles;
  board::print("t=", static_cast<unsigned long>(g_ms), " ms  LED ", on ? "ON " : "off", "\n");
}

eddy::task<int> sensor_loop() {
  auto [tx, rx] = eddy::mpsc::channel<reading>(16);
  eddy::notify done;
  g_readings = &tx;
  g_done = &done;
  board::systick_start(1000);

  auto settled = eddy::from_receiver(std::move(rx)) |
                 eddy::map([](const reading& r) { return r.millivolts > 1500; }) |
                 eddy::distinct_until_changed() | eddy::debounce(20ms) |
                 eddy::distinct_until_changed();
  auto [on, off] = std::move(settled) | eddy::partition([](bool level) { return level; });

  auto led_on = eddy::spawn(eddy::subscribe(std::move(on), [](bool) { led(true); }));
  auto led_off = eddy::spawn(eddy::subscribe(std::move(off), [](bool) { led(false); }));

  co_await done.notified();  // the interrupt has sent the last reading
  g_readings = nullptr;
  tx = eddy::mpsc::sender<reading>{};  // the last sender is gone: the pipeline drains and ends
  int failed = 0;
  for (auto* h : {&led_on, &led_off}) {
    // The join's own error (e.g. errc::out_of_memory: the arena is too small), else the
    // subscription's.
    auto r = co_await *h;
    const eddy::error* e = !r.has_value()           ? &r.error()
                           : !r.value().has_value() ? &r.value().error()
                                                    : nullptr;
    if (e) {
      board::print("LED task failed: ", e->message(), "\n");
      ++failed;
    }
  }
  co_return failed;
}

}  // namespace

EDDY_GLOBAL_NEW_FROM_ARENA(g_memory)

// The "interrupt-like producer": a real interrupt handler. try_send on a bounded channel and
// notify_one are the calls docs/firmware.md lists as safe here.
extern "C" void SysTick_Handler() {
  const std::uint32_t t = g_ms + 1;
  g_ms = t;
  if (!g_readings) return;
  if (t % sample_every_ms == 0 && t <= run_ms) {
    auto r = g_readings->try_send(reading{t, adc_millivolts(t)});
    if (!r.has_value()) g_dropped = g_dropped + 1;
  }
  if (t == run_ms) g_done->notify_one();
}

int main() {
  board::use_interrupt_mask_for_eddy_locks();
  g_memory.install();
  board::print("eddy firmware example: door contact -> debounce -> partition -> LED\n");
  eddy::local_runtime rt{&clock_ms, &idle};
  const int rc = rt.block_on(sensor_loop());
  board::systick_stop();
  board::print("LED toggles: ", g_toggles,
               " (expect 4), readings dropped: ", static_cast<unsigned long>(g_dropped),
               ", arena high water: ", g_memory.high_water(), " of ", g_memory.capacity(),
               " bytes\n");
  return rc == 0 && g_toggles == 4 && g_dropped == 0 ? 0 : 1;
}
