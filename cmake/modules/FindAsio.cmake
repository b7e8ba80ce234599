# SPDX-License-Identifier: BSL-1.0
# FindAsio: standalone Asio (header-only: Debian's libasio-dev, or any asio.hpp on the
# search path). Used by eddy's build and installed with its CMake package, so a consumer finds
# Asio on its own machine (no path is baked into eddy's package).
#
#   find_package(Asio [version])  ->  Asio_FOUND, Asio_VERSION, Asio_INCLUDE_DIR,
#                                     imported target Asio::Asio (include directory + threads)
# Hint: -DAsio_INCLUDE_DIR=<dir holding asio.hpp>, or CMAKE_PREFIX_PATH.
find_path(Asio_INCLUDE_DIR asio.hpp)
mark_as_advanced(Asio_INCLUDE_DIR)
if(Asio_INCLUDE_DIR AND EXISTS ${Asio_INCLUDE_DIR}/asio/version.hpp)
  # "#define ASIO_VERSION 102201 // 1.22.1"
  file(STRINGS ${Asio_INCLUDE_DIR}/asio/version.hpp _asio_version_line REGEX "^#define ASIO_VERSION [0-9]+")
  if(_asio_version_line MATCHES "ASIO_VERSION ([0-9]+)")
    math(EXPR _asio_major "${CMAKE_MATCH_1} / 100000")
    math(EXPR _asio_minor "${CMAKE_MATCH_1} / 100 % 1000")
    math(EXPR _asio_patch "${CMAKE_MATCH_1} % 100")
    set(Asio_VERSION ${_asio_major}.${_asio_minor}.${_asio_patch})
  endif()
  unset(_asio_version_line)
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Asio REQUIRED_VARS Asio_INCLUDE_DIR VERSION_VAR Asio_VERSION)
if(Asio_FOUND AND NOT TARGET Asio::Asio)
  find_package(Threads REQUIRED)
  add_library(Asio::Asio INTERFACE IMPORTED)
  set_target_properties(Asio::Asio PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${Asio_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS ASIO_STANDALONE
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
