# SPDX-License-Identifier: BSL-1.0
# Installation: headers, the libraries, the CMake package (find_package(eddy CONFIG) with
# components asio and uv) and a pkg-config file. Included from the top-level CMakeLists.txt.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(EDDY_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/eddy)

install(DIRECTORY include/eddy DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS eddy eddy_warnings EXPORT eddy-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT eddy-targets NAMESPACE eddy:: DESTINATION ${EDDY_INSTALL_CMAKEDIR})

set(EDDY_INSTALLED_COMPONENTS "")
foreach(comp asio uv)
  if(TARGET eddy_${comp})
    install(TARGETS eddy_${comp} EXPORT eddy-${comp}-targets
            ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
            LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
    install(EXPORT eddy-${comp}-targets NAMESPACE eddy:: DESTINATION ${EDDY_INSTALL_CMAKEDIR})
    list(APPEND EDDY_INSTALLED_COMPONENTS ${comp})
  endif()
endforeach()

configure_package_config_file(cmake/eddyConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/eddyConfig.cmake INSTALL_DESTINATION ${EDDY_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/eddyConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/eddyConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/eddyConfigVersion.cmake
        DESTINATION ${EDDY_INSTALL_CMAKEDIR})

configure_file(cmake/eddy.pc.in ${CMAKE_CURRENT_BINARY_DIR}/eddy.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/eddy.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
