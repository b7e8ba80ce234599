// SPDX-License-Identifier: BSL-1.0
/// \file
/// AddressSanitizer detection for eddy's allocators and their tests (internal).
///
/// - `EDDY_ASAN` is defined (to 1) when the translation unit is built with AddressSanitizer
///   (g++ `-fsanitize=address` or clang's `address_sanitizer` feature).
/// - `EDDY_ASAN_POISON(p, n)` / `EDDY_ASAN_UNPOISON(p, n)` mark `n` bytes at `p` as not to be
///   touched / usable again; without ASan they do nothing.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
/// 1: built with AddressSanitizer.
#define EDDY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
/// 1: built with AddressSanitizer.
#define EDDY_ASAN 1
#endif
#endif

#ifdef EDDY_ASAN
#include <sanitizer/asan_interface.h>
/// Marks `n` bytes at `p` as not to be touched.
#define EDDY_ASAN_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
/// Marks `n` bytes at `p` as usable again.
#define EDDY_ASAN_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
/// Does nothing without AddressSanitizer.
#define EDDY_ASAN_POISON(p, n) ((void)(p), (void)(n))
/// Does nothing without AddressSanitizer.
#define EDDY_ASAN_UNPOISON(p, n) ((void)(p), (void)(n))
#endif
