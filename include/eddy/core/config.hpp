// SPDX-License-Identifier: BSL-1.0
/// \file
/// Build-configuration detection shared by every eddy header.
///
/// - `EDDY_HAS_EXCEPTIONS` is 1 when the compiler has exceptions enabled.
/// - `EDDY_HAS_THREADS` is 1 on hosted builds with `<thread>`; define `EDDY_NO_THREADS` (bare
/// metal,
///   single-threaded wasm) to make it 0. With 0, eddy uses no `<thread>`, `<mutex>`, `thread_local`
///   or `<stop_token>`, and its locks become the critical-section hook of `core/lock.hpp`.
/// - `EDDY_HAS_STOP_TOKEN` is 1 when `std::stop_token` is available and threads are on.
/// - `EDDY_TASK_DUMP` (default 1) keeps task dumps (`runtime::dump`): every suspension records
///   what it waits on (two stores). 0 compiles the records and the dump's formatting out (for
///   firmware short of flash); `dump` then prints one line saying so. Define it the same way
///   for the library and every file that includes eddy.
/// - `EDDY_TASK_FRAMES` (default: on in debug builds, off with `NDEBUG`; never without
///   `EDDY_TASK_DUMP`) adds the frame chain to dumps: every `co_await` in a `task` records its
///   source location and the task it awaits, so a dump shows the chain of frames from the
///   task's root down to the suspension. It costs a few stores per `co_await` (about 17% of
///   W4's instructions, 19% of W6c's; nothing on W6's synchronous pipeline), hence off in
///   release builds; define it to 1 to have it there. The frame layout does not depend on it
///   (the fields exist whenever `EDDY_TASK_DUMP` is on), so a library and a program built
///   with different values work together: frames of code built without it show no chain.
#pragma once

#if __cplusplus < 202002L
#error "eddy needs C++20 or later: compile with -std=c++20 (or a later standard)"
#endif

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
/// 1 when exceptions are enabled.
#define EDDY_HAS_EXCEPTIONS 1
#else
/// 1 when exceptions are enabled, else 0.
#define EDDY_HAS_EXCEPTIONS 0
#endif

#if defined(EDDY_NO_THREADS) || defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
/// 1 on hosted builds with threads, 0 with EDDY_NO_THREADS or single-threaded wasm.
#define EDDY_HAS_THREADS 0
#else
/// 1 on hosted builds with threads, 0 with EDDY_NO_THREADS or single-threaded wasm.
#define EDDY_HAS_THREADS 1
#endif

#if EDDY_HAS_THREADS
/// `thread_local` when threads exist, else nothing (one context).
#define EDDY_THREAD_LOCAL thread_local
#else
/// `thread_local` when threads exist, else nothing (one context).
#define EDDY_THREAD_LOCAL
#endif

#if EDDY_HAS_THREADS && defined(__has_include)
#if __has_include(<version>)
#include <version>
#endif
#if defined(__cpp_lib_jthread)
/// 1 when `std::stop_token` is available (and threads are on).
#define EDDY_HAS_STOP_TOKEN 1
#endif
#endif
#ifndef EDDY_HAS_STOP_TOKEN
/// 1 when `std::stop_token` is available (and threads are on).
#define EDDY_HAS_STOP_TOKEN 0
#endif

#ifndef EDDY_TASK_DUMP
/// 1 when task dumps are compiled in (see the file comment).
#define EDDY_TASK_DUMP 1
#endif

#ifndef EDDY_TASK_FRAMES
#if EDDY_TASK_DUMP && !defined(NDEBUG)
/// 1 when `co_await`s in tasks record the frame chain of task dumps (see the file comment).
#define EDDY_TASK_FRAMES 1
#else
/// 1 when `co_await`s in tasks record the frame chain of task dumps (see the file comment).
#define EDDY_TASK_FRAMES 0
#endif
#endif
