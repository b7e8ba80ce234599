// SPDX-License-Identifier: BSL-1.0
/// \file
/// The runtime-agnostic channels and locks (eddy/sync/*). Add each new primitive here.
#pragma once
#include "eddy/sync/barrier.hpp"
#include "eddy/sync/broadcast.hpp"
#include "eddy/sync/latch.hpp"
#include "eddy/sync/mpsc.hpp"
#include "eddy/sync/mutex.hpp"
#include "eddy/sync/notify.hpp"
#include "eddy/sync/once_cell.hpp"
#include "eddy/sync/oneshot.hpp"
#include "eddy/sync/semaphore.hpp"
#include "eddy/sync/shared_mutex.hpp"
#include "eddy/sync/watch.hpp"
