// SPDX-License-Identifier: BSL-1.0
/// \file
/// eddy's version: compile-time macros and `eddy::version()` for the library that was linked.
#pragma once

/// eddy's major version.
#define EDDY_VERSION_MAJOR 0
/// eddy's minor version.
#define EDDY_VERSION_MINOR 1
/// eddy's patch version.
#define EDDY_VERSION_PATCH 0
/// eddy's version as a string literal, "major.minor.patch".
#define EDDY_VERSION_STRING "0.1.0"

namespace eddy {
/// The version of the eddy library linked into the program ("major.minor.patch"); compare with
/// `EDDY_VERSION_STRING` to detect a header/library mismatch.
const char* version() noexcept;
}  // namespace eddy
