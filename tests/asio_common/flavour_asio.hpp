// SPDX-License-Identifier: BSL-1.0
// The standalone Asio flavour of the shared Asio test cases (see net_test.hpp).
#pragma once
#include <eddy/runtime/asio_runtime.hpp>  // first: it orders the standard library before Asio

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <eddy/asio/awaitable.hpp>
#include <eddy/asio/use_task.hpp>
#include <eddy/runtime/asio_runtime.hpp>
#include <utility>

#include "asio_common/net_test.hpp"

#define EDDY_NET_PREFIX asio
namespace net = ::asio;
using net_runtime = eddy::asio_runtime;
using net_error_code = std::error_code;
// The name of the flavour, for typed tests ("asio1", "asio2").
inline constexpr const char* net_name = "asio";

// The awaitable bridge of the flavour (eddy::asio_await / eddy::to_awaitable).
template <class... A>
auto net_await(A&&... a) {
  return eddy::asio_await(std::forward<A>(a)...);
}
template <class T>
auto net_to_awaitable(eddy::executor ex, eddy::task<T> t) {
  return eddy::to_awaitable(ex, std::move(t));
}
