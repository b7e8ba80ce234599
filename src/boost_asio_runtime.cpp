// SPDX-License-Identifier: BSL-1.0
// boost_asio_runtime: the shared Asio runtime (asio_runtime_impl.hpp) instantiated for Boost.Asio.
#include "eddy/runtime/boost_asio_runtime.hpp"

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>

#define EDDY_ASIO_NS ::boost::asio
#define EDDY_ASIO_FLAVOUR boost_asio_flavour
#include "asio_runtime_impl.hpp"
