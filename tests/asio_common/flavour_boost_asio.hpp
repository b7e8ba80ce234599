// SPDX-License-Identifier: BSL-1.0
// The Boost.Asio flavour of the shared Asio test cases (see net_test.hpp).
#pragma once
#include <eddy/runtime/boost_asio_runtime.hpp>  // first: it orders the standard library before Asio

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <eddy/boost_asio/awaitable.hpp>
#include <eddy/boost_asio/use_task.hpp>
#include <eddy/runtime/boost_asio_runtime.hpp>
#include <utility>

#include "asio_common/net_test.hpp"

#define EDDY_NET_PREFIX boost_asio
namespace net = ::boost::asio;
using net_runtime = eddy::boost_asio_runtime;
using net_error_code = boost::system::error_code;
// The name of the flavour, for typed tests ("boost_asio1", "boost_asio2").
inline constexpr const char* net_name = "boost_asio";

// The awaitable bridge of the flavour (eddy::boost_asio_await / eddy::to_boost_awaitable).
template <class... A>
auto net_await(A&&... a) {
  return eddy::boost_asio_await(std::forward<A>(a)...);
}
template <class T>
auto net_to_awaitable(eddy::executor ex, eddy::task<T> t) {
  return eddy::to_boost_awaitable(ex, std::move(t));
}
