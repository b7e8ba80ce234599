# SPDX-License-Identifier: BSL-1.0
# Unity builds of the test folders (tests/CMakeLists.txt, cmake/wasm-tests.cmake): the files of
# a folder compile a batch at a time in one translation unit, so GoogleTest, eddy's headers and
# the coroutine templates the files share are parsed and instantiated once per batch, not once
# per file. A folder is listed in EDDY_UNITY_FOLDERS when each of its files keeps its names in a
# namespace of its own (tests/stream: eddy_stream_test::<file>; other folders:
# eddy_test::<folder>_<file>; tests/asio_common's case files: <name>_cases), so that no two
# files of a batch can clash. A file that must be a translation unit of its own (its point is
# what a header does as the first include) is named `*_order_test.cpp` and compiles alone.
option(EDDY_UNITY_TESTS "Compile the test folders in unity batches (OFF: each file alone)" ON)
set(EDDY_UNITY_BATCH_SIZE 8 CACHE STRING "Test files per unity batch")
set(EDDY_UNITY_FOLDERS unit conformance sync stream stress rpc asio uv boost_asio rpc_websocket qt glib)

# eddy_unity_test_target(<target> <folder>): a unity build for the target when its folder is listed.
function(eddy_unity_test_target target area)
  if(EDDY_UNITY_TESTS AND area IN_LIST EDDY_UNITY_FOLDERS)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON
                                               UNITY_BUILD_BATCH_SIZE ${EDDY_UNITY_BATCH_SIZE})
    get_target_property(sources ${target} SOURCES)
    foreach(src IN LISTS sources)
      if(src MATCHES "_order_test\\.cpp$")
        set_source_files_properties(${src} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
      endif()
    endforeach()
    # g++ takes a unity source's test files for headers, and so warns (-Wsubobject-linkage)
    # of every coroutine frame or lambda that holds a type of a file's anonymous namespace; in
    # a .cpp file that is what the anonymous namespace is for. And g++ 12 at -O3, inlining
    # more across a batch, reports `"e" + std::to_string(n)` as an overlapping memcpy
    # (-Wrestrict, GCC bug 105329; a false positive, like the one eddy_warnings turns off).
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-subobject-linkage -Wno-restrict)
    endif()
  endif()
endfunction()
