# SPDX-License-Identifier: BSL-1.0
# ctest `doc_check`: every public name in include/eddy has a doc comment.
# Runs doxygen with docs/Doxyfile (which generates nothing but warnings) and fails, listing
# the warnings, if there are any.
# Usage: cmake -DDOXYGEN=<exe> -DSOURCE_DIR=<repo> -DGENERATED_DIR=<build>/include
#              -DBINARY_DIR=<dir> -P doc_check.cmake
# (GENERATED_DIR holds the generated eddy/version.hpp.)
foreach(v DOXYGEN SOURCE_DIR GENERATED_DIR BINARY_DIR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "doc_check: -D${v}=... is required")
  endif()
endforeach()
file(MAKE_DIRECTORY ${BINARY_DIR})
set(log ${BINARY_DIR}/doxygen-warnings.log)
file(REMOVE ${log})
# docs/Doxyfile with absolute paths and the log in the build directory (later lines win).
file(WRITE ${BINARY_DIR}/Doxyfile
  "@INCLUDE = ${SOURCE_DIR}/docs/Doxyfile\n"
  "INPUT = ${SOURCE_DIR}/include/eddy ${GENERATED_DIR}/eddy/version.hpp\n"
  "STRIP_FROM_PATH = ${SOURCE_DIR}/include ${GENERATED_DIR}\n"
  "OUTPUT_DIRECTORY = ${BINARY_DIR}\n"
  "WARN_LOGFILE = ${log}\n")
execute_process(COMMAND ${DOXYGEN} ${BINARY_DIR}/Doxyfile
  WORKING_DIRECTORY ${BINARY_DIR}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "doc_check: doxygen failed (${rc}):\n${out}${err}")
endif()
set(warnings "")
if(EXISTS ${log})
  file(READ ${log} warnings)
  string(STRIP "${warnings}" warnings)
endif()
if(NOT warnings STREQUAL "")
  string(REGEX MATCHALL "\n" lines "\n${warnings}")
  list(LENGTH lines n)
  message("${warnings}")  # unformatted: one warning a line
  message(FATAL_ERROR "doc_check: ${n} doxygen warning(s) in include/eddy (above): "
                      "document each public name with a /// comment")
endif()
message(STATUS "doc_check: every public name in include/eddy is documented")
