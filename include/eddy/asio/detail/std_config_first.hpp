// SPDX-License-Identifier: BSL-1.0
/// @file
/// Included before any Asio header by eddy's Asio and Boost.Asio headers.
///
/// Asio picks its aligned allocator (`aligned_new` / `aligned_delete` in
/// `asio/detail/memory.hpp`) from the standard library's configuration macros
/// (libstdc++'s `_GLIBCXX_HAVE_ALIGNED_ALLOC`). A translation unit that includes Asio before
/// any standard header sees no such macro and allocates handler memory with `operator new`;
/// one that includes a standard header first uses `std::aligned_alloc` / `std::free`. Both
/// definitions are inline, so a program mixing the two orders frees with the other TU's
/// function (AddressSanitizer: alloc-dealloc-mismatch). Including `<cstddef>` first makes
/// every eddy TU see the same configuration as code that includes a standard header first,
/// which is what nearly all user code does. User TUs that include Asio as their very first
/// header must do the same (see docs/backends-asio-uv.md).
#pragma once
#include <cstddef>
