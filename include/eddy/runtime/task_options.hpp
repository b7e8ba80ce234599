// SPDX-License-Identifier: BSL-1.0
/// \file
/// `eddy::task_options`: how a task is spawned (its name, for now).
///
/// `spawn(ex, t, "name")` is the short form of `spawn(ex, t, task_options{.name = "name"})`.
/// A name is for people and tools (`unhandled_error`, task hooks, traces, dumps); it does not
/// change how the task runs. Two costs to choose from:
/// - by default the name is a `const char*` the caller keeps alive for the task's whole life (a
///   string literal): stored as a pointer, free;
/// - with `copy_name = true` (a name built at run time) the spawn copies the string into one
///   block of `strlen(name) + 1` bytes through the frame allocator, freed with the task's state.
///   If that allocation fails the task runs unnamed; the spawn itself does not fail.
#pragma once

namespace eddy {

/// Options of a spawn (see the file comment). An aggregate: `task_options{.name = "jobs"}`.
/// A plain value; thread-safe to copy.
struct task_options {
  /// The task's name, or null for none. Not owned unless `copy_name` is set.
  const char* name = nullptr;
  /// Copy `name` into the task (one allocation at spawn) instead of keeping the pointer.
  bool copy_name = false;
};

}  // namespace eddy
