// SPDX-License-Identifier: BSL-1.0
// The runtime's unhandled-error hook: what happens to an exception that escaped a detached task.
#include <cstdio>

#include "eddy/core/lock.hpp"
#include "eddy/runtime/runtime.hpp"

namespace eddy {

void runtime::set_unhandled_error_hook(unhandled_error_hook fn, void* ctx) noexcept {
  {
    detail::lock_guard<detail::spin_lock> g(hook_lock_);
    hook_ = fn;
    hook_ctx_ = ctx;
  }
  // Calls that read the previous hook finish before this returns (a call with the new hook
  // may be waited for too: harmless).
  while (hook_calls_.load(std::memory_order_acquire) != 0) detail::cpu_relax();
}

void runtime::report_unhandled_error(const unhandled_error& e) noexcept {
  unhandled_error_hook fn;
  void* ctx;
  {
    detail::lock_guard<detail::spin_lock> g(hook_lock_);
    fn = hook_ ? hook_ : &print_unhandled_error;
    ctx = hook_ctx_;
    hook_calls_.fetch_add(1, std::memory_order_relaxed);
  }
  fn(e, ctx);
  hook_calls_.fetch_sub(1, std::memory_order_release);
}

void runtime::print_unhandled_error(const unhandled_error& e, void*) noexcept {
  // One write of one line, so that lines of concurrent reports do not interleave.
  char line[512];
  if (e.task_name)
    std::snprintf(line, sizeof line, "eddy: detached task '%s' ended with an exception: %s\n",
                  e.task_name, e.err.message());
  else
    std::snprintf(line, sizeof line, "eddy: a detached task ended with an exception: %s\n",
                  e.err.message());
  std::fputs(line, stderr);
}

}  // namespace eddy
