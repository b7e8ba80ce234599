# SPDX-License-Identifier: BSL-1.0
# Test targets of the wasm build (included by tests/wasm/CMakeLists.txt after eddy).
#
# - GoogleTest is compiled from Debian's `googletest` sources with emcc, without pthreads.
# - tests/<area>/*.cpp -> eddy_wasm_<area>_tests.js, run by node, with a main that hands the
#   result to node's exit code (tests/wasm/support/gtest_main.cpp).
# - tests/wasm/loop/*.cpp: programs whose main returns and whose work goes on on the JS event
#   loop (no gtest); each sets its own exit code when done.

set(EDDY_GTEST_SRC /usr/src/googletest/googletest CACHE PATH "GoogleTest sources (Debian: googletest)")
set(gtest_disable_pthreads ON CACHE BOOL "" FORCE)
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
add_subdirectory(${EDDY_GTEST_SRC} googletest EXCLUDE_FROM_ALL)

if(EXISTS /usr/share/nodejs/acorn AND NOT CMAKE_CXX_LINKER_LAUNCHER)
  set(CMAKE_CXX_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
endif()
find_program(EDDY_NODE NAMES node nodejs REQUIRED)
# Node >= 18 has a global fetch, which the 3.1.6 loader would use for the .wasm file.
set(EDDY_NODE_COMMAND ${EDDY_NODE} --no-experimental-fetch)
execute_process(COMMAND ${EDDY_NODE} --version OUTPUT_VARIABLE node_version OUTPUT_STRIP_TRAILING_WHITESPACE)
if(node_version MATCHES "^v(1[0-9])\\.")
  # Wasm tail calls are on by default from node 20 (V8 11.2); older nodes need the flag.
  list(APPEND EDDY_NODE_COMMAND --experimental-wasm-return-call)
endif()

include(${EDDY_ROOT}/cmake/unity-tests.cmake)
enable_testing()
add_library(eddy_wasm_gtest_main OBJECT ${EDDY_ROOT}/tests/wasm/support/gtest_main.cpp)
target_link_libraries(eddy_wasm_gtest_main PUBLIC gtest)

# Test files left out of the wasm build: path relative to tests/, then the reason.
set(EDDY_WASM_EXCLUDED "" CACHE INTERNAL "")
function(eddy_wasm_exclude file reason)
  set(list ${EDDY_WASM_EXCLUDED})
  list(APPEND list "${file}: ${reason}")
  set(EDDY_WASM_EXCLUDED "${list}" CACHE INTERNAL "")
endfunction()
include(${EDDY_ROOT}/tests/wasm/excluded.cmake)

function(eddy_wasm_test_folder area)
  file(GLOB sources CONFIGURE_DEPENDS ${EDDY_ROOT}/tests/${area}/*.cpp)
  set(kept "")
  foreach(src IN LISTS sources)
    file(RELATIVE_PATH rel ${EDDY_ROOT}/tests ${src})
    set(skip OFF)
    foreach(entry IN LISTS EDDY_WASM_EXCLUDED)
      if(entry MATCHES "^${rel}:")
        set(skip ON)
      endif()
    endforeach()
    # Threads-only files: they name thread_pool or std::thread and do not guard themselves
    # with EDDY_HAS_THREADS (a file that guards its threaded tests is built; the rest runs).
    if(NOT skip)
      file(READ ${src} text)
      if(text MATCHES "thread_pool|std::thread|std::jthread" AND NOT text MATCHES "EDDY_HAS_THREADS")
        eddy_wasm_exclude(${rel} "uses thread_pool/std::thread without an EDDY_HAS_THREADS guard")
        set(skip ON)
      endif()
    endif()
    if(NOT skip)
      list(APPEND kept ${src})
    endif()
  endforeach()
  if(NOT kept)
    return()
  endif()
  set(target eddy_wasm_${area}_tests)
  add_executable(${target} ${kept})
  eddy_unity_test_target(${target} ${area})
  target_include_directories(${target} PRIVATE ${EDDY_ROOT}/tests)
  # Tests are held to -Werror by the native builds (g++ 12, clang 16); clang 14 only warns here.
  target_link_libraries(${target} PRIVATE eddy::eddy eddy_wasm_gtest_main gtest)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  add_test(NAME wasm_${area} COMMAND ${EDDY_NODE_COMMAND} $<TARGET_FILE:${target}> --gtest_brief=1)
  set_tests_properties(wasm_${area} PROPERTIES TIMEOUT 900)
endfunction()

foreach(area unit conformance sync stream wasm)
  eddy_wasm_test_folder(${area})
endforeach()

# Event-loop programs: main returns; the exit code comes from the work that finishes later.
file(GLOB loop_sources CONFIGURE_DEPENDS ${EDDY_ROOT}/tests/wasm/loop/*.cpp)
foreach(src IN LISTS loop_sources)
  get_filename_component(name ${src} NAME_WE)
  add_executable(eddy_wasm_loop_${name} ${src})
  target_link_libraries(eddy_wasm_loop_${name} PRIVATE eddy::eddy eddy_warnings)
  add_test(NAME wasm_loop_${name} COMMAND ${EDDY_NODE_COMMAND} $<TARGET_FILE:eddy_wasm_loop_${name}>)
  set_tests_properties(wasm_loop_${name} PROPERTIES TIMEOUT 120)
endforeach()
# JavaScript drivers: tests/wasm/js/<name>.mjs loads eddy_wasm_js_<name>.js (built from
# tests/wasm/js/<name>.cpp) and checks what JavaScript sees (promises from start_promise).
file(GLOB js_sources CONFIGURE_DEPENDS ${EDDY_ROOT}/tests/wasm/js/*.cpp)
foreach(src IN LISTS js_sources)
  get_filename_component(name ${src} NAME_WE)
  add_executable(eddy_wasm_js_${name} ${src})
  target_link_libraries(eddy_wasm_js_${name} PRIVATE eddy::eddy eddy_warnings)
  target_link_options(eddy_wasm_js_${name} PRIVATE -sMODULARIZE=1 -sEXPORT_NAME=eddy_module)
  add_test(NAME wasm_js_${name}
           COMMAND ${EDDY_NODE} ${EDDY_ROOT}/tests/wasm/js/${name}.mjs $<TARGET_FILE:eddy_wasm_js_${name}>)
  set_tests_properties(wasm_js_${name} PROPERTIES TIMEOUT 120)
endforeach()

string(REPLACE ";" "\n" excluded_text "${EDDY_WASM_EXCLUDED}")
file(WRITE ${CMAKE_BINARY_DIR}/excluded-tests.txt "${excluded_text}\n")
