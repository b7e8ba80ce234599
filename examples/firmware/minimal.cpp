// Size probe placeholder (filled in once channels and operators land): one task on a
// local_runtime driven by SysTick, every allocation from one static arena, no heap.
#include <eddy/core/arena.hpp>
#include <eddy/runtime/local_runtime.hpp>

#include "board.hpp"

namespace {
eddy::static_arena<4096> g_memory;
volatile std::uint32_t g_ticks;
eddy::time_point clock_now() noexcept { return eddy::time_point{std::chrono::milliseconds(g_ticks)}; }
void idle(eddy::time_point) noexcept { board::wait_for_interrupt(); }
eddy::task<int> app() { co_return 0; }
}  // namespace

EDDY_GLOBAL_NEW_FROM_ARENA(g_memory)

extern "C" void SysTick_Handler() { g_ticks = g_ticks + 1; }

int main() {
  board::use_interrupt_mask_for_eddy_locks();
  g_memory.install();
  board::systick_start(1000);
  eddy::local_runtime rt{&clock_now, &idle};
  return rt.block_on(app());
}
