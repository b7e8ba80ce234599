// SPDX-License-Identifier: BSL-1.0
/// \file
/// Kept so `#include <eddy/stream/with_cancellation.hpp>` goes on working: `with_cancellation`
/// lives in `eddy/runtime/with_cancellation.hpp` (it races any awaitable against a token; it is
/// not a stream operator).
#pragma once
#include "eddy/runtime/with_cancellation.hpp"
