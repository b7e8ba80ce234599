// SPDX-License-Identifier: BSL-1.0
// A counting `task_hooks` for the "hooks on" variants of the benchmarks (`.../eddy-hooks`): each
// hook adds one to a plain counter, so the figure is the cost of the hook calls themselves.
// Single-threaded runtimes only (the counters are not atomic).
#pragma once
#include <cstdint>

#include "eddy/runtime/task_hooks.hpp"

namespace eddy_bench {

struct counting_hooks {
  std::uint64_t spawns = 0, ends = 0, polls = 0, wakes = 0;
  eddy::task_hooks hooks;

  counting_hooks() {
    hooks.ctx = this;
    hooks.on_spawn = [](void* c, eddy::task_view) noexcept { ++self(c).spawns; };
    hooks.on_terminate = [](void* c, eddy::task_view, eddy::task_end) noexcept { ++self(c).ends; };
    hooks.before_poll = [](void* c, eddy::task_view) noexcept { ++self(c).polls; };
    hooks.after_poll = [](void* c, eddy::task_view) noexcept { ++self(c).polls; };
    hooks.on_wake = [](void* c, eddy::task_view, eddy::task_view) noexcept { ++self(c).wakes; };
  }

 private:
  static counting_hooks& self(void* c) { return *static_cast<counting_hooks*>(c); }
};

}  // namespace eddy_bench
