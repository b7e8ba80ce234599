# SPDX-License-Identifier: BSL-1.0
# FindGLib: GLib's core library glib-2.0 through pkg-config (Debian's libglib2.0-dev). Used by
# eddy's build and installed with its CMake package, so a consumer finds GLib on its own machine
# (no path is baked into eddy's package).
#
#   find_package(GLib [version])  ->  GLib_FOUND, GLib_VERSION, imported target PkgConfig::GLIB
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND AND NOT TARGET PkgConfig::GLIB)
  pkg_check_modules(GLIB QUIET IMPORTED_TARGET GLOBAL glib-2.0)
endif()
set(GLib_VERSION ${GLIB_VERSION})
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(GLib REQUIRED_VARS GLIB_LINK_LIBRARIES VERSION_VAR GLib_VERSION)
