// SPDX-License-Identifier: BSL-1.0
// The out-of-line parts of detail::biased_lock (core/detail/biased_lock.hpp): thread tokens and
// the process-wide barrier (Linux membarrier, registered once).
#include "eddy/core/detail/biased_lock.hpp"

#if EDDY_BIASED_LOCK
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace eddy::detail {

std::uintptr_t new_thread_token() noexcept {
  static std::atomic<std::uintptr_t> next{2};  // 0 and 1 are the lock's own states
  return next.fetch_add(1, std::memory_order_relaxed);
}

namespace {
long membarrier(int cmd) noexcept {
  return ::syscall(__NR_membarrier, cmd, 0u, 0);
}
bool register_membarrier() noexcept {
  const long cmds = membarrier(MEMBARRIER_CMD_QUERY);
  if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
  return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}
}  // namespace

bool biased_locks_enabled() noexcept {
  static const bool enabled = register_membarrier();
  return enabled;
}

void heavy_barrier() noexcept {
  // Only reached after biased_locks_enabled() said yes (a lock is biased only then); the call
  // cannot fail once registered.
  (void)membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
}

}  // namespace eddy::detail
#endif
