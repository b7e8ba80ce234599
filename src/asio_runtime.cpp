// SPDX-License-Identifier: BSL-1.0
// asio_runtime: the shared Asio runtime (asio_runtime_impl.hpp) instantiated for standalone Asio.
#include "eddy/runtime/asio_runtime.hpp"

#include <asio/execution/outstanding_work.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/prefer.hpp>
#include <asio/steady_timer.hpp>

#define EDDY_ASIO_NS ::asio
#define EDDY_ASIO_FLAVOUR asio_flavour
#include "asio_runtime_impl.hpp"
