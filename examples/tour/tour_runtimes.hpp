// SPDX-License-Identifier: BSL-1.0
// The runtimes the tour runs on: every one that is built. A backend adds one call here.
// `f(name, run)`: `run(task)` runs the task to completion on that runtime and returns its value.
#pragma once
#include <utility>

#include "eddy/eddy.hpp"
#ifdef EDDY_WITH_ASIO
#include <asio/io_context.hpp>

#include "eddy/runtime/asio_runtime.hpp"
#endif
#ifdef EDDY_WITH_UV
#include "eddy/runtime/uv_runtime.hpp"
#endif
#ifdef EDDY_WITH_BOOST_ASIO
#include <boost/asio/io_context.hpp>

#include "eddy/runtime/boost_asio_runtime.hpp"
#endif
#ifdef EDDY_WITH_QT
#include <QCoreApplication>

#include "eddy/runtime/qt_runtime.hpp"
#endif
#ifdef EDDY_WITH_GLIB
#include "eddy/runtime/glib_runtime.hpp"
#endif

namespace eddy_tour {

template <class F>
void for_each_runtime(F&& f) {
  f("local_runtime", [](auto t) {
    eddy::local_runtime rt;
    return rt.block_on(std::move(t));
  });
  f("thread_pool{2}", [](auto t) {
    eddy::thread_pool rt{2};
    return rt.block_on(std::move(t));
  });
  f("sim_runtime{seed 7}, virtual time", [](auto t) {
    eddy::sim_runtime rt{7};
    return rt.block_on(std::move(t));
  });
#ifdef EDDY_WITH_ASIO
  f("asio_runtime over an io_context", [](auto t) {
    asio::io_context io;
    eddy::asio_runtime rt{io, 1};  // one thread runs the loop: the one in block_on
    return rt.block_on(std::move(t));
  });
#endif
#ifdef EDDY_WITH_UV
  f("uv_runtime over a uv_loop_t", [](auto t) {
    uv_loop_t loop;
    uv_loop_init(&loop);
    auto out = [&] {
      eddy::uv_runtime rt{&loop};
      return rt.block_on(std::move(t));
    }();
    uv_run(&loop, UV_RUN_DEFAULT);  // the runtime's close callbacks
    uv_loop_close(&loop);
    return out;
  });
#endif
#ifdef EDDY_WITH_BOOST_ASIO
  f("boost_asio_runtime over a boost::asio::io_context", [](auto t) {
    boost::asio::io_context io;
    eddy::boost_asio_runtime rt{io, 1};  // one thread runs the loop: the one in block_on
    return rt.block_on(std::move(t));
  });
#endif
#ifdef EDDY_WITH_QT
  f("qt_runtime on the main thread's Qt event loop", [](auto t) {
    static int argc = 1;
    static char name[] = "eddy_tour";
    static char* argv[] = {name, nullptr};
    static QCoreApplication app{argc, argv};  // one per process; block_on runs a QEventLoop
    eddy::qt_runtime rt;
    return rt.block_on(std::move(t));
  });
#endif
#ifdef EDDY_WITH_GLIB
  f("glib_runtime over a GMainContext", [](auto t) {
    GMainContext* ctx = g_main_context_new();
    auto out = [&] {
      eddy::glib_runtime rt{ctx};
      return rt.block_on(std::move(t));  // iterates the context until the task is done
    }();
    g_main_context_unref(ctx);
    return out;
  });
#endif
}

}  // namespace eddy_tour
