# Test files the wasm build leaves out, by hand, with the reason:
#   eddy_wasm_exclude(<path relative to tests/> "<reason>")
# Files that use thread_pool or std::thread and do not mention EDDY_HAS_THREADS are left out
# automatically (cmake/wasm-tests.cmake); guard threaded tests with `#if EDDY_HAS_THREADS` to
# bring the rest of such a file into the wasm build. build/wasm/excluded-tests.txt lists all.
eddy_wasm_exclude(stream/operators_test.cpp "line 334 `items<int>{5}` in a template: clang 14 + libc++ 13 instantiate vector(size_type), which needs a default item (`items<int>{{5}}` compiles)")
eddy_wasm_exclude(stream/sources_test.cpp "lines 64, 69, 184: `items<int>{7}` in a TYPED_TEST, same clang 14 + libc++ 13 issue (`items<int>{{7}}` compiles)")
