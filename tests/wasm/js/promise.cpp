// SPDX-License-Identifier: BSL-1.0
// Exports for promise.mjs: each starts a root task on the event loop and returns the id of a JS
// Promise (emscripten_runtime::start_promise); JavaScript awaits Module.eddyPromise(id).
#include <emscripten.h>

#include <chrono>
#include <eddy/eddy.hpp>
#include <eddy/runtime/emscripten_runtime.hpp>
#include <stdexcept>
#include <string>

using namespace eddy;
using namespace std::chrono_literals;

namespace {
emscripten_runtime* rt = nullptr;
}

extern "C" {
EMSCRIPTEN_KEEPALIVE int add_later(int a, int b) {
  return rt->start_promise([](int a, int b) -> task<int> {
    co_await sleep(3ms);
    co_return a + b;
  }(a, b));
}
EMSCRIPTEN_KEEPALIVE int greet(int n) {
  return rt->start_promise([](int n) -> task<std::string> {
    co_await yield_now();
    co_return "hello " + std::to_string(n);
  }(n));
}
EMSCRIPTEN_KEEPALIVE int is_even(int n) {
  return rt->start_promise([](int n) -> task<bool> { co_return n % 2 == 0; }(n));
}
EMSCRIPTEN_KEEPALIVE int nothing() {
  return rt->start_promise([]() -> task<void> { co_await sleep(1ms); }());
}
EMSCRIPTEN_KEEPALIVE int times_out() {
  return rt->start_promise([]() -> task<result<int>> {
    auto r = co_await timeout(2ms, [](duration d) -> task<void> { co_await sleep(d); }(1h));
    if (!r) co_return error{errc::timed_out};
    co_return 1;
  }());
}
EMSCRIPTEN_KEEPALIVE int fails() {
#if EDDY_HAS_EXCEPTIONS
  return rt->start_promise([]() -> task<int> {
    co_await yield_now();
    throw std::runtime_error("boom from C++");
    co_return 0;
  }());
#else
  return rt->start_promise([]() -> task<result<int>> {
    co_await yield_now();
    co_return error{errc::user, 0, "boom from C++"};
  }());
#endif
}
EMSCRIPTEN_KEEPALIVE void shut_down() {
  delete rt;
  rt = nullptr;
}
}

int main() {
  rt = new emscripten_runtime;
  return 0;
}
