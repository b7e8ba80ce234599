# SPDX-License-Identifier: BSL-1.0
# ctest `compile_fail.<case>`: tests/compile_fail/<case>.cpp (one common mistake) must not compile,
# and the first line of the compiler's output that says "error:" must match the regular
# expression on the case's "// expect: " line (it names the operator and the broken
# requirement), on every compiler given.
# Usage: cmake -DCASE=<case.cpp> -DINCLUDE=<include dir> -DCOMPILERS=g++-12,clang++-16 -P run.cmake
foreach(v CASE INCLUDE COMPILERS)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "compile_fail: -D${v}=... is required")
  endif()
endforeach()
file(STRINGS ${CASE} expect REGEX "^// expect: " LIMIT_COUNT 1)
string(REGEX REPLACE "^// expect: " "" expect "${expect}")
if(expect STREQUAL "")
  message(FATAL_ERROR "compile_fail: ${CASE} has no '// expect: <regex>' line")
endif()
string(REPLACE "," ";" compilers "${COMPILERS}")
set(problems "")
foreach(cxx IN LISTS compilers)
  find_program(exe_${cxx} ${cxx})
  if(NOT exe_${cxx})
    list(APPEND problems "${cxx}: not found")
    continue()
  endif()
  execute_process(COMMAND ${exe_${cxx}} -std=c++20 -fsyntax-only -I${INCLUDE} ${CASE}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX MATCH "[^\n]*error:[^\n]*" first "${out}${err}")
  if(rc EQUAL 0)
    list(APPEND problems "${cxx}: compiled, but the mistake must be an error")
  elseif(NOT first MATCHES "${expect}")
    list(APPEND problems "${cxx}: the first error line does not match '${expect}':\n  ${first}")
  else()
    message(STATUS "${cxx}: ${first}")
  endif()
endforeach()
if(problems)
  string(REPLACE ";" "\n" problems "${problems}")
  message(FATAL_ERROR "compile_fail ${CASE}:\n${problems}")
endif()
