// SPDX-License-Identifier: BSL-1.0
// The runtime fixtures of the conformance suite. Every typed suite in tests/ instantiates over
// `eddy_test::all_runtimes`; a new backend joins every suite by adding its fixture below.
//
// A fixture has: `executor ex()`, `template <class T> T block_on(task<T>)`, a runtime `rt`
// with `try_block_on`, and traits `threads` (workers that may run tasks in parallel),
// `virtual_time` (sim) and `name`. The Asio, libuv, Boost.Asio, Qt and GLib fixtures join when
// the test binary is built with EDDY_TEST_WITH_ASIO / EDDY_TEST_WITH_UV /
// EDDY_TEST_WITH_BOOST_ASIO / EDDY_TEST_WITH_QT / EDDY_TEST_WITH_GLIB
// (tests/CMakeLists.txt does it).
#pragma once
#include <gtest/gtest.h>

#include <eddy/eddy.hpp>

#if defined(EDDY_TEST_WITH_ASIO)
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <eddy/runtime/asio_runtime.hpp>
#include <thread>
#include <vector>
#endif
#if defined(EDDY_TEST_WITH_UV)
#include <eddy/runtime/uv_runtime.hpp>
#endif
#if defined(EDDY_TEST_WITH_BOOST_ASIO)
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <eddy/runtime/boost_asio_runtime.hpp>
#include <thread>
#include <vector>
#endif
#if defined(EDDY_TEST_WITH_QT)
#include <QCoreApplication>
#include <eddy/runtime/qt_runtime.hpp>
#endif
#if defined(EDDY_TEST_WITH_GLIB)
#include <eddy/runtime/glib_runtime.hpp>
#endif
#ifdef __EMSCRIPTEN__
#include <eddy/runtime/emscripten_runtime.hpp>
#endif

