// SPDX-License-Identifier: BSL-1.0
// Round trip of a small RPC call over loopback TCP, one io_context on one thread:
// - eddy: rpc::client -> rpc::serve over rpc::asio_tcp_transport (the session: ids, the
//   pending table, the outbox and writer task, a task per handled call);
// - plain Asio: two coroutines (asio::awaitable) exchanging the same bytes (the same
//   length-prefixed messages, encoded once) with async_write / async_read.
// Each iteration makes `n_calls` calls one after the other. Reported: time and allocations per
// round trip.
// Run: build/release/bench/eddy_bench_rpc
#include <eddy/runtime/asio_runtime.hpp>  // first: it orders the standard library before Asio
// (the runtime header first)
#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <eddy/eddy.hpp>
#include <eddy/rpc/asio_tcp.hpp>
#include <eddy/rpc/client.hpp>
#include <eddy/rpc/server.hpp>
#include <utility>

#include "common/alloc_count.hpp"

namespace {

using namespace eddy;
using asio::ip::tcp;
constexpr int n_calls = 2000;

// A connected pair of sockets (blocking connect: the kernel completes it before the accept).
std::pair<tcp::socket, tcp::socket> socket_pair(asio::io_context& io) {
  tcp::acceptor acc{io, tcp::endpoint{asio::ip::address_v4::loopback(), 0}};
  tcp::socket a{io};
  a.connect(acc.local_endpoint());
  tcp::socket b = acc.accept();
  a.set_option(tcp::no_delay(true));
  b.set_option(tcp::no_delay(true));
  return {std::move(a), std::move(b)};
}

const rpc::bytes request_payload = rpc::to_bytes("0123456789abcdef");  // 16 bytes

task<int> call_loop(rpc::client<rpc::asio_tcp_transport>* c, int n) {
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    auto r = co_await c->call("echo", request_payload);
    ok += r && r->size() == request_payload.size();
  }
  co_return ok;
}

void rpc_round_trip_eddy(benchmark::State& st) {
  asio::io_context io{1};
  asio_runtime rt{io, 1};
  rpc::methods ms;
  ms.add("echo", [](rpc::bytes p) -> task<result<rpc::bytes>> { co_return std::move(p); });
  auto [a, b] = socket_pair(io);
  auto server = spawn(rt.get_executor(), rpc::serve(rpc::asio_tcp_transport{std::move(b)}, ms));
  {
    rpc::client<rpc::asio_tcp_transport> c{rt.get_executor(),
                                           rpc::asio_tcp_transport{std::move(a)}};
    const auto start = eddy_bench::allocations();
    for (auto _ : st)
      if (rt.block_on(call_loop(&c, n_calls)) != n_calls) st.SkipWithError("a call failed");
    eddy_bench::report_allocs(st, start, double(st.iterations()) * n_calls);
    st.counters["ns/call"] =
        benchmark::Counter(double(st.iterations()) * n_calls,
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  }
  (void)rt.block_on(
      [](join_handle<rpc::server_stats>* s) -> task<void> { (void)co_await *s; }(&server));
}
BENCHMARK(rpc_round_trip_eddy)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- plain Asio: the same bytes -------------------------------------------------------------

rpc::bytes framed(rpc::kind k, std::uint64_t id, std::string_view method) {
  rpc::bytes m, out;
  (void)rpc::encode(m, k, id, method, request_payload);
  std::byte p[4];
  rpc::put_length_prefix(p, static_cast<std::uint32_t>(m.size()));
  out.assign(std::begin(p), std::end(p));
  out.insert(out.end(), m.begin(), m.end());
  return out;
}

asio::awaitable<void> plain_server(tcp::socket s) {
  const rpc::bytes reply = framed(rpc::kind::response, 1, {});
  std::array<std::byte, 4> len;
  std::vector<std::byte> body;
  for (;;) {
    auto [e1, n1] = co_await asio::async_read(s, asio::buffer(len),
                                              asio::experimental::as_tuple(asio::use_awaitable));
    if (e1) co_return;
    body.resize(std::to_integer<std::size_t>(len[0]) | std::to_integer<std::size_t>(len[1]) << 8);
    auto [e2, n2] = co_await asio::async_read(s, asio::buffer(body),
                                              asio::experimental::as_tuple(asio::use_awaitable));
    if (e2) co_return;
    auto [e3, n3] = co_await asio::async_write(s, asio::buffer(reply),
                                               asio::experimental::as_tuple(asio::use_awaitable));
    if (e3) co_return;
  }
}

asio::awaitable<void> plain_client(tcp::socket* s, int n, int* ok) {
  const rpc::bytes request = framed(rpc::kind::call, 1, "echo");
  std::array<std::byte, 4> len;
  std::vector<std::byte> body;
  for (int i = 0; i < n; ++i) {
    co_await asio::async_write(*s, asio::buffer(request), asio::use_awaitable);
    co_await asio::async_read(*s, asio::buffer(len), asio::use_awaitable);
    body.resize(std::to_integer<std::size_t>(len[0]) | std::to_integer<std::size_t>(len[1]) << 8);
    co_await asio::async_read(*s, asio::buffer(body), asio::use_awaitable);
    ++*ok;
  }
}

void rpc_round_trip_plain_asio(benchmark::State& st) {
  asio::io_context io{1};
  auto [a, b] = socket_pair(io);
  asio::co_spawn(io, plain_server(std::move(b)), asio::detached);
  const auto start = eddy_bench::allocations();
  for (auto _ : st) {
    int ok = 0;
    asio::co_spawn(io, plain_client(&a, n_calls, &ok), asio::detached);
    io.restart();
    while (ok < n_calls) io.run_one();
    if (ok != n_calls) st.SkipWithError("a call failed");
  }
  eddy_bench::report_allocs(st, start, double(st.iterations()) * n_calls);
  st.counters["ns/call"] = benchmark::Counter(
      double(st.iterations()) * n_calls, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  a.close();
  io.run();
}
BENCHMARK(rpc_round_trip_plain_asio)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
