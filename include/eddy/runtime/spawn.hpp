// SPDX-License-Identifier: BSL-1.0
/// \file
/// `spawn(task)` / `spawn(executor, task)`: start a task on a runtime and get its `join_handle`.
///
/// The task is posted to the executor and starts soon, never inline. The task's state lives in
/// front of its frame (`EDDY_SPAWN_IN_FRAME`, the default with threads: a spawn allocates
/// nothing) or in one block allocated per spawn through the frame allocator (bare metal,
/// single-threaded wasm).
/// Spawning with no executor (outside any runtime) or an empty (moved-from) task panics. When
/// memory runs out (the task's frame or the block) the handle joins to `errc::out_of_memory`.
#pragma once
#include "eddy/runtime/join_handle.hpp"

namespace eddy {

namespace detail {
[[noreturn]] void spawn_misuse(const char* what);

/// Starts `t`; null when out of memory (`t`'s frame or the spawn block).
template <class T>
spawned<T>* spawn_try(executor ex, task<T>&& t, std::uint32_t refs,
                      task_header::observer* obs = nullptr) {
  if (!ex) spawn_misuse("eddy::spawn: no executor (called outside any runtime?)");
  if (!t.valid()) {
    if (t.out_of_memory()) return nullptr;
    spawn_misuse("eddy::spawn: empty (moved-from) task");
  }
  auto* s = spawned<T>::create(ex, std::move(t), refs);
  if (!s) return nullptr;  // `t` still owns its frame and frees it
  s->obs = obs;
  s->start();
  return s;
}
/// `spawn_try` that panics when out of memory (for callers that cannot report it).
template <class T>
spawned<T>* spawn_raw(executor ex, task<T>&& t, std::uint32_t refs,
                      task_header::observer* obs = nullptr) {
  spawned<T>* s = spawn_try(ex, std::move(t), refs, obs);
  if (!s) spawn_misuse("eddy: out of memory spawning a task");
  return s;
}
}  // namespace detail

/// Starts `t` on `ex`. Thread-safe.
template <class T>
join_handle<T> spawn(executor ex, task<T> t) {
  if (detail::spawned<T>* s = detail::spawn_try(ex, std::move(t), 2)) return join_handle<T>{s};
  return join_handle<T>::failed_allocation();
}

/// Starts `t` on the current executor (`current_executor()`).
template <class T>
join_handle<T> spawn(task<T> t) {
  return spawn(current_executor(), std::move(t));
}

}  // namespace eddy