namespace eddy_test {

#ifndef __EMSCRIPTEN__
struct local_fixture {
  static constexpr const char* name = "local";
  static constexpr int threads = 1;
  static constexpr bool virtual_time = false;
  eddy::local_runtime rt;
  eddy::executor ex() { return rt.get_executor(); }
  template <class T>
  T block_on(eddy::task<T> t) {
    return rt.block_on(std::move(t));
  }
};
#endif

#if EDDY_HAS_THREADS
template <int N>
struct pool_fixture {
  static constexpr const char* name = N == 1 ? "pool1" : "pool2";
  static constexpr int threads = N;
  static constexpr bool virtual_time = false;
  eddy::thread_pool rt{N};
  eddy::executor ex() { return rt.get_executor(); }
  template <class T>
  T block_on(eddy::task<T> t) {
    return rt.block_on(std::move(t));
  }
};
#endif

struct sim_fixture {
  static constexpr const char* name = "sim";
  static constexpr int threads = 1;
  static constexpr bool virtual_time = true;
  eddy::sim_runtime rt{12345};
  eddy::executor ex() { return rt.get_executor(); }
  template <class T>
  T block_on(eddy::task<T> t) {
    return rt.block_on(std::move(t));
  }
};

#ifdef __EMSCRIPTEN__
// Single-threaded wasm: the JS event loop runtime (block_on drives it under node) and sim.
struct emscripten_fixture {
  static constexpr const char* name = "emscripten";
  static constexpr int threads = 1;
  static constexpr bool virtual_time = false;
  eddy::emscripten_runtime rt;
  eddy::executor ex() { return rt.get_executor(); }
  template <class T>
  T block_on(eddy::task<T> t) {
    return rt.block_on(std::move(t));
  }
};
// On wasm, local_runtime has no clock (no threads, no idle hook): suites written for "the
// single-thread runtime with a real clock" run on emscripten_runtime instead.
using local_fixture = emscripten_fixture;
using all_runtimes = ::testing::Types<emscripten_fixture, sim_fixture>;
#else
// ---- Asio, libuv and Boost.Asio backends, when the test binary is linked with them
// ---------------------
#if defined(EDDY_TEST_WITH_ASIO) || defined(EDDY_TEST_WITH_BOOST_ASIO)
// One fixture for both Asio flavours. `N` threads run the io_context during block_on: the
// calling thread (inside rt.block_on) and N - 1 helpers, stopped and joined when block_on
// returns.
template <class IoContext, class WorkGuard, class Runtime, int N>
struct basic_asio_fixture {
  static constexpr int threads = N;
  static constexpr bool virtual_time = false;
  IoContext io;
  Runtime rt{io, N};  // destroyed first: aborts what is left while io is alive
  eddy::executor ex() { return rt.get_executor(); }
  template <class T>
  T block_on(eddy::task<T> t) {
    if constexpr (N == 1) {
      return rt.block_on(std::move(t));
    } else {
      struct helpers {
        IoContext& io;
        WorkGuard guard{io.get_executor()};
        std::vector<std::thread> threads;
        explicit helpers(IoContext& c) : io(c) {
          if (io.stopped()) io.restart();
          for (int i = 1; i < N; ++i) threads.emplace_back([this] { io.run(); });
        }
        ~helpers() {
          guard.reset();
          io.stop();
          for (auto& th : threads) th.join();
          io.restart();
        }
      } h{io};
      return rt.block_on(std::move(t));
    }
  }
};
#endif

#if defined(EDDY_TEST_WITH_ASIO)
template <int N>
struct asio_fixture : basic_asio_fixture<asio::io_context,
                                         asio::executor_work_guard<asio::io_context::executor_type>,
                                         eddy::asio_runtime, N> {
  static constexpr const char* name = N == 1 ? "asio1" : "asio2";
};
#define EDDY_TEST_ASIO_FIXTURES , asio_fixture<1>, asio_fixture<2>
#else
#define EDDY_TEST_ASIO_FIXTURES
#endif

#if defined(EDDY_TEST_WITH_BOOST_ASIO)
template <int N>
struct boost_asio_fixture
    : basic_asio_fixture<boost::asio::io_context,
                         boost::asio::executor_work_guard<boost::asio::io_context::executor_type>,
                         eddy::boost_asio_runtime, N> {
  static constexpr const char* name = N == 1 ? "boost_asio1" : "boost_asio2";
};
#define EDDY_TEST_BOOST_ASIO_FIXTURES , boost_asio_fixture<1>, boost_asio_fixture<2>
#else
#define EDDY_TEST_BOOST_ASIO_FIXTURES
#endif

#if defined(EDDY_TEST_WITH_UV)
struct uv_fixture {
  static constexpr const char* name = "uv";
  static constexpr int threads = 1;
  static constexpr bool virtual_time = false;
  struct loop_holder {
    uv_loop_t loop;
    loop_holder() { uv_loop_init(&loop); }
    ~loop_holder() {
      uv_run(&loop, UV_RUN_DEFAULT);  // the runtime's close callbacks
      EXPECT_EQ(uv_loop_close(&loop), 0);
    }
  } holder;
  eddy::uv_runtime rt{&holder.loop};
  eddy::executor ex() { return rt.get_executor(); }
  template <class T>
  T block_on(eddy::task<T> t) {
    return rt.block_on(std::move(t));
  }
};
#define EDDY_TEST_UV_FIXTURES , uv_fixture
#else
#define EDDY_TEST_UV_FIXTURES
#endif

#if defined(EDDY_TEST_WITH_QT)
/// The process's QCoreApplication, made on first use (on the thread of the first Qt test, the
/// main thread) and never destroyed: Qt allows one per process, and other fixtures and tests
/// are unaffected by it.
inline QCoreApplication& qt_app() {
  static int argc = 1;
  static char name[] = "eddy_tests";
  static char* argv[] = {name, nullptr};
  static QCoreApplication* app = QCoreApplication::instance() ? QCoreApplication::instance()
                                                              : new QCoreApplication(argc, argv);
  return *app;
}

struct qt_fixture {
  static constexpr const char* name = "qt";
  static constexpr int threads = 1;
  static constexpr bool virtual_time = false;
  struct app_holder {
    app_holder() { (void)qt_app(); }
  } app;
  eddy::qt_runtime rt;  // on this thread's Qt event loop; block_on runs a QEventLoop
  eddy::executor ex() { return rt.get_executor(); }
  template <class T>
  T block_on(eddy::task<T> t) {
    return rt.block_on(std::move(t));
  }
};
#define EDDY_TEST_QT_FIXTURES , qt_fixture
#else
#define EDDY_TEST_QT_FIXTURES
#endif
#if defined(EDDY_TEST_WITH_GLIB)
// A fresh GMainContext (never the default one), iterated by block_on on the test's thread.
struct glib_fixture {
  static constexpr const char* name = "glib";
  static constexpr int threads = 1;
  static constexpr bool virtual_time = false;
  struct context_holder {
    GMainContext* ctx = g_main_context_new();
    ~context_holder() { g_main_context_unref(ctx); }
  } holder;
  eddy::glib_runtime rt{holder.ctx};  // destroyed first: detaches its source
  eddy::executor ex() { return rt.get_executor(); }
  template <class T>
  T block_on(eddy::task<T> t) {
    return rt.block_on(std::move(t));
  }
};
#define EDDY_TEST_GLIB_FIXTURES , glib_fixture
#else
#define EDDY_TEST_GLIB_FIXTURES
#endif

using all_runtimes = ::testing::Types<local_fixture, pool_fixture<1>, pool_fixture<2>,
                                      sim_fixture EDDY_TEST_ASIO_FIXTURES EDDY_TEST_UV_FIXTURES
                                          EDDY_TEST_BOOST_ASIO_FIXTURES EDDY_TEST_QT_FIXTURES
                                              EDDY_TEST_GLIB_FIXTURES>;
#endif

struct runtime_names {
  template <class F>
  static std::string GetName(int) {
    return F::name;
  }
};

}  // namespace eddy_test
