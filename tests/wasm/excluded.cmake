# SPDX-License-Identifier: BSL-1.0
# Test files the wasm build leaves out, by hand, with the reason:
#   eddy_wasm_exclude(<path relative to tests/> "<reason>")
# Files that use thread_pool or std::thread and do not mention EDDY_HAS_THREADS are left out
# automatically (cmake/wasm-tests.cmake); guard threaded tests with `#if EDDY_HAS_THREADS` to
# bring the rest of such a file into the wasm build. build/wasm/excluded-tests.txt lists all.
