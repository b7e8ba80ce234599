// SPDX-License-Identifier: BSL-1.0
// The Asio-flavour-neutral test cases of tests/asio_common/ are written against `net::` (a
// namespace alias), `net_runtime`, `net_error_code`, `net_await`/`net_to_awaitable` and the
// macros below. A test file includes one flavour header (flavour_asio.hpp: standalone Asio,
// tests named asio_*; flavour_boost_asio.hpp: Boost.Asio, tests named boost_asio_*) and then
// the case files: the same tests run on both flavours.
#pragma once
#include <gtest/gtest.h>

#include <atomic>

#define EDDY_NET_CAT_(a, b) a##_##b
#define EDDY_NET_CAT(a, b) EDDY_NET_CAT_(a, b)
// The suite name `<flavour>_<s>` (asio_interop, boost_asio_interop).
#define NET_SUITE(s) EDDY_NET_CAT(EDDY_NET_PREFIX, s)
// TEST / TYPED_TEST_SUITE / TYPED_TEST with that suite name (through a second macro so that
// gtest stringifies the expanded name).
#define NET_TEST(s, n) EDDY_NET_TEST_(NET_SUITE(s), n)
#define EDDY_NET_TEST_(s, n) TEST(s, n)
#define NET_TYPED_TEST_SUITE(s, ...) EDDY_NET_TYPED_TEST_SUITE_(NET_SUITE(s), __VA_ARGS__)
#define EDDY_NET_TYPED_TEST_SUITE_(s, ...) TYPED_TEST_SUITE(s, __VA_ARGS__)
#define NET_TYPED_TEST(s, n) EDDY_NET_TYPED_TEST_(NET_SUITE(s), n)
#define EDDY_NET_TYPED_TEST_(s, n) TYPED_TEST(s, n)

// Counts its destruction in *n: a coroutine frame that holds one was destroyed (the case files
// use it to see a frame dropped on shutdown or cancellation).
struct drop_counter {
  std::atomic<int>* n;
  ~drop_counter() { n->fetch_add(1); }
};
