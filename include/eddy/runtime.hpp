// SPDX-License-Identifier: BSL-1.0
/// \file
/// The runtime layer: the contract, spawn/join/scope, time, and the dependency-free runtimes.
#pragma once
#include "eddy/core/cancellation.hpp"
#include "eddy/runtime/local_runtime.hpp"
#include "eddy/runtime/metrics.hpp"
#include "eddy/runtime/post.hpp"
#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/scope.hpp"
#include "eddy/runtime/sim_runtime.hpp"
#include "eddy/runtime/sleep.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/spawn_blocking.hpp"
#include "eddy/runtime/task_hooks.hpp"
#include "eddy/runtime/task_options.hpp"
#include "eddy/runtime/task_set.hpp"
#include "eddy/runtime/timeout.hpp"
#include "eddy/runtime/when_all.hpp"
#include "eddy/runtime/when_any.hpp"
#include "eddy/runtime/with_cancellation.hpp"
#if EDDY_HAS_THREADS
#include "eddy/runtime/thread_pool.hpp"
#endif
