# SPDX-License-Identifier: BSL-1.0
# FindLibuv: libuv (Debian's libuv1-dev, or any uv.h + libuv on the search path; pkg-config's
# libuv.pc is used as a hint when pkg-config is there). Used by eddy's build and installed with
# its CMake package, so a consumer finds libuv on its own machine (no path is baked into eddy's
# package).
#
#   find_package(Libuv [version])  ->  Libuv_FOUND, Libuv_VERSION, Libuv_INCLUDE_DIR,
#                                      Libuv_LIBRARY, imported target Libuv::Libuv
# Hints: -DLibuv_INCLUDE_DIR=... -DLibuv_LIBRARY=..., or CMAKE_PREFIX_PATH.
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_Libuv QUIET libuv)
endif()
find_path(Libuv_INCLUDE_DIR uv.h HINTS ${PC_Libuv_INCLUDE_DIRS})
find_library(Libuv_LIBRARY NAMES uv libuv HINTS ${PC_Libuv_LIBRARY_DIRS})
mark_as_advanced(Libuv_INCLUDE_DIR Libuv_LIBRARY)
if(Libuv_INCLUDE_DIR AND EXISTS ${Libuv_INCLUDE_DIR}/uv/version.h)
  file(STRINGS ${Libuv_INCLUDE_DIR}/uv/version.h _uv_version_lines
       REGEX "^#define UV_VERSION_(MAJOR|MINOR|PATCH) [0-9]+")
  foreach(_uv_part MAJOR MINOR PATCH)
    string(REGEX REPLACE ".*UV_VERSION_${_uv_part} ([0-9]+).*" "\\1" _uv_${_uv_part} "${_uv_version_lines}")
  endforeach()
  set(Libuv_VERSION ${_uv_MAJOR}.${_uv_MINOR}.${_uv_PATCH})
  unset(_uv_version_lines)
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Libuv REQUIRED_VARS Libuv_LIBRARY Libuv_INCLUDE_DIR
                                  VERSION_VAR Libuv_VERSION)
if(Libuv_FOUND AND NOT TARGET Libuv::Libuv)
  find_package(Threads REQUIRED)
  add_library(Libuv::Libuv UNKNOWN IMPORTED)
  set_target_properties(Libuv::Libuv PROPERTIES
    IMPORTED_LOCATION "${Libuv_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Libuv_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS}")
endif()
