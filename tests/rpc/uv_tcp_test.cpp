// SPDX-License-Identifier: BSL-1.0
// The RPC session over libuv TCP on 127.0.0.1 (uv_runtime): the cases of tcp_cases.hpp. The
// test runs until uv_run returns by itself and the loop closes cleanly (no handle left).
#include <gtest/gtest.h>

#ifdef EDDY_TEST_WITH_UV
#include <eddy/rpc/uv_tcp.hpp>
#include <eddy/runtime/uv_runtime.hpp>
#include <eddy/uv/tcp.hpp>
#include <optional>

#include "rpc/tcp_cases.hpp"

namespace eddy_test::rpc_uv_tcp_test {

using namespace eddy;
using namespace eddy::rpc;

namespace {

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  uv_ip4_addr("127.0.0.1", port, &a);
  return a;
}

task<result<uv::tcp_stream>> connect_task(uv_runtime* rt, int port) {
  co_return co_await uv::connect(*rt, loopback(port));
}

task<std::pair<uv_tcp_transport, uv_tcp_transport>> uv_pair(uv_runtime* rt) {
  auto l = co_await uv::listen(*rt, loopback(0));
  EXPECT_TRUE(l.has_value());
  auto c = spawn(connect_task(rt, l->port()));
  auto s = co_await l->accept();
  auto cs = co_await c;
  EXPECT_TRUE(s.has_value());
  EXPECT_TRUE(cs.has_value() && cs->has_value());
  co_return std::pair<uv_tcp_transport, uv_tcp_transport>{
      uv_tcp_transport{std::move(cs.value().value())}, uv_tcp_transport{std::move(*s)}};
}

}  // namespace

TEST(RpcUvTcp, native_client_and_server_over_loopback) {
  rpc_test::probe p;
  auto ms = rpc_test::make_methods(&p);
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    std::optional<uv_runtime> rt;
    rt.emplace(&loop);
    auto h = spawn(rt->get_executor(), rpc_test::tcp_cases<uv_tcp_transport>(
                                           [rtp = &*rt] { return uv_pair(rtp); }, &ms, &p));
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(rt->live_tasks(), 0u);
    EXPECT_TRUE(h.is_finished());
    EXPECT_TRUE(h.try_take().has_value());
    rt.reset();
  }
  uv_run(&loop, UV_RUN_DEFAULT);  // close callbacks
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace eddy_test::rpc_uv_tcp_test
#endif
