# SPDX-License-Identifier: BSL-1.0
# ctest `no_threads`: compiles the library's sources and tests/no_threads/*.cpp with
# -DEDDY_NO_THREADS on the host (no pthread, no blocking pool) and runs the program.
# Usage: cmake -DCXX=<compiler> -DSOURCE_DIR=<repo> -DGENERATED=<generated include dir>
#              -DSOURCES=<a,b,...> -DWORK=<dir> -P run.cmake
foreach(v CXX SOURCE_DIR GENERATED SOURCES WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "no_threads: -D${v}=... is required")
  endif()
endforeach()
string(REPLACE "," ";" SOURCES "${SOURCES}")
file(GLOB tests ${SOURCE_DIR}/tests/no_threads/*.cpp)
file(MAKE_DIRECTORY ${WORK})
set(exe ${WORK}/no_threads_test)
execute_process(COMMAND ${CXX} -std=c++20 -O1 -foptimize-sibling-calls -DEDDY_NO_THREADS
                        -Wall -Wextra -Werror -I${SOURCE_DIR}/include -I${GENERATED}
                        ${tests} ${SOURCES} -o ${exe}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "no_threads: the build without threads failed:\n${out}${err}")
endif()
execute_process(COMMAND ${exe} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "no_threads: the program failed (${rc})")
endif()
