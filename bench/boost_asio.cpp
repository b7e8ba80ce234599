// SPDX-License-Identifier: BSL-1.0
// eddy on Boost.Asio (boost_asio_runtime) next to the same workloads written in plain Boost.Asio,
// in one binary: W1, W4, W5 and W7a of bench/common/asio_workloads.hpp (shared with
// bench/w_asio.cpp, which also has W7b and the timer-mechanism comparison).
// Run: build/release/bench/eddy_bench_boost_asio [--benchmark_filter=W5]
#include <eddy/runtime/boost_asio_runtime.hpp>  // first: it orders the standard library before Asio

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "eddy/runtime/boost_asio_runtime.hpp"

namespace net = ::boost::asio;
using net_runtime = eddy::boost_asio_runtime;
using ec_t = boost::system::error_code;
#define EDDY_NET_PREFIX boost_asio
#include "common/asio_workloads.hpp"
