/// \file
/// The allocation hook for coroutine frames and spawned-task state.
///
/// Every `task<T>` frame and every `spawn` block is allocated through `frame_alloc` and released
/// through `frame_free`. By default they call global `operator new`/`delete`. Firmware installs a
/// fixed arena with `set_frame_allocator` before starting any task. An allocator that returns
/// null makes `frame_alloc` report `errc::out_of_memory` through `set_frame_allocator`'s
/// `on_failure` path: it panics (there is no frame to hand an error to).
///
/// Thread-safety: `set_frame_allocator` must be called before any task exists and never while
/// tasks run; the installed functions must themselves be thread-safe if several threads run tasks.
#pragma once
#include <cstddef>

namespace eddy {

/// A pluggable allocator for coroutine frames. `allocate` returns null when out of memory.
struct frame_allocator {
  void* (*allocate)(std::size_t size, void* context) noexcept;
  void (*deallocate)(void* p, std::size_t size, void* context) noexcept;
  void* context;
};

/// Installs `a` (or restores the default when both functions are null). Not thread-safe.
void set_frame_allocator(frame_allocator a) noexcept;
/// The allocator in use.
frame_allocator get_frame_allocator() noexcept;

namespace detail {
/// Allocates `n` bytes through the installed hook; panics with "out of memory" on failure.
void* frame_alloc(std::size_t n);
/// Releases memory from `frame_alloc`.
void frame_free(void* p, std::size_t n) noexcept;
}  // namespace detail

}  // namespace eddy
