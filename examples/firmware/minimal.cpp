// SPDX-License-Identifier: BSL-1.0
// The smallest useful eddy firmware (the size probe of docs/firmware.md): one task, one channel,
// three operators. The SysTick interrupt produces readings with `try_send`; the task runs
// `from_receiver(rx) | map | filter | scan` on a local_runtime driven by the tick clock, with
// WFI when idle. Every allocation comes from one static arena: the image has no heap.
#include <eddy/core/arena.hpp>
#include <eddy/runtime/local_runtime.hpp>
#include <eddy/stream/filter.hpp>
#include <eddy/stream/from_receiver.hpp>
#include <eddy/stream/map.hpp>
#include <eddy/stream/pipe.hpp>
#include <eddy/stream/scan.hpp>
#include <eddy/sync/mpsc.hpp>

#include "board.hpp"

namespace {
eddy::static_arena<4096> g_memory;
volatile std::uint32_t g_ms;
eddy::mpsc::sender<int>* g_tx;

eddy::time_point clock_ms() noexcept {
  return eddy::time_point{std::chrono::milliseconds(g_ms)};
}
void idle(eddy::time_point) noexcept {
  board::wait_for_interrupt();
}

eddy::task<int> app(eddy::mpsc::receiver<int> rx) {
  auto s = eddy::from_receiver(std::move(rx)) | eddy::map([](int x) { return x * 3; }) |
           eddy::filter([](int x) { return x % 2 == 0; }) |
           eddy::scan(0, [](int acc, int x) { return acc + x; });
  int sum = 0;
  for (int n = 0; n < 10; ++n) {  // 20 readings, 10 of them even after x * 3
    auto r = co_await s.next();
    if (!r || !r->is_value()) co_return -1;
    sum = r->value();
  }
  co_return sum;
}
}  // namespace

EDDY_GLOBAL_NEW_FROM_ARENA(g_memory)

extern "C" void SysTick_Handler() {
  const std::uint32_t ms = g_ms + 1;
  g_ms = ms;
  if (ms % 5 == 0 && ms <= 100) (void)g_tx->try_send(static_cast<int>(ms / 5));  // 1..20
}

int main() {
  board::use_interrupt_mask_for_eddy_locks();
  g_memory.install();
  auto [tx, rx] = eddy::mpsc::channel<int>(8);
  g_tx = &tx;
  eddy::local_runtime rt{&clock_ms, &idle};
  board::systick_start(1000);
  const int sum = rt.block_on(app(std::move(rx)));
  board::systick_stop();
  board::print("minimal: sum=", sum, " (expect 330) arena high water=", g_memory.high_water(),
               " bytes\n");
  return sum == 330 ? 0 : 1;
}
