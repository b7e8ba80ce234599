# SPDX-License-Identifier: BSL-1.0
# Shared by the CMake consumers of the packaging test: the program ../main.cpp, linked with
# eddy::eddy and every component in EDDY_COMPONENTS (asio, uv, glib), each of which it then uses.
set(EDDY_CONSUMER_MAIN ${CMAKE_CURRENT_LIST_DIR}/main.cpp)
function(eddy_consumer target)
  add_executable(${target} ${EDDY_CONSUMER_MAIN})
  target_link_libraries(${target} PRIVATE eddy::eddy)
  foreach(comp IN LISTS EDDY_COMPONENTS)
    string(TOUPPER ${comp} COMP)
    target_link_libraries(${target} PRIVATE eddy::${comp})
    target_compile_definitions(${target} PRIVATE EXPECT_${COMP}=1)
  endforeach()
  if(CMAKE_CXX_STANDARD GREATER 20)
    target_compile_definitions(${target} PRIVATE EXPECT_CXX=202100L)  # g++ 12 / clang 16: C++23
  endif()
endfunction()
