// SPDX-License-Identifier: BSL-1.0
/// \file
/// `spawn(task)` / `spawn(executor, task)`: start a task on a runtime and get its `join_handle`.
///
/// The task is posted to the executor and starts soon, never inline. The task's state is one
/// block from the frame allocator (core/frame_allocator.hpp; the default one recycles blocks,
/// so a warm spawn-and-join loop allocates nothing from the heap).
/// Spawning with no executor (outside any runtime) or an empty (moved-from) task panics. When
/// memory runs out (the task's frame or the block) the handle joins to `errc::out_of_memory`.
///
/// Every task gets an identity (runtime/task_header.hpp): a process-wide id, its parent (the task
/// that called `spawn`), an optional name (`spawn(ex, t, "name")`, `task_options`) and the
/// location of the `spawn` call, captured by the defaulted last parameter.
#pragma once
#include "eddy/core/source_location.hpp"
#include "eddy/runtime/join_handle.hpp"
#include "eddy/runtime/task_options.hpp"

namespace eddy {

namespace detail {
[[noreturn]] void spawn_misuse(const char* what);

/// Starts `t`; null when out of memory (`t`'s frame or the spawn block).
template <class T>
spawned<T>* spawn_try(executor ex, task<T>&& t, std::uint32_t refs,
                      task_header::observer* obs = nullptr, const task_options& o = {},
                      const source_location& loc = source_location::current()) {
  if (!ex) spawn_misuse("eddy::spawn: no executor (called outside any runtime?)");
  if (!t.valid()) {
    if (t.out_of_memory()) return nullptr;
    spawn_misuse("eddy::spawn: empty (moved-from) task");
  }
  auto* s = spawned<T>::create(ex, std::move(t), refs, obs);
  if (!s) return nullptr;  // `t` still owns its frame and frees it
  s->identify(o.name, o.copy_name, loc);
  s->start_fresh();
  return s;
}
/// `spawn_try` that panics when out of memory (for callers that cannot report it).
template <class T>
spawned<T>* spawn_raw(executor ex, task<T>&& t, std::uint32_t refs,
                      task_header::observer* obs = nullptr, const task_options& o = {},
                      const source_location& loc = source_location::current()) {
  spawned<T>* s = spawn_try(ex, std::move(t), refs, obs, o, loc);
  if (!s) spawn_misuse("eddy: out of memory spawning a task");
  return s;
}
}  // namespace detail

/// Starts `t` on `ex`, named and located as `o` and `loc` say (see the file comment).
/// Thread-safe. Resumes nothing: the task starts soon on `ex`, never inline.
template <class T>
join_handle<T> spawn(executor ex, task<T> t, const task_options& o,
                     const source_location& loc = source_location::current()) {
  if (detail::spawned<T>* s = detail::spawn_try(ex, std::move(t), 2, nullptr, o, loc))
    return join_handle<T>{s};
  return join_handle<T>::failed_allocation();
}

/// Starts `t` on `ex`. Thread-safe.
template <class T>
join_handle<T> spawn(executor ex, task<T> t,
                     const source_location& loc = source_location::current()) {
  return spawn(ex, std::move(t), task_options{}, loc);
}

/// Starts `t` on `ex` with the name `name` (not copied: a string literal, or any string that
/// outlives the task). Thread-safe.
template <class T>
join_handle<T> spawn(executor ex, task<T> t, const char* name,
                     const source_location& loc = source_location::current()) {
  return spawn(ex, std::move(t), task_options{name}, loc);
}

/// Starts `t` on the current executor (`current_executor()`).
template <class T>
join_handle<T> spawn(task<T> t, const source_location& loc = source_location::current()) {
  return spawn(current_executor(), std::move(t), task_options{}, loc);
}

/// Starts `t`, named `name` (not copied), on the current executor.
template <class T>
join_handle<T> spawn(task<T> t, const char* name,
                     const source_location& loc = source_location::current()) {
  return spawn(current_executor(), std::move(t), task_options{name}, loc);
}

/// Starts `t` with options `o` on the current executor.
template <class T>
join_handle<T> spawn(task<T> t, const task_options& o,
                     const source_location& loc = source_location::current()) {
  return spawn(current_executor(), std::move(t), o, loc);
}

}  // namespace eddy
