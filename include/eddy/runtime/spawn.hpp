/// \file
/// `spawn(task)` / `spawn(executor, task)`: start a task on a runtime and get its `join_handle`.
///
/// The task is posted to the executor and starts soon, never inline. One block (the task's
/// state) is allocated per spawn besides the task's own frame, both through the frame allocator.
/// Spawning with no executor (outside any runtime) or an empty task panics.
#pragma once
#include "eddy/runtime/join_handle.hpp"

namespace eddy {

namespace detail {
[[noreturn]] void spawn_misuse(const char* what);

template <class T>
spawned<T>* spawn_raw(executor ex, task<T>&& t, std::uint32_t refs,
                      task_header::observer* obs = nullptr) {
  if (!ex) spawn_misuse("eddy::spawn: no executor (called outside any runtime?)");
  if (!t.valid()) spawn_misuse("eddy::spawn: empty (moved-from) task");
  auto* s = new spawned<T>(ex, std::move(t), refs);
  s->obs = obs;
  s->start();
  return s;
}
}  // namespace detail

/// Starts `t` on `ex`. Thread-safe.
template <class T>
join_handle<T> spawn(executor ex, task<T> t) {
  return join_handle<T>{detail::spawn_raw(ex, std::move(t), 2)};
}

/// Starts `t` on the current executor (`current_executor()`).
template <class T>
join_handle<T> spawn(task<T> t) {
  return spawn(current_executor(), std::move(t));
}

}  // namespace eddy
