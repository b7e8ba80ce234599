# SPDX-License-Identifier: BSL-1.0
# Installation: headers (with the generated eddy/version.hpp), the libraries, the CMake package
# (find_package(eddy CONFIG [COMPONENTS asio uv boost_asio]) -> eddy::eddy, eddy::asio, eddy::uv,
# eddy::boost_asio, the names a subproject sees) and pkg-config files eddy.pc, eddy-asio.pc,
# eddy-uv.pc, eddy-boost_asio.pc. Included from the
# top-level CMakeLists.txt when EDDY_INSTALL is on. Nothing installed holds an absolute path:
# the package finds Threads, Asio, libuv and Boost on the consumer's machine (cmake/modules;
# Boost's own package).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(EDDY_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/eddy)

install(DIRECTORY include/eddy DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${EDDY_GENERATED_INCLUDE_DIR}/eddy/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/eddy)
install(TARGETS eddy EXPORT eddy-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT eddy-targets NAMESPACE eddy:: DESTINATION ${EDDY_INSTALL_CMAKEDIR})

# One export set per backend, so that a consumer imports (and needs the dependency of) only
# the components it asks for.
foreach(comp IN LISTS EDDY_BACKENDS)
  install(TARGETS eddy_${comp} EXPORT eddy-${comp}-targets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT eddy-${comp}-targets NAMESPACE eddy:: DESTINATION ${EDDY_INSTALL_CMAKEDIR})
endforeach()
set(EDDY_INSTALLED_COMPONENTS ${EDDY_BACKENDS})

configure_package_config_file(cmake/eddyConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/eddyConfig.cmake INSTALL_DESTINATION ${EDDY_INSTALL_CMAKEDIR}
  NO_SET_AND_CHECK_MACRO)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/eddyConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/eddyConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/eddyConfigVersion.cmake
        DESTINATION ${EDDY_INSTALL_CMAKEDIR})
install(FILES cmake/modules/FindAsio.cmake cmake/modules/FindLibuv.cmake cmake/modules/FindGLib.cmake
        DESTINATION ${EDDY_INSTALL_CMAKEDIR}/modules)

# pkg-config: eddy.pc always, eddy-<backend>.pc for each backend built. Paths are relative to
# the .pc file (${pcfiledir}), so the installed tree can be moved.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(EDDY_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(EDDY_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(EDDY_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH rel "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")  # ../.. or ../../..
  string(REGEX REPLACE "/$" "" rel "${rel}")
  set(EDDY_PC_PREFIX "\${pcfiledir}/${rel}")
  set(EDDY_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(EDDY_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
set(EDDY_PC_THREADS "")
if(Threads_FOUND AND NOT EDDY_NO_THREADS)
  set(EDDY_PC_THREADS " -pthread")
endif()
set(EDDY_PC_DEFINES "")
if(EDDY_NO_THREADS)
  set(EDDY_PC_DEFINES " -DEDDY_NO_THREADS")
endif()
foreach(pc eddy ${EDDY_BACKENDS})
  if(pc STREQUAL "eddy")
    set(file eddy)
  else()
    set(file eddy-${pc})
  endif()
  configure_file(cmake/${file}.pc.in ${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/${file}.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/${file}.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
