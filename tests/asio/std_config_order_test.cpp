// SPDX-License-Identifier: BSL-1.0
// eddy's Asio header first, before any standard header: it must still give Asio the standard
// library's configuration, so this TU picks the same aligned allocator as every TU that
// includes a standard header first (otherwise handler memory allocated here with
// `operator new` is freed elsewhere with `std::free`: an ASan alloc-dealloc-mismatch, which
// the conformance, sync and stream suites hit under ASan before the fix).
#include "eddy/runtime/asio_runtime.hpp"

#if defined(_GLIBCXX_HAVE_ALIGNED_ALLOC) != defined(ASIO_HAS_STD_ALIGNED_ALLOC)
#error "eddy/runtime/asio_runtime.hpp let Asio configure itself before the standard library"
#endif

#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <chrono>
#include <thread>

#include "eddy/core/task.hpp"
#include "eddy/runtime/sleep.hpp"

namespace {

// A timer handler allocated through Asio's recycling allocator on a thread that then exits: its
// thread-local cache is freed by whichever TU's inline copy of Asio the linker kept.
TEST(asio_std_config, handler_memory_from_this_tu_is_freed_cleanly_on_another_thread) {
  asio::io_context io;
  eddy::asio_runtime rt{io, 1};
  bool slept = false;
  auto job = [&]() -> eddy::task<void> {
    co_await eddy::sleep(std::chrono::milliseconds(1));
    slept = true;
  };
  std::thread runner([&] { rt.block_on(job()); });
  runner.join();
  EXPECT_TRUE(slept);
}

}  // namespace
