// SPDX-License-Identifier: BSL-1.0
/// \file
/// The allocation hook for coroutine frames and spawned-task state.
///
/// Every `task<T>` frame and every `spawn` block (a spawned task's state) is allocated through
/// this hook. By default, on hosted builds with threads, it recycles blocks up to 1 KiB in
/// per-thread lists backed by a block pool (core/detail/block_pool.hpp; docs/runtime.md) and
/// takes larger ones from global `operator new(n, std::nothrow)`/`delete`; without threads it
/// calls `operator new`/`delete` for every block. Firmware
/// installs a fixed arena (`eddy::arena`, core/arena.hpp) with `set_frame_allocator` before
/// starting any task.
///
/// Out of memory (the allocator returns null) has a defined path, with or without exceptions:
/// - a coroutine whose frame cannot be allocated returns an empty `task` that remembers it
///   (`task::out_of_memory()`); nothing of its body runs;
/// - `spawn` (and `scope::spawn`, `block_on`) of such a task, or a `spawn` whose own block cannot
///   be allocated, gives a `join_handle` that is already finished with `errc::out_of_memory`
///   (a scope also records it as a child error);
/// - `co_await` of such a task inside another task panics with "out of memory" (there is no
///   value to hand back): spawn what may fail, or size the arena (`arena::high_water()`).
///
/// Thread-safety: `set_frame_allocator` must be called before any task exists and never while
/// tasks run (a block is freed through the allocator installed at the time); the installed
/// functions must themselves be thread-safe if several threads run tasks.
#pragma once
#include <cstddef>

namespace eddy {

/// A pluggable allocator for coroutine frames. `allocate` returns null when out of memory.
struct frame_allocator {
  void* (*allocate)(std::size_t size, void* context) noexcept;  ///< null when out of memory
  void (*deallocate)(void* p, std::size_t size, void* context) noexcept;  ///< frees `allocate`'s
  void* context;  ///< passed to both functions
};

/// Installs `a` (or restores the default when both functions are null). Not thread-safe.
void set_frame_allocator(frame_allocator a) noexcept;
/// The allocator in use.
frame_allocator get_frame_allocator() noexcept;

namespace detail {
/// Allocates `n` bytes through the installed hook; null when out of memory.
void* frame_try_alloc(std::size_t n) noexcept;
/// Allocates `n` bytes through the installed hook; panics with "out of memory" on failure.
void* frame_alloc(std::size_t n);
/// Releases memory from `frame_alloc`.
void frame_free(void* p, std::size_t n) noexcept;
}  // namespace detail

}  // namespace eddy
