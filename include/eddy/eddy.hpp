// SPDX-License-Identifier: BSL-1.0
/// \file
/// Everything in eddy that needs no optional dependency.
#pragma once
#include "eddy/core/error.hpp"
#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/core/unit.hpp"
#include "eddy/runtime.hpp"
#include "eddy/stream.hpp"
#include "eddy/sync.hpp"
#include "eddy/version.hpp"
