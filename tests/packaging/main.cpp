// SPDX-License-Identifier: BSL-1.0
// A small program built against eddy by each consumer of the packaging test (installed, with
// find_package and with pkg-config; fetched; added as a subdirectory). It uses every component
// it was built with: eddy::eddy (a task, a timer, a stream, a channel), eddy::asio (an Asio
// timer awaited through use_task on asio_runtime), eddy::uv (uv_runtime) and eddy::boost_asio
// (a Boost.Asio timer awaited through use_task on boost_asio_runtime). The consumer says
// which components it linked (EXPECT_ASIO, EXPECT_UV, EXPECT_BOOST_ASIO) and which standard it
// asked for
// (EXPECT_CXX): linking a component must bring its macro, and eddy must not lower the standard.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <eddy/eddy.hpp>
#include <eddy/version.hpp>
#include <vector>

#if EXPECT_ASIO && !EDDY_WITH_ASIO
#error "linked eddy::asio / eddy-asio but EDDY_WITH_ASIO is not defined"
#endif
#if EXPECT_UV && !EDDY_WITH_UV
#error "linked eddy::uv / eddy-uv but EDDY_WITH_UV is not defined"
#endif
#if EXPECT_BOOST_ASIO && !EDDY_WITH_BOOST_ASIO
#error "linked eddy::boost_asio / eddy-boost_asio but EDDY_WITH_BOOST_ASIO is not defined"
#endif
#if EXPECT_QT && !EDDY_WITH_QT
#error "linked eddy::qt / eddy-qt but EDDY_WITH_QT is not defined"
#endif
#if EXPECT_GLIB && !EDDY_WITH_GLIB
#error "linked eddy::glib / eddy-glib but EDDY_WITH_GLIB is not defined"
#endif
#if defined(EXPECT_CXX) && __cplusplus < EXPECT_CXX
#error "the consumer's C++ standard was lowered"
#endif

#if EDDY_WITH_ASIO
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <eddy/asio/use_task.hpp>
#include <eddy/runtime/asio_runtime.hpp>
#endif
#if EDDY_WITH_UV
#include <eddy/runtime/uv_runtime.hpp>
#endif
#if EDDY_WITH_BOOST_ASIO
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <eddy/boost_asio/use_task.hpp>
#include <eddy/runtime/boost_asio_runtime.hpp>
#endif
#if EDDY_WITH_QT
#include <QCoreApplication>
#include <eddy/runtime/qt_runtime.hpp>
#endif
#if EDDY_WITH_GLIB
#include <eddy/runtime/glib_runtime.hpp>
#endif

using namespace std::chrono_literals;

namespace {

std::vector<int> one_to_six() {
  std::vector<int> v;
  for (int i = 1; i <= 6; ++i) v.push_back(i);
  return v;  // not a braced list in the coroutine: see docs/compiler-notes.md
}

// 1 + ... + 5 through a channel (15), then 1 * 3 + 3 * 3 + 5 * 3 through a stream (27): 42.
eddy::task<int> answer() {
  auto [tx, rx] = eddy::mpsc::channel<int>(4);
  auto producer = eddy::spawn([](eddy::mpsc::sender<int> out) -> eddy::task<void> {
    for (int i = 1; i <= 5; ++i) (void)co_await out.send(i);
  }(std::move(tx)));
  int sum = 0;
  while (auto v = co_await rx.recv()) sum += *v;
  (void)co_await producer;
  co_await eddy::sleep(1ms);
  auto s = eddy::from_range(one_to_six()) | eddy::filter([](int x) { return x % 2 == 1; }) |
           eddy::map([](int x) { return x * 3; });
  while (auto it = co_await s.next()) sum += it->value();
  co_return sum;
}

#if EDDY_WITH_ASIO
eddy::task<int> asio_answer(asio::io_context* io) {
  asio::steady_timer t{*io};
  t.expires_after(1ms);
  const std::error_code ec = co_await t.async_wait(eddy::use_task);
  co_return ec ? -1 : co_await answer();
}
#endif

#if EDDY_WITH_BOOST_ASIO
eddy::task<int> boost_asio_answer(boost::asio::io_context* io) {
  boost::asio::steady_timer t{*io};
  t.expires_after(1ms);
  const boost::system::error_code ec = co_await t.async_wait(eddy::use_task);
  co_return ec ? -1 : co_await answer();
}
#endif

}  // namespace

int main() {
  int failures = 0;
  auto check = [&](const char* where, int got) {
    std::printf("%s: %d\n", where, got);
    if (got != 42) ++failures;
  };
  {
    eddy::local_runtime rt;
    check("local_runtime", rt.block_on(answer()));
  }
#if EDDY_WITH_ASIO
  {
    asio::io_context io;
    eddy::asio_runtime rt{io, 1};
    check("asio_runtime", rt.block_on(asio_answer(&io)));
  }
#endif
#if EDDY_WITH_BOOST_ASIO
  {
    boost::asio::io_context io;
    eddy::boost_asio_runtime rt{io, 1};
    check("boost_asio_runtime", rt.block_on(boost_asio_answer(&io)));
  }
#endif
#if EDDY_WITH_UV
  {
    uv_loop_t loop;
    uv_loop_init(&loop);
    {
      eddy::uv_runtime rt{&loop};
      check("uv_runtime", rt.block_on(answer()));
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0) ++failures;
  }
#endif
#if EDDY_WITH_QT
  {
    int argc = 1;
    char name[] = "consumer";
    char* argv[] = {name, nullptr};
    QCoreApplication app{argc, argv};
    eddy::qt_runtime rt;
    check("qt_runtime", rt.block_on(answer()));
  }
#endif
#if EDDY_WITH_GLIB
  {
    GMainContext* ctx = g_main_context_new();
    {
      eddy::glib_runtime rt{ctx};
      check("glib_runtime", rt.block_on(answer()));
    }
    g_main_context_unref(ctx);
  }
#endif
  std::printf("eddy %s (headers %s), C++ %ld\n", eddy::version(), EDDY_VERSION_STRING,
              static_cast<long>(__cplusplus));
  if (std::strcmp(eddy::version(), EDDY_VERSION_STRING) != 0) ++failures;
  return failures == 0 ? 0 : 1;
}
