/// \file
/// eddy's version: compile-time macros and `eddy::version()` for the library that was linked.
#pragma once

#define EDDY_VERSION_MAJOR 0
#define EDDY_VERSION_MINOR 1
#define EDDY_VERSION_PATCH 0
#define EDDY_VERSION_STRING "0.1.0"

namespace eddy {
/// The version of the eddy library linked into the program ("major.minor.patch"); compare with
/// `EDDY_VERSION_STRING` to detect a header/library mismatch.
const char* version() noexcept;
}  // namespace eddy
