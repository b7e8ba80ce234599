// The runtime fixtures of the conformance suite. Every typed suite in tests/ instantiates over
// `eddy_test::all_runtimes`; a new backend joins every suite by adding its fixture below.
//
// A fixture has: `executor ex()`, `template <class T> T block_on(task<T>)`, and traits
// `threads` (workers that may run tasks in parallel) and `virtual_time` (sim).
#pragma once
#include <gtest/gtest.h>

#include <eddy/eddy.hpp>
#ifdef __EMSCRIPTEN__
#include <eddy/runtime/emscripten_runtime.hpp>
#endif

namespace eddy_test {

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
using all_runtimes = ::testing::Types<emscripten_fixture, sim_fixture>;
#else
using all_runtimes = ::testing::Types<local_fixture, pool_fixture<1>, pool_fixture<2>, sim_fixture>;
#endif

struct runtime_names {
  template <class F>
  static std::string GetName(int) {
    return F::name;
  }
};

}  // namespace eddy_test
