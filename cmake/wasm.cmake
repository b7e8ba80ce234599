# SPDX-License-Identifier: BSL-1.0
# Emscripten (emcc) settings for the eddy library, included by the top-level CMakeLists.txt
# when EMSCRIPTEN is set (configure with `emcmake cmake`). See docs/browser.md.
#
# - Single-threaded wasm: no thread_pool; eddy runs on the JS event loop (emscripten_runtime).
# - -mtail-call: symmetric transfer between coroutines is a tail call only with it (without it
#   clang refuses to compile eddy). It is PUBLIC: every TU that awaits eddy tasks needs it.
# - Debian's emcc runs node for its JS optimizer, and Debian's `acorn` lives in
#   /usr/share/nodejs, which only Debian's own node searches: links are launched with
#   NODE_PATH set, so the build works with any node on PATH.
# - Exceptions: emcc's default defines __cpp_exceptions but cannot catch (a throw aborts).
#   Configure with -DCMAKE_CXX_FLAGS=-fexceptions (JS-based catching; the tests do) or
#   -fno-exceptions (smallest; the browser page does). Every TU must agree.
set(EDDY_NO_THREADS ON)
target_sources(eddy PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../src/emscripten_runtime.cpp)
target_compile_options(eddy PUBLIC -mtail-call)
# libc++ 13 has only <experimental/coroutine> (core/coro.hpp); clang 14 warns at each coroutine.
target_compile_options(eddy PUBLIC -Wno-deprecated-experimental-coroutine)
# clang 14 crashes in CoroSplit at -O2/-Os on `while (cond) co_await x;` with an inline
# await_suspend (llvm/llvm-project#54760, fixed in 15); not hoisting common code avoids it.
target_compile_options(eddy PUBLIC "SHELL:-mllvm -simplifycfg-hoist-common=false")
target_link_options(eddy PUBLIC -mtail-call)
if(EXISTS /usr/share/nodejs/acorn AND NOT CMAKE_CXX_LINKER_LAUNCHER)
  set(CMAKE_CXX_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
endif()
