// SPDX-License-Identifier: BSL-1.0
// The methods every RPC test serves, and a probe that sees what the server's handlers did.
#pragma once
#include <gtest/gtest.h>
#include <algorithm>
#include <atomic>
#include <eddy/eddy.hpp>
#include <eddy/rpc/server.hpp>

// ASSERT_* for a coroutine returning task<void>: record the failure, leave the coroutine.
#define CO_ASSERT_TRUE(c)         \
  do {                            \
    const bool rpc_ok_ = bool(c); \
    EXPECT_TRUE(rpc_ok_) << #c;   \
    if (!rpc_ok_) co_return;      \
  } while (0)
#define CO_ASSERT_FALSE(c) CO_ASSERT_TRUE(!(c))
#define CO_ASSERT_EQ(a, b) CO_ASSERT_TRUE((a) == (b))

namespace rpc_test {

// The int64 in a payload, or -1 (a test value is never negative).
inline std::int64_t num(std::span<const std::byte> b) {
  auto r = eddy::rpc::to_int(b);
  return r ? *r : -1;
}

using namespace std::chrono_literals;

struct probe {
  std::atomic<int> running{0};            // handlers alive
  std::atomic<int> max_running{0};        // the most alive at once
  std::atomic<int> aborted{0};            // handlers destroyed before they finished
  std::atomic<std::int64_t> produced{0};  // stream items sent by "count"
  // How far the server's "count" is ahead of a consumer that took `consumed` items.
  std::int64_t sent_ahead(std::int64_t consumed) const { return produced.load() - consumed; }
};

// Counts a handler in `running` and, if it never reached `done`, in `aborted`.
struct handler_guard {
  probe* p;
  bool done = false;
  explicit handler_guard(probe* q) : p(q) {
    const int n = ++p->running;
    int m = p->max_running.load();
    while (n > m && !p->max_running.compare_exchange_weak(m, n)) {
    }
  }
  ~handler_guard() {
    --p->running;
    if (!done) ++p->aborted;
  }
};

inline eddy::rpc::methods make_methods(probe* p) {
  using eddy::rpc::bytes;
  using eddy::rpc::from_int;
  using eddy::rpc::to_int;
  eddy::rpc::methods m;
  m.add("square", [](bytes in) -> eddy::task<eddy::result<bytes>> {
    auto v = to_int(in);
    if (!v) co_return v.error();
    const std::int64_t x = *v;
    co_return from_int(x * x);
  });
  m.add("slow_square", [p](bytes in) -> eddy::task<eddy::result<bytes>> {
    handler_guard g{p};
    co_await eddy::sleep(10ms);
    const std::int64_t x = num(in);
    g.done = true;
    co_return from_int(x * x);
  });
  m.add("fail", [](bytes in) -> eddy::task<eddy::result<bytes>> {
    co_return eddy::error{eddy::errc::user, static_cast<std::uint64_t>(num(in))};
  });
  m.add("forever", [p](bytes) -> eddy::task<eddy::result<bytes>> {
    handler_guard g{p};
    co_await eddy::sleep(eddy::duration::max());
    g.done = true;
    co_return bytes{};
  });
  m.add_stream("count",
               [p](bytes in, eddy::rpc::stream_writer& out) -> eddy::task<eddy::result<void>> {
                 handler_guard g{p};
                 const std::int64_t n = num(in);
                 for (std::int64_t i = 0; i < n; ++i) {
                   if (auto r = co_await out.send(from_int(i)); !r) co_return r.error();
                   ++p->produced;
                 }
                 g.done = true;
                 co_return eddy::result<void>{};
               });
  m.add_stream("count_then_fail",
               [](bytes in, eddy::rpc::stream_writer& out) -> eddy::task<eddy::result<void>> {
                 const std::int64_t n = num(in);
                 for (std::int64_t i = 0; i < n; ++i)
                   if (auto r = co_await out.send(from_int(i)); !r) co_return r.error();
                 co_return eddy::error{eddy::errc::user, 1};
               });
  return m;
}

}  // namespace rpc_test
