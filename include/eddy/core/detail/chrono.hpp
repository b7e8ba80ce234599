// SPDX-License-Identifier: BSL-1.0
/// \file
/// Internal: `std::chrono`'s durations, time points, clocks and literals for eddy's headers,
/// without the rest of `<chrono>`.
///
/// In C++20 `<chrono>` also brings the calendar, time zones and stream output; libstdc++ 12
/// includes `<sstream>` (with `<istream>`, `<ostream>` and the locale machinery) for them, about
/// 0.13 s of g++ 12 per translation unit that includes `eddy/eddy.hpp`. libstdc++ keeps what
/// eddy uses (`duration`, `time_point`, `steady_clock`, `system_clock`, `duration_cast`,
/// `chrono_literals`) in `<bits/chrono.h>`, which its `<thread>` and `<condition_variable>`
/// include the same way; other standard libraries get `<chrono>`. Code that uses more of
/// `std::chrono` (calendar types, `operator<<` of a duration) includes `<chrono>` itself.
#pragma once
#include <version>  // defines __GLIBCXX__ on libstdc++

#if defined(__GLIBCXX__) && __has_include(<bits/chrono.h>)
#include <bits/chrono.h>
#else
#include <chrono>
#endif
